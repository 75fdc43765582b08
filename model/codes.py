"""Integer codes shared by the numba kernels and the recorder.

Module-level ints are frozen into compiled kernels as constants.
"""

# Tie kinds
HOUSEHOLD, FAMILY, FRIEND, NEIGHBOUR, GROUPMATE = 0, 1, 2, 3, 4
TIE_KINDS = ("household", "family", "friend", "neighbour", "groupmate")

# Service states (what a resident currently receives).  Long-term packages are HOME_CARE and above
# (lib.packages.on_long_term); care homes are RESIDENTIAL and NURSING.  Ongoing low-level support (equipment,
# telecare, minor adaptations) is not long-term support, as ASC-FR counts it.
(NO_SERVICE, COMMUNITY_PLAN, REABLEMENT, LOW_LEVEL, HOME_CARE, DAY_CARE, SHARED_LIVES, RESIDENTIAL,
 NURSING) = 0, 1, 2, 3, 4, 5, 6, 7, 8
SERVICES = ("none", "community_plan", "reablement", "low_level", "home_care", "day_care", "shared_lives",
            "residential", "nursing")
LONG_TERM_SERVICES = ("home_care", "day_care", "shared_lives", "residential", "nursing")
CARE_HOMES = ("residential", "nursing")

# Outcomes of a request (a front-door contact): every one served ends in exactly one.  ASC-FR's categories:
# universal services or signposted, no services, ongoing low-level support, short-term support (reablement),
# long-term support; the community-first front door adds a conversation's own two.
RESOLVED, SIGNPOSTED, PLAN, SHORT_TERM, LONG_TERM, NO_SERVICES, LOW_LEVEL_SUPPORT = 0, 1, 2, 3, 4, 5, 6
OUTCOMES = ("resolved_first_contact", "signposted", "community_plan", "reablement", "long_term_service",
            "no_services", "low_level_support")

# How a request reached the front door: from the community (the person, their family, a GP, a programme's route)
# or on discharge from hospital
COMMUNITY_ROUTE, HOSPITAL_ROUTE = 0, 1
ROUTES = ("community", "hospital")

# Contributor roles
NOT_CONTRIBUTOR, VOLUNTEER, CONNECTOR = 0, 1, 2

NEVER = -(10**6)  # "week" of an event that has not happened
