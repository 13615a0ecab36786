"""Date arithmetic the simulation needs: calendar months and years, English working days."""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta

from csc_pipeline.contract.bank_holidays import england_bank_holidays

ONE_DAY = timedelta(days=1)


def add_months(d: date, months: int) -> date:
    """Calendar months; the day is clamped (one month after 31 January is 28/29 February)."""
    y, m0 = divmod(d.month - 1 + months, 12)
    y += d.year
    last = calendar.monthrange(y, m0 + 1)[1]
    return date(y, m0 + 1, min(d.day, last))


def add_years(d: date, years: int) -> date:
    return add_months(d, 12 * years)


def age_on(dob: date, d: date) -> int:
    """Completed years on `d`."""
    return d.year - dob.year - ((d.month, d.day) < (dob.month, dob.day))


class WorkingDays:
    """Monday to Friday less England and Wales bank holidays (the measures' definition)."""

    def __init__(self, first_year: int, last_year: int) -> None:
        years = range(first_year, last_year + 1)
        self._holidays = frozenset(england_bank_holidays(years))

    def is_working(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self._holidays

    def add(self, d: date, n: int) -> date:
        """The date n working days after d (before, for negative n); d itself never counts."""
        step = ONE_DAY if n >= 0 else -ONE_DAY
        left = abs(n)
        while left:
            d += step
            if self.is_working(d):
                left -= 1
        return d

    def between(self, rng: random.Random, lo: date, hi: date) -> date:
        """A working day drawn evenly from [lo, hi] (the first one after `lo` if there is none)."""
        span = max(0, (hi - lo).days)
        for _ in range(30):
            d = lo + timedelta(days=rng.randint(0, span))
            if self.is_working(d):
                return d
        return self.on_or_after(lo)

    def on_or_after(self, d: date) -> date:
        while not self.is_working(d):
            d += ONE_DAY
        return d

