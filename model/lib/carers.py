"""Who can care for whom, and the spare informal time around a person: read by support (main care and rounds of
asking), by the front door's conversation and by the strengths-based review, which must count a carer's time as
support does."""

from numba import njit

from .. import codes


@njit(inline="always", cache=True)
def tie_weight(strength, tie_kind, household_weight):
    """How much a person leans on a tie when asking: its strength, times ``household_weight`` inside the household."""
    return strength * (household_weight if tie_kind == codes.HOUSEHOLD else 1.0)


@njit(cache=True)
def closest_carer(i, indptr, degree, other, strength, kind, able_to_care, household_weight):
    """Slot of ``i``'s closest tie able to care (household or family, ``able_to_care``): the largest weight,
    the first such tie in the row on equal weights; -1 if none."""
    best, best_weight = -1, 0.0
    for k in range(indptr[i], indptr[i] + degree[i]):
        tie_kind = kind[k]
        if (tie_kind == codes.HOUSEHOLD or tie_kind == codes.FAMILY) and able_to_care[other[k]]:
            w = tie_weight(strength[k], tie_kind, household_weight)
            if w > best_weight:
                best, best_weight = k, w
    return best


@njit(cache=True)
def tie_spare(k, main, indptr, degree, other, strength, kind, helper_cap, helper_load, care_cap, strain, main_agrees,
              network_pars):
    """Spare time along tie slot ``k`` that a practitioner can count on: if it is the tie to the person's main
    carer (slot ``main``), the care that carer is able and agrees to give beyond what they give already: nothing
    unless they agree (``main_agrees``), and otherwise what they could still give (up to ``network.carer_hours``,
    or ``network.carer_hours_family`` from another household) less in proportion to their strain; for any other
    tie, its spare light-help hours weighted by the square of its strength, since people give much more time to
    close ties than to acquaintances."""
    j = other[k]
    if k == main:
        if not main_agrees:
            return 0.0
        limit = network_pars.carer_hours if kind[k] == codes.HOUSEHOLD else network_pars.carer_hours_family
        return max(0.0, min(care_cap[j], limit) - helper_load[j]) * (1.0 - strain[j])
    return strength[k] * strength[k] * max(0.0, helper_cap[j] - helper_load[j])


@njit(cache=True)
def network_spare(i, indptr, degree, other, strength, kind, helper_cap, helper_load, care_cap, able_to_care, strain,
                  main_agrees, network_pars):
    """Spare informal time around ``i`` that a practitioner can count on (:func:`tie_spare` over their ties)."""
    main = closest_carer(i, indptr, degree, other, strength, kind, able_to_care, network_pars.household_weight)
    total = 0.0
    for k in range(indptr[i], indptr[i] + degree[i]):
        total += tie_spare(k, main, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                           helper_load=helper_load, care_cap=care_cap, strain=strain, main_agrees=main_agrees,
                           network_pars=network_pars)
    return total
