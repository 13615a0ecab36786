"""Extracting a drop from a real second PostgreSQL database holding a generated council's SSD tables.

The source is typed as the SSD's SQL Server scripts type it (tests/ssd_source.py); the drop it
gives must hold the generated drop's values, be byte-identical on an unchanged source, leave
nothing that looks complete when killed, and fail with one clear line naming the connection,
table or column.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, time as clock
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from csc_pipeline.contract import TABLES, TABLES_BY_NAME
from csc_pipeline.extract.errors import ExtractError, NotReady, SourceStructureError, SourceUnreachable
from csc_pipeline.extract.extractor import extract_drop
from csc_pipeline.extract.readiness import Wait
from csc_pipeline.extract.sources import BATCH_ROWS, spec_from_dsn
from csc_pipeline.drops.finder import find_drops
from csc_pipeline.contract.delivery import MANIFEST_NAME
from csc_pipeline.drops.manifest import Manifest, sha256_of
from drop_factory import read_table
from ssd_source import SCHEMA, source_database

LA = "E06999997"
EXTRACT_DATE = date(2026, 11, 24)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """One generated council's drop (the file drop the source is filled from)."""
    from csc_pipeline.generate import generate_council

    root = tmp_path_factory.mktemp("extract_generated")
    (folder,) = generate_council(root, la_code=LA, seed=11, children_looked_after=60, nights=1,
                                 last_extract_date=EXTRACT_DATE)
    return folder


@pytest.fixture(scope="module")
def source_dsn(pg_server, generated) -> str:
    """The council's SSD database, left unchanged by the tests that use it."""
    with source_database(pg_server.dsn(), generated) as dsn:
        yield dsn


@pytest.fixture()
def own_source(pg_server, generated) -> str:
    """A source a test may change (drop a table, a column...)."""
    with source_database(pg_server.dsn(), generated) as dsn:
        yield dsn


def _extract(dsn: str, root: Path, **kw):
    return extract_drop(spec_from_dsn(dsn), la_code=LA, extract_date=EXTRACT_DATE, root=root, **kw)


def _normalised(table: str, rows: list[dict]) -> dict[str, dict]:
    """Rows by primary key, each value as what it means: dates as dates, numbers as numbers."""
    t = TABLES_BY_NAME[table]
    out = {}
    for row in rows:
        values = {}
        for name, text in row.items():
            column = t.column(name)
            if text == "":
                values[name] = None
            elif column.type == "date":
                values[name] = date.fromisoformat(text[:10])
            elif column.type == "number":
                values[name] = Decimal(text)
            else:
                values[name] = text
        out[row[t.primary_key.name]] = values
    return out


def test_the_extracted_drop_holds_the_generated_drops_values(source_dsn, generated, tmp_path):
    result = _extract(source_dsn, tmp_path)
    drop = tmp_path / LA / EXTRACT_DATE.isoformat()
    assert result.status == "written" and result.path == drop
    generated_manifest = Manifest.read(generated / MANIFEST_NAME)
    manifest = Manifest.read(drop / MANIFEST_NAME)
    assert list(manifest.files) == [t.name for t in TABLES]
    for table in TABLES:
        header, rows = read_table(drop, table.name)
        _, expected = read_table(generated, table.name)
        assert header == table.column_names, table.name
        assert _normalised(table.name, rows) == _normalised(table.name, expected), table.name
        keys = [r[table.primary_key.name] for r in rows]
        assert keys == sorted(keys), f"{table.name} is not in primary-key order"
        assert manifest.files[table.name].rows == generated_manifest.files[table.name].rows == len(rows)
        assert manifest.files[table.name].sha256 == sha256_of(drop / f"{table.name}.csv")
    # written as the contract's files are: the drop scan finds it, the manifest names the council
    assert [d.path for d in find_drops(tmp_path)] == [drop]
    assert (manifest.la_code, manifest.extract_date, manifest.source_system) == (LA, EXTRACT_DATE, "postgres")
    # datetimes (timestamp) come out as dates, numbers without a trailing .0
    _, placements = read_table(drop, "ssd_cla_placement")
    assert all(len(p["clap_cla_placement_start_date"]) == 10 for p in placements)
    assert not any(p["clap_cla_placement_distance"].endswith(".0") for p in placements)


