"""How drops are delivered (extract-contract.md §1): folder layout, manifest name, council codes,
the rolling window."""

from __future__ import annotations

import re
from datetime import date

MANIFEST_NAME = "manifest.json"
# Any well-formed GSS code of an English authority with children's services: E06 unitary,
# E08 metropolitan district, E09 London borough, E10 county (E07 shire districts have none:
# extract-contract.md §1).
LA_CODE_PATTERN = re.compile(r"^E(06|08|09|10)\d{6}$")
# The SSD's rolling window, when the manifest gives no `window_start`.
WINDOW_YEARS = 6


def default_window_start(extract_date: date) -> date:
    """The start of the rolling window a drop covers when its manifest does not say:
    WINDOW_YEARS before the extract date (29 February: the 28th)."""
    try:
        return extract_date.replace(year=extract_date.year - WINDOW_YEARS)
    except ValueError:  # 29 February
        return extract_date.replace(year=extract_date.year - WINDOW_YEARS, day=28)
