"""Cost that follows the change (issue 14, item 3): a night rebuilds only the councils whose data
moved, and a sequence of such nights gives exactly the marts a full refresh gives.

Two warehouses take the same nights: one builds incrementally (the nightly default), the other
rebuilds every council every night (`--full-refresh`). After every night every table of their
published marts is compared row for row. The nights hold what could make an incremental build
drift: a back-dated correction, deleted rows, a council sending nothing, a council's drop whose
files equal its last, a child moving into the next age band as the extract date moves, a child
ageing out (18, her episode still open), and a night crossing 1 April (a new financial year begins).
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import psycopg
import pytest

from drop_factory import edit_table, manifest, refresh_manifest, write_manifest
from warehouse_db import own_warehouse

pytestmark = pytest.mark.e2e

A, B = "E06999981", "E06999982"
NIGHTS = [date(2026, 3, 29), date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1)]
# The child whose sixteenth birthday falls on 31 March 2026 (as at the 1 April extract: 16).
SIXTEENTH = date(2010, 3, 31)
# The child who ages out: 18 on 30 March 2026, looked after as at 29 March (night 2's as_at_date),
# no longer from 30 March (night 3's) although the episode stays open (measures.md §2).
EIGHTEENTH = date(2008, 3, 30)


def _folder(root, la, night):
    return root / la / night.isoformat()


def _landing(root) -> str:
    """Council A sends every night, B on the first and third only; the edits below. Returns the
    person id of A's child who ages out."""
    from csc_pipeline.generate import generate_council

    generate_council(root, la_code=A, seed=11, children_looked_after=25, nights=4, last_extract_date=NIGHTS[-1])
    generate_council(root, la_code=B, seed=12, children_looked_after=20, nights=4, last_extract_date=NIGHTS[-1])
    for night in (NIGHTS[1], NIGHTS[3]):
        shutil.rmtree(_folder(root, B, night))

    # A: looked-after children born on SIXTEENTH and EIGHTEENTH in every drop (ages move with
    # the extract date; the second ages out with her episode still open).
    _, episodes = _read(_folder(root, A, NIGHTS[0]), "ssd_cla_episodes")
    open_children = {e["clae_person_id"] for e in episodes if not e["clae_cla_episode_ceased_date"]}
    _, people = _read(_folder(root, A, NIGHTS[0]), "ssd_person")
    younger = sorted(r["pers_person_id"] for r in people if r["pers_person_id"] in open_children
                     and r["pers_dob"] and r["pers_dob"] > SIXTEENTH.isoformat())
    born = {younger[0]: SIXTEENTH.isoformat(), younger[1]: EIGHTEENTH.isoformat()}
    for night in NIGHTS:
        folder = _folder(root, A, night)

        def older(header, rows):
            for r in rows:
                r["pers_dob"] = born.get(r["pers_person_id"], r["pers_dob"])

        edit_table(folder, "ssd_person", older)
        refresh_manifest(folder)

    # A, night 2 on: a back-dated correction (its earliest review held a day later than recorded).
    for night in NIGHTS[1:]:
        folder = _folder(root, A, night)

        def corrected(header, rows):
            held = sorted((r for r in rows if r["clar_cla_review_date"]), key=lambda r: r["clar_cla_review_date"])
            first = held[0]
            first["clar_cla_review_date"] = (date.fromisoformat(first["clar_cla_review_date"])
                                             + timedelta(days=1)).isoformat()

        edit_table(folder, "ssd_cla_reviews", corrected)
        refresh_manifest(folder)

    # A, night 3: byte for byte night 2's files, under a new manifest (a council with no change).
    night2, night3 = _folder(root, A, NIGHTS[1]), _folder(root, A, NIGHTS[2])
    for csv_file in night2.glob("*.csv"):
        shutil.copyfile(csv_file, night3 / csv_file.name)
    doc = manifest(night2)
    doc.update(extract_date=NIGHTS[2].isoformat(), extracted_at=f"{NIGHTS[2].isoformat()}T02:10:00Z")
    write_manifest(night3, doc)

    # B, night 3: deletions (one child's reviews, and one allegation, are gone from the extract).
    folder = _folder(root, B, NIGHTS[2])

    def without_one_child(header, rows):
        gone = sorted(r["clar_cla_person_id"] for r in rows)[0]
        return header, [r for r in rows if r["clar_cla_person_id"] != gone]

    edit_table(folder, "ssd_cla_reviews", without_one_child)
    edit_table(folder, "loc_lado_allegations" if (folder / "loc_lado_allegations.csv").exists()
               else "ssd_cla_reviews", lambda header, rows: (header, rows[1:]))
    refresh_manifest(folder)
    return younger[1]


def _read(folder, table):
    from drop_factory import read_table

    return read_table(folder, table)


def _night(night: date, *, full_refresh: bool) -> dict:
    from csc_pipeline.flows import nightly

    nightly.prepare_warehouse()
    for batch in nightly.pending_batches(up_to=night):
        landed = nightly.land(batch, run_id=f"night-{night}")
        assert not nightly.quarantined_in(nightly.validate(landed)), f"a drop of {night} was quarantined"
        nightly.publish_landed(landed)
    built = nightly.transform(full_refresh=full_refresh)
    nightly.publish_marts(built)
    return built


