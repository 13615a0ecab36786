"""`make compose-test`'s checks of the running Docker stack (run by docker/compose-test.sh).

    compose_check.py write-env FILE --landing DIR   secrets and free 127.0.0.1 ports for a test stack
    compose_check.py check --env-file FILE --landing DIR --compose ARGS...

`check` waits for every service's health check (init services: a clean exit), writes a generated
council's drop into the landing folder, triggers `csc_nightly` through Airflow's REST API, waits
for the run to succeed on the Celery worker, reads one task's log through the API, then reads
every row of marts.performance_measures through Superset's SQL Lab API (Superset's `warehouse`
database logs in as csc_bi) and checks them equal to the same rows read straight from the
warehouse, and that Superset's table metadata (SQLAlchemy's inspector, as csc_bi) shows every
primary and foreign key the marts declare. Every failed check exits 1 with one line saying what
differed.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg
import yaml

DAG_ID = "csc_nightly"
LA_CODE = "E06999999"  # the demo council (no real council has it)
EXTRACT_DATE = "2026-11-24"
# Every port of docker-compose.yml a test stack moves to a free 127.0.0.1 port.
PORT_VARIABLES = ("METADATA_DB_PORT", "CSC_WAREHOUSE_PORT", "REDIS_PORT", "AIRFLOW_API_PORT",
                  "AIRFLOW_SCHEDULER_HEALTH_PORT", "DATA_DOCS_PORT", "SUPERSET_PORT")
SERVICES_TIMEOUT_S = 600
RUN_TIMEOUT_S = 1200


class CheckFailed(AssertionError):
    pass


def write_env(path: Path, landing: Path) -> None:
    """An env file like .env.example, with fresh random secrets and free loopback ports."""
    ports = _free_ports(len(PORT_VARIABLES))
    values = {
        "METADATA_DB_PASSWORD": secrets.token_urlsafe(18),
        "REDIS_PASSWORD": secrets.token_urlsafe(18),
        "AIRFLOW_FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "AIRFLOW_JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW_ADMIN_PASSWORD": secrets.token_urlsafe(18),
        "CSC_WAREHOUSE_PASSWORD": secrets.token_urlsafe(18),
        "CSC_PSEUDONYM_KEY": secrets.token_hex(32),
        "CSC_BI_PASSWORD": secrets.token_urlsafe(18),
        "SUPERSET_SECRET_KEY": secrets.token_urlsafe(42),
        "SUPERSET_ADMIN_PASSWORD": secrets.token_urlsafe(18),
        "CSC_LANDING_DIR": str(landing),
        "BIND_ADDRESS": "127.0.0.1",
        # A test run should not sit out a scheduled run's five-minute retry delay.
        "CSC_RETRY_DELAY_SECONDS": "15",
        # Sized for a 2-core test machine.
        "AIRFLOW_WORKER_CONCURRENCY": "2",
        "AIRFLOW_API_WORKERS": "1",
        **dict(zip(PORT_VARIABLES, map(str, ports))),
    }
    values["CSC_DATA_DOCS_URL"] = f"http://127.0.0.1:{values['DATA_DOCS_PORT']}"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    path.chmod(0o600)


def _free_ports(n: int) -> list[int]:
    sockets = []
    try:
        for _ in range(n):  # held open together, so the n ports differ
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def read_env(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


class Stack:
    def __init__(self, compose: list[str], env: dict[str, str]):
        self.compose = compose
        self.env = env

    def config(self) -> dict:
        out = subprocess.run([*self.compose, "config"], check=True, capture_output=True, text=True).stdout
        return yaml.safe_load(out)

    def container(self, service: str) -> str | None:
        out = subprocess.run([*self.compose, "ps", "-q", service], capture_output=True, text=True).stdout.strip()
        return out or None

    def logs_tail(self, service: str, lines: int = 40) -> str:
        return subprocess.run([*self.compose, "logs", "--no-color", "--tail", str(lines), service],
                              capture_output=True, text=True).stdout

    def url(self, port_variable: str, path: str) -> str:
        return f"http://127.0.0.1:{self.env[port_variable]}{path}"


def wait_for_services(stack: Stack) -> list[str]:
    """Every service of the file (none of the optional profiles): healthy, or exited 0 for those
    without a health check (the one-off init services)."""
    services = {name: spec for name, spec in stack.config()["services"].items() if not spec.get("profiles")}
    deadline = time.monotonic() + SERVICES_TIMEOUT_S
    pending = set(services)
    while pending:
        for name in sorted(pending):
            cid = stack.container(name)
            if not cid:
                continue
            state = json.loads(subprocess.run(["docker", "inspect", "--format", "{{json .State}}", cid],
                                              check=True, capture_output=True, text=True).stdout)
            if "healthcheck" in services[name]:
                health = (state.get("Health") or {}).get("Status")
                if health == "healthy":
                    pending.discard(name)
                elif health == "unhealthy" or state["Status"] in ("exited", "dead"):
                    raise CheckFailed(f"service {name} is {health or state['Status']}:\n{stack.logs_tail(name)}")
            elif state["Status"] == "exited":
                if state["ExitCode"] != 0:
                    raise CheckFailed(f"service {name} exited {state['ExitCode']}:\n{stack.logs_tail(name)}")
                pending.discard(name)
        if pending and time.monotonic() > deadline:
            raise CheckFailed(f"services not healthy after {SERVICES_TIMEOUT_S} s: {', '.join(sorted(pending))}")
        if pending:
            time.sleep(2)
    return sorted(services)


def generate_drop(landing: Path) -> None:
    csc = Path(sys.executable).with_name("csc")
    subprocess.run([str(csc), "generate", "--landing", str(landing), "--la-code", LA_CODE, "--nights", "1",
                    "--size", "150", "--years", "4", "--last-extract-date", EXTRACT_DATE],
                   check=True, stdout=subprocess.DEVNULL)
    for path in [landing, *landing.rglob("*")]:  # the worker runs as another user
        path.chmod(0o755 if path.is_dir() else 0o644)


class AirflowApi:
    def __init__(self, stack: Stack):
        self.base = stack.url("AIRFLOW_API_PORT", "")
        token = httpx.post(f"{self.base}/auth/token", timeout=30, json={
            "username": stack.env.get("AIRFLOW_ADMIN_USER", "admin"),
            "password": stack.env["AIRFLOW_ADMIN_PASSWORD"],
        })
        token.raise_for_status()
        self.client = httpx.Client(base_url=f"{self.base}/api/v2", timeout=60,
                                   headers={"Authorization": f"Bearer {token.json()['access_token']}"})

    def get(self, path: str, **kwargs):
        response = self.client.get(path, **kwargs)
        response.raise_for_status()
        return response


def wait_for_dag(api: AirflowApi) -> dict:
    deadline = time.monotonic() + 180
    while True:
        response = api.client.get(f"/dags/{DAG_ID}")
        if response.status_code == 200:
            break
        if time.monotonic() > deadline:
            raise CheckFailed(f"{DAG_ID} not listed by the API after 180 s ({response.status_code})")
        time.sleep(3)
    errors = api.get("/importErrors").json()
    if errors["total_entries"]:
        raise CheckFailed(f"DAG import errors: {[e['filename'] for e in errors['import_errors']]}")
    dag = response.json()
    if dag["is_paused"]:
        raise CheckFailed(f"{DAG_ID} is paused (AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION should be false)")
    return dag


def wait_for_no_active_runs(api: AirflowApi) -> None:
    """Unpausing a cron DAG starts its latest scheduled run at once; let it finish on the empty
    landing folder, so the drop is processed by the run this test triggers."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while api.get(f"/dags/{DAG_ID}/dagRuns", params={"state": ["queued", "running"]}).json()["total_entries"]:
        if time.monotonic() > deadline:
            raise CheckFailed(f"{DAG_ID} still has active runs after {RUN_TIMEOUT_S} s")
        time.sleep(3)


