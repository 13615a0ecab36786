"""One `csc run` at a time per warehouse: a second one says another run is in progress, exits 4."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from warehouse_db import own_warehouse


def test_a_second_run_says_another_is_in_progress_and_exits_4(pg_server, tmp_path):
    from csc_pipeline.cli.main import EXIT_RUN_IN_PROGRESS
    from csc_pipeline.warehouse.run_lock import RunInProgress, run_lock

    (tmp_path / "landing").mkdir()
    with own_warehouse(pg_server.dsn(), "run_lock") as dsn:
        env = {**os.environ, "CSC_WAREHOUSE_DSN": dsn, "CSC_LANDING_ROOT": str(tmp_path / "landing"),
               "CSC_STATE_DIR": str(tmp_path / "state")}
        with run_lock(dsn):
            second = subprocess.run([sys.executable, "-m", "csc_pipeline.cli", "run"], env=env,
                                    capture_output=True, text=True, timeout=120)
            with pytest.raises(RunInProgress) as in_process:
                with run_lock(dsn):
                    pass
        assert second.returncode == EXIT_RUN_IN_PROGRESS, second.stderr
        assert second.stderr.startswith("csc run: another run is in progress: csc run (pid ")
        assert "Traceback" not in second.stderr and len(second.stderr.splitlines()) == 1
        assert f"pid {os.getpid()} on " in str(in_process.value)
        with run_lock(dsn):  # released when the first run ends: the next one goes ahead
            pass
