"""The state: every array the model keeps, declared by the component that owns it, and kernels bound to them.

Residents are stored contiguously by neighbourhood (``hood_start[h]:hood_start[h+1]``), so
per-neighbourhood reductions are parallel loops over neighbourhoods.  A resident who dies is replaced in
the same slot by an in-migrant: the population size never changes and every array keeps its shape, which
is what lets counter-based draws line up across policies.

Each component declares the arrays it owns as :class:`Array` records (LASER's ``add_scalar_property``,
Starsim's ``define_states``): the part of the town they describe, dtype, unit, meaning, the value a new
town starts with where the population builder does not set it, the value an in-migrant starts with, and
whether the array outlives its week.  :meth:`State.assemble` builds the state from the declarations of
every component in the model, so a new mechanism adds its arrays by declaring them, and an in-migrant is
reset by the declarations (:meth:`State.arrive`), not by one kernel that knows every field.

Arrays that outlive their week (``carried``) are the model's dynamic state: a warm-up checkpoint holds
them (``model/checkpoint.py``) and the golden digests cover them.  The others are this week's: written
each week before they are read, they pass what one component finds to the components after it (a
resident's main-care capacity, the week's contacts, the groups alive when the week began).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np

# The parts of the state, each with the prefix its arrays take as kernel arguments (``group_activity``,
# ``hood_pool``), so one name never means two arrays: the town's four (residents, ties, groups and
# neighbourhoods) and the council's week (``COUNCIL``: the week's tallies and lists that several components
# add to, such as the packages started).
RESIDENTS, TIES, ASSOCIATIONS, HOODS, COUNCIL = "residents", "ties", "associations", "hoods", "council"
TOWN = (RESIDENTS, TIES, ASSOCIATIONS, HOODS)
PREFIX = {RESIDENTS: "", TIES: "", ASSOCIATIONS: "group_", HOODS: "hood_", COUNCIL: ""}

# How many entries an array has: one per resident (``PER_RESIDENT``), one more for CSR row starts, one per
# tie slot, group slot or neighbourhood, two per resident (a list of this week's events, at most two a
# resident), or one (a tally).
PER_RESIDENT, RESIDENT_STARTS, PER_TIE_SLOT, PER_GROUP, PER_HOOD, HOOD_STARTS, TWO_PER_RESIDENT, ONE = (
    "resident", "resident+1", "tie slot", "group", "neighbourhood", "neighbourhood+1", "2 x resident", "one")


class Keep:
    """An in-migrant's value: the slot keeps the dead resident's (``why`` says why that is safe)."""

    def __init__(self, why: str):
        self.why = why


class SetBy:
    """An in-migrant's value: drawn or derived by a component's arrival rule (``how``)."""

    def __init__(self, component: str, how: str):
        self.component, self.how = component, how


@dataclass(frozen=True)
class Array:
    """One array of the state, as its owner declares it.

    ``start`` fills it in a new town unless the population builder sets it (``None``: the builder must).
    ``arrival`` is an in-migrant's value (residents' arrays that outlive their week): a constant the state
    writes into the slot, :class:`Keep` or :class:`SetBy`.  ``carried=False`` marks this week's arrays.  ``width`` gives a
    second dimension (a resident's two group memberships).
    """

    part: str
    name: str
    dtype: Any
    size: str
    unit: str
    doc: str
    start: Any = 0
    arrival: Any = None
    carried: bool = True
    width: int = 0

    @property
    def kernel_name(self) -> str:
        """The name kernels give it as an argument."""
        return PREFIX[self.part] + self.name


class Part:
    """The arrays of one part of the town, as attributes (``state.residents.age``), in declaration order."""

    def __init__(self, name: str, arrays: dict[str, np.ndarray]):
        self.name = name
        self.__dict__.update(arrays)
        self.names = tuple(arrays)

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.names}

    @property
    def n(self) -> int:
        """Entries per array (residents, for the residents' part)."""
        return len(getattr(self, self.names[0]))


class State:
    """Every declared array, by part; built once per run by :meth:`assemble` and never reallocated."""

    def __init__(self, declarations: tuple[Array, ...], parts: dict[str, Part]):
        self.declarations = declarations
        self._parts = parts
        self.residents, self.ties = parts[RESIDENTS], parts[TIES]
        self.associations, self.hoods, self.council = parts[ASSOCIATIONS], parts[HOODS], parts[COUNCIL]

    @classmethod
    def assemble(cls, declarations: Iterable[Array], built: Mapping[str, np.ndarray]) -> "State":
        """The state of a new town: ``built`` (kernel name -> array, from the population builder) for the arrays it
        sets, the declared ``start`` value for the others.  Refuses an array built but not declared, declared
        twice, or built with another dtype or length than its declaration's."""
        declarations = tuple(declarations)
        check_arrivals(declarations)
        names = [d.kernel_name for d in declarations]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"state arrays declared twice: {twice}")
        stray = sorted(set(built) - set(names))
        if stray:
            raise ValueError(f"the population builder set arrays no component declares: {stray}")
        sizes = _sizes(built)
        parts = {part: {} for part in PREFIX}
        for d in declarations:
            shape = (sizes[d.size],) + ((d.width,) if d.width else ())
            if d.kernel_name in built:
                array = built[d.kernel_name]
                if array.dtype != np.dtype(d.dtype) or array.shape != shape:
                    raise ValueError(f"{d.kernel_name}: built as {array.dtype}{array.shape}, declared "
                                     f"{np.dtype(d.dtype)}{shape}")
            elif d.start is None:
                raise ValueError(f"{d.kernel_name} has no start value and the population builder does not set it")
            else:
                array = np.full(shape, d.start, dtype=d.dtype)
            parts[d.part][d.name] = array
        return cls(declarations, {part: Part(part, arrays) for part, arrays in parts.items()})

    def parts(self) -> dict[str, Part]:
        return dict(self._parts)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array under the name kernels give it as an argument: residents' and ties' arrays by field name,
        associations' with the prefix ``group_`` and neighbourhoods' with ``hood_`` (so ``hood`` is a resident's
        neighbourhood and ``group_hood`` a group's)."""
        return {d.kernel_name: getattr(self._parts[d.part], d.name) for d in self.declarations}

    def carried(self) -> dict[str, np.ndarray]:
        """The arrays that outlive their week (the dynamic state a checkpoint holds), by kernel name."""
        return {d.kernel_name: getattr(self._parts[d.part], d.name) for d in self.declarations if d.carried}

    def carried_by_part(self) -> dict[str, dict[str, np.ndarray]]:
        """The arrays that outlive their week, by part and name (``residents`` -> ``age`` -> array)."""
        out = {}
        for d in self.declarations:
            if d.carried:
                out.setdefault(d.part, {})[d.name] = getattr(self._parts[d.part], d.name)
        return out

    def arrive(self, slots: np.ndarray) -> None:
        """Give the in-migrants in ``slots`` every declared constant arrival value (LASER's ``on_birth``); the
        values components draw or derive (:class:`SetBy`) are theirs to set, and :class:`Keep` leaves the slot's."""
        for d in self.declarations:
            if d.part == RESIDENTS and d.carried and not isinstance(d.arrival, (Keep, SetBy)):
                getattr(self.residents, d.name)[slots] = d.arrival


def _sizes(built: Mapping[str, np.ndarray]) -> dict[str, int]:
    """Entries per array, by :data:`PER_RESIDENT` and the other size names, from the arrays the builder set."""
    residents = built["indptr"].size - 1
    hoods = built["hood_start"].size - 1
    return {PER_RESIDENT: residents, RESIDENT_STARTS: residents + 1, PER_TIE_SLOT: built["other"].size,
            PER_GROUP: built["group_hood"].size, PER_HOOD: hoods, HOOD_STARTS: hoods + 1,
            TWO_PER_RESIDENT: 2 * residents, ONE: 1}


def live_ties(ties: Part) -> np.ndarray:
    """Boolean mask of the tie slots holding live ties (for checks and analysis; kernels use ``degree``):
    row ``i`` owns ``indptr[i]:indptr[i+1]`` and its first ``degree[i]`` entries are live."""
    rank = np.arange(ties.other.size) - np.repeat(ties.indptr[:-1], np.diff(ties.indptr))
    return rank < np.repeat(ties.degree, np.diff(ties.indptr))


def check_arrivals(declarations: Iterable[Array]) -> None:
    """Every residents' array that outlives its week says what an in-migrant starts with (a constant, :class:`Keep`
    or :class:`SetBy`); this week's arrays are written before they are read."""
    missing = [d.kernel_name for d in declarations if d.part == RESIDENTS and d.carried and d.arrival is None]
    if missing:
        raise ValueError(f"residents' arrays with no arrival value: {missing}")


class Kernel:
    """A numba kernel with the arrays and parameter views it reads bound once, by argument name.

    ``Kernel(kernel, sources)`` binds every argument of ``kernel`` that ``sources`` names (the state's
    arrays, a component's scratch, scalar parameter views); the call gives the rest by keyword, e.g.
    ``self._triage(week=..., staff_hours=..., order=...)``, and every argument reaches the kernel by
    name, so two arrays of one type can never be swapped.  Arrays never reallocate (deaths refill
    slots in place), so binding once at build time stays valid for the whole run.  Arrays go to
    kernels one by one, never inside a namedtuple: numba loses writes made through a namedtuple
    inside ``prange`` loops.
    """

    def __init__(self, kernel, sources: Mapping[str, Any]):
        names = tuple(inspect.signature(kernel.py_func).parameters)
        self.__name__ = kernel.__name__
        self._kernel = kernel
        self._bound = {name: sources[name] for name in names if name in sources}
        self._free = frozenset(names) - self._bound.keys()

    def __call__(self, **given):
        if given.keys() != self._free:
            raise TypeError(f"{self.__name__} takes {sorted(self._free)} at the call; given {sorted(given)}")
        return self._kernel(**self._bound, **given)
