"""The text each source value is written as: the same value always gives the same bytes.

extract-contract.md §2 reads dates as `YYYY-MM-DD`, Y/N columns as Y/N (or 1/0, True/False),
empty as NULL. What a driver returns is written as:

    None                      ""             (NULL)
    str                       as stored      (identifiers keep leading zeros and spaces)
    datetime in a date column its date       2024-03-01 09:30 -> 2024-03-01 (the contract drops the time)
    date                      ISO            2024-03-01
    bool                      Y / N          (SQL Server bit, PostgreSQL boolean)
    int                       digits         42
    float                     shortest text that reads back the same, no trailing .0: 12.0 -> 12, 62.2 -> 62.2
    Decimal                   fixed point without trailing zeros: 1.00 -> 1, 0.50 -> 0.5 (never 1E+2)
    UUID                      upper case, as SQL Server shows a uniqueidentifier

Anything else (bytes, NaN, infinity) is refused with the column's name, never the value.
"""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, time
from decimal import Decimal


class UnwritableValue(ValueError):
    """A value of a type (or a number) the extract does not write; the message names only the type."""


def format_value(value: object, *, date_column: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: bool is an int
        return "Y" if value else "N"
    if isinstance(value, datetime):
        return value.date().isoformat() if date_column else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, uuid.UUID):
        return str(value).upper()
    if isinstance(value, time):
        return value.isoformat()
    raise UnwritableValue(f"values of type {type(value).__name__} cannot be written to a CSV drop")


def format_float(value: float) -> str:
    if not math.isfinite(value):
        raise UnwritableValue("a number that is not finite (NaN or infinity)")
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)  # the shortest text that reads back as the same double
    return format_decimal(Decimal(text)) if "e" in text else text


def format_decimal(value: Decimal) -> str:
    if not value.is_finite():
        raise UnwritableValue("a number that is not finite (NaN or infinity)")
    if value.is_zero():
        return "0"
    text = format(value.normalize(), "f")  # normalize drops trailing zeros; "f" never uses an exponent
    return text


def row_formatter(date_columns: list[bool]):
    """A function turning one source row (a tuple in header order) into its CSV cells."""
    flags = tuple(date_columns)

    def cells(row) -> list[str]:
        return [v if type(v) is str else format_value(v, date_column=d) for v, d in zip(row, flags)]

    return cells
