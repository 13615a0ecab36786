"""Defects through the whole night: the real csc_nightly DAG (dag.test), dbt and the marts.

Four councils deliver a good drop on night 1. On night 2 three of them deliver a bad
one (a 60% volume drop, a review outside its period of care, cp1252 bytes without a
declared encoding) and one a good drop that spells a legal status its own way, through
its label mapping file. The bad drops are quarantined with an alert (and, where the
council's settings ask for one, a Data Docs site), their raw tables and marts keep
night 1's data; the good one is published and dbt staging reads its own label as the
code validation accepted. The councils have a warehouse database of their own.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import psycopg
import psycopg.conninfo
import psycopg.sql
import pytest

from alert_receivers import SmtpServer, WebhookReceiver, alert_env
from drop_factory import read_table, refresh_manifest
from test_defects import (
    DAY1, DAY2, LAST, TEMPLATE_LA, _cp1252_without_encoding, _keep_share, _raw_snapshot, _review_outside_period,
    _secrets, _set, copy_council, leaks,
)
from warehouse_db import own_warehouse

pytestmark = pytest.mark.e2e

VOLUME, REVIEW, ENCODING, MAPPED = COUNCILS = ("E08000901", "E08000902", "E08000903", "E08000904")
DEFECTS = {
    VOLUME: ("volume_shrink", "ssd_cla_health", None, _keep_share("ssd_cla_health", 0.4)),
    REVIEW: ("review_in_period", "ssd_cla_reviews", "clar_cla_review_date", _review_outside_period),
    ENCODING: ("file_encoding", "ssd_professionals", None, _cp1252_without_encoding),
}


def _marts(conn, la_code: str) -> list[tuple]:
    return conn.execute(
        "select period_type, period_label, measure_id, breakdown, breakdown_value, value::text,"
        " source_extract_date from marts.performance_measures where la_code = %s order by 1, 2, 3, 4, 5",
        (la_code,)).fetchall()


def _visible_text(html: str) -> str:
    import html as html_module
    import re

    html = re.sub(r"<(script|style).*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html)))


def _task_states(dag, extract_date: date) -> dict[tuple[str, str], tuple[str, int]]:
    """(task, label) -> (state, tries) of the latest run for that night, as the grid shows them."""
    from airflow.models import DagRun

    run = max(DagRun.find(dag_id=dag.dag_id), key=lambda r: r.logical_date)
    assert run.logical_date.date() == extract_date
    return {(ti.task_id, ti.rendered_map_index or str(ti.map_index)): (str(getattr(ti.state, "value", ti.state)),
                                                                       ti.try_number)
            for ti in run.get_task_instances()}


def _council_roles(dsn: str) -> dict[str, list[str]]:
    """Which councils' rows each BI role reads from the published marts, logged in as it: a role
    for MAPPED and one for VOLUME, made with `csc warehouse bi-role`, and the hub's csc_bi."""
    import os
    import subprocess
    import sys

    password = "council-role-password-1"
    env = {**os.environ, "CSC_WAREHOUSE_DSN": dsn, "CSC_BI_PASSWORD": password}
    seen = {}
    with psycopg.connect(dsn) as conn:
        conn.execute(psycopg.sql.SQL("alter role csc_bi password {}").format(psycopg.sql.Literal(password)))
    for la in (MAPPED, VOLUME, None):
        if la:
            made = subprocess.run([sys.executable, "-m", "csc_pipeline.cli", "warehouse", "bi-role", "--la-code", la],
                                  env=env, capture_output=True, text=True)
            assert made.returncode == 0, made.stderr
            assert f"csc_bi_{la.lower()} can now log in" in made.stdout
        role = f"csc_bi_{la.lower()}" if la else "csc_bi"
        info = psycopg.conninfo.conninfo_to_dict(dsn)
        with psycopg.connect(host=info.get("host"), port=info.get("port"), dbname=info["dbname"],
                             user=role, password=password) as conn:
            seen[la or "hub"] = [r[0] for r in conn.execute(
                "select distinct la_code from marts.performance_measures order by 1")]
            seen[(la or "hub") + " facts"] = [r[0] for r in conn.execute(
                "select distinct la_code from marts.fct_cla_reviews order by 1")]
    return seen


