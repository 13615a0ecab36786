"""The extract contract in code: the one definition of tables, columns and code sets."""

from .codesets import CODE_SETS, NULL_PLACEHOLDER_DATES, NULL_PLACEHOLDERS, YES_NO_LABELS
from .model import CodeSet, Column, Table, normalise_label
from .tables import TABLES, TABLES_BY_NAME

__all__ = [
    "CODE_SETS", "NULL_PLACEHOLDERS", "NULL_PLACEHOLDER_DATES", "YES_NO_LABELS",
    "CodeSet", "Column", "Table", "normalise_label", "TABLES", "TABLES_BY_NAME",
]
