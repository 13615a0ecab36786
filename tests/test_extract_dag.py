"""The real csc_nightly DAG (dag.test) extracting a council from its PostgreSQL SSD database.

One night, three councils: one delivers its file drop as before; one has a database source
holding the same generated records (its SSD tables typed as the SSD's SQL Server scripts type
them), which the DAG's extract step reads into the extract root; one has a source that cannot
be reached. The extracted council's published figures must equal the file-drop council's;
the unreachable one fails its own extract task with one alert line and no drop, and the
others carry on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from alert_receivers import SmtpServer, WebhookReceiver, alert_env
from drop_factory import read_table
from ssd_source import source_database
from warehouse_db import own_warehouse

pytestmark = pytest.mark.e2e

FILE_LA, SOURCE_LA, DOWN_LA = "E06999996", "E06999995", "E06999994"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _figures(conn, la_code: str) -> list[tuple]:
    return conn.execute(
        "select period_type, period_label, measure_id, breakdown, breakdown_value, value::text, numerator::text,"
        " denominator::text, published_value, source_extract_date from marts.performance_measures"
        " where la_code = %s order by 1, 2, 3, 4, 5", (la_code,)).fetchall()


@pytest.fixture(scope="module")
def night(airflow_ready, pg_server, tmp_path_factory):
    from csc_pipeline.generate import generate_council
    from csc_pipeline.flows.airflow_runner import load_dag, run_night

    # The extract date is the night's own (the database can only be read as it is today).
    today = datetime.now(ZoneInfo("Europe/London")).date()
    base = Path(tmp_path_factory.mktemp("extract_dag"))
    landing, extracts = base / "landing", base / "extracts"
    (file_drop,) = generate_council(landing, la_code=FILE_LA, seed=11, children_looked_after=60, nights=1,
                                    last_extract_date=today)
    deployment = base / "deployment.yml"
    deployment.write_text(json.dumps({"councils": {
        FILE_LA: {"name": "File-drop council"},
        SOURCE_LA: {"name": "Database council", "source": {"kind": "postgres", "connection": "csc_src_ok",
                                                           "system": "eclipse", "ssd_version": "1.4.5"}},
        DOWN_LA: {"source": {"kind": "postgres", "connection": "csc_src_down"}},
    }}))
    with source_database(pg_server.dsn(), file_drop) as source_dsn, \
            own_warehouse(pg_server.dsn(), "extract_dag") as warehouse_dsn, \
            SmtpServer() as smtp, WebhookReceiver() as hook, pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIRFLOW_CONN_CSC_SRC_OK", source_dsn)
        mp.setenv("AIRFLOW_CONN_CSC_SRC_DOWN", f"postgresql://extract:s3cret@127.0.0.1:{_closed_port()}/ssd")
        mp.setenv("CSC_WAREHOUSE_DSN", warehouse_dsn)
        mp.setenv("CSC_LANDING_ROOT", str(landing))
        mp.setenv("CSC_EXTRACT_ROOT", str(extracts))
        mp.setenv("CSC_DEPLOYMENT_CONFIG", str(deployment))
        mp.setenv("CSC_DATA_DOCS", "never")
        mp.setenv("CSC_TASK_RETRIES", "0")  # the unreachable council fails at once, not after a retry delay
        mp.delenv("CSC_COUNCILS", raising=False)
        for name, value in alert_env(smtp, hook).items():
            mp.setenv(name, value)
        dag = load_dag()
        state = run_night(dag, today)
        with psycopg.connect(warehouse_dsn) as conn:
            figures = {la: _figures(conn, la) for la in (FILE_LA, SOURCE_LA, DOWN_LA)}
            loads = dict(conn.execute("select la_code, status from audit.loads where extract_date = %s",
                                      (today,)).fetchall())
            systems = dict(conn.execute("select la_code, source_system from audit.loads").fetchall())
        hooks = [h["alert"] for h in hook.received]
    return {"state": state, "today": today, "figures": figures, "loads": loads, "systems": systems,
            "hooks": hooks, "extracts": extracts, "file_drop": file_drop, "landing": landing}


def test_the_night_runs_with_the_extract_step(night):
    assert night["state"] == "success"
    assert night["loads"] == {FILE_LA: "published", SOURCE_LA: "published"}
    assert night["systems"][SOURCE_LA] == "eclipse"


def _pseudonym(la_code: str, identifier: str) -> str:
    """The keyed pseudonym, computed here independently of the warehouse's SQL function."""
    from conftest import TEST_PSEUDONYM_KEY

    return hmac.new(TEST_PSEUDONYM_KEY.encode(), f"{la_code}:{identifier}".encode(), hashlib.sha256).hexdigest()[:24]


def test_the_extracted_councils_figures_equal_those_of_its_file_drop(night):
    # Per-IRO breakdowns name each IRO by a pseudonym keyed on the council's code: compare the
    # database council's under the file-drop council's code.
    _, staff = read_table(night["file_drop"], "ssd_professionals")
    same_iro = {_pseudonym(SOURCE_LA, p["prof_professional_id"]): _pseudonym(FILE_LA, p["prof_professional_id"])
                for p in staff}
    from_file = sorted(night["figures"][FILE_LA], key=repr)
    from_database = sorted(((*r[:4], same_iro.get(r[4], r[4]), *r[5:]) for r in night["figures"][SOURCE_LA]), key=repr)
    assert len(from_file) > 1000  # every measure, period and breakdown
    assert any(r[4] in same_iro.values() for r in from_database)
    assert from_database == from_file
    assert {r[-1] for r in from_database} == {night["today"]}


def test_the_drop_was_written_to_the_extract_root_not_the_landing_root(night):
    drop = night["extracts"] / SOURCE_LA / night["today"].isoformat()
    assert (drop / "manifest.json").exists()
    assert not (night["landing"] / SOURCE_LA).exists()
    _, people = read_table(drop, "ssd_person")
    assert len(people) == len(read_table(night["file_drop"], "ssd_person")[1])


def test_an_unreachable_source_fails_its_council_alone_with_one_alert_line(night):
    assert not (night["extracts"] / DOWN_LA).exists() or list((night["extracts"] / DOWN_LA).iterdir()) == []
    assert night["figures"][DOWN_LA] == []
    alerts = [h for h in night["hooks"] if h["la_code"] == DOWN_LA]
    assert [a["kind"] for a in alerts] == ["extract_failed"]
    assert alerts[0]["details"] == ["connection csc_src_down: cannot connect (connection refused)"]
    assert "s3cret" not in json.dumps(night["hooks"])
    assert not [h for h in night["hooks"] if h["la_code"] in (FILE_LA, SOURCE_LA)]
