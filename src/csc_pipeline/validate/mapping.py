"""Councils' label mapping files: their own spellings of coded values, e.g. "Interim C.O." -> C1.

A mapping file is CSV, UTF-8 (a byte-order mark is fine), with the header
`code_set,label,code`:

    code_set,label,code
    legal_status,Interim C.O.,C1
    episode_ceased_reason,Adopted (unopposed),E11
    # lines starting with # are comments

`code_set` names a code set of the contract (csc_pipeline/contract/codesets.py),
`code` one of its codes, `label` the council's text (compared like every label:
ignoring letter case, surrounding spaces and repeated inner spaces). A label the
contract already gives another code is refused, as is one label given two codes.

Before a council's drop is validated its file is copied into
reference.council_code_labels (sql/050_council_labels.sql), which both validation
and dbt staging (macro normalise_code) read.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import psycopg

from csc_pipeline.contract import CODE_SETS, normalise_label

HEADER = ("code_set", "label", "code")


class MappingError(ValueError):
    """The mapping file is unusable; the message names the line (`file` the file)."""

    def __init__(self, file: Path, reason: str):
        super().__init__(reason)
        self.file = file

    def __str__(self) -> str:
        return f"{self.file}: {self.args[0]}"


@dataclass(frozen=True)
class Label:
    code_set: str
    label: str  # normalised
    code: str
    line: int


def read_mapping(path: Path) -> tuple[list[Label], str]:
    """The labels of a mapping file and the file's sha256; raises MappingError."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise MappingError(path, f"cannot be read ({type(exc).__name__})") from None
    except UnicodeDecodeError:
        raise MappingError(path, "not UTF-8") from None
    rows = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(rows, [])]
    if tuple(header) != HEADER:
        raise MappingError(path, f"line 1: the header must be {','.join(HEADER)}")
    labels: dict[tuple[str, str], Label] = {}
    for line, row in enumerate(rows, start=2):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if len(row) != 3:
            raise MappingError(path, f"line {line}: expected 3 fields (code_set,label,code), found {len(row)}")
        code_set, label, code = (v.strip() for v in row)
        cs = CODE_SETS.get(code_set)
        if cs is None:
            raise MappingError(path, f"line {line}: no code set {code_set!r} in the contract")
        if code not in cs.codes:
            raise MappingError(path, f"line {line}: {code!r} is not a code of {code_set}")
        normalised = normalise_label(label)
        if not normalised:
            raise MappingError(path, f"line {line}: empty label")
        contract = cs.labels().get(normalised)
        if contract is not None and contract != code:
            raise MappingError(path, f"line {line}: the contract already reads this label as {contract}")
        previous = labels.get((code_set, normalised))
        if previous is not None and previous.code != code:
            raise MappingError(path, f"line {line}: label already mapped to {previous.code} on line {previous.line}")
        labels.setdefault((code_set, normalised), Label(code_set, normalised, code, line))
    return list(labels.values()), hashlib.sha256(data).hexdigest()


def sync_council_labels(conn: psycopg.Connection, la_code: str, path: Path | None) -> int:
    """Replace the council's labels in the warehouse with its mapping file's (none: remove them).

    Returns the number of labels; raises MappingError, leaving the stored labels unchanged."""
    labels, sha = read_mapping(path) if path is not None else ([], "")
    with conn.transaction():
        current = conn.execute(
            "select max(source_sha256), max(source_file), count(*) from reference.council_code_labels"
            " where la_code = %s", (la_code,)).fetchone()
        if path is not None and current[0] == sha and current[1] == str(path) and current[2] == len(labels):
            return len(labels)  # unchanged since the last drop
        conn.execute("delete from reference.council_code_labels where la_code = %s", (la_code,))
        if labels:
            with conn.cursor() as cur:
                cur.executemany(
                    "insert into reference.council_code_labels"
                    " (la_code, code_set, label, code, source_file, source_sha256, source_line)"
                    " values (%s, %s, %s, %s, %s, %s, %s)",
                    [(la_code, lb.code_set, lb.label, lb.code, str(path), sha, lb.line) for lb in labels],
                )
    return len(labels)


def council_labels(conn: psycopg.Connection, la_code: str) -> dict[str, dict[str, str]]:
    """code set -> {normalised label: code} of the council's stored mapping."""
    out: dict[str, dict[str, str]] = {}
    for code_set, label, code in conn.execute(
        "select code_set, label, code from reference.council_code_labels where la_code = %s", (la_code,)
    ):
        out.setdefault(code_set, {})[label] = code
    return out
