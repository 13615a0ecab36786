"""The reader-auditor over a generated small council (about 40 children looked after, where
most cells are small), after the real dbt build: no suppressed figure of
marts.performance_measures can be worked out from the published ones (measures.md §1).

The drop is landed and published as the nightly run does (validation is tested elsewhere),
then one `dbt build` runs, and the auditor (disclosure_auditor.py) reads the mart as a
reader would."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from disclosure_auditor import audit, read_mart
from drop_factory import land
from warehouse_db import own_warehouse

pytestmark = pytest.mark.e2e

LA = "E06999960"
LAST = date(2026, 11, 24)
CHILDREN_LOOKED_AFTER = 40


@pytest.fixture(scope="module")
def small_council(pg_server, tmp_path_factory):
    from csc_pipeline.generate import generate_council
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.load.promote import publish_drop
    from csc_pipeline.transform import dbt_runner

    with own_warehouse(pg_server.dsn(), "small") as dsn:
        landing = tmp_path_factory.mktemp("small-council")
        generate_council(landing, la_code=LA, seed=1, children_looked_after=CHILDREN_LOOKED_AFTER, nights=1,
                         last_extract_date=LAST)
        with psycopg.connect(dsn, autocommit=True) as conn:
            for drop in find_drops(landing):
                assert publish_drop(conn, land(conn, drop)).status == "published"
        dbt_runner.build(dsn, target_path=tmp_path_factory.mktemp("small-council-dbt"))
        with psycopg.connect(dsn) as conn:
            yield read_mart(conn, LA)


def test_no_suppressed_figure_of_a_small_council_can_be_worked_out(small_council):
    result = audit(small_council)
    assert result.inconsistent == []  # the auditor's sets hold for the published figures
    assert result.suppressed_cells > 1000  # a small council: most cells are small
    assert [(f.cell, f.part, f.low) for f in result.findings] == []
    # what only true zeros give away: percentages at 0% or 100%, never a count
    assert all(f.part != "value" and f.low == 0 for f in result.given_away_by_zeros)
