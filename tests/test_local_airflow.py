"""`make airflow`: a real local Airflow (scheduler, dag-processor, triggerer, api-server with the
LocalExecutor, metadata in the local warehouse server) runs csc_nightly the way a user would.

The launcher runs in its own process with its own state folder (its own warehouse server, Airflow
home and free ports), so nothing of this session's in-process Airflow is shared.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from conftest import TEST_PSEUDONYM_KEY

pytestmark = pytest.mark.e2e

DAG_ID = "csc_nightly"
LA_CODE = "E06999999"
BACKFILL_LA = "E06999998"
BAD_LA = "E06999996"
BACKFILL_NIGHTS = ("2026-11-19", "2026-11-20")
ARTIFACTS = Path(__file__).parent / "artifacts"
RUN_TIMEOUT_S = 900


@pytest.fixture()
def own_state():
    path = Path(tempfile.mkdtemp(prefix="csc-local-airflow-"))
    path.chmod(0o755)  # the warehouse server runs as `postgres` when we are root
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _env(state: Path) -> dict[str, str]:
    """This session's environment without its Airflow or pipeline settings, pointed at `state`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CSC_"))}
    env.update(CSC_STATE_DIR=str(state), CSC_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY,
               CSC_LANDING_ROOT=str(state / "landing"), CSC_RETRY_DELAY_SECONDS="5")
    return env


def _run(args: list[str], env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)


def _launcher(action: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "csc_pipeline.deploy.local_airflow", action], env)


def _port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as s:
        return s.connect_ex((host, int(port))) == 0


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def _wait(what: str, poll, timeout: float, every: float = 2):
    deadline = time.monotonic() + timeout
    while True:
        value = poll()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} after {timeout:.0f} s"
        time.sleep(every)


def _backfill_two_pending_nights(client, csc, env, state: Path, dsn: str) -> dict:
    """`airflow backfill create` over two nights whose drops are pending: each run takes its own
    night's drops (those dated on or before its logical date). On the first night a second council
    delivers a bad drop: that run fails on its validate task alone while the good council publishes."""
    from drop_factory import refresh_manifest
    from test_defects import _review_outside_period

    for la, nights in ((BACKFILL_LA, 2), (BAD_LA, 1)):
        generated = _run([csc, "generate", "--landing", str(state / "landing"), "--la-code", la, "--nights",
                          str(nights), "--last-extract-date", BACKFILL_NIGHTS[nights - 1], "--size", "60",
                          "--years", "3"], env)
        assert generated.returncode == 0, generated.stderr
    bad = state / "landing" / BAD_LA / BACKFILL_NIGHTS[0]
    _review_outside_period(bad)
    refresh_manifest(bad)
    created = _run([sys.executable, "-m", "csc_pipeline.deploy.local_airflow", "airflow", "backfill", "create",
                    "--dag-id", DAG_ID, "--from-date", BACKFILL_NIGHTS[0], "--to-date", f"{BACKFILL_NIGHTS[-1]}T23:00",
                    "--max-active-runs", "1"], env)
    assert created.returncode == 0, created.stdout + created.stderr

    def finished_runs():
        runs = client.get(f"/dags/{DAG_ID}/dagRuns", params={"run_type": ["backfill"]}).json()["dag_runs"]
        done = len(runs) == len(BACKFILL_NIGHTS) and all(r["state"] in ("success", "failed") for r in runs)
        return done and runs

    runs = _wait("backfill runs not finished", finished_runs, timeout=RUN_TIMEOUT_S, every=5)
    night_of = {r["dag_run_id"]: r["logical_date"][:10] for r in runs}
    tis = {night_of[r["dag_run_id"]]: {(ti["task_id"], ti.get("rendered_map_index") or str(ti["map_index"])):
                                       ti["state"] for ti in client.get(
                                           f"/dags/{DAG_ID}/dagRuns/{r['dag_run_id']}/taskInstances").json()[
                                           "task_instances"]} for r in runs}
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("select la_code, extract_date::text, status, run_id from audit.loads"
                            " where la_code = any(%s)", ([BACKFILL_LA, BAD_LA],)).fetchall()
    return {"runs": {night_of[r["dag_run_id"]]: r["state"] for r in runs}, "tis": tis,
            "loads": {(la, night): (status, f"backfill run of {night_of.get(run_id, run_id)}")
                      for la, night, status, run_id in rows},
            "first_run": next(r["dag_run_id"] for r in runs if r["logical_date"][:10] == BACKFILL_NIGHTS[0])}


def _grid_screenshot(info: dict, token: str, run_id: str) -> str:
    """The Airflow UI's grid of that run, as a logged-in user sees it (kept as a test artefact)."""
    from urllib.parse import quote

    from browser import capture

    return capture(f"{info['url']}/dags/{DAG_ID}/runs/{quote(run_id, safe='')}", ARTIFACTS / "airflow_grid.png",
                   cookies={"_token": token}, wait_for=["validate_drops", "publish_marts"])


