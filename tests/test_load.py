"""Landing and publishing a drop: COPY as text, audit, change counts, one transaction."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from csc_pipeline.drops.finder import find_drops
from csc_pipeline.load.audit import pending_drops
from csc_pipeline.load import audit, promote as publish_module
from csc_pipeline.load.promote import publish_drop
from drop_factory import land, write_drop

LA = "E06000001"


def _people(*ids: str) -> list[dict]:
    return [
        {"pers_person_id": i, "pers_forename": "Zebedee", "pers_sex": "F", "pers_ethnicity": "WBRI",
         "pers_dob": "2015-05-01"}
        for i in ids
    ]


def test_drop_lands_as_text_and_publishes_with_change_counts(fresh_database, tmp_path):
    write_drop(tmp_path, LA, date(2026, 1, 1), {"ssd_person": _people("1", "2", "3")})
    write_drop(tmp_path, LA, date(2026, 1, 2), {"ssd_person": _people("1", "2", "4")})
    first, second = find_drops(tmp_path)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        landed = land(conn, first)
        assert landed.issues == []
        assert landed.row_counts == {"ssd_person": 3}
        types = {r[0]: r[1] for r in conn.execute(
            "select column_name, data_type from information_schema.columns where table_schema = %s",
            (first.landing_schema,))}
        assert types["pers_dob"] == "text" and types["source_row"] == "integer"
        result = publish_drop(conn, landed)
        assert result.status == "published"
        assert result.changes["ssd_person"]["added"] == 3 and result.changes["ssd_person"]["removed"] == 0

        result2 = publish_drop(conn, land(conn, second))
        assert (result2.changes["ssd_person"]["added"], result2.changes["ssd_person"]["removed"]) == (1, 1)
        ids = [r[0] for r in conn.execute("select pers_person_id from raw.ssd_person order by 1")]
        assert ids == ["1", "2", "4"]
        # optional columns absent from the file load as NULL
        assert conn.execute("select count(*) from raw.ssd_person where pers_upn is not null").fetchone()[0] == 0
        # the staging schema is gone once published
        assert conn.execute("select count(*) from pg_namespace where nspname like 'landing_%'").fetchone()[0] == 0
        statuses = [r[0] for r in conn.execute("select status from audit.loads order by load_id")]
        assert statuses == ["published", "published"]
        assert pending_drops(conn, [first, second]) == []


def test_failed_publish_leaves_no_partial_rows(fresh_database, tmp_path, monkeypatch):
    write_drop(tmp_path, LA, date(2026, 1, 1), {"ssd_person": _people("1", "2")})
    write_drop(tmp_path, LA, date(2026, 1, 2), {
        "ssd_person": _people("7", "8", "9"),
        "loc_lado_allegations": [{"lado_allegation_id": "L1", "lado_referral_date": "2025-12-01"}],
    })
    first, second = find_drops(tmp_path)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        publish_drop(conn, land(conn, first))
        landed = land(conn, second)

        real = publish_module._replace_table
        calls = []

        def fail_on_lado(conn_, landed_, table, *args):
            calls.append(table.name)
            if table.name == "loc_lado_allegations":
                raise RuntimeError("disk full")
            return real(conn_, landed_, table, *args)

        monkeypatch.setattr(publish_module, "_replace_table", fail_on_lado)
        with pytest.raises(RuntimeError, match="disk full"):
            publish_drop(conn, landed)
        assert "ssd_person" in calls  # the person table had been replaced before the failure
        ids = [r[0] for r in conn.execute("select pers_person_id from raw.ssd_person order by 1")]
        assert ids == ["1", "2"]
        assert conn.execute("select count(*) from raw.loc_lado_allegations").fetchone()[0] == 0
        assert conn.execute("select count(*), count(valid_to) from history.ssd_person").fetchone() == (2, 0)
        assert conn.execute("select count(*) from audit.load_tables where load_id = %s",
                            (landed.load_id,)).fetchone()[0] == 0
        assert conn.execute("select status from audit.loads where load_id = %s",
                            (landed.load_id,)).fetchone()[0] == "landing"


def test_older_drop_arriving_late_is_superseded_not_loaded(fresh_database, tmp_path):
    write_drop(tmp_path, LA, date(2026, 1, 2), {"ssd_person": _people("1", "2")})
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        (newer,) = find_drops(tmp_path)
        publish_drop(conn, land(conn, newer))
        write_drop(tmp_path, LA, date(2026, 1, 1), {"ssd_person": _people("1")})
        (older,) = pending_drops(conn, find_drops(tmp_path))
        assert older.extract_date == date(2026, 1, 1)
        result = publish_drop(conn, land(conn, older))
        assert result.status == "superseded"
        assert conn.execute("select count(*) from raw.ssd_person").fetchone()[0] == 2


def test_copy_error_is_reported_by_line_without_values(fresh_database, pg_server, tmp_path):
    folder = write_drop(tmp_path, LA, date(2026, 1, 1), {"ssd_person": _people("1", "2")})
    path = folder / "ssd_person.csv"
    path.write_text(path.read_text() + "3,Secretname,F,WBRI,2015-01-01,extra,fields\n")
    (drop,) = find_drops(tmp_path)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        landed = land(conn, drop)
    rules = {i.rule for i in landed.issues}
    assert rules == {"unreadable_file", "manifest_checksum"}
    text = " ".join(i.to_text() for i in landed.issues)
    assert "Secretname" not in text and "Zebedee" not in text
    bad = next(i for i in landed.issues if i.rule == "unreadable_file")
    assert bad.sample_rows == [4]
    # PostgreSQL's own log must not quote the rejected line either.
    assert "Secretname" not in pg_server.log_file.read_text()


def test_history_tells_corrected_deleted_and_aged_out_apart(fresh_database, tmp_path):
    def episode(eid, start, ceased, reason="E8"):
        return {"clae_cla_episode_id": eid, "clae_person_id": "1", "clae_cla_id": f"P{eid}",
                "clae_cla_episode_start_date": start, "clae_cla_episode_ceased_date": ceased,
                "clae_cla_episode_ceased_reason": reason if ceased else ""}

    night1 = [episode("A", "2019-01-01", "2019-06-01"),   # will age out: ended before the new window start
              episode("B", "2023-01-01", "2023-06-01"),   # will be deleted
              episode("C", "2024-01-01", ""),             # will be corrected
              episode("D", "2024-02-01", "")]             # unchanged
    night2 = [episode("C", "2024-01-02", ""), episode("D", "2024-02-01", "")]
    write_drop(tmp_path, LA, date(2025, 5, 31), {"ssd_person": _people("1"), "ssd_cla_episodes": night1},
               manifest_overrides={"window_start": "2019-05-31"})
    write_drop(tmp_path, LA, date(2025, 6, 2), {"ssd_person": _people("1"), "ssd_cla_episodes": night2},
               manifest_overrides={"window_start": "2019-06-02"})
    first, second = find_drops(tmp_path)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        publish_drop(conn, land(conn, first))
        changes = publish_drop(conn, land(conn, second)).changes["ssd_cla_episodes"]
        # the columns this small drop never had are loaded empty both nights: nothing emptied
        assert "clae_entered_care_date" in changes.pop("columns_missing")
        assert changes == {"added": 1, "removed": 3, "corrected": 1, "deleted": 1, "aged_out": 1, "emptied": 0}
        versions = conn.execute(
            "select record_id, valid_from, valid_to, ended_because, clae_cla_episode_start_date"
            " from history.ssd_cla_episodes order by record_id, valid_from").fetchall()
        assert versions == [
            ("A", date(2025, 5, 31), date(2025, 6, 2), "aged_out", "2019-01-01"),
            ("B", date(2025, 5, 31), date(2025, 6, 2), "deleted", "2023-01-01"),
            ("C", date(2025, 5, 31), date(2025, 6, 2), "corrected", "2024-01-01"),
            ("C", date(2025, 6, 2), None, None, "2024-01-02"),
            ("D", date(2025, 5, 31), None, None, "2024-02-01"),
        ]
        audited = conn.execute(
            "select rows_corrected, rows_deleted, rows_aged_out from audit.load_tables t join audit.loads l"
            " using (load_id) where l.extract_date = '2025-06-02' and t.table_name = 'ssd_cla_episodes'"
        ).fetchone()
        assert audited == (1, 1, 1)


def test_initialising_drops_the_tables_of_retired_dbt_models(fresh_database):
    from csc_pipeline.warehouse import schema

    with psycopg.connect(fresh_database) as conn:
        conn.execute("create table intermediate.int_cla_snapshot (person_id text, dob date)")
        conn.execute("create table intermediate.int_kept (x int)")  # not retired: left alone
        conn.commit()
        schema.initialise(conn)
        left = {r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'intermediate'")}
    assert "int_cla_snapshot" not in left and "int_kept" in left