def trigger_and_wait(api: AirflowApi) -> tuple[str, list[dict]]:
    body = {"logical_date": dt.datetime.now(dt.timezone.utc).isoformat(), "conf": {}}
    response = api.client.post(f"/dags/{DAG_ID}/dagRuns", json=body)
    if response.status_code >= 300:
        raise CheckFailed(f"triggering {DAG_ID} failed: {response.status_code} {response.text[:300]}")
    run_id = response.json()["dag_run_id"]
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        state = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
        if state in ("success", "failed"):
            break
        if time.monotonic() > deadline:
            raise CheckFailed(f"run {run_id} still {state} after {RUN_TIMEOUT_S} s")
        time.sleep(5)
    tis = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()["task_instances"]
    if state != "success":
        failed = [ti["task_id"] for ti in tis if ti["state"] != "success"]
        for task_id in failed[:1]:
            print(task_log(api, run_id, task_id)[-3000:], file=sys.stderr)
        raise CheckFailed(f"run {run_id} ended {state}; not successful: {failed}")
    return run_id, tis


def task_log(api: AirflowApi, run_id: str, task_id: str, try_number: int = 1) -> str:
    """The task's log as the UI shows it: the API serves its structured lines as JSON."""
    response = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
                       headers={"Accept": "application/json"})
    return "\n".join(str(line.get("event", "")) for line in response.json()["content"])


