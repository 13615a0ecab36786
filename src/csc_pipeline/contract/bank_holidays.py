"""England and Wales bank holidays: the one source of the working-day rule's holidays
(measures.md §2 Working days: Monday to Friday less England and Wales bank holidays).

From the `holidays` package, UnitedKingdom with subdiv ENG (without the subdivision Easter
Monday and the summer bank holiday are missed). Rendered into the dbt seed
bank_holidays_england (render.py) and used by the synthetic-council generator.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date


def england_bank_holidays(years: Iterable[int]) -> dict[date, str]:
    """Every England and Wales bank holiday of these years, with its title."""
    import holidays  # a dependency of the renderer and the generator only

    return dict(holidays.UnitedKingdom(subdiv="ENG", years=list(years)).items())
