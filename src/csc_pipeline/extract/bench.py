"""`make bench` (extraction): how long extracting a council from its SSD database takes.

Starts its own throwaway PostgreSQL in a temporary folder (never CSC_WAREHOUSE_DSN), and for
each council size (default: the demo council, 300 children looked after, and the largest the
generator is run with, 2000) generates one drop, loads it into a source database typed as the
SSD's SQL Server scripts type it (ssd_schema), then times `csc extract` in a process of its own
(wall clock, Python start included) and reports the rows written, the extractor's own time and
the process's peak memory. Nothing here is a goal; it is measured so that changes can be seen.

    python -m csc_pipeline.extract.bench [--sizes 300,2000] [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg

LA = "E06999999"
EXTRACT_DATE = date(2026, 11, 24)


def _say(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m csc_pipeline.extract.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="300,2000", help="children looked after, comma-separated")
    parser.add_argument("--runs", type=int, default=2, help="extracts per size (the drop is kept after the first)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    state = Path(tempfile.mkdtemp(prefix="csc-extract-bench-"))
    state.chmod(0o755)  # the server runs as the postgres OS user when we are root
    from csc_pipeline.warehouse.local_server import LocalServer

    server = LocalServer(state / "postgres")
    rows_out = []
    try:
        _say(f"starting a throwaway PostgreSQL in {state} ...")
        dsn = server.start(for_tests=True)
        for size in sizes:
            rows_out += bench_size(dsn, state, size, args.runs)
    finally:
        server.stop()
        shutil.rmtree(state, ignore_errors=True)
    _say("")
    _say(f"{'council':<22} {'run':>3} {'rows':>9} {'status':<9} {'extract s':>9} {'process s':>9} {'peak MB':>8}")
    for label, run, rows, status, extract_s, wall_s, peak_mb in rows_out:
        _say(f"{label:<22} {run:>3} {rows:>9,} {status:<9} {extract_s:>9.1f} {wall_s:>9.1f} {peak_mb:>8.0f}")
    return 0


def bench_size(server_dsn: str, state: Path, size: int, runs: int) -> list[tuple]:
    from csc_pipeline.warehouse.connection import with_database
    from .ssd_schema import create_tables, load_drop

    _say(f"generating a council of {size} children looked after (one drop) ...")
    # In a process of its own: this one stays small, so the extract's peak memory is its own
    # (a child's maximum resident size counts what it inherited before exec).
    generated = state / f"generated-{size}"
    subprocess.run([sys.executable, "-m", "csc_pipeline.cli", "generate", "--landing", str(generated),
                    "--la-code", LA, "--size", str(size), "--nights", "1",
                    "--last-extract-date", EXTRACT_DATE.isoformat()], check=True, stdout=subprocess.DEVNULL)
    drop = generated / LA / EXTRACT_DATE.isoformat()
    name = f"ssd_{size}"
    with psycopg.connect(with_database(server_dsn, "postgres"), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    source = with_database(server_dsn, name)
    with psycopg.connect(source) as conn:
        create_tables(conn)
        loaded = sum(load_drop(conn, drop).values())
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("vacuum analyze")
    _say(f"  source database {name}: {loaded:,} rows")
    out = []
    root = state / f"extracts-{size}"
    for run in range(1, runs + 1):
        argv = [sys.executable, "-m", "csc_pipeline.cli", "extract", "--la-code", LA, "--source-dsn", source,
                "--landing", str(root), "--extract-date", EXTRACT_DATE.isoformat()]
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"csc extract failed:\n{output}")
        m = re.search(r": (written|replaced|unchanged) .* \(([\d,]+) rows, ([\d.]+) s\)", output)
        if not m:
            raise SystemExit(f"unexpected output of csc extract:\n{output}")
        peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
        out.append((f"{size} CLA", run, int(m.group(2).replace(",", "")), m.group(1), float(m.group(3)), wall, peak_mb))
        _say(f"  run {run}: {m.group(1)}, {m.group(2)} rows, extract {m.group(3)} s, process {wall:.1f} s, "
             f"peak {peak_mb:.0f} MB")
    return out


if __name__ == "__main__":
    sys.exit(main())
