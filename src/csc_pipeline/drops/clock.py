"""Whether a drop is dated after the run that reads it.

A drop from the future would be published as the council's latest extract, show periods that
have not ended as complete, and supersede every genuine drop after it (extract-contract.md §1:
the extract date is the day the data was taken). The run's clock is London time; the tolerance
(hours, `future_tolerance_hours`) allows for a case system's clock a little ahead.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def future_problem(extract_date: date, extracted_at: str, *, now: datetime, tolerance_hours: int) -> str | None:
    """Why the drop is dated after `now` (plus the tolerance), or None. Dates only: nothing personal."""
    limit = now.astimezone(LONDON) + timedelta(hours=tolerance_hours)
    if extract_date > limit.date():
        return (f"extract date {extract_date:%Y-%m-%d} is after the day of this run ({now.astimezone(LONDON):%Y-%m-%d} "
                f"London time, {tolerance_hours} h tolerance): not loaded")
    taken = _timestamp(extracted_at)
    if taken is not None and taken > limit:
        return (f"extracted_at {taken.astimezone(LONDON):%Y-%m-%d %H:%M} is after the time of this run "
                f"({now.astimezone(LONDON):%Y-%m-%d %H:%M} London time, {tolerance_hours} h tolerance): not loaded")
    return None


def _timestamp(value: str) -> datetime | None:
    """The manifest's extracted_at (ISO 8601; London time when it names no offset), or None."""
    try:
        taken = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return taken if taken.tzinfo else taken.replace(tzinfo=LONDON)
