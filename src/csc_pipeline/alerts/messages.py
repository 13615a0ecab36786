"""The wording of every alert: what happened, that the marts keep the last good data, what to do.

Each builder takes counts, codes and rule texts (Issue.to_text(), which holds no personal values)
and returns an Alert; send.py delivers it.
"""

from __future__ import annotations

from datetime import date, time

from csc_pipeline.contract.rules import RULES
from csc_pipeline.issues import Issue

from .send import Alert

MAX_DETAILS = 20


def missing_extract(la_code: str, cutoff: time) -> Alert:
    return Alert(
        kind="missing_extract", la_code=la_code, title=f"{la_code}: no extract by the cut-off",
        summary=f"No new drop from {la_code} had arrived by {cutoff:%H:%M}; "
                "its marts keep serving the last good data.",
    )


def quarantined(la_code: str, extract_date: str, load_id: int, blocking: list[Issue], data_docs: str | None) -> Alert:
    """`data_docs`: where the drop's Data Docs page is (`data_docs_link`), when one was written."""
    label = f"{la_code}/{extract_date}"
    return Alert(
        kind="quarantined", la_code=la_code, extract_date=extract_date,
        title=f"{label} extract quarantined",
        summary=(f"{len(blocking)} blocking problem(s); nothing was loaded and the marts keep serving the "
                 f"last good data. Report: `csc validation show {load_id}`."
                 + (f" Data Docs: {data_docs}" if data_docs else "")
                 + " " + next_step(load_id, "quarantined", blocking)),
        details=[i.to_text() for i in blocking[:MAX_DETAILS]] + ([f"Data Docs: {data_docs}"] if data_docs else []),
    )


RESEND = ("fix the extract and send it again for the same date (a drop whose files changed is taken again "
          "at the next run)")


def accept_command(load_id: int, blocking: list[Issue]) -> str | None:
    """The `csc accept` that would publish the drop after review, naming its blocking rules; None
    when one of them cannot be accepted (it would break the load: validate/acceptance.py refuses)."""
    rules = sorted({i.rule for i in blocking})
    if not rules or not all(r in RULES and RULES[r].acceptable for r in rules):
        return None
    return (f"csc accept --load-id {load_id} " + " ".join(f"--rule {r}" for r in rules)
            + ' --reason "WHY THE DATA IS RIGHT" --operator "YOUR NAME"')


def next_step(load_id: int, status: str, blocking: list[Issue], newer_published: date | str | None = None) -> str:
    """What someone should do about a load, by its status (audit.loads.status) and blocking problems;
    `newer_published`: the council's latest published extract date when it is after this one's."""
    if status == "quarantined":
        if newer_published:
            return (f"Next: nothing to load: a newer extract of the council ({newer_published}) is published, so "
                    "this one would be superseded; send any correction in a drop for the latest date.")
        command = accept_command(load_id, blocking)
        if command:
            return f"Next: {RESEND}; or, if after review the data is right, accept it: `{command}`."
        fixed = sorted({i.rule for i in blocking if i.rule not in RULES or not RULES[i.rule].acceptable})
        why = f" ({', '.join(fixed)} would break the load)" if fixed else ""
        return f"Next: {RESEND}. It cannot be accepted as it is{why}."
    return {
        "published": "Nothing to do: the drop passed and is published.",
        "accepted": "Nothing to do: accepted after review and published.",
        "superseded": ("Nothing to do, unless the newer drop was the wrong one: then send a corrected drop "
                       "for the council's latest date."),
        "failed": "The load failed before it finished (see its message); the next run takes the drop again.",
    }.get(status, "Being processed, or its run was interrupted: the next run takes the drop again.")


def quarantined_line(la_code: str, extract_date: str, problems: int, load_id: int) -> str:
    """The one line that ends a quarantined council's validate task and heads `csc run`'s summary."""
    return (f"{la_code}/{extract_date} quarantined: {problems} blocking problem(s) (load {load_id}); "
            f"`csc validation show {load_id}` lists them; fix and resend, or `csc accept --load-id {load_id}`")


def night_headline(drops: int, quarantined: int, unfinished: int) -> str:
    """The first line of a run's summary: whether any drop needs someone's attention."""
    if not drops:
        return "no pending drops this run"
    parts = [f"{quarantined} of {drops} drop(s) quarantined"] if quarantined else []
    parts += [f"{unfinished} of {drops} drop(s) not finished"] if unfinished else []
    return ("; ".join(parts) + "; the other councils published") if parts else f"all {drops} drop(s) processed"


def data_docs_link(page: str | None, docs_dir, base_url: str | None) -> str | None:
    """Where a reader opens a Data Docs page: under the deployment's URL when it serves the folder
    (the Docker stack's data-docs service), else the file's path."""
    if not page:
        return None
    if base_url:
        from pathlib import Path

        try:
            return base_url.rstrip("/") + "/" + Path(page).relative_to(docs_dir).as_posix()
        except ValueError:
            return page
    return page


def quarantine_summary(blocking: list[Issue]) -> str:
    """The one line stored with a quarantined load (audit.loads.message)."""
    return f"{len(blocking)} blocking problem(s): " + "; ".join(i.to_text() for i in blocking[:5])


def superseded(la_code: str, extract_date: str, message: str) -> Alert:
    return Alert(kind="superseded", la_code=la_code, extract_date=extract_date,
                 title=f"{la_code}/{extract_date} extract superseded", summary=message)


def accepted(la_code: str, extract_date: str, load_id: int, operator: str, rules: list[str], reason: str) -> Alert:
    return Alert(
        kind="accepted", la_code=la_code, extract_date=extract_date,
        title=f"{la_code}/{extract_date} extract accepted after review",
        summary=(f"{operator} accepted load {load_id} ({', '.join(rules)}): {reason}. "
                 "It is published; the marts follow at the next dbt build."),
    )


def transform_failed(failed_nodes: list[str], build_dir=None) -> Alert:
    named = ", ".join(failed_nodes[:MAX_DETAILS]) or "see the task log"
    kept = f" Compiled SQL and run_results.json of this build: {build_dir}." if build_dir else ""
    return Alert(
        kind="transform_failed", title="csc_nightly: the dbt build failed",
        summary=("The night's marts were not published; BI tools and reports keep the last published "
                 f"marts. Failed: {named}.{kept} The next run builds and publishes again."),
        details=failed_nodes[:MAX_DETAILS],
    )


def extract_failed(la_code: str, reason: str) -> Alert:
    """`reason`: an ExtractError's one line (connection, table or column, never a value)."""
    return Alert(
        kind="extract_failed", la_code=la_code,
        title=f"{la_code}: extract from its database failed",
        summary="No drop was written for this council; its marts keep serving the last good data. "
                "The other councils carry on.",
        details=[reason],
    )


def task_failed(task_id: str, run_id: str, error_type: str) -> Alert:
    # Only the exception's type: messages from the database can quote data values.
    return Alert(
        kind="task_failed", title=f"csc_nightly: task {task_id} failed",
        summary=(f"Run {run_id}: {error_type}. "
                 "The marts keep serving the last good data. See the task log in Airflow."),
    )