def celery_tasks_executed(stack: Stack) -> int:
    """How many task workloads the Celery worker has executed since it started."""
    out = subprocess.run(
        [*stack.compose, "exec", "-T", "airflow-worker", "celery", "--app",
         "airflow.providers.celery.executors.celery_executor.app", "inspect", "stats", "--json"],
        check=True, capture_output=True, text=True).stdout
    # Airflow's configuration warnings share stdout with celery's one line of JSON.
    stats = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    return sum(sum(node.get("total", {}).values()) for node in stats.values())


def warehouse_rows(stack: Stack, sql: str) -> tuple[list[str], list[tuple]]:
    dsn = (f"postgresql://csc:{stack.env['CSC_WAREHOUSE_PASSWORD']}@127.0.0.1:"
           f"{stack.env['CSC_WAREHOUSE_PORT']}/warehouse")
    with psycopg.connect(dsn) as conn:
        cur = conn.execute(sql)
        return [c.name for c in cur.description], cur.fetchall()


class SupersetApi:
    def __init__(self, stack: Stack):
        self.client = httpx.Client(base_url=stack.url("SUPERSET_PORT", "/api/v1"), timeout=120)
        login = self.client.post("/security/login", json={
            "username": stack.env.get("SUPERSET_ADMIN_USER", "admin"),
            "password": stack.env["SUPERSET_ADMIN_PASSWORD"], "provider": "db", "refresh": True})
        login.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        csrf = self.client.get("/security/csrf_token/")
        csrf.raise_for_status()
        self.client.headers["X-CSRFToken"] = csrf.json()["result"]
        self.client.headers["Referer"] = str(self.client.base_url)

    def database_id(self, name: str) -> int:
        q = json.dumps({"filters": [{"col": "database_name", "opr": "eq", "value": name}]})
        found = self.client.get("/database/", params={"q": q}).json()["result"]
        if not found:
            raise CheckFailed(f"Superset has no database named {name!r}")
        return found[0]["id"]

    def sql_lab(self, database_id: int, sql: str) -> httpx.Response:
        return self.client.post("/sqllab/execute/", json={
            "database_id": database_id, "sql": sql, "runAsync": False, "queryLimit": 200_000,
            "client_id": secrets.token_hex(5)})


def _normal(value):
    """One form for a value whether psycopg or Superset's JSON carried it."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return round(float(value), 6)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def compare_marts(stack: Stack, superset: SupersetApi) -> int:
    """Every row of marts.performance_measures through Superset equals the warehouse's."""
    sql = "select * from marts.performance_measures"
    columns, direct = warehouse_rows(stack, sql)
    if not direct:
        raise CheckFailed("marts.performance_measures is empty after the run")
    dates = {r[columns.index("source_extract_date")] for r in direct}
    if {str(d) for d in dates} != {EXTRACT_DATE} or {r[columns.index("la_code")] for r in direct} != {LA_CODE}:
        raise CheckFailed(f"marts rows are not the generated drop's: extract dates {dates}")
    response = superset.sql_lab(superset.database_id("warehouse"), sql)
    if response.status_code != 200:
        raise CheckFailed(f"Superset SQL Lab: {response.status_code} {response.text[:500]}")
    result = response.json()
    through_bi = result["data"]
    if [c["column_name"] for c in result["columns"]] != columns:
        raise CheckFailed(f"columns differ: Superset {[c['column_name'] for c in result['columns']]} vs {columns}")

    want = sorted(json.dumps([_normal(v) for v in row]) for row in direct)
    got = sorted(json.dumps([_normal(_superset_value(r[c], c, columns, direct)) for c in columns])
                 for r in through_bi)
    if got != want:
        missing = set(want) - set(got)
        raise CheckFailed(f"{len(through_bi)} rows through Superset, {len(direct)} in the warehouse; "
                          f"{len(missing)} warehouse rows differ, e.g. {sorted(missing)[:1]} vs "
                          f"{sorted(set(got) - set(want))[:1]}")
    return len(direct)


