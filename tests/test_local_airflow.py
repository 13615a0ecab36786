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
        # Unpausing starts the latest scheduled run at once (on an empty landing folder): let it end.
        _wait("earlier runs still active", lambda: client.get(
            f"/dags/{DAG_ID}/dagRuns", params={"state": ["queued", "running"]}).json()["total_entries"] == 0,
            timeout=RUN_TIMEOUT_S)

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
    finally:
        stop = _launcher("stop", env)
        _run([csc, "warehouse", "stop"], env)
    assert stop.returncode == 0, stop.stderr
    assert _wait("components still running", lambda: not [n for n, pid in pids.items() if _running(pid)],
                 timeout=10, every=0.5)
    assert not _port_open(info["url"])
