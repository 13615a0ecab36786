"""Runs the dbt project (dbt_project/) against a warehouse.

One `dbt build` per night (seeds, models, data tests and unit tests in DAG order):
dbt's start-up dominates small runs, so many small invocations cost more than
one. Each run gets its own target path, so concurrent runs never collide on
dbt_project/target.
"""

from __future__ import annotations

import json
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
    """dbt build failed; `summary` is one line naming what failed and where its SQL is kept,
    the message adds the tail of dbt's output."""

    def __init__(self, message: str, failed: list[str] | None = None, summary: str | None = None):
        super().__init__(message)
        self.failed = failed or []
        self.summary = summary or message.splitlines()[0]


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


def build(dsn: str, *, target_path: Path | None = None, extra_args: list[str] | None = None,
          marts_schema: str | None = None, project_dir: Path | None = None,
          extra_vars: dict | None = None, full_refresh: bool = False) -> subprocess.CompletedProcess:
    """`dbt build` the whole project; raise DbtBuildError (naming the failed models and tests) on
    failure. `marts_schema`: where the marts are built (the nightly build schema); `extra_vars`:
    more dbt vars (the councils to rebuild: transform/build_plan.py); `full_refresh`: every
    incremental model rebuilt whole; `target_path`: where dbt keeps its compiled SQL, logs and
    run_results.json (kept when given)."""
    args = ["build", *(extra_args or [])]
    if full_refresh:
        args.append("--full-refresh")
    dbt_vars = {**({"marts_schema": marts_schema} if marts_schema else {}), **(extra_vars or {})}
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    if target_path is not None:
        target_path.mkdir(parents=True, exist_ok=True)
        (target_path / "run_results.json").unlink(missing_ok=True)  # never last run's answer
    result = run_dbt(args, dsn, target_path=target_path, project_dir=project_dir)
    if result.returncode != 0:
        failed = failed_nodes(target_path) if target_path is not None else []
        where = f"; dbt's compiled SQL and run_results.json are in {target_path}" if target_path else ""
        summary = (f"dbt build failed (exit {result.returncode}): "
                   + (f"{', '.join(failed)} failed" if failed else "see dbt's output")
                   + f"; the published marts are unchanged{where}")
        raise DbtBuildError(f"{summary}. dbt's output ends:\n{output_tail(result)}", failed=failed, summary=summary)
    return result


def last_build_dir(state_dir: Path) -> Path:
    """Where the nightly build keeps dbt's compiled SQL, logs and run_results.json of its last run."""
    return state_dir / "dbt" / "last-build"


def failed_nodes(target_path: Path) -> list[str]:
    """The models, tests and seeds that errored or failed in the last run (names, never rows)."""
    results = target_path / "run_results.json"
    if not results.is_file():
        return []
    data = json.loads(results.read_text(encoding="utf-8"))
    return [r["unique_id"] for r in data.get("results", []) if r.get("status") in ("error", "fail", "runtime error")]


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