def test_make_airflow_runs_a_drop_through_the_scheduler_and_shows_its_logs(own_state):
    env = _env(own_state)
    csc = str(Path(sys.executable).with_name("csc"))
    started = _run([csc, "warehouse", "start"], env)
    assert started.returncode == 0, started.stderr
    pids: dict[str, int] = {}
    try:
        start = _launcher("start", env)
        assert start.returncode == 0, start.stdout + start.stderr
        run_dir = own_state / "airflow" / "run"
        info = json.loads((run_dir / "local-airflow.json").read_text())
        pids = {p.stem: int(p.read_text()) for p in run_dir.glob("*.pid")}
        assert sorted(pids) == ["api-server", "dag-processor", "scheduler", "triggerer"]
        password = json.loads(Path(info["password_file"]).read_text())["admin"]
        # What `make airflow` prints: the URL and the login.
        assert info["url"] in start.stdout and f"admin / {password}" in start.stdout

        api = f"{info['url']}/api/v2"
        health = httpx.get(f"{api}/monitor/health", timeout=10).json()
        assert {k: health[k]["status"] for k in ("metadatabase", "scheduler", "triggerer", "dag_processor")} == {
            "metadatabase": "healthy", "scheduler": "healthy", "triggerer": "healthy", "dag_processor": "healthy"}

        token = httpx.post(f"{info['url']}/auth/token", json={"username": "admin", "password": password}, timeout=30)
        assert token.status_code in (200, 201), token.text
        client = httpx.Client(base_url=api, timeout=60,
                              headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        dag = _wait("csc_nightly not listed", lambda: (r := client.get(f"/dags/{DAG_ID}")).status_code == 200
                    and r.json(), timeout=180)
        assert dag["is_paused"] is False
        assert client.get("/importErrors").json()["total_entries"] == 0
        # Unpausing starts the latest scheduled run at once, on the empty landing folder start made:
        # nothing to do is a success, not a red first run.
        assert own_state.joinpath("landing").is_dir() and "landing:" in start.stdout
        scheduled = _wait("the first scheduled run did not finish", lambda: (runs := client.get(
            f"/dags/{DAG_ID}/dagRuns", params={"run_type": ["scheduled"]}).json()["dag_runs"])
            and all(r["state"] in ("success", "failed") for r in runs) and runs, timeout=RUN_TIMEOUT_S)
        assert [r["state"] for r in scheduled] == ["success"], scheduled

        generated = _run([csc, "generate", "--landing", str(own_state / "landing"), "--la-code", LA_CODE,
                          "--nights", "1", "--size", "80", "--years", "3"], env)
        assert generated.returncode == 0, generated.stderr
        triggered = client.post(f"/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": {}})
        assert triggered.status_code in (200, 201), triggered.text
        run_id = triggered.json()["dag_run_id"]
        state = _wait("run not finished", lambda: (s := client.get(f"/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"])
                      in ("success", "failed") and s, timeout=RUN_TIMEOUT_S, every=5)
        tis = client.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()["task_instances"]
        assert state == "success", {ti["task_id"]: ti["state"] for ti in tis}

        # The log pane's content: structured lines as JSON.
        log = client.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/publish_marts/logs/1",
                         headers={"Accept": "application/json"})
        assert log.status_code == 200, log.text
        events = [str(line.get("event")) for line in log.json()["content"]]
        assert any(e.startswith(f"marts.performance_measures for {LA_CODE}: ") for e in events), events[-10:]

        dsn = _run([csc, "warehouse", "dsn"], env).stdout.strip()
        with psycopg.connect(dsn) as conn:
            published = conn.execute("select count(*) from marts.performance_measures where la_code = %s",
                                     (LA_CODE,)).fetchone()[0]
        assert published > 0

        backfill = _backfill_two_pending_nights(client, csc, env, own_state, dsn)
        first, second = BACKFILL_NIGHTS
        assert backfill["loads"] == {(BACKFILL_LA, first): ("published", f"backfill run of {first}"),
                                     (BACKFILL_LA, second): ("published", f"backfill run of {second}"),
                                     (BAD_LA, first): ("quarantined", f"backfill run of {first}")}, backfill["loads"]
        assert backfill["runs"] == {first: "failed", second: "success"}
        grid = backfill["tis"][first]
        assert grid[("council.validate_drops", BAD_LA)] == "failed"
        assert grid[("council.validate_drops", BACKFILL_LA)] == "success"
        assert grid[("publish_marts", "-1")] == "success" and grid[("night_summary", "-1")] == "failed"
        # The second night all green; only the database extract, with no council to extract, is skipped.
        not_success = {key: state for key, state in backfill["tis"][second].items() if state != "success"}
        assert not_success == {("extract_council", "-1"): "skipped"}, backfill["tis"][second]
        shown = _grid_screenshot(info, token.json()["access_token"], backfill["first_run"])
        assert "csc_nightly" in shown
        assert (ARTIFACTS / "airflow_grid.png").stat().st_size > 20_000
    finally:
        stop = _launcher("stop", env)
        _run([csc, "warehouse", "stop"], env)
    assert stop.returncode == 0, stop.stderr
    assert _wait("components still running", lambda: not [n for n, pid in pids.items() if _running(pid)],
                 timeout=10, every=0.5)
    assert not _port_open(info["url"])