def _superset_value(value, column, columns, direct):
    """Superset's JSON writes dates as ISO text or epoch milliseconds: back to the warehouse's type."""
    sample = next((r[columns.index(column)] for r in direct if r[columns.index(column)] is not None), None)
    if isinstance(sample, dt.date) and isinstance(value, (int, float)):
        moment = dt.datetime.fromtimestamp(value / 1000, tz=dt.timezone.utc)
        return moment.date() if type(sample) is dt.date else moment.replace(tzinfo=sample.tzinfo)
    if isinstance(sample, dt.date) and isinstance(value, str):
        return value[:10] if type(sample) is dt.date else dt.datetime.fromisoformat(value)
    return value


DECLARED_KEYS_SQL = """
    select c.conrelid::regclass::text as relation, c.contype::text as kind, c.conname as name,
           (select array_agg(a.attname::text order by a.attname) from pg_attribute a
            where a.attrelid = c.conrelid and a.attnum = any(c.conkey)) as columns,
           c.confrelid::regclass::text as referred
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where n.nspname = 'marts' and c.contype in ('p', 'f')
"""


def compare_keys(stack: Stack, superset: SupersetApi) -> tuple[int, int]:
    """Superset, logged in as csc_bi, sees every key declared on the marts, so a BI user's dataset
    can join a fact to its dimensions on them: (primary keys, foreign keys).

    Foreign keys are read from Superset's table metadata (SQLAlchemy's inspector). Its primary keys
    are not: Superset 6.1's `Database.get_pk_constraint` passes each value through `base_json_conv`,
    which turns the column list into None, so the API never shows one. They are read instead
    through Superset's SQL Lab as csc_bi, from pg_constraint, as SQLAlchemy's inspector reads them."""
    _, declared = warehouse_rows(stack, DECLARED_KEYS_SQL)
    tables: dict[str, dict] = {}
    for relation, kind, _name, columns, referred in declared:
        entry = tables.setdefault(relation.removeprefix("marts."), {"pk": None, "fks": set()})
        if kind == "p":
            entry["pk"] = tuple(columns)
        else:
            entry["fks"].add((tuple(columns), referred.removeprefix("marts.")))
    if not any(t["fks"] for t in tables.values()):
        raise CheckFailed("the marts declare no foreign keys")
    database = superset.database_id("warehouse")
    for table, want in sorted(tables.items()):
        response = superset.client.get(f"/database/{database}/table/{table}/marts/")
        if response.status_code != 200:
            raise CheckFailed(f"Superset's metadata of marts.{table}: {response.status_code} {response.text[:300]}")
        fks = {(tuple(sorted(fk["column_names"])), fk["referred_table"])
               for fk in response.json().get("foreignKeys") or []}
        if fks != want["fks"]:
            raise CheckFailed(f"Superset sees marts.{table} with foreign keys {sorted(fks)}; "
                              f"declared: {sorted(want['fks'])}")
    response = superset.sql_lab(database, DECLARED_KEYS_SQL + " and c.contype = 'p'")
    if response.status_code != 200:
        raise CheckFailed(f"Superset SQL Lab (pg_constraint as csc_bi): {response.status_code} {response.text[:300]}")
    seen = {}
    for row in response.json()["data"]:
        columns = row["columns"]  # SQL Lab's JSON gives an array as its JSON text
        seen[row["relation"].removeprefix("marts.")] = tuple(json.loads(columns) if isinstance(columns, str)
                                                             else columns)
    want_pks = {t: w["pk"] for t, w in tables.items() if w["pk"]}
    if seen != want_pks:
        raise CheckFailed(f"primary keys csc_bi sees through Superset differ from those declared: "
                          f"{sorted(set(want_pks.items()) ^ set(seen.items()))[:3]}")
    return len(want_pks), sum(len(t["fks"]) for t in tables.values())


