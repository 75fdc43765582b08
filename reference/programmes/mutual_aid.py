"""Mutual aid in plain Python: the rule of ``model/programmes/mutual_aid.py``."""

from __future__ import annotations

from model import codes


class MutualAid:
    """In a shock, each connector able to help organises neighbours' help for the people they know."""

    name = "mutual_aid"

    def __init__(self, model):
        self.hours = model.params.mutual_aid.connector_hours

    def after_support(self, model, week: int, mutual_aid: float) -> None:
        if mutual_aid <= 0:
            return
        hours = mutual_aid * self.hours
        active = model.params.network.active_threshold
        for c in model.slots:
            if c.contributor != codes.CONNECTOR or c.helper_cap <= 0:
                continue
            known = [t.other(c) for t in c.ties if t.strength >= active]
            wanted = 0.0
            for j in known:
                wanted += j.unmet
            if wanted <= 0:
                continue
            fill = min(1.0, hours / wanted)
            for j in known:
                got = j.unmet * fill
                j.unmet -= got
                j.met_community += got
