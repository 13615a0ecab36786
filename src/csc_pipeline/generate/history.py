"""Simulating a council's history once, from its parameters, into a `World` of records."""

from __future__ import annotations

import random
from collections.abc import Callable

from . import iro, lado
from .care import CareSim
from .casework import Casework
from .people import Population
from .protection import ProtectionSim
from .staff import Staff
from .world import Params, World


def simulate(params: Params, progress: Callable[[str], None] | None = None) -> World:
    """The whole history, deterministically from `params.seed`.

    Each part draws from its own `random.Random`, seeded from the seed and the
    part's name, so a change to one part does not reshuffle the others.
    """
    def rng(part: str) -> random.Random:
        return random.Random(f"{params.seed}:{part}")

    world = World(params)
    pop = Population(world, rng("people"))
    staff = Staff(world, rng("staff"), pop)
    homes = iro.own_homes(world, rng("homes"))
    entries = ProtectionSim(world, rng("protection"), pop, staff).run()
    care = CareSim(world, rng("care"), pop, homes)
    care.run(entries)
    casework = Casework(world, rng("casework"), staff)
    built = 0
    for period in care.periods:
        if period.end < params.history_start:
            continue  # over before the history begins: never extracted
        care.build(period)
        casework.build(period)
        built += 1
    iro.reg33_visits(world, rng("reg33"), homes)
    iro.foster_carer_reviews(world, rng("fostering"), staff)
    lado.allegations(world, rng("lado"), pop)
    pop.write_records(world)
    if progress:
        total = sum(len(v) for v in world.records.values())
        progress(f"simulated {params.years} years of history: {built:,} periods of care, {total:,} records")
    return world