def _a_data_test_as_run(state_dir) -> str:
    """The SQL of one data test of a per-council model as the night's dbt build ran it."""
    from csc_pipeline.transform.dbt_runner import last_build_dir

    found = sorted((last_build_dir(state_dir) / "run").rglob("unique_int_date_spans_la_code.sql"))
    return found[0].read_text() if found else ""


def _looked_after_in_2025_26(dsn: str, person_id: str) -> bool:
    """Whether the published year 2025-26 counts A's child as looked after at its (running) end."""
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "select exists (select from marts.fct_cla_at_period_end where la_code = %s"
            " and period_label = '2025-26' and child_key = private.pseudonym(%s, %s))",
            (A, A, person_id)).fetchone()[0]


def _marts(dsn: str) -> dict[str, list[dict]]:
    """Every published table's rows as text, sorted (computed_at, when a figure was computed, left out)."""
    out = {}
    with psycopg.connect(dsn) as conn:
        tables = [r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
            " and table_type = 'BASE TABLE' order by 1")]
        for table in tables:
            columns = [r[0] for r in conn.execute(
                "select column_name from information_schema.columns where table_schema = 'marts'"
                " and table_name = %s and column_name <> 'computed_at' order by ordinal_position", (table,))]
            listed = ", ".join(f'"{c}"::text' for c in columns)
            found = sorted(conn.execute(f'select {listed} from marts."{table}"').fetchall(),
                           key=lambda row: tuple("" if v is None else v for v in row))
            out[table] = [dict(zip(columns, row)) for row in found]
    return out


@pytest.fixture(scope="module")
def nights(pg_server, tmp_path_factory):
    from csc_pipeline import deployment

    root = tmp_path_factory.mktemp("incremental-landing")
    ages_out = _landing(root)
    results = []
    with own_warehouse(pg_server.dsn(), "incremental") as incremental, \
            own_warehouse(pg_server.dsn(), "full") as full, pytest.MonkeyPatch.context() as mp:
        mp.setenv("CSC_LANDING_ROOT", str(root))
        mp.delenv("CSC_COUNCILS", raising=False)
        for night in NIGHTS:
            outcome = {"night": night}
            for name, dsn, full_refresh in (("incremental", incremental, False), ("full", full, True)):
                mp.setenv("CSC_WAREHOUSE_DSN", dsn)
                with deployment.using(deployment.load()) as config:
                    outcome[name] = _night(night, full_refresh=full_refresh)
                    outcome[f"{name}_tested"] = _a_data_test_as_run(config.state_dir)
                outcome[f"{name}_marts"] = _marts(dsn)
                outcome[f"{name}_aged_out_counted"] = _looked_after_in_2025_26(dsn, ages_out)
            results.append(outcome)
    return results


def test_every_incremental_night_publishes_the_marts_a_full_refresh_does(nights):
    for outcome in nights:
        incremental, full = outcome["incremental_marts"], outcome["full_marts"]
        assert set(incremental) == set(full)
        assert incremental["performance_measures"], "nothing was published"
        for table in sorted(full):
            assert incremental[table] == full[table], f"{outcome['night']}: marts.{table} differs"


def test_a_night_rebuilds_only_the_councils_whose_data_moved(nights):
    first, second, third, fourth = (n["incremental"] for n in nights)
    assert first["full_refresh"] is True  # an empty warehouse: nothing to add to
    # Night 2: only A sent a drop; intermediate is rebuilt for A, the buffer (never built) whole.
    assert second["rebuilt"]["intermediate"] == [A]
    # Night 3: A (a new extract date, its files unchanged) and B; the buffer last built on night 1.
    assert third["rebuilt"] == {"intermediate": [A, B], "marts": [A, B]}
    # Night 4: only A; the buffer was built on night 2, since when both moved.
    assert fourth["rebuilt"] == {"intermediate": [A], "marts": [A, B]}
    assert all(n["full"]["full_refresh"] for n in nights)
    # Its data tests read only the rebuilt councils' rows (the others were tested when built).
    assert f"la_code = any(array['{A}']::text[])" in nights[3]["incremental_tested"]
    assert "la_code = any" not in nights[3]["full_tested"] and "int_date_spans" in nights[3]["full_tested"]


def test_the_nights_hold_what_could_make_a_build_drift(nights, tmp_path_factory):
    """The edits reached the published figures: B's deleted reviews are gone, A's year 2025-26
    is complete from the 1 April extract on, and both councils are published every night."""
    def rows(outcome, table, la):
        return [r for r in outcome["full_marts"][table] if r["la_code"] == la]

    for outcome in nights:
        assert {r["la_code"] for r in outcome["full_marts"]["performance_measures"]} == {A, B}
    reviews_b = [len(rows(n, "fct_cla_reviews", B)) for n in nights]
    assert reviews_b[2] < reviews_b[0] and reviews_b[3] == reviews_b[2]  # B sent nothing on night 4

    def year_complete(outcome):
        return {r["is_complete"] for r in rows(outcome, "performance_measures", A)
                if r["period_label"] == "2025-26"}

    assert year_complete(nights[2]) == {"false"} and year_complete(nights[3]) == {"true"}
    # The child who turns 18 on 30 March: counted as at 28 and 29 March, not from 30 March on.
    for name in ("full", "incremental"):
        assert [n[f"{name}_aged_out_counted"] for n in nights] == [True, True, False, False], name