def _night_with_a_broken_build(dag, dsn: str, state_dir: Path) -> dict:
    """Night 3 with a raw column's type changed under dbt (the night's own schema step repairs a
    renamed one): its staging model fails. The column is put back, its values intact."""
    from datetime import timedelta

    from csc_pipeline.flows.airflow_runner import DagRunFailed, run_night
    from csc_pipeline.transform.dbt_runner import last_build_dir

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop view staging.stg_ssd__persons")  # the next build makes it again
        conn.execute("alter table raw.ssd_person alter column pers_dob type bytea using convert_to(pers_dob, 'UTF8')")
    try:
        with pytest.raises(DagRunFailed) as failure:
            run_night(dag, DAY2 + timedelta(days=1))
        states = _task_states(dag, DAY2 + timedelta(days=1))
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("alter table raw.ssd_person alter column pers_dob type text using convert_from(pers_dob, 'UTF8')")
    with psycopg.connect(dsn) as conn:
        published = {la: _marts(conn, la) for la in COUNCILS}
    return {"error": str(failure.value), "states": states, "published": published,
            "run_results": (last_build_dir(state_dir) / "run_results.json").is_file()}


@pytest.fixture(scope="module")
def nights(airflow_ready, pg_server, state_dir, tmp_path_factory):
    from csc_pipeline.generate import generate_council
    from csc_pipeline.flows.airflow_runner import load_dag, run_night

    base = Path(tmp_path_factory.mktemp("defects_dag"))
    generate_council(base / "template", la_code=TEMPLATE_LA, seed=7, children_looked_after=40, nights=2,
                     last_extract_date=LAST)
    landing = base / "landing"
    for la in COUNCILS:
        copy_council(base / "template", landing, la)
    # Night 2 drops arrive after night 1 has run: hide them until then.
    later = base / "later"
    for la in COUNCILS:
        (later / la).mkdir(parents=True)
        (landing / la / DAY2.isoformat()).rename(later / la / DAY2.isoformat())
    for la, (_, _, _, apply) in DEFECTS.items():
        apply(later / la / DAY2.isoformat())
        refresh_manifest(later / la / DAY2.isoformat())
    _set("ssd_legal_status", "lega_legal_status", {1: "Interim C.O.", 2: " INTERIM  c.o."})(
        later / MAPPED / DAY2.isoformat())
    refresh_manifest(later / MAPPED / DAY2.isoformat())
    mapping = base / "mappings" / f"{MAPPED}.csv"
    mapping.parent.mkdir()
    mapping.write_text("code_set,label,code\nlegal_status,Interim C.O.,C1\n")
    deployment = base / "deployment.yml"
    # Data Docs are built for failed drops (the default) of one council; the others need none.
    no_docs = {"validation": {"data_docs": "never"}}
    deployment.write_text(json.dumps({"councils": {VOLUME: no_docs, REVIEW: {}, ENCODING: no_docs,
                                                   MAPPED: {"label_mapping": str(mapping)}}}))

    # A warehouse of its own (Airflow's metadata stays where airflow_ready put it): these
    # councils must not change what other tests read from the session's marts.
    with own_warehouse(pg_server.dsn(), "defects_dag") as warehouse_dsn, SmtpServer() as smtp, \
            WebhookReceiver() as hook, pytest.MonkeyPatch.context() as mp:
        mp.setenv("CSC_WAREHOUSE_DSN", warehouse_dsn)
        mp.setenv("CSC_LANDING_ROOT", str(landing))
        for name, value in alert_env(smtp, hook).items():
            mp.setenv(name, value)
        mp.setenv("CSC_DEPLOYMENT_CONFIG", str(deployment))
        mp.setenv("CSC_DATA_DOCS_DIR", str(base / "data_docs"))
        mp.delenv("CSC_COUNCILS", raising=False)
        mp.delenv("CSC_DATA_DOCS", raising=False)  # the default: a site for every failed drop
        dag = load_dag()
        assert run_night(dag, DAY1) == "success"
        with psycopg.connect(warehouse_dsn) as conn:
            after_night1 = {la: (_raw_snapshot(conn, la), _marts(conn, la)) for la in COUNCILS}
        for la in COUNCILS:
            (later / la / DAY2.isoformat()).rename(landing / la / DAY2.isoformat())
        night2 = run_night(dag, DAY2)
        states = _task_states(dag, DAY2)
        roles = _council_roles(warehouse_dsn)
        with psycopg.connect(warehouse_dsn) as conn:
            after_night2 = {la: (_raw_snapshot(conn, la), _marts(conn, la)) for la in COUNCILS}
            loads = {la: conn.execute(
                "select l.status, v.report from audit.loads l join audit.validation_results v using (load_id)"
                " where l.la_code = %s and l.extract_date = %s", (la, DAY2)).fetchone()
                for la in COUNCILS}
        # read now: the database goes when the fixture ends
            summary = conn.execute("select drops, published, quarantined, unfinished, lines from audit.night_runs"
                                   " order by finished_at desc limit 1").fetchone()
        with psycopg.connect(warehouse_dsn) as conn:  # rows 1 and 2 spell it "Interim C.O.", " INTERIM  c.o."
            mapped = conn.execute(
                "select lega_legal_status from staging.stg_ssd__legal_statuses where la_code = %s"
                " and source_row <= 2", (MAPPED,)).fetchall()
        xcom, task_logs = _xcom_and_task_logs(dag)
        broken_build = _night_with_a_broken_build(dag, warehouse_dsn, state_dir)
        emails, hooks = smtp.messages, list(hook.received)
    _, people = read_table(base / "template" / TEMPLATE_LA / DAY2.isoformat(), "ssd_person")
    return {"night2": night2, "states": states, "summary": summary, "roles": roles,
            "after1": after_night1, "after2": after_night2, "loads": loads, "emails": emails, "hooks": hooks,
            "docs": base / "data_docs", "people": people, "mapped": mapped, "broken_build": broken_build,
            "xcom": xcom, "task_logs": task_logs}


