"""The benchmark's own PostgreSQL and the memory of what runs during a stage.

Every scenario starts a throwaway server in its own state folder (never CSC_WAREHOUSE_DSN), so
that the scenario's deployment is the project's local one (`deployment.load` of that folder
alone) and the server's memory is the scenario's.

`MemorySampler` samples, while a stage runs, two process trees every fifth of a second:
  - the client: every descendant of this process (the stage's own process, and dbt when it
    runs one), their resident sizes summed (RSS);
  - the server: the postmaster and its children, their proportional set sizes summed (PSS:
    shared buffers counted once, not once per backend that touched them; RSS where the kernel
    has no smaps_rollup).
A sample can miss a spike shorter than its interval; the stage's own peak (`bench_memory.measure`,
the kernel's maximum for the largest process of the tree) is recorded beside it.
"""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator

import psycopg

from csc_pipeline.warehouse.local_server import LocalServer

__all__ = ["BenchServer", "MemorySampler", "scenario_server"]

_PROC = Path("/proc")
SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class BenchServer:
    """A throwaway server in `<state>/postgres`, its warehouse initialised."""

    state: Path
    server: LocalServer

    @property
    def dsn(self) -> str:
        return self.server.dsn()

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.server.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def version(self) -> str:
        with psycopg.connect(self.dsn) as conn:
            return conn.execute("show server_version").fetchone()[0]


@contextmanager
def scenario_server(state: Path) -> Iterator[BenchServer]:
    """Start a throwaway server in `<state>/postgres`, initialise its warehouse, stop and remove it after."""
    from csc_pipeline.warehouse import schema

    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o755)  # the server runs as the postgres OS user when we are root
    server = LocalServer(state / "postgres")
    try:
        dsn = server.start(for_tests=True)
        with psycopg.connect(dsn) as conn:
            schema.initialise(conn, scenario_deployment(state))
        yield BenchServer(state, server)
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


def scenario_deployment(state: Path, landing: Path | None = None):
    """The scenario's deployment: its state folder's local server and the documented defaults,
    read from nothing but these folders (never the environment, so never CSC_WAREHOUSE_DSN)."""
    from csc_pipeline import deployment

    return deployment.load({
        "CSC_STATE_DIR": str(state),
        "CSC_LANDING_ROOT": str(landing or state / "landing"),
        "CSC_EXTRACT_ROOT": str(state / "extracts"),
    })


# --- memory -------------------------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in _PROC.glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):  # ended meanwhile
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    return children


def _descendants(root: int, children: dict[int, list[int]]) -> list[int]:
    out, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in (_PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _pss_kib(pid: int) -> int:
    try:
        for line in (_PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return _status_kib(pid, "VmRSS:")
    return _status_kib(pid, "VmRSS:")


class MemorySampler:
    """Peak summed memory of this process's descendants (RSS) and of the server's processes (PSS)
    while the block runs; `client_peak` and `server_peak` in bytes."""

    def __init__(self, postmaster_pid: int | None, own_pid: int | None = None):
        import os

        self.postmaster = postmaster_pid
        self.own = own_pid or os.getpid()
        self.client_peak = 0
        self.server_peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> None:
        children = _children()
        server = set(_descendants(self.postmaster, children)) | {self.postmaster} if self.postmaster else set()
        client = [p for p in _descendants(self.own, children) if p not in server]
        self.client_peak = max(self.client_peak, 1024 * sum(_status_kib(p, "VmRSS:") for p in client))
        if server:
            self.server_peak = max(self.server_peak, 1024 * sum(_pss_kib(p) for p in server))

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.sample()

    def __enter__(self) -> "MemorySampler":
        self.sample()
        self._thread = threading.Thread(target=self._run, name="csc-bench-memory", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()