def check_bi_role_is_read_only(superset: SupersetApi) -> None:
    """Superset logs in as csc_bi: the audit schema (and everything else but marts) is unreadable."""
    response = superset.sql_lab(superset.database_id("warehouse"), "select count(*) from audit.loads")
    text = response.text.lower()
    if response.status_code == 200 or "permission denied" not in text:
        raise CheckFailed(f"Superset's warehouse login read audit.loads ({response.status_code}): "
                          "it must be the read-only role csc_bi")


def run_checks(stack: Stack, landing: Path, passed: list[str]) -> None:
    def ok(message: str) -> None:
        passed.append(message)
        print(f"  ok  {message}", flush=True)

    started = time.monotonic()
    services = wait_for_services(stack)
    ok(f"{len(services)} services healthy or done ({time.monotonic() - started:.0f} s): {', '.join(services)}")
    api = AirflowApi(stack)
    health = api.get("/monitor/health").json()
    unhealthy = {k: v["status"] for k, v in health.items() if isinstance(v, dict) and v.get("status") != "healthy"}
    if unhealthy:
        raise CheckFailed(f"Airflow health: {unhealthy}")
    ok("Airflow /api/v2/monitor/health: every component healthy")
    wait_for_dag(api)
    ok(f"{DAG_ID} listed, unpaused, no import errors")
    wait_for_no_active_runs(api)
    generate_drop(landing)
    ok(f"generated {LA_CODE}/{EXTRACT_DATE} into the landing volume ({landing})")
    before = celery_tasks_executed(stack)
    started = time.monotonic()
    run_id, tis = trigger_and_wait(api)
    ok(f"{DAG_ID} run {run_id} succeeded ({time.monotonic() - started:.0f} s, {len(tis)} tasks)")
    executed = celery_tasks_executed(stack) - before
    # A task mapped over nothing (no councils extracted from a database) is skipped by the
    # scheduler and never reaches a worker: only the instances that ran are the worker's.
    ran = [ti for ti in tis if ti["state"] in ("success", "failed")]
    if executed < len(ran):
        raise CheckFailed(f"the Celery worker executed {executed} task(s), the run ran {len(ran)}")
    ok(f"the Celery worker executed the run's {executed} task workloads")
    log = task_log(api, run_id, "publish_marts")
    if "marts.performance_measures for" not in log:
        raise CheckFailed(f"publish_marts's log through the API lacks its summary line:\n{log[-1500:]}")
    ok("publish_marts's task log reads through the API (shared log volume)")
    superset = SupersetApi(stack)
    check_bi_role_is_read_only(superset)
    ok("Superset's warehouse login cannot read audit.loads (permission denied): it is csc_bi")
    rows = compare_marts(stack, superset)
    ok(f"all {rows} rows of marts.performance_measures through Superset (as csc_bi) equal the warehouse's")
    primary, foreign = compare_keys(stack, superset)
    ok(f"Superset (as csc_bi) sees every declared key: {foreign} foreign keys in its table metadata, "
       f"{primary} primary keys through SQL Lab")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write-env")
    w.add_argument("file", type=Path)
    w.add_argument("--landing", type=Path, required=True)
    c = sub.add_parser("check")
    c.add_argument("--env-file", type=Path, required=True)
    c.add_argument("--landing", type=Path, required=True)
    c.add_argument("--compose", required=True, help="the docker-compose command line, quoted")
    args = parser.parse_args(argv)
    if args.command == "write-env":
        write_env(args.file, args.landing.resolve())
        return 0
    stack = Stack(shlex.split(args.compose), read_env(args.env_file))
    passed: list[str] = []
    try:
        run_checks(stack, args.landing, passed)
    except (CheckFailed, httpx.HTTPError, subprocess.CalledProcessError, psycopg.Error) as exc:
        print(f"compose-test: FAILED: {exc}", file=sys.stderr)
        print(f"compose-test: {len(passed)} passed, 1 failed")
        return 1
    print(f"compose-test: {len(passed)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