def test_an_unchanged_source_gives_identical_checksums_and_a_change_replaces_the_drop(own_source, tmp_path):
    first = _extract(own_source, tmp_path / "a")
    second = _extract(own_source, tmp_path / "b")
    files_a = Manifest.read(first.path / MANIFEST_NAME).files
    assert Manifest.read(second.path / MANIFEST_NAME).files == files_a
    for table in TABLES:
        assert (first.path / f"{table.name}.csv").read_bytes() == (second.path / f"{table.name}.csv").read_bytes()

    # the same root again: the drop already there is kept, manifest and all (nothing new to load)
    manifest_sha = sha256_of(first.path / MANIFEST_NAME)
    again = _extract(own_source, tmp_path / "a")
    assert again.status == "unchanged" and sha256_of(first.path / MANIFEST_NAME) == manifest_sha

    # one corrected row: the drop is replaced, and only that table's checksum differs
    with psycopg.connect(own_source) as conn:
        conn.execute(f"update {SCHEMA}.ssd_cla_health set clah_health_check_status = 'Refused'"
                     f" where clah_health_check_id = (select min(clah_health_check_id) from {SCHEMA}.ssd_cla_health)")
    corrected = _extract(own_source, tmp_path / "a")
    files = Manifest.read(corrected.path / MANIFEST_NAME).files
    assert corrected.status == "replaced"
    assert {name for name in files if files[name] != files_a[name]} == {"ssd_cla_health"}
    assert [p.name for p in (tmp_path / "a" / LA).iterdir()] == [EXTRACT_DATE.isoformat()]


def test_values_are_written_deterministically(own_source, tmp_path):
    with psycopg.connect(own_source) as conn:
        conn.execute(
            f"insert into {SCHEMA}.ssd_person (pers_person_id, pers_forename, pers_surname, pers_sex, pers_ethnicity,"
            " pers_dob, pers_expected_dob, pers_death_date, pers_upn) values"
            " ('0100', 'Zoë', 'O''Neil, \"Jr\"', 'F', 'WBRI', '2010-05-06', null, null, null),"
            " ('007', 'Ann', e'two\\nlines', ' M', '', null, '2027-01-02', null, '000123'),"
            " ('a-1', 'Bo', 'Lee', 'M', 'WBRI', '2012-01-01', null, null, null),"
            " ('B-1', 'Cy', 'Ng', 'F', 'WBRI', '2012-01-02', null, null, null)")
        conn.execute(
            f"insert into {SCHEMA}.ssd_professionals (prof_professional_id, prof_staff_id, prof_professional_name,"
            " prof_professional_job_title, prof_professional_caseload, prof_full_time_equivalency) values"
            " ('00001', '0042', 'A B', 'IRO', 7, 1.00), ('00002', '0043', 'C D', 'IRO', null, 0.50)")
        first, last = conn.execute(f"select min(clap_cla_placement_id), max(clap_cla_placement_id)"
                                   f" from {SCHEMA}.ssd_cla_placement").fetchone()
        for placement, distance, started in ((first, "12.0", "2024-03-01 09:30:00"),
                                             (last, "0.1::float8 + 0.2", "2024-03-02 23:59:59.997")):
            conn.execute(f"update {SCHEMA}.ssd_cla_placement set clap_cla_placement_distance = {distance},"
                         f" clap_cla_placement_start_date = '{started}' where clap_cla_placement_id = %s", (placement,))
    result = _extract(own_source, tmp_path)
    # '007' < '0100' < '100013': byte order of the identifiers as stored, leading zeros kept
    people = (result.path / "ssd_person.csv").read_text(encoding="utf-8")
    assert people.split("\n", 1)[1].startswith(
        '007,Ann,"two\nlines", M,,,2027-01-02,,000123\n'
        '0100,Zoë,"O\'Neil, ""Jr""",F,WBRI,2010-05-06,,,\n1')
    # binary order, not the database's linguistic one (which would put a-1 before B-1)
    assert [line.split(",")[0] for line in people.splitlines()[-2:]] == ["B-1", "a-1"]
    with psycopg.connect(own_source) as conn:
        assert conn.execute(f"select pers_person_id from {SCHEMA}.ssd_person where pers_person_id like '%-1'"
                            " order by pers_person_id").fetchall() == [("a-1",), ("B-1",)]
    staff = (result.path / "ssd_professionals.csv").read_text(encoding="utf-8").splitlines()
    assert staff[1:3] == ["00001,0042,A B,IRO,7,1", "00002,0043,C D,IRO,,0.5"]
    placements = {p["clap_cla_placement_id"]: p for p in read_table(result.path, "ssd_cla_placement")[1]}
    assert [(placements[k]["clap_cla_placement_start_date"], placements[k]["clap_cla_placement_distance"])
            for k in (first, last)] == [("2024-03-01", "12"), ("2024-03-02", "0.30000000000000004")]


