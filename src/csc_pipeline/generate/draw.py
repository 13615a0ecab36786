"""Random draws used throughout the simulation, all from an explicit `random.Random`.

Code values are only ever drawn from the contract's code sets (`codes`), so the
generator cannot write a code the contract does not have.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from datetime import date, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

from csc_pipeline.contract import CODE_SETS

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice over fixed values; cumulative weights are computed once."""

    def __init__(self, weights: dict[T, float]) -> None:
        items = [(v, w) for v, w in weights.items() if w > 0]
        if not items:
            raise ValueError("no value has a positive weight")
        self.values = [v for v, _ in items]
        self._cum = list(accumulate(w for _, w in items))
        self._total = self._cum[-1]

    def __call__(self, rng: random.Random) -> T:
        return self.values[bisect_right(self._cum, rng.random() * self._total)]


def codes(code_set: str, weights: dict[str, float]) -> Weighted[str]:
    """Weights over a contract code set, in the contract's order; unknown codes are a bug here."""
    known = CODE_SETS[code_set].codes
    unknown = sorted(set(weights) - set(known))
    if unknown:
        raise ValueError(f"code set {code_set} has no code(s) {unknown}")
    return Weighted({c: weights[c] for c in known if weights.get(c, 0) > 0})


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method for small means, a rounded normal for large ones (both deterministic)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def lognormal_days(rng: random.Random, median: float, sigma: float, lo: int = 1, hi: int = 100_000) -> int:
    return int(min(hi, max(lo, round(median * math.exp(rng.gauss(0.0, sigma))))))


def day_between(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end]."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def steer(target: float, stock: int, strength: float = 20.0) -> float:
    """How much to scale an arrival rate so that a stock stays near its target: a few percent above
    target cuts arrivals sharply, a few percent below raises them (gatekeeping, in effect)."""
    return min(8.0, max(0.05, math.exp(strength * (target - stock) / max(target, 1.0))))
