"""The policy levers: the settings a comparison varies, each declared once for the store, the analysis and the app.

A lever has a name (its column in every stored table and its key in a run's metadata), what people call it,
where its value is in a run's resolved config, its type, the value it takes where that part of the config is
absent (a programme the policy does not run), the status quo's level, how a level reads, and the colour the
decomposition draws it in.  ``experiments.store`` labels each run with the levers marked ``labels_runs``;
``analysis`` pairs, names and decomposes arms by them; the app builds its form and its overrides from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

_REVIEW_NAMES = {"standard": "standard review", "strengths_based": "strengths-based review"}


def _title(name: str) -> str:
    """``community_first`` -> ``Community first`` (a preset's or practice's name for people)."""
    return str(name).replace("_", " ").capitalize()


@dataclass(frozen=True)
class Lever:
    """One lever (see the module docstring).  ``context`` marks a lever of the place or its investment rather than
    of the council's practice (community capacity, community builders): every arm is compared with the status
    quo at the same level of it.  ``programme`` names the programme whose section holds it, if any: setting it
    on a policy that does not run that programme adds the programme first; ``group``, a config group whose
    option the lever chooses (the review practice)."""

    name: str
    label: str
    path: tuple[str, ...]
    kind: type
    status_quo: Any
    level: Callable[[Any], str]
    short: Callable[[Any], str]
    colour: str
    labels_runs: bool = True
    context: bool = False
    absent: Any = None
    programme: str | None = None
    group: str | None = None
    explain: str = ""
    unit: str = field(default="")
    written: Callable[[Any], str] = repr  # a level as a command-line value


    def value(self, config: Mapping) -> Any:
        """The lever's value in a resolved config (a nested mapping, e.g. ``dataclasses.asdict(params)``)."""
        node: Any = config
        for key in self.path:
            if not isinstance(node, Mapping) or key not in node:
                if self.absent is None:
                    raise KeyError(f"{'.'.join(self.path)} is not in the config")
                return self.absent
            node = node[key]
        return self.kind(node)

    def overrides(self, value: Any, runs_programme: bool) -> list[str]:
        """Hydra overrides that set the lever to ``value`` on ``policy`` (adding its programme if the preset does not
        run it)."""
        if self.group:  # an option of a config group inside the policy
            return [f"{self.group}@{'.'.join(self.path[:-1])}={value}"]
        added = [f"+programme@policy.programmes.{self.programme}={self.programme}"] \
            if self.programme and not runs_programme else []
        return [*added, f"{'.'.join(self.path)}={self.written(value)}"]

    @property
    def key(self) -> str:
        """The config key that sets it, as a one-line error names it: ``community.capacity``, ``review@policy.review``."""
        return f"{self.group}@{'.'.join(self.path[:-1])}" if self.group else ".".join(self.path)

    def switch_text(self, levels: tuple) -> str:
        """What switching the lever means: ``strengths-based review instead of standard review``."""
        ref, alt = levels
        return f"{self.level(alt)} instead of {self.level(ref)}"


FRONT_DOOR = Lever("policy", "front door", ("policy", "name"), str, "service_first",
                   level=lambda v: f"{_title(v).lower()} front door", short=lambda v: "Front<br>door",
                   colour="#d95f02", labels_runs=False)
REVIEW = Lever("review", "review practice", ("policy", "review", "name"), str, "standard",
               level=lambda v: _REVIEW_NAMES.get(v, f"{_title(v).lower()} review"), short=lambda v: "Review",
               colour="#7570b3", group="review", explain="Review practice")
STAFF = Lever("staff_fte_per_10k", "practitioners per 10,000 adults", ("policy", "staff_fte_per_10k"), float, 2.6,
              level=lambda v: f"{v:g} practitioners per 10,000 adults", short=lambda v: f"Staff<br>{v:g}",
              colour="#66a61e", labels_runs=False, unit="FTE per 10,000 adults",
              explain="Practitioners per 10,000 adults")
COMMUNITY_CAPACITY = Lever("community_capacity", "community capacity", ("community", "capacity"), float, 1.0,
                           level=lambda v: f"community capacity {v:g}", short=lambda v: f"Capacity<br>{v:g}",
                           colour="#1b9e77", context=True, unit="x the defaults",
                           explain="Community capacity (1 = the area's own; 0.25 = a quarter of its volunteers' and "
                                   "groups' hours)")
BUILDERS = Lever("builder_coverage", "community builders", ("policy", "programmes", "builders", "coverage"), float, 0.0,
                 level=lambda v: "no builders" if v == 0 else f"builders in {v:.0%} of neighbourhoods",
                 short=lambda v: f"Builders<br>{v:.0%}", colour="#e6ab02", context=True, absent=0.0,
                 programme="builders", explain="Community builder sites: share of neighbourhoods, most deprived first "
                                               "(a site is one builder)",
                 unit="share of neighbourhoods")

HOSPITAL_ROUTE = Lever("hospital_practice", "hospital route", ("policy", "hospital_practice"), str, "False",
                       level=lambda v: ("the practice reaching discharges from hospital" if v == "True"
                                        else "discharges served by the hospital's discharge team"),
                       short=lambda v: "Hospital<br>route", colour="#e7298a", written=lambda v: str(v).lower(),
                       explain="Whether the policy's practice reaches people discharged from hospital (an intermediate "
                               "tier, as Calderdale's), or the hospital's discharge team serves them as today")

# Every lever, in the order tables and the app show them.
LEVERS = (FRONT_DOOR, REVIEW, STAFF, COMMUNITY_CAPACITY, BUILDERS, HOSPITAL_ROUTE)
BY_NAME = {lever.name: lever for lever in LEVERS}
# The levers that label a run besides its front door (``policy``), in the order stored.
RUN_LEVERS = tuple(lever for lever in LEVERS if lever.labels_runs)
# The levers the policy lab lets a user set on each policy, in the order of its form.
FORM_LEVERS = (STAFF, REVIEW, BUILDERS, COMMUNITY_CAPACITY)
# The levers of the place or its investment, at whose level every arm meets the status quo.
CONTEXT_LEVERS = tuple(lever for lever in RUN_LEVERS if lever.context)
