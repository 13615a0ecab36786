"""Work spread over several connections to the warehouse at once, each taking the next item when free;
with fewer when the server refuses more (max_connections), on the caller's own connection at worst."""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
from psycopg import sql

from .check_results import DropContext

log = logging.getLogger(__name__)


def on_connections(conn: psycopg.Connection, connect, ctx: DropContext, workers: int, items: list[str],
                    work: Callable[[psycopg.Connection, str], Any]) -> dict[str, Any]:
    """work(connection, item) for every item: on `conn` one after another (workers == 1), else
    on `workers` new connections at once, each taking the next item when it is free."""
    done: dict[str, Any] = {}
    if workers == 1:
        with conn.transaction():
            session_settings(conn, ctx, local=True)
            for item in items:
                done[item] = work(conn, item)
        return done
    pending: queue.SimpleQueue[str] = queue.SimpleQueue()
    for item in items:
        pending.put(item)

    def worker() -> None:
        try:
            own = connect()
        except psycopg.OperationalError as exc:  # e.g. max_connections reached: carry on with fewer
            log.warning("could not open another connection for validation (%s, SQLSTATE %s)",
                        type(exc).__name__, exc.sqlstate)
            return
        with own:
            session_settings(own, ctx, local=False)
            while True:
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    return
                done[item] = work(own, item)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="csc-validate") as pool:
        for future in [pool.submit(worker) for _ in range(min(workers, len(items)))]:
            future.result()
    left = [item for item in items if item not in done]  # no other connection could be opened
    if left:
        done.update(on_connections(conn, None, ctx, 1, left, work))
    return done


def session_settings(conn: psycopg.Connection, ctx: DropContext, *, local: bool) -> None:
    scope = sql.SQL("local ") if local else sql.SQL("")
    conn.execute(sql.SQL("set {}work_mem = {}").format(scope, sql.Literal(ctx.config.work_mem)))
    conn.execute(sql.SQL("set {}jit = off").format(scope))
