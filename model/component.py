"""What every component of the model declares and does: the protocol phases and programmes share.

A component is one mechanism, in one module (Starsim's modules, LASER's components).  It declares, as
class attributes:

* ``name``: its attribute on the model and its name in the week's order;
* ``arrays``: the arrays of the state it owns (:class:`model.state.Array`: dtype, unit, the value a new
  town and an in-migrant start with, whether it outlives its week), from which the state is assembled;
* ``Pars``: its parameter section (a frozen dataclass declared with :func:`model.params.p`), or None;
* ``results``: its columns of the steps table (:class:`model.schema.Column`), which its ``measures`` fill;
  a column marked ``cost`` is a cost line, summed into ``cost_total`` with every other;
* ``carried``: the attributes it keeps from one week into the next beyond the state's arrays, with why (a
  warm-up checkpoint takes them, ``model/checkpoint.py``).

and implements ``__init__(model)`` (allocate scratch, bind kernels to the state with
:class:`model.state.Kernel`), ``step(model, week)``, ``measures(model, week)`` and, if it draws or derives
an in-migrant's values, ``arrive(model, week, slots)``.  ``week`` is the week's context
(:class:`model.week.Week`); kernels take ``week.week``, the run's clock.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np


class Component:
    """Base of every phase and programme: the declarations and the do-nothing defaults."""

    name: ClassVar[str]
    arrays: ClassVar[tuple] = ()
    Pars: ClassVar[type | None] = None
    results: ClassVar[tuple] = ()
    carried: ClassVar[dict[str, str]] = {}

    def __init__(self, model) -> None:
        """Allocate what the component owns beyond the state and bind its kernels (default: nothing)."""

    def step(self, model, week) -> None:
        """The component's part of the week (default: nothing)."""

    def measures(self, model, week) -> dict:
        """This week's values of the component's ``results`` (policy weeks only)."""
        return {}

    def arrive(self, model, week, slots: np.ndarray) -> None:
        """Set the values the component draws or derives for the in-migrants in ``slots`` (default: nothing)."""
