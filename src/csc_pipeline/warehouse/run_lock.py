"""One `csc run` at a time per warehouse: a PostgreSQL advisory lock, held by a connection of its
own for the whole run, so two runs (from any machine) never race on the warehouse schema or
Airflow's metadata migration. The holder is named by its connection's application_name."""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from typing import Iterator

import psycopg

# The lock's key (pg_advisory_lock(bigint)): 'csc_run' in ASCII, below 2^32 so pg_locks shows it in objid.
RUN_LOCK_KEY = 0x637363_72


class RunInProgress(RuntimeError):
    """Another `csc run` holds the warehouse."""


@contextmanager
def run_lock(dsn: str) -> Iterator[None]:
    """Hold the warehouse's run lock for the block, or raise RunInProgress naming the holder."""
    me = f"csc run (pid {os.getpid()} on {socket.gethostname()})"
    conn = psycopg.connect(dsn, autocommit=True, application_name=me)
    try:
        if not conn.execute("select pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,)).fetchone()[0]:
            holder = conn.execute(
                "select a.application_name, to_char(a.backend_start at time zone 'Europe/London',"
                " 'YYYY-MM-DD HH24:MI') from pg_locks l join pg_stat_activity a using (pid)"
                " where l.locktype = 'advisory' and l.granted and l.classid = 0 and l.objid = %s"
                " and l.objsubid = 1", (RUN_LOCK_KEY,)).fetchone()
            who = f": {holder[0] or 'another client'}, since {holder[1]} London time" if holder else ""
            raise RunInProgress(f"another run is in progress{who}; wait for it to finish")
        yield
    finally:
        conn.close()
