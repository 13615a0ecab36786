"""The generator's good drops, in both flavours, pass validation with no blocking issue.

Mosaic-style drops write codes, Y/N and ISO dates; SystemC-style ones write DfE
descriptions in any letter case with padding, Yes/No or True/False and SQL Server
datetimes (some DD/MM/YYYY). Both must be read as the contract says.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
import pytest

from csc_pipeline.issues import ValidationReport
from drop_factory import land


@pytest.mark.parametrize("flavour, la_code", [("mosaic", "E08000991"), ("systemc", "E08000992")])
def test_generated_drops_pass_validation(fresh_database, tmp_path: Path, flavour: str, la_code: str):
    from csc_pipeline.generate import generate_council
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.validate.gate import validate_drop

    generate_council(tmp_path, la_code=la_code, seed=17, children_looked_after=40, nights=1,
                     last_extract_date=date(2026, 11, 24), flavour=flavour)
    (drop,) = find_drops(tmp_path)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        landed = land(conn, drop)
    assert landed.issues == []
    report: ValidationReport = validate_drop(fresh_database, landed.schema, tables_present=sorted(landed.tables),
                                             la_code=la_code, extract_date=drop.extract_date)
    print(report.to_text())
    assert report.success and report.blocking == [], report.to_text()
    # the only tolerable warnings a good drop may carry: local legal statuses
    assert all(i.rule == "code_local" for i in report.warnings), report.to_text()
