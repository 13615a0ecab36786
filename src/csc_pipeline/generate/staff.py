"""Professionals (social workers, IROs, reviewing officers) and their allocation to children.

Each post is filled by a succession of people with gaps between them, so
professionals come and go over the years, and allocations change when they do.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from . import draw
from .people import Person, Population
from .world import World

IRO_ROLE = "IRO"  # the contract's default involvement code for IRO allocation
SW_ROLE = "SW"


@dataclass(frozen=True)
class _Group:
    """Posts of one kind, e.g. the social workers of the children in care teams."""
    role: str
    teams: tuple[str, ...]
    titles: dict[str, float]
    median_tenure_years: float
    posts_per_child: float  # posts per child looked after
    min_posts: int
    holds_cases: bool = True


GROUPS: dict[str, _Group] = {
    "cic": _Group(SW_ROLE, ("Children in Care Team 1", "Children in Care Team 2"),
                  {"Social Worker": 55, "Senior Social Worker": 25, "Advanced Practitioner": 8,
                   "Social Worker (ASYE)": 12}, 3.0, 1 / 16, 3),
    "lc": _Group(SW_ROLE, ("Leaving Care Team",),
                 {"Social Worker": 50, "Personal Adviser": 35, "Senior Social Worker": 15}, 3.5, 1 / 45, 1),
    "cp": _Group(SW_ROLE, ("Child Protection Team North", "Child Protection Team South", "Assessment Team"),
                 {"Social Worker": 55, "Senior Social Worker": 25, "Advanced Practitioner": 8,
                  "Social Worker (ASYE)": 12}, 2.5, 1 / 8, 3),
    "iro": _Group(IRO_ROLE, ("Independent Reviewing Service",),
                  {"Independent Reviewing Officer": 1}, 5.5, 1 / 55, 2),
    "fcro": _Group("FCRO", ("Fostering Service",), {"Fostering Reviewing Officer": 1}, 5.0, 1 / 150, 1,
                   holds_cases=False),
    "tm": _Group("TM", ("Children in Care Team 1", "Children in Care Team 2", "Child Protection Team North",
                        "Child Protection Team South", "Leaving Care Team"),
                 {"Team Manager": 1}, 4.0, 0.0, 5, holds_cases=False),
}

_FTE = draw.Weighted({1.0: 80, 0.8: 10, 0.6: 7, 0.5: 3})
_CHANGE_REASONS = draw.Weighted({"Caseload rebalancing": 40, "Team transfer": 25, "Change of worker": 25,
                                 "Conflict of interest": 3, "Family request": 7})


@dataclass(slots=True, eq=False)
class Professional:
    id: str
    team: str
    start: date
    end: date | None  # None: still in post after the horizon


@dataclass(slots=True)
class Allocation:
    professional: Professional
    start: date
    end: date


class Staff:
    """All posts and holders, created up front over the whole simulated span."""

    def __init__(self, world: World, rng: random.Random, pop: Population) -> None:
        self.world = world
        self.rng = rng
        p = world.params
        # group -> posts, each (holders' start dates, holders) for bisecting by date
        self._posts: dict[str, list[tuple[list[date], list[Professional]]]] = {}
        for key, g in GROUPS.items():
            n = max(g.min_posts, round(p.target_cla * g.posts_per_child))
            posts = []
            for i in range(n):
                holders = self._fill_post(g, g.teams[i % len(g.teams)], pop)
                posts.append(([h.start for h in holders], holders))
            self._posts[key] = posts

    def _fill_post(self, g: _Group, team: str, pop: Population) -> list[Professional]:
        r, p = self.rng, self.world.params
        t = p.warm_start - timedelta(days=r.randint(0, 5 * 365))
        holders: list[Professional] = []
        while t < p.horizon:
            tenure = draw.lognormal_days(r, g.median_tenure_years * 365, 0.6, lo=120)
            end = t + timedelta(days=tenure)
            rec = self.world.add("ssd_professionals", t, {
                "prof_staff_id": self.world.next_id("staff"),
                "prof_professional_name": pop.adult_name(),
                "prof_professional_job_title": draw.Weighted(g.titles)(r),
                "prof_full_time_equivalency": _FTE(r),
            }, meta={"start": t, "end": end if end < p.horizon else None, "holds_cases": g.holds_cases})
            holders.append(Professional(str(rec.values["prof_professional_id"]), team, t,
                                        end if end < p.horizon else None))
            t = end + timedelta(days=r.randint(0, 90))  # a vacancy before the next holder
        return holders

    def pick(self, group: str, on: date) -> Professional | None:
        """Someone in a post of `group` on `on` (None if every post tried was vacant)."""
        posts = self._posts[group]
        for _ in range(12):
            starts, holders = self.rng.choice(posts)
            i = bisect_right(starts, on) - 1
            if i >= 0 and (holders[i].end is None or holders[i].end > on):
                return holders[i]
        return None

    def allocate(self, person: Person, group: str, start: date, end: date, *, referral: str | None,
                 median_days: int, closing_reason: str) -> list[Allocation]:
        """Involvement rows allocating `group` workers to `person` from `start` to `end`, changing
        worker now and then; each change ends one involvement and starts the next the same day."""
        r, horizon = self.rng, self.world.params.horizon
        role = GROUPS[group].role
        out: list[Allocation] = []
        t = start
        while t < end and t < horizon:
            prof = self.pick(group, t)
            if prof is None:  # all vacant: the case waits a week for allocation
                t += timedelta(days=7)
                continue
            stop = t + timedelta(days=draw.lognormal_days(r, median_days, 0.7, lo=14))
            reason = _CHANGE_REASONS(r)
            if prof.end is not None and prof.end < stop:
                stop, reason = prof.end, "Worker left"
            if stop >= end:
                stop, reason = end, closing_reason
            self.world.add("ssd_involvements", t, {
                "invo_professional_id": prof.id,
                "invo_professional_role_id": role,
                "invo_professional_team": prof.team,
                "invo_involvement_start_date": t,
                "invo_involvement_end_date": stop,
                "invo_worker_change_reason": reason,
                "invo_person_id": person.id,
                "invo_referral_id": referral,
            })
            out.append(Allocation(prof, t, stop))
            t = stop
        return out
