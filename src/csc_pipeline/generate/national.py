"""Synthetic councils at national scale: England-like sizes, synthetic codes, one council at a time.

`plan_councils` says which councils a run writes: their codes, names, sizes and seeds;
`generate_councils` writes them, each simulated, written and freed before the next, so
memory stays that of the largest council whatever their number.

Codes. Given a number n, the councils are the first n of one fixed sequence of synthetic
GSS codes: the four kinds of authority with children's services in England's proportions
(of 153: 63 unitary E06, 36 metropolitan E08, 33 London E09, 21 county E10), interleaved,
each numbered from 900001: E06900001, E08900001, E09900001, E06900002, ... (named
"Synthetic Unitary 1", "Synthetic Metropolitan Borough 1", ...). Real codes are
numbered from 000001 and the project's own demo and benchmark councils are E06999999 and
E06999998, so none of these can be taken for a real council or for each other. The
sequence is the same for every n: `--councils 10` writes the first ten of `--councils 153`.
Given a list of codes, those are the councils (any code of `LA_CODE_PATTERN`; a code outside
the sequence is named "Synthetic council <code>": its data are synthetic whatever the code).

Sizes (children looked after on any day). England has about 84,000 children looked after
across its 153 authorities, from a handful in the smallest to about 2,000 in the largest;
about half have fewer than 400. Sizes here follow a log-normal (median 350, sigma 0.9)
truncated to 100-2,000: for 153 councils a median of about 370, a dozen or more above
1,000, a few near 2,000. A council's size depends only on the run's seed and its code.
For the synthetic sequence the draw is stratified (the k-th council sits at the
golden-ratio point k*0.618... of the distribution, shifted by the seed), so any first n
councils spread over the whole distribution; any other code draws from a hash.

Seeds. Each council is simulated from its own seed, a hash of the run's seed and its
code, so its files are the same whichever other councils the run writes (and differ from
`generate_council(seed=...)` of the same council, which uses the seed as given).
"""

from __future__ import annotations

import gc
import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from statistics import NormalDist
from typing import Literal

from csc_pipeline.contract.delivery import LA_CODE_PATTERN, MANIFEST_NAME
from csc_pipeline.drops.manifest import Manifest
from . import generate_council

__all__ = ["Council", "CouncilWritten", "NationalSummary", "MAX_COUNCILS", "SIZE_MIN", "SIZE_MAX",
           "synthetic_codes", "council_size", "council_seed", "parse_councils", "plan_councils",
           "generate_councils"]

# (GSS prefix, councils of that kind among England's 153, the kind in a synthetic name)
KINDS: tuple[tuple[str, int, str], ...] = (
    ("E06", 63, "Unitary"),
    ("E08", 36, "Metropolitan Borough"),
    ("E09", 33, "London Borough"),
    ("E10", 21, "County"),
)
_ENGLAND = sum(n for _, n, _ in KINDS)
SERIAL_BASE = 900_000  # synthetic serials are 900001 and up; real ones start at 000001
MAX_COUNCILS = 9_999  # keeps every serial below 910000, far from E06999998/E06999999

SIZE_MEDIAN = 350  # of the log-normal before truncation
SIZE_SIGMA = 0.9
SIZE_MIN = 100
SIZE_MAX = 2_000
_GOLDEN = (math.sqrt(5) - 1) / 2


@dataclass(frozen=True)
class Council:
    la_code: str
    la_name: str
    children_looked_after: int
    seed: int


@dataclass(frozen=True)
class CouncilWritten:
    """One council done: what `generate_councils` reports after each."""
    council: Council
    number: int  # 1-based position in the run
    of: int  # councils in the run
    drops: tuple[Path, ...]
    rows: int  # rows in all its drops (from their manifests)
    bytes: int  # size on disk of all its drops' files


@dataclass(frozen=True)
class NationalSummary:
    councils: int
    drops: int
    rows: int
    bytes: int


# --- codes ----------------------------------------------------------------------------------------

@cache
def _sequence() -> tuple[tuple[str, str], ...]:
    """The (code, name) pairs of the synthetic sequence, MAX_COUNCILS of them.

    The k-th council is of the kind furthest below its share of k (ties: the first kind),
    so every prefix keeps England's mix within one council of each kind.
    """
    counts = [0] * len(KINDS)
    out = []
    for k in range(1, MAX_COUNCILS + 1):
        i = max(range(len(KINDS)), key=lambda j: (KINDS[j][1] * k - _ENGLAND * counts[j], -j))
        counts[i] += 1
        prefix, _, kind = KINDS[i]
        out.append((f"{prefix}{SERIAL_BASE + counts[i]}", f"Synthetic {kind} {counts[i]}"))
    return tuple(out)


@cache
def _positions() -> dict[str, int]:
    return {code: k for k, (code, _) in enumerate(_sequence(), start=1)}


def _sequence_position(code: str) -> int | None:
    """1-based position of a code in the synthetic sequence, or None if it is not one of them."""
    return _positions().get(code)


def synthetic_codes(n: int) -> list[str]:
    """The first n codes of the synthetic sequence (module docstring)."""
    _check_count(n)
    return [code for code, _ in _sequence()[:n]]


