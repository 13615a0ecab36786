"""A real local Airflow without Docker (`make airflow`, `make airflow-stop`).

The four components of an Airflow 3 deployment (scheduler, dag-processor, triggerer,
api-server) run as background processes with the LocalExecutor; Airflow's metadata database
is the `airflow` database on the warehouse server (the local one `csc warehouse start` runs,
or CSC_WAREHOUSE_DSN's). A user watches, triggers and reads task logs in the UI:

    python -m csc_pipeline.deploy.local_airflow start [--port N]   # prints the URL and the login
    python -m csc_pipeline.deploy.local_airflow status
    python -m csc_pipeline.deploy.local_airflow stop

Everything it keeps (pids, component logs, task logs, the login) lives in the Airflow home,
<state>/airflow, so a second `start` finds the running one and `stop` ends exactly it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .. import deployment
from ..deployment import Deployment
from ..warehouse.connection import airflow_metadata_dsn
from ..warehouse.metadata_db import ensure_metadata_db

COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server")
ADMIN_USER = "admin"
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 30


class LocalAirflowError(RuntimeError):
    pass


@dataclass(frozen=True)
class LocalAirflow:
    home: Path  # AIRFLOW_HOME: <state>/airflow

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def info_file(self) -> Path:
        return self.run_dir / "local-airflow.json"

    @property
    def passwords_file(self) -> Path:
        return self.home / "simple_auth_manager_passwords.json"

    def pid_file(self, component: str) -> Path:
        return self.run_dir / f"{component}.pid"

    def log_file(self, component: str) -> Path:
        return self.run_dir / f"{component}.log"

    def info(self) -> dict:
        return json.loads(self.info_file.read_text())

    def running(self) -> dict[str, int]:
        """The components whose recorded process is alive."""
        alive = {}
        for component in COMPONENTS:
            path = self.pid_file(component)
            if path.exists():
                pid = int(path.read_text())
                if _alive(pid):
                    alive[component] = pid
        return alive

    def start(self, config: Deployment, *, port: int | None = None) -> dict:
        """Start every component (those not already running) and wait until the API reports them healthy."""
        if set(self.running()) == set(COMPONENTS):
            return self.info()
        if self.running():
            self.stop()  # half a deployment left by a crash: start again from clean
        env = self._environment(config, port or _free_port())
        ensure_metadata_db(airflow_metadata_dsn(config))
        # The scheduler starts the latest night on unpausing: give it a landing folder to look in.
        config.landing_root.mkdir(parents=True, exist_ok=True)
        _airflow(["db", "migrate"], env)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for component in COMPONENTS:
            with open(self.log_file(component), "ab") as log:
                # Own session per component: stop() signals its whole process group (its workers too).
                process = subprocess.Popen([_airflow_bin(), *component.split()], env=env, stdout=log,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                           start_new_session=True, cwd=self.home)
            self.pid_file(component).write_text(f"{process.pid}\n")
        info = {"url": f"http://127.0.0.1:{env['AIRFLOW__API__PORT']}", "user": ADMIN_USER,
                "password_file": str(self.passwords_file), "home": str(self.home)}
        self.info_file.write_text(json.dumps(info, indent=2) + "\n")
        try:
            self._wait_healthy(info["url"])
        except LocalAirflowError:
            self.stop()
            raise
        return info

    def stop(self) -> list[str]:
        """SIGTERM each component's process group, SIGKILL what is left after a grace period."""
        stopped = []
        for component in reversed(COMPONENTS):
            path = self.pid_file(component)
            if not path.exists():
                continue
            pid = int(path.read_text())
            if _alive(pid):
                _signal_group(pid, signal.SIGTERM)
                deadline = time.monotonic() + STOP_TIMEOUT_S
                while _alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.2)
                _signal_group(pid, signal.SIGKILL)  # whatever of its group is still there
                deadline = time.monotonic() + 5
                while _alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.1)
                stopped.append(component)
            path.unlink()
        return stopped

    def cli(self, config: Deployment, args: list[str]) -> int:
        """The `airflow` command against this Airflow (its metadata database and settings), e.g.
        `airflow backfill create --dag-id csc_nightly --from-date D1 --to-date D2`."""
        port = int(self.info()["url"].rsplit(":", 1)[1]) if self.info_file.exists() else _free_port()
        return subprocess.run([_airflow_bin(), *args], env=self._environment(config, port)).returncode

    def password(self) -> str:
        return json.loads(self.passwords_file.read_text())[ADMIN_USER]

    # -- internals -------------------------------------------------------

    def _environment(self, config: Deployment, port: int) -> dict[str, str]:
        from ..flows.airflow_runner import configure_airflow

        base = configure_airflow(config, airflow_home=self.home)
        if not self.passwords_file.exists():
            self.passwords_file.write_text(json.dumps({ADMIN_USER: secrets.token_urlsafe(12)}) + "\n")
            self.passwords_file.chmod(0o600)
        bin_dir = str(Path(sys.executable).parent)
        return {
            **os.environ,
            **base,
            # `airflow` components start others by name: the venv's bin/ first on PATH.
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.passwords_file),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            # Each on its own free port, so two local Airflows (or a test's) never collide.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        }

    def _wait_healthy(self, url: str) -> None:
        import httpx

        deadline = time.monotonic() + START_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            dead = [c for c in COMPONENTS if c not in self.running()]
            if dead:
                raise LocalAirflowError(f"Airflow {', '.join(dead)} exited; see {self.log_file(dead[0])}")
            try:
                health = httpx.get(f"{url}/api/v2/monitor/health", timeout=5).json()
                unhealthy = [name for name, part in health.items()
                             if isinstance(part, dict) and part.get("status") != "healthy"]
                if not unhealthy:
                    return
                last = "not yet healthy: " + ", ".join(unhealthy)
            except (httpx.HTTPError, ValueError) as exc:
                last = type(exc).__name__
            time.sleep(1)
        raise LocalAirflowError(f"Airflow not healthy after {START_TIMEOUT_S} s ({last}); "
                                f"logs in {self.run_dir}")