def test_rows_stream_through_a_server_side_cursor(own_source):
    """Memory stays flat: the server holds the result and the reader fetches one batch at a time."""
    from csc_pipeline.extract.postgres import PostgresReader

    with psycopg.connect(own_source) as conn:
        conn.execute(f"insert into {SCHEMA}.ssd_family select 'X' || g, 'F' || g, '1' from generate_series(1, %s) g",
                     (BATCH_ROWS * 3,))
    spec = spec_from_dsn(own_source)
    with PostgresReader(spec) as reader:
        ref = reader.resolve(spec.table_ref("ssd_family"))
        reader.begin_snapshot([ref])
        batches = reader.stream(f'select * from {ref} order by fami_table_id collate "C"')
        first = next(batches)
        open_cursors = reader.query("select count(*) from pg_cursors where not is_holdable")
        isolation = reader.query("show transaction_isolation")
        read_only = reader.query("show transaction_read_only")
        rest = sum(len(b) for b in batches)
        reader.end_snapshot()
    assert len(first) == BATCH_ROWS and rest > BATCH_ROWS
    assert open_cursors == [(1,)]
    assert (isolation, read_only) == ([("repeatable read",)], [("on",)])


def test_a_missing_optional_table_or_column_is_left_out(own_source, tmp_path):
    with psycopg.connect(own_source) as conn:
        conn.execute(f"drop table {SCHEMA}.ssd_family")
        conn.execute(f"alter table {SCHEMA}.ssd_person drop column pers_upn")
    result = _extract(own_source, tmp_path)
    manifest = Manifest.read(result.path / MANIFEST_NAME)
    assert "ssd_family" not in manifest.files and not (result.path / "ssd_family.csv").exists()
    header, _ = read_table(result.path, "ssd_person")
    assert header == [c for c in TABLES_BY_NAME["ssd_person"].column_names if c != "pers_upn"]


def _nothing_written(root: Path) -> bool:
    council = root / LA
    return not council.exists() or list(council.iterdir()) == []


@pytest.mark.parametrize("breakage, expected", [
    (f"drop table {SCHEMA}.ssd_cla_reviews", "table ssd_development.ssd_cla_reviews does not exist"),
    (f"delete from {SCHEMA}.ssd_cp_plans", "table ssd_development.ssd_cp_plans is empty"),
], ids=["missing table", "empty table"])
def test_a_source_not_ready_fails_with_one_line_naming_the_table(own_source, tmp_path, breakage, expected):
    with psycopg.connect(own_source) as conn:
        conn.execute(breakage)
    with pytest.raises(NotReady) as info:
        _extract(own_source, tmp_path)
    message = str(info.value)
    label = spec_from_dsn(own_source).label
    assert message == f"not ready yet: {label}: {expected}"
    assert "\n" not in message and "csc:" not in label and _nothing_written(tmp_path)


def test_a_missing_column_fails_with_one_line_naming_it_and_leaves_nothing(own_source, tmp_path):
    with psycopg.connect(own_source) as conn:
        conn.execute(f"alter table {SCHEMA}.ssd_cla_health drop column clah_health_check_status")
    with pytest.raises(SourceStructureError) as info:
        _extract(own_source, tmp_path)
    label = spec_from_dsn(own_source).label
    assert str(info.value) == f"{label}: table ssd_development.ssd_cla_health has no column clah_health_check_status"
    assert _nothing_written(tmp_path)  # the tables already written went with their temporary folder


