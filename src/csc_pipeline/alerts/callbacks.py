"""Airflow callbacks: a failed task alerts the data team (task and error type only)."""

from __future__ import annotations

from . import messages
from .send import send_alert


def task_failed(context) -> None:
    ti = context.get("task_instance") or context.get("ti")
    error = context.get("exception")
    if getattr(error, "alerted", False):  # e.g. a quarantine: its own alert, with what to do, was sent
        return
    send_alert(messages.task_failed(getattr(ti, "task_id", "?"), context.get("run_id", "?"),
                                    type(error).__name__ if error else "failure"))