def _name(code: str) -> str:
    k = _sequence_position(code)
    return _sequence()[k - 1][1] if k else f"Synthetic council {code}"


# --- sizes and seeds ------------------------------------------------------------------------------

def _uniform(text: str) -> float:
    """A number in [0, 1) fixed by `text`."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64


def size_at(u: float) -> int:
    """The size at quantile u (0 <= u <= 1) of the truncated log-normal."""
    normal = NormalDist()
    lo = normal.cdf(math.log(SIZE_MIN / SIZE_MEDIAN) / SIZE_SIGMA)
    hi = normal.cdf(math.log(SIZE_MAX / SIZE_MEDIAN) / SIZE_SIGMA)
    z = normal.inv_cdf(lo + min(max(u, 0.0), 1.0) * (hi - lo))
    return min(SIZE_MAX, max(SIZE_MIN, round(SIZE_MEDIAN * math.exp(SIZE_SIGMA * z))))


def council_size(code: str, seed: int) -> int:
    """Children looked after in council `code` in a run seeded `seed` (module docstring)."""
    k = _sequence_position(code)
    if k is None:
        return size_at(_uniform(f"csc-size:{seed}:{code}"))
    return size_at((_uniform(f"csc-sizes:{seed}") + k * _GOLDEN) % 1.0)


def council_seed(code: str, seed: int) -> int:
    """The seed council `code` is simulated from in a run seeded `seed`."""
    return int.from_bytes(hashlib.sha256(f"csc-council:{seed}:{code}".encode()).digest()[:8], "big")


# --- which councils -------------------------------------------------------------------------------

def _check_count(n: int) -> None:
    if not 1 <= n <= MAX_COUNCILS:
        raise ValueError(f"the number of councils must be from 1 to {MAX_COUNCILS:,}, not {n}")


def parse_councils(text: str) -> int | list[str]:
    """A number of councils ("153") or a comma-separated list of GSS codes ("E06000001,E08000025")."""
    text = text.strip()
    if text.isdigit():
        n = int(text)
        _check_count(n)
        return n
    codes = [c.strip().upper() for c in text.split(",")]
    if not text or "" in codes:
        raise ValueError(f"{text!r} is neither a number of councils nor a comma-separated list of GSS codes "
                         "(e.g. 153, or E06000001,E08000025)")
    return _check_codes(codes)


def _check_codes(codes: list[str]) -> list[str]:
    if not codes:
        raise ValueError("no councils: give at least one GSS code")
    bad = [c for c in codes if not LA_CODE_PATTERN.match(c)]
    if bad:
        raise ValueError(f"{bad[0]!r} is not the GSS code of an English authority with children's services "
                         "(E06, E08, E09 or E10 and six digits, e.g. E06000001)")
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValueError(f"{repeated[0]} is listed more than once")
    if len(codes) > MAX_COUNCILS:
        raise ValueError(f"at most {MAX_COUNCILS:,} councils, not {len(codes):,}")
    return codes


def plan_councils(councils: int | str | Sequence[str], *, seed: int, max_cla: int | None = None) -> list[Council]:
    """The councils of a run: n synthetic ones, or those codes (a list, or text as `parse_councils`
    reads it); `max_cla` caps every size (quick runs)."""
    if isinstance(councils, str):
        councils = parse_councils(councils)
    if max_cla is not None and max_cla < 1:
        raise ValueError(f"max_cla must be at least 1, not {max_cla}")
    codes = synthetic_codes(councils) if isinstance(councils, int) else _check_codes(list(councils))
    out = []
    for code in codes:
        size = council_size(code, seed)
        out.append(Council(code, _name(code), min(size, max_cla) if max_cla else size, council_seed(code, seed)))
    return out


# --- writing them ---------------------------------------------------------------------------------

def generate_councils(
    landing_root: Path,
    councils: Sequence[Council],
    *,
    last_extract_date: date = date(2026, 11, 24),
    nights: int = 4,
    years: int = 8,
    flavour: Literal["mosaic", "systemc"] = "mosaic",
    progress: Callable[[CouncilWritten], None] | None = None,
) -> NationalSummary:
    """Write each council's `nights` drops under `<landing_root>/<la_code>/`, one council at a time.

    Nothing of a council is kept once its drops are written but their count, rows and bytes.
    """
    drops = rows = size = 0
    for number, council in enumerate(councils, start=1):
        folders = generate_council(
            landing_root, la_code=council.la_code, la_name=council.la_name, seed=council.seed,
            children_looked_after=council.children_looked_after, last_extract_date=last_extract_date,
            nights=nights, years=years, flavour=flavour,
        )
        # The simulated history is freed as generate_council returns; a few cycles are left for the
        # collector, which might otherwise not run before the next council's history is built.
        gc.collect()
        written = CouncilWritten(
            council, number, len(councils), tuple(folders),
            rows=sum(e.rows for f in folders for e in Manifest.read(f / MANIFEST_NAME).files.values()),
            bytes=sum(p.stat().st_size for f in folders for p in f.iterdir() if p.is_file()),
        )
        drops += len(folders)
        rows += written.rows
        size += written.bytes
        if progress:
            progress(written)
    return NationalSummary(len(councils), drops, rows, size)
