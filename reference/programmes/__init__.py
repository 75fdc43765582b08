"""The programmes in plain Python: each the rule of its engine module (``model/programmes/``), restated per agent.

A programme is an object the reference model asks at the points of the week where the engine's acts
(``reference/model.py``): ``bring_in`` (a route to the front door, after the week's own contacts),
``find``/``take`` (what a conversation can connect someone to), ``after_front_door`` (the week's package
starts), ``after_community`` (builder sites) and ``after_support`` (mutual aid).  :data:`PROGRAMMES` lists
those a policy can run, by name.
"""

from .builders import Builders
from .group_linking import GroupLinking
from .mutual_aid import MutualAid
from .outreach import Outreach
from .personal_budgets import PersonalBudgets
from .referral import Referral

PROGRAMMES = {programme.name: programme for programme in (Builders, Outreach, Referral, GroupLinking, PersonalBudgets)}
COMMUNITY_PROGRAMMES = (MutualAid,)
