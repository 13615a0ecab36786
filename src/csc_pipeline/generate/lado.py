"""Allegations against people who work with children, referred to the Local Authority
Designated Officer: about 0.6 a year per child looked after."""

from __future__ import annotations

import random
from datetime import timedelta

from . import draw
from .dates import add_years
from .people import Population
from .world import World

LADO_PER_CLA_A_YEAR = 0.6
_SOURCE = draw.codes("lado_referral_source", {"SCH": 33, "EMP": 6, "POL": 10, "OFS": 5, "CSC": 12, "HEA": 5,
                                              "PAR": 12, "CHI": 4, "ANO": 2, "OLA": 4, "OTH": 7})
_SECTOR = draw.codes("lado_employment_sector", {"EDU": 38, "EYR": 10, "FOS": 10, "RES": 8, "HEA": 5,
                                                "POL": 3, "SOC": 6, "FAI": 3, "SPT": 5, "TRN": 3,
                                                "VOL": 5, "OTH": 4})
_HARM = draw.codes("lado_harm_category", {"PHY": 45, "SEX": 20, "EMO": 10, "NEG": 5, "SUI": 20})
_OUTCOME = draw.codes("lado_outcome", {"SUB": 30, "UNS": 35, "UNF": 20, "FAL": 10, "MAL": 5})
_OUTCOME_ADVICE = draw.codes("lado_outcome", {"UNS": 40, "UNF": 55, "FAL": 5})


def allegations(world: World, rng: random.Random, pop: Population) -> None:
    p, wd = world.params, world.working_days
    rate = LADO_PER_CLA_A_YEAR * p.target_cla / 365 * 7 / 5  # on working days
    day = add_years(p.history_start, -1)
    while day < p.horizon:
        if wd.is_working(day):
            for _ in range(draw.poisson(rng, rate)):
                _allegation(world, rng, pop, day)
        day += timedelta(days=1)


def _allegation(world: World, rng: random.Random, pop: Population, referred) -> None:
    wd = world.working_days
    threshold = rng.random() < 0.45
    harm = _HARM(rng)
    strategy = police = None
    if threshold:
        # Most threshold cases: a strategy meeting within days; open for weeks to many months.
        if rng.random() < 0.7:
            strategy = wd.add(referred, rng.randint(1, 10))
        police = rng.random() < (0.5 if harm in ("PHY", "SEX") else 0.15)
        days = draw.lognormal_days(rng, 60, 0.9, lo=1, hi=800)
        outcome = _OUTCOME(rng)
    else:
        # Consultation or advice only: usually concluded the same day.
        days = 0 if rng.random() < 0.6 else rng.randint(1, 10)
        police = False if rng.random() < 0.8 else None
        outcome = _OUTCOME_ADVICE(rng)
    concluded = referred + timedelta(days=days)
    if strategy and strategy > concluded:
        strategy = concluded
    child = pop.any_child(referred) if rng.random() < 0.4 else None
    world.add("loc_lado_allegations", referred, {
        "lado_referral_date": referred, "lado_threshold_met": threshold,
        "lado_referral_source": _SOURCE(rng), "lado_employment_sector": _SECTOR(rng), "lado_harm_category": harm,
        "lado_strategy_meeting_date": strategy, "lado_police_involved": police,
        "lado_outcome": outcome, "lado_outcome_date": concluded,
        "lado_child_person_id": child.id if child else None,
        "lado_subject_ref": pop.adult_name(),
    })