def _airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def _airflow(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([_airflow_bin(), *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise LocalAirflowError(f"airflow {' '.join(args)} failed:\n{result.stderr[-2000:]}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_airflow(config: Deployment) -> LocalAirflow:
    return LocalAirflow(config.state_dir / "airflow")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local_airflow", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop", "status", "airflow"],
                        help="`airflow ARGS...` runs the airflow command against this Airflow")
    parser.add_argument("--port", type=int, default=None, help="api-server port (default: a free one)")
    parser.add_argument("airflow_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        config = deployment.current()
        airflow = local_airflow(config)
        if args.action == "start":
            info = airflow.start(config, port=args.port)
            print(f"Airflow is running: {info['url']}", flush=True)
            print(f"  login:    {info['user']} / {airflow.password()}  (kept in {info['password_file']})")
            print(f"  landing:  {config.landing_root} (one folder per council, one per extract date)")
            print(f"  logs:     {airflow.run_dir}/<component>.log; task logs in the UI")
            print("  stop:     make airflow-stop")
        elif args.action == "airflow":
            return airflow.cli(config, args.airflow_args)
        elif args.action == "stop":
            stopped = airflow.stop()
            print(f"stopped Airflow {', '.join(stopped)}" if stopped else "Airflow was not running")
        else:
            alive = airflow.running()
            if alive:
                print(f"Airflow running at {airflow.info()['url']}: {', '.join(alive)}")
            else:
                print("Airflow is not running")
            return 0 if set(alive) == set(COMPONENTS) else 1
    except Exception as exc:  # one clear line, as the csc command does
        if os.environ.get("CSC_DEBUG"):
            raise
        print(f"local_airflow: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
