"""Why a council's extract failed: one line naming the connection, table or column, never a value."""

from __future__ import annotations


class ExtractError(RuntimeError):
    """The extract of one council failed and wrote no drop. `str()` is safe for logs and alerts:
    it names the source (connection id or redacted DSN), table and column, never data values."""

    def __init__(self, message: str, *, la_code: str | None = None):
        super().__init__(message)
        self.la_code = la_code


class SourceUnreachable(ExtractError):
    """The database could not be reached or refused the login."""


class NotReady(ExtractError):
    """The night's SSD refresh has not finished: a required table is missing or empty, the
    readiness query says no, or a table was recreated while it was being read. Retried until the cut-off."""


class SourceStructureError(ExtractError):
    """A column the contract requires is missing, or has a type the extract cannot write."""
