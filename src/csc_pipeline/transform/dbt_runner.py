"""Runs the dbt project (dbt_project/) against a warehouse.

One `dbt build` per night (seeds, models, data tests and unit tests in DAG order):
dbt's start-up dominates small runs, so many small invocations cost more than
one. Each run gets its own target path, so concurrent runs never collide on
dbt_project/target.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from csc_pipeline import paths
from csc_pipeline.warehouse.connection import dbt_env

# How much of dbt's output a failure message carries. dbt prints model, test and
# node names, counts and compiled-SQL paths, never row values.
OUTPUT_TAIL_LINES = 40


class DbtBuildError(RuntimeError):
    """dbt build failed; the message ends with the tail of dbt's output."""


def dbt_executable() -> str:
    """The dbt next to this interpreter (the project's venv), else dbt on PATH."""
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if found:
        return found
    raise DbtBuildError("dbt is not installed in this environment: run `make env`.")


def run_dbt(args: list[str], dsn: str, *, target_path: Path | None = None,
            project_dir: Path | None = None) -> subprocess.CompletedProcess:
    """Run `dbt <args>` on the warehouse `dsn`; return the completed process (output captured)."""
    project = project_dir or paths.DBT_PROJECT_DIR
    own_target = target_path is None
    target = Path(tempfile.mkdtemp(prefix="csc-dbt-")) if own_target else target_path
    env = {
        **os.environ,
        **dbt_env(dsn),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_VERSION_CHECK": "false",
        "DBT_USE_COLORS": "false",
    }
    argv = [
        dbt_executable(), *args,
        "--project-dir", str(project),
        "--profiles-dir", str(project),
        "--target-path", str(target),
        "--log-path", str(target / "logs"),
    ]
    try:
        return subprocess.run(argv, env=env, capture_output=True, text=True, cwd=project)
    finally:
        if own_target:
            shutil.rmtree(target, ignore_errors=True)


def output_tail(result: subprocess.CompletedProcess, lines: int = OUTPUT_TAIL_LINES) -> str:
    text = (result.stdout or "") + (result.stderr or "")
    return "\n".join(text.strip().splitlines()[-lines:])


def build(dsn: str, *, target_path: Path | None = None, extra_args: list[str] | None = None
          ) -> subprocess.CompletedProcess:
    """`dbt build` the whole project; raise DbtBuildError (with dbt's output tail) on failure."""
    result = run_dbt(["build", *(extra_args or [])], dsn, target_path=target_path)
    if result.returncode != 0:
        raise DbtBuildError(
            f"dbt build failed (exit {result.returncode}); the marts keep their previous data "
            f"where their model did not run. dbt's output ends:\n{output_tail(result)}"
        )
    return result


def docs_site(dsn: str, out_dir: Path) -> Path:
    """Write the project's dbt docs as one self-contained page, `<out_dir>/index.html`:
    every model, column description, test and the lineage, with the warehouse's catalogue
    (relation and column names and types; dbt reads no rows for it). Returns the page."""
    with tempfile.TemporaryDirectory(prefix="csc-dbt-docs-") as target:
        result = run_dbt(["docs", "generate", "--static"], dsn, target_path=Path(target))
        page = Path(target) / "static_index.html"
        if result.returncode != 0 or not page.exists():
            raise DbtBuildError(f"dbt docs generate failed (exit {result.returncode}); dbt's output ends:\n"
                                f"{output_tail(result)}")
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, out_dir / "index.html")
    return out_dir / "index.html"
