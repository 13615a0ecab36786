"""Running a SQL script through `psql`, measured: the references the benchmark times without the pipeline."""

from __future__ import annotations

import os
from pathlib import Path

from csc_pipeline.bench_memory import Measurement, measure
from csc_pipeline.warehouse.local_server import SUPERUSER, pg_bin

from .report import BenchError
from .server import BenchServer

# Every script starts so: stop at the first error, print no results and no notices.
PREAMBLE = "\\set ON_ERROR_STOP on\n\\o /dev/null\nset client_min_messages = error;\n"


def psql_env(server: BenchServer, database: str = "warehouse") -> dict[str, str]:
    """psql's connection, from the environment (the password never on a command line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(PGHOST="127.0.0.1", PGPORT=server.server.port_file.read_text().strip(), PGUSER=SUPERUSER,
               PGPASSWORD=server.server.password_file.read_text().strip(), PGDATABASE=database,
               PGCLIENTENCODING="UTF8")
    return env


def run_script(server: BenchServer, script: str, path: Path, what: str) -> Measurement:
    """Write `script` to `path` and run it in one psql session; its exit code must be 0."""
    path.write_text(PREAMBLE + script)
    measured = measure([str(pg_bin("psql")), "-X", "-q", "-f", str(path)], env=psql_env(server), quiet=False)
    if measured.returncode != 0:
        raise BenchError(f"{what}: psql failed (exit {measured.returncode}) running {path}")
    return measured