def test_a_column_of_a_type_the_contract_cannot_hold_is_named(own_source, tmp_path):
    with psycopg.connect(own_source) as conn:
        conn.execute(f"alter table {SCHEMA}.ssd_cla_health alter column clah_health_check_date type bytea"
                     " using convert_to(clah_health_check_date::text, 'UTF8')")
    with pytest.raises(SourceStructureError, match=r"column ssd_development\.ssd_cla_health\.clah_health_check_date"
                                                   r" has type bytea, which the extract cannot write"):
        _extract(own_source, tmp_path)
    assert _nothing_written(tmp_path)


def test_an_unreachable_source_fails_with_one_line_without_its_password(tmp_path):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SourceUnreachable) as info:
        _extract(f"postgresql://extract:s3cret-pw@127.0.0.1:{port}/ssd", tmp_path)
    assert str(info.value) == f"postgresql://127.0.0.1:{port}/ssd: cannot connect (connection refused)"
    assert _nothing_written(tmp_path)


def test_the_readiness_query_must_say_ready(own_source, tmp_path):
    with psycopg.connect(own_source) as conn:
        conn.execute(f"create table {SCHEMA}.refresh_log (finished_on date)")
    spec = spec_from_dsn(own_source, readiness_query=f"select count(*) from {SCHEMA}.refresh_log"
                                                     f" where finished_on = date '{EXTRACT_DATE}'")
    with pytest.raises(NotReady, match="the readiness query says the refresh has not finished"):
        extract_drop(spec, la_code=LA, extract_date=EXTRACT_DATE, root=tmp_path)
    with psycopg.connect(own_source) as conn:
        conn.execute(f"insert into {SCHEMA}.refresh_log values (date '{EXTRACT_DATE}')")
    assert extract_drop(spec, la_code=LA, extract_date=EXTRACT_DATE, root=tmp_path).status == "written"


def test_a_source_not_ready_is_retried_until_the_cut_off(own_source, tmp_path):
    """The SSD refresh is still rebuilding a table at 04:00; it is back after one poll."""
    with psycopg.connect(own_source) as conn:
        conn.execute(f"alter table {SCHEMA}.ssd_person rename to ssd_person_rebuilding")
    slept = []

    def refresh_finishes(seconds):
        slept.append(seconds)
        with psycopg.connect(own_source) as conn:
            conn.execute(f"alter table {SCHEMA}.ssd_person_rebuilding rename to ssd_person")

    wait = Wait(cutoff=clock(7, 30), poll_seconds=60, now=lambda: datetime(2026, 11, 24, 4, 0), sleep=refresh_finishes)
    assert _extract(own_source, tmp_path, wait=wait).status == "written"
    assert slept == [60]
    # past the cut-off it fails at once, with the reason
    with psycopg.connect(own_source) as conn:
        conn.execute(f"alter table {SCHEMA}.ssd_person rename to ssd_person_rebuilding")
    late = Wait(cutoff=clock(7, 30), poll_seconds=60, now=lambda: datetime(2026, 11, 24, 7, 30), sleep=slept.append)
    with pytest.raises(NotReady, match=r"not ready by the cut-off 07:30: .*table ssd_development\.ssd_person does"):
        _extract(own_source, tmp_path / "late", wait=late)
    assert slept == [60]


def test_local_tables_from_a_second_database_or_from_files(pg_server, generated, own_source, tmp_path):
    local = [t for t in TABLES if t.family == "local"]
    with psycopg.connect(own_source) as conn:
        for t in local:
            conn.execute(f"drop table {SCHEMA}.{t.name}")
    with source_database(pg_server.dsn(), generated, prefix="ssd_local") as local_dsn:
        with psycopg.connect(local_dsn) as conn:  # only the local tables live there
            for t in TABLES:
                if t.family != "local":
                    conn.execute(f"drop table {SCHEMA}.{t.name}")
        from_db = _extract(own_source, tmp_path / "db", local_source=spec_from_dsn(local_dsn))
    for t in local:
        _, rows = read_table(from_db.path, t.name)
        assert _normalised(t.name, rows) == _normalised(t.name, read_table(generated, t.name)[1])

    files = _extract(own_source, tmp_path / "files", local_files=generated)
    manifest = Manifest.read(files.path / MANIFEST_NAME)
    for t in local:
        assert (files.path / f"{t.name}.csv").read_bytes() == (generated / f"{t.name}.csv").read_bytes()
        assert manifest.files[t.name] == Manifest.read(generated / MANIFEST_NAME).files[t.name]

    with pytest.raises(NotReady, match="file loc_lado_allegations.csv does not exist"):
        _extract(own_source, tmp_path / "none", local_files=tmp_path / "no-such-folder")


