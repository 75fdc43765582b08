"""Which draw of which stream each rule takes: the contract the engine and the plain-Mesa reference share.

Every random number is ``rng.uniform(key, stream, week, subject, draw)`` (``model/rng.py``).  The
stream names the mechanism; the constants here name the draw within it, and the offsets keep subjects
of different kinds (residents, neighbourhoods, groups) apart within one stream.  Both implementations
import them, so a draw can never be renumbered in one and not the other.
"""

# CONTACT stream, subject = resident: whether someone is in touch with the front door this week, by any route
# (their own call, or a programme's: outreach, referral).  One draw for every route, so the routes add up as
# the largest of their chances.
IN_TOUCH = 0

# LIFE stream, subject = resident
DEATH, ONSET, ONSET_SIZE, ACUTE, ACUTE_SIZE = 0, 1, 2, 3, 4
MIGRANT_AGE, MIGRANT_PERSONAL, MIGRANT_CONTRIB, MIGRANT_AWARE, MIGRANT_INTEREST = 5, 6, 7, 8, 9  # interest takes 9 and 10
HEAVY_ONSET, MIGRANT_WEALTH = 11, 12  # whether an onset is a heavy condition; whether an in-migrant has assets
MIGRANT_LIFELONG = 13  # whether an in-migrant lives with a lifelong condition (13), and its size (14)
CARER_BREAKDOWN = 15  # whether a strained carer breaks down this week
MIGRANT_AGE_WITHIN = 16  # an in-migrant's age within their age band (MIGRANT_AGE draws the band)
MIGRANT_NEED = 17  # whether an in-migrant arrives with chronic need (17), a heavy condition (18), and its size (19)

# COMMUNITY stream: neighbourhoods and groups are subjects below RESIDENT_OFFSET, residents above it
RESIDENT_OFFSET = 1 << 40
LEAVE, JOIN, JOIN_PICK, RECIPROCITY, LAPSE, AWARE, ROLE = 0, 2, 3, 4, 5, 6, 7  # per resident; leaving takes 0 and 1
FOUND_GROUP, FOUND_INTEREST, FOUNDER_JOIN = 100, 101, 200  # per neighbourhood; founders' joins take 200 + rank

# TRIAGE stream, subject = resident
SHARED_LIVES, SIGNPOST_UPTAKE, PERSONAL_BUDGET = 0, 1, 2
PRACTICE, REVIEW_PRACTICE = 3, 4  # whether the new practice takes a contact, or a review or assessment
CARER_AGREES, FUNDS_WEEKS = 5, 6  # whether a main carer agrees to give more; how long a self-funder's assets last

# HOSPITAL stream, subject = resident
ADMITTED, STAY = 0, 1  # whether an acute episode is a hospital admission; how long the stay

# BUILDERS stream: a site's actions (subject = neighbourhood) each own a block of draws; connectors'
# and celebrations' subjects are residents, offset by RESIDENT_OFFSET
INTRODUCE, RECRUIT, SPARK, CELEBRATE = 0, 1, 2, 3
BLOCK = 1 << 20
