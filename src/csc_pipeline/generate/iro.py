"""The IRO service and what it oversees besides reviews: escalations, foster-carer reviews,
and independent (reg 33/44) visits to the council's own children's homes."""

from __future__ import annotations

import heapq
import random
from datetime import date, timedelta

from csc_pipeline.contract import CODE_SETS
from . import draw
from .care import OwnHome
from .dates import add_months, add_years
from .people import Person
from .staff import Allocation, Staff
from .world import World

# Stages in the order an escalation climbs them (the contract lists them in that order).
_STAGES = tuple(CODE_SETS["escalation_stage"].codes)
_HIGHEST_STAGE = draw.codes("escalation_stage", {"INF": 40, "AOC": 25, "TM": 20, "SM": 10, "SD": 4, "CAF": 1})
_ISSUE = draw.codes("escalation_issue_category", {"CPLAN": 30, "DELAY": 25, "PLACE": 15, "EDU": 10,
                                                  "HEALTH": 8, "CONTACT": 8, "OTHER": 4})
_RESOLUTION = draw.codes("escalation_resolution", {"RES": 85, "WDN": 10, "ESC": 5})
_FOSTER_OUTCOME = draw.codes("foster_carer_review_outcome", {"CONT": 90, "TERM": 8, "DEREG": 2})


def own_homes(world: World, rng: random.Random) -> list[OwnHome]:
    """About one council-run home per 120 children looked after; one opened during the history."""
    p = world.params
    n = max(1, round(p.target_cla / 120))
    homes = [OwnHome(f"SC{rng.randint(30000, 49999):06d}", p.warm_start, None) for _ in range(n)]
    if n > 1:
        span = (p.last_extract - p.history_start).days
        homes[-1].opened = p.history_start + timedelta(days=rng.randint(span // 4, span // 2))
    return homes


def reg33_visits(world: World, rng: random.Random, homes: list[OwnHome]) -> None:
    """An independent visit to each open home every month (now and then missed, once in a while two)."""
    p, wd = world.params, world.working_days
    month = p.history_start.replace(day=1)
    while month < p.horizon:
        for home in homes:
            if home.opened > month or (home.closed and home.closed <= month):
                continue
            visits = 0 if rng.random() < 0.05 else 2 if rng.random() < 0.03 else 1
            for _ in range(visits):
                d = wd.between(rng, month, month + timedelta(days=24))
                report = None if rng.random() < 0.06 else d + timedelta(days=rng.randint(2, 25))
                world.add("loc_reg33_visits", d, {
                    "r33_home_urn": home.urn, "r33_visit_date": d,
                    "r33_unannounced": rng.random() < 0.65, "r33_report_date": report,
                })
        month = add_months(month, 1)


def escalations(world: World, rng: random.Random, child: Person, iros: list[Allocation],
                start: date, end: date) -> None:
    """Practice alerts and escalations raised by the child's IRO, about one every four years of care."""
    wd = world.working_days
    limit = min(end, world.params.horizon)
    t = start + timedelta(days=30)
    while True:
        t += timedelta(days=round(rng.expovariate(0.25 / 365)))
        if t >= limit:
            return
        raised = wd.between(rng, t, t + timedelta(days=6))
        iro = next((a.professional for a in iros if a.start <= raised < a.end), None)
        if iro is None or raised >= limit:
            continue
        highest = _STAGES.index(_HIGHEST_STAGE(rng))
        first = 0 if rng.random() < 0.6 or highest == 0 else 1
        rec = world.add("loc_iro_escalations", raised, {
            "esca_person_id": child.id, "esca_professional_id": iro.id, "esca_raised_date": raised,
            "esca_stage": _STAGES[first], "esca_issue_category": _ISSUE(rng),
        })
        d = raised
        for stage in range(first + 1, highest + 1):  # escalated stage by stage
            d = wd.between(rng, d + timedelta(days=5), d + timedelta(days=25))
            rec.change(d, esca_stage=_STAGES[stage])
        rec.values["esca_resolved_date"] = d + timedelta(days=rng.randint(0 if d == raised else 1, 40))
        rec.values["esca_resolution"] = "CAF" if _STAGES[highest] == "CAF" else _RESOLUTION(rng)


def foster_carer_reviews(world: World, rng: random.Random, staff: Staff) -> None:
    """Approved foster-carer households (about 0.4 per child looked after) and their annual reviews."""
    p, wd = world.params, world.working_days
    target = max(3, round(0.4 * p.target_cla))
    start = add_years(p.history_start, -12)
    base = target / (7 * 365)
    ends: list[date] = []
    day = start
    while day < p.horizon:
        while ends and ends[0] <= day:
            heapq.heappop(ends)
        factor = draw.steer(target, len(ends))
        for _ in range(draw.poisson(rng, base * factor)):
            heapq.heappush(ends, _household(world, rng, staff, wd.between(rng, day, day + timedelta(days=6))))
        day += timedelta(days=1)


def _household(world: World, rng: random.Random, staff: Staff, approved: date) -> date:
    """One household's reviews from approval until it leaves; returns the day it stops fostering."""
    p, wd = world.params, world.working_days
    household = f"FH{world.next_id('household')}"
    leaves = approved + timedelta(days=draw.lognormal_days(rng, 6 * 365, 0.7, lo=200))
    due, first = add_years(approved, 1), True
    while due < leaves and due < p.horizon:
        u = rng.random()
        if u < 0.85:
            held = wd.between(rng, due - timedelta(days=45), due)
        elif u < 0.97:
            held = wd.between(rng, due + timedelta(days=1), due + timedelta(days=90))
        else:
            held = None  # never held: the household left soon after
            leaves = min(leaves, due + timedelta(days=rng.randint(30, 150)))
        on = held or due
        booked = due - timedelta(days=42)  # the review is booked about six weeks before it is due
        officer = staff.pick("fcro", on)
        if officer is None:
            held = None
            officer = staff.pick("fcro", on - timedelta(days=60)) or staff.pick("fcro", on + timedelta(days=60))
            if officer is None:
                break
        outcome = _FOSTER_OUTCOME(rng) if held else None
        # An officer not yet in post at the booking is given the review when they start: a drop of a
        # day in between would otherwise name a professional it does not hold.
        world.add("loc_foster_carer_reviews", max(booked, officer.start), {
            "fcar_household_id": household, "fcar_professional_id": officer.id,
            "fcar_review_due_date": due, "fcar_review_date": held, "fcar_first_review": first,
            "fcar_outcome": outcome,
        })
        if outcome == "DEREG" or held is None:
            return min(leaves, on + timedelta(days=1))
        due, first = add_years(held, 1), False
    return leaves
