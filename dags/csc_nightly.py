"""csc_nightly: each council's nightly case-system extract into the published marts.

extract the councils that have a database source (one task each) → find pending drops, dated on
or before the run's logical date → per council (mapped, labelled by council; councils share
batches beyond the deployment's council_tasks_max): land → validate (fails, without retry, when
the council's drop is quarantined) → publish → one dbt build for the night into the build schema →
switch it in as the published marts → the night's summary (fails when any drop was quarantined,
so the run says so). The work lives in csc_pipeline.flows; this file only wires it together.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, CronTriggerTimetable, Param, dag, get_current_context, task, task_group
from airflow.sdk.exceptions import AirflowFailException

from csc_pipeline import deployment
from csc_pipeline.alerts.callbacks import task_failed
from csc_pipeline.flows.extract_night import extract_failed

PERFORMANCE_MEASURES = Asset(name="marts.performance_measures", uri="csc://warehouse/marts/performance_measures")
COUNCILS = "{{ councils }}"  # a mapped task's label in the grid: its council(s)

# Schedule and retries are the deployment's (environment, Airflow variables or the deployment file).
config = deployment.current()
default_args = {
    "owner": "csc-data-team",
    "retries": config.task_retries,
    "retry_delay": pendulum.duration(seconds=config.retry_delay_seconds),
    "on_failure_callback": task_failed,
}


class DropsQuarantined(AirflowFailException):
    """A quarantine (or a drop a failed task left unfinished): final, since a retry would alert again
    and could turn green; and already alerted, by its own alert or the failed task's."""

    alerted = True


class BuildFailed(AirflowFailException):
    """A model or test failed: the same data fails the same way, so no retry (it would print
    dbt's output and alert again). Already alerted by the flow."""

    alerted = True


def _up_to():
    """The last extract date this run takes: `up_to` when given (csc run), else the run's logical
    date in London (a scheduled or backfill run for night D takes the drops dated on or before D);
    a manual run without a logical date takes every pending drop."""
    from datetime import date

    context = get_current_context()
    up_to = context["params"].get("up_to")
    if up_to:
        return date.fromisoformat(up_to)
    logical = context.get("logical_date")
    return pendulum.instance(logical).in_timezone("Europe/London").date() if logical else None


def _label(batch: list[dict]) -> None:
    from csc_pipeline.flows.nightly import batch_label

    get_current_context()["councils"] = batch_label(batch)


@dag(
    dag_id="csc_nightly",
    description="Nightly extract → validate → load → dbt → marts",
    schedule=CronTriggerTimetable(config.schedule, timezone="Europe/London"),
    # Earlier than any extract a council could hold (the warehouse's working-day calendar starts in
    # 2000): a run whose logical date precedes start_date gets no tasks and "succeeds" empty, so
    # an archive drop (e.g. 2014) or a backfill at its extract date would be skipped. No catch-up.
    start_date=pendulum.datetime(2000, 1, 1, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    params={
        # Set by `csc run` to replay one night at a time; otherwise the run's logical date decides.
        "up_to": Param(None, type=["null", "string"], format="date",
                       description="Only process drops with an extract date on or before this day."),
    },
    tags=["csc", "nightly"],
)
def csc_nightly():
    @task
    def councils_to_extract() -> list[str]:
        from csc_pipeline.flows.extract_night import councils_with_source

        return councils_with_source()

    @task(on_failure_callback=extract_failed, map_index_template="{{ la_code }}")
    def extract_council(la_code: str) -> dict:
        from csc_pipeline.flows.extract_night import extract_for_night

        get_current_context()["la_code"] = la_code
        return extract_for_night(la_code, up_to=_up_to())

    # A council whose extract failed (alerted) does not stop the others: the night goes on.
    @task(trigger_rule="all_done")
    def prepare_warehouse() -> None:
        from csc_pipeline.flows import nightly

        nightly.prepare_warehouse()

    @task
    def find_pending_drops() -> list[list[dict]]:
        from csc_pipeline.flows import nightly

        return nightly.pending_batches(up_to=_up_to())

    @task_group
    def council(batch: list[dict]):
        @task(map_index_template=COUNCILS)
        def land_drops(batch: list[dict]) -> list[dict]:
            from csc_pipeline.flows import nightly

            _label(batch)
            return nightly.land(batch, run_id=get_current_context()["run_id"])

        @task(map_index_template=COUNCILS)
        def validate_drops(landed: list[dict]) -> None:
            from csc_pipeline.flows import nightly

            _label(landed)
            quarantined = nightly.quarantined_in(nightly.validate(landed))
            if quarantined:
                raise DropsQuarantined("; ".join(quarantined))

        # Publishes what passed even when the validate task failed for another drop of the batch (what
        # passed is read from the audit). Not all_done_min_one_success: in a mapped group, dag.test
        # never scheduled it (Airflow 3.3.2).
        @task(map_index_template=COUNCILS, trigger_rule="all_done")
        def publish_drops(landed: list[dict]) -> list[dict]:
            from csc_pipeline.flows import nightly

            _label(landed)
            return nightly.publish_landed(landed)

        landed = land_drops(batch)
        validate_drops(landed) >> publish_drops(landed)

    # One build for the night over every council, whatever happened to some councils' drops.
    @task(trigger_rule="all_done")
    def dbt_build() -> dict:
        from csc_pipeline.flows import nightly

        try:
            return nightly.transform(night=_up_to())
        except nightly.TransformFailed as exc:
            if exc.final:
                raise BuildFailed(str(exc)) from None
            raise

    @task(outlets=[PERFORMANCE_MEASURES])
    def publish_marts(built: dict) -> dict:
        from csc_pipeline.flows import nightly

        return nightly.publish_marts(built)

    # A leaf beside publish_marts: Airflow judges a run by its leaves, so this one fails the run when
    # any council's drop was quarantined or not finished, while the others' figures are published.
    @task(trigger_rule="all_done")
    def night_summary(batches: list[list[dict]]) -> list[str]:
        from csc_pipeline.flows import nightly

        summary = nightly.summarise_night(get_current_context()["run_id"], batches)
        if summary["quarantined"] or summary["unfinished"]:
            raise DropsQuarantined(summary["headline"])
        return summary["lines"]

    batches = find_pending_drops()
    extract_council.expand(la_code=councils_to_extract()) >> prepare_warehouse() >> batches
    councils = council.expand(batch=batches)
    built = dbt_build()
    councils >> built
    publish_marts(built)
    councils >> night_summary(batches)


nightly_dag = csc_nightly()

if __name__ == "__main__":
    nightly_dag.test()
