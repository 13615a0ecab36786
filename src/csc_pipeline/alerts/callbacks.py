"""Airflow callbacks: a failed task alerts the data team (task and error type only)."""

from __future__ import annotations

from .send import Alert, send_alert


def task_failed(context) -> None:
    ti = context.get("task_instance") or context.get("ti")
    error = context.get("exception")
    # Only the exception's type: messages from the database can quote data values.
    send_alert(Alert(
        kind="task_failed",
        title=f"csc_nightly: task {getattr(ti, 'task_id', '?')} failed",
        summary=(f"Run {context.get('run_id', '?')}: {type(error).__name__ if error else 'failure'}. "
                 "The marts keep serving the last good data. See the task log in Airflow."),
    ))
