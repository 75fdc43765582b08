"""Programmes: the ways of working a policy can add to the front door and the community, one module each.

A programme is a component (``model/component.py``) with its own parameter section, declared in its module
and valued in ``configs/programme/<name>.yaml``; a policy runs it by naming it in its preset's defaults list
(``- /programme@programmes.<name>: <name>``).  It reaches the front door only through
``model/phases/conversation.py`` and declares where in the week it acts (``after``: the phase it follows).
``model/components.py`` lists every programme; ``docs/architecture.md`` has the recipe for a new one.
"""