def _xcom_and_task_logs(dag) -> tuple[list[str], str]:
    """Every XCom value Airflow keeps for the DAG's runs, as JSON, and every task log file written."""
    from airflow.configuration import conf
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        values = [json.dumps(v, ensure_ascii=False, default=str) for (v,) in
                  session.query(XComModel.value).filter(XComModel.dag_id == dag.dag_id)]
    folder = Path(conf.get("logging", "base_log_folder"))
    logs = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file()
                     and dag.dag_id in str(p))
    return values, logs


def test_xcom_and_task_logs_hold_no_name_date_of_birth_or_upn(nights):
    """What Airflow keeps of the nights (XCom in its metadata database, the task logs) names no child."""
    secrets = _secrets(nights["people"]) - {DAY1.isoformat(), DAY2.isoformat(), date.today().isoformat()}
    assert len(nights["xcom"]) > 20, "the tasks' XCom is where the scan looks"
    assert any("quarantined" in v for v in nights["xcom"])
    assert leaks("\n".join(nights["xcom"]), secrets) == []
    assert leaks(nights["task_logs"], secrets) == []


@pytest.mark.parametrize("la_code", [VOLUME, REVIEW, ENCODING], ids=["60% volume drop", "review outside period",
                                                                     "cp1252 undeclared"])
def test_a_bad_drop_is_quarantined_and_the_marts_keep_the_last_good_data(nights, la_code):
    from csc_pipeline.issues import ValidationReport

    rule, table, column, _ = DEFECTS[la_code]
    status, report = nights["loads"][la_code]
    report = ValidationReport.from_dict(report)
    assert status == "quarantined" and not report.success
    assert any((i.rule, i.table, i.column, i.severity) == (rule, table, column, "blocking") for i in report.issues), \
        report.to_text()
    raw1, marts1 = nights["after1"][la_code]
    raw2, marts2 = nights["after2"][la_code]
    assert raw2 == raw1, "the quarantined drop reached raw"
    assert marts1 and marts2 == marts1, "the marts changed"
    assert {r[-1] for r in marts2} == {DAY1}
    hooks = [h["alert"] for h in nights["hooks"] if h["alert"]["la_code"] == la_code]
    assert [(h["kind"], h["extract_date"]) for h in hooks] == [("quarantined", DAY2.isoformat())]
    assert any(f"[{rule}]" in d for d in hooks[0]["details"])
    assert any(f"{la_code}/{DAY2} extract quarantined" in m for m in nights["emails"])


