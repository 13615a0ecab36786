"""IRO caseloads as a distribution: how many IROs, the median and range of their caseloads, and
how many IROs fall in each caseload band. Never a list of IROs: a pseudonym means nothing to a
reader, and a list by IRO invites comparing named colleagues.

Worked out from published values only: a suppressed caseload (`c`) is counted as an IRO but
left out of the median, range and bands, and the report says how many were left out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .tables import is_number

CASELOAD_MEASURE = "iro_caseload_at_period_end"
CASELOAD_BREAKDOWN = "iro"
BAND_WIDTH = 10  # children per band: 0–9, 10–19, …


@dataclass(frozen=True)
class CaseloadDistribution:
    iros: int  # IROs with a published caseload row
    left_out: int  # of those, caseloads not published as a number (suppressed)
    median: float | None
    low: int | None
    high: int | None
    bands: tuple[tuple[str, int], ...]  # ("30–39", IROs), lowest first, empty bands between kept

    @property
    def described(self) -> str:
        if not self.iros:
            return "No IRO caseloads were published for this period."
        text = f"{self.iros} IRO{'s' if self.iros != 1 else ''} held cases"
        if self.median is not None:
            text += (f"; their caseloads ranged from {self.low} to {self.high} children"
                     f" (median {self.median:g})")
        if self.left_out:
            text += (f". {self.left_out} small caseload{'s are' if self.left_out != 1 else ' is'} suppressed"
                     " and not included in these figures")
        return text + "."


def distribution(published: list[str | None]) -> CaseloadDistribution:
    """The distribution of the period's published caseloads (one value per IRO)."""
    values = [v for v in published if v is not None]
    numbers = sorted(int(float(v)) for v in values if is_number(v))
    left_out = len(values) - len(numbers)
    if not numbers:
        return CaseloadDistribution(len(values), left_out, None, None, None, ())
    bands = tuple(
        (f"{b * BAND_WIDTH}–{b * BAND_WIDTH + BAND_WIDTH - 1}", sum(1 for n in numbers if n // BAND_WIDTH == b))
        for b in range(numbers[0] // BAND_WIDTH, numbers[-1] // BAND_WIDTH + 1)
    )
    return CaseloadDistribution(len(values), left_out, statistics.median(numbers), numbers[0], numbers[-1], bands)
