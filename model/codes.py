"""Integer codes shared by the numba kernels and the recorder.

Module-level ints are frozen into compiled kernels as constants.
"""

# Tie kinds
HOUSEHOLD, FAMILY, FRIEND, NEIGHBOUR, GROUPMATE = 0, 1, 2, 3, 4
TIE_KINDS = ("household", "family", "friend", "neighbour", "groupmate")

# Service states (what a resident currently receives)
NO_SERVICE, COMMUNITY_PLAN, REABLEMENT, HOME_CARE, DAY_CARE, RESIDENTIAL, SHARED_LIVES = 0, 1, 2, 3, 4, 5, 6
SERVICES = ("none", "community_plan", "reablement", "home_care", "day_care", "residential", "shared_lives")
LONG_TERM_SERVICES = ("home_care", "day_care", "residential", "shared_lives")

# Front-door outcomes: every processed contact ends in exactly one
RESOLVED, SIGNPOSTED, PLAN, SHORT_TERM, LONG_TERM = 0, 1, 2, 3, 4
OUTCOMES = ("resolved_first_contact", "signposted", "community_plan", "reablement", "long_term_service")

# Contributor roles
NOT_CONTRIBUTOR, VOLUNTEER, CONNECTOR = 0, 1, 2

NEVER = -(10**6)  # "week" of an event that has not happened