def test_the_run_tells_the_truth_per_council(nights):
    """Night 2: three councils quarantined, one published, in one run. Each quarantined council's
    validate task failed once (no retry), the good one's passed; every council's publish task ran;
    one build and one switch for the night; the summary failed the run and is kept in audit."""
    assert nights["night2"] == "quarantined"
    states = nights["states"]
    for la in (VOLUME, REVIEW, ENCODING):
        assert states[("council.validate_drops", la)] == ("failed", 1), states
        assert states[("council.publish_drops", la)][0] == "success"
    assert states[("council.validate_drops", MAPPED)][0] == "success"
    assert states[("council.publish_drops", MAPPED)][0] == "success"
    assert states[("dbt_build", "-1")][0] == "success" and states[("publish_marts", "-1")][0] == "success"
    assert states[("night_summary", "-1")] == ("failed", 1)
    drops, published, quarantined, unfinished, lines = nights["summary"]
    assert (drops, published, quarantined, unfinished) == (4, 1, 3, 0)
    assert [line.split(":")[0] for line in lines[:3]] == [f"{la}/{DAY2}" for la in sorted((VOLUME, REVIEW, ENCODING))]
    assert "quarantined" in lines[0] and lines[3].startswith(f"{MAPPED}/{DAY2}: published")


def test_each_council_role_reads_only_its_own_rows_and_the_hub_reads_all(nights):
    """Row-level security on la_code, in force after the night's switch of the marts."""
    roles = nights["roles"]
    assert roles[MAPPED] == [MAPPED] and roles[MAPPED + " facts"] == [MAPPED]
    assert roles[VOLUME] == [VOLUME] and roles[VOLUME + " facts"] == [VOLUME]
    assert roles["hub"] == sorted(COUNCILS) and roles["hub facts"] == sorted(COUNCILS)


def test_a_good_drop_the_same_night_is_published_with_its_council_labels(nights):
    status, report = nights["loads"][MAPPED]
    assert status == "published" and report["success"] and report["issues"] == []
    _, marts = nights["after2"][MAPPED]
    assert {r[-1] for r in marts} == {DAY2}
    assert nights["mapped"] == [("C1",), ("C1",)]


def test_data_docs_are_built_for_failed_drops_without_personal_data(nights):
    sites = sorted(nights["docs"].glob("*/*/index.html"))
    assert [p.parent.parent.name for p in sites] == [REVIEW]  # failed, and configured to have them
    pages = [p for site in sites for p in site.parent.rglob("*.html")]
    html = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    text = _visible_text(html)
    assert "clar_cla_review_date lies within the period of care (clar_cla_id) [review_in_period:" in text
    assert "pers_dob is a date in an accepted form" in text  # the personal-data columns' checks are there
    secrets = _secrets(nights["people"]) - {date.today().isoformat()}  # a page carries the day it was built
    assert len(secrets) > 50
    assert leaks(html, secrets) == [], "personal data in Data Docs"


def test_a_failed_build_fails_once_alerts_once_and_keeps_its_sql(nights):
    """dbt fails on a model: its task fails without a retry (the same data fails the same way),
    one alert names the model and where its compiled SQL is, the marts stay as published."""
    broken = nights["broken_build"]
    assert broken["states"][("dbt_build", "-1")] == ("failed", 1)
    assert broken["states"][("publish_marts", "-1")][0] == "upstream_failed"
    assert "dbt_build" in broken["error"]
    assert broken["run_results"]
    alerts = [h["alert"] for h in nights["hooks"] if h["alert"]["kind"] == "transform_failed"]
    assert len(alerts) == 1
    assert "stg_ssd__persons" in " ".join(alerts[0]["details"]), alerts[0]
    assert "last-build" in alerts[0]["summary"]
    assert broken["published"] == {la: marts for la, (_, marts) in nights["after2"].items()}