def test_csc_extract_on_the_command_line(source_dsn, tmp_path, capsys):
    from csc_pipeline.cli import main

    assert main(["extract", "--la-code", LA.lower(), "--source-dsn", source_dsn, "--landing", str(tmp_path),
                 "--extract-date", EXTRACT_DATE.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "ssd_person:" in out and f"written {tmp_path / LA / EXTRACT_DATE.isoformat()}" in out
    assert [d.la_code for d in find_drops(tmp_path)] == [LA]

    assert main(["extract", "--la-code", LA, "--source-dsn", source_dsn, "--schema", "no_such_schema",
                 "--landing", str(tmp_path / "x"), "--extract-date", EXTRACT_DATE.isoformat()]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("csc: error: not ready yet: postgresql://")
    assert "table no_such_schema.ssd_person does not exist" in err[0]


def test_an_extract_killed_midway_leaves_nothing_that_looks_complete(own_source, tmp_path, caplog):
    # Enough rows in a late table that the extract is still writing it when it is killed.
    with psycopg.connect(own_source) as conn:
        conn.execute(f"insert into {SCHEMA}.ssd_involvements (invo_involvements_id, invo_professional_id,"
                     " invo_professional_role_id, invo_professional_team, invo_involvement_start_date, invo_person_id)"
                     " select 'K' || g, '1', 'SW', 'Team', timestamp '2024-01-01', '1'"
                     " from generate_series(1, 1500000) g")
    root = tmp_path / "extracts"
    argv = [sys.executable, "-m", "csc_pipeline.cli", "extract", "--la-code", LA, "--source-dsn", own_source,
            "--landing", str(root), "--extract-date", EXTRACT_DATE.isoformat()]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    partial = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            partial = next((p for p in (root / LA).glob(".*partial*") if (p / "ssd_involvements.csv").exists()
                            and (p / "ssd_involvements.csv").stat().st_size > 1 << 20), None) \
                if (root / LA).exists() else None
            if partial:
                break
            time.sleep(0.05)
        assert partial is not None and proc.poll() is None, "the extract never got midway"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert (partial / "ssd_person.csv").exists()  # midway: earlier tables written, later ones not
    assert not (partial / MANIFEST_NAME).exists() and not (partial / "ssd_professionals.csv").exists()
    assert not (root / LA / EXTRACT_DATE.isoformat()).exists()
    with caplog.at_level("INFO", logger="csc_pipeline.drops.finder"):
        assert list(root.rglob(MANIFEST_NAME)) == [] and find_drops(root) == []
    assert caplog.messages == []  # the hidden folder is not even mentioned: not a drop in the making
    # the next extract clears what the killed one left and puts a whole drop in place
    result = extract_drop(spec_from_dsn(own_source), la_code=LA, extract_date=EXTRACT_DATE, root=root)
    assert result.status == "written" and [p.name for p in (root / LA).iterdir()] == [EXTRACT_DATE.isoformat()]
    assert result.rows["ssd_involvements"] > 1_500_000


def test_a_past_night_is_not_extracted_and_the_landing_root_is_never_written(monkeypatch, tmp_path):
    from zoneinfo import ZoneInfo

    from csc_pipeline.flows.extract_night import extract_for_night

    def five_thirty():
        return datetime(2026, 12, 2, 5, 30, tzinfo=ZoneInfo("Europe/London"))

    # replaying 1 December on the 2nd: today's database is not the 1st's snapshot
    assert extract_for_night(LA, up_to=date(2026, 12, 1), now=five_thirty)["status"] == "skipped"
    monkeypatch.setenv("CSC_LANDING_ROOT", str(tmp_path))
    monkeypatch.setenv("CSC_EXTRACT_ROOT", str(tmp_path))
    with pytest.raises(ExtractError, match="is the landing root"):
        extract_for_night(LA, up_to=date(2026, 12, 2), now=five_thirty)
    assert list(tmp_path.iterdir()) == []
