"""csc_nightly: each council's nightly case-system extract into the published marts.

extract the councils that have a database source (one task each) → find pending drops →
land each in its own landing schema → validate it there → publish (or quarantine) → dbt
build into the build schema → switch it in as the published marts. The work lives in
csc_pipeline.flows (nightly, extract_night); this file only wires it together.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, CronTriggerTimetable, Param, dag, get_current_context, task

from csc_pipeline import deployment
from csc_pipeline.alerts.callbacks import task_failed
from csc_pipeline.flows.extract_night import extract_failed

PERFORMANCE_MEASURES = Asset(name="marts.performance_measures", uri="csc://warehouse/marts/performance_measures")

# Schedule and retries are the deployment's (environment, Airflow variables or the deployment file).
config = deployment.current()
default_args = {
    "owner": "csc-data-team",
    "retries": config.task_retries,
    "retry_delay": pendulum.duration(seconds=config.retry_delay_seconds),
    "on_failure_callback": task_failed,
}


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
        # Set by `csc run` to replay one night at a time; a scheduled run takes every pending drop.
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

    @task(on_failure_callback=extract_failed)
    def extract_council(la_code: str) -> dict:
        from datetime import date

        from csc_pipeline.flows.extract_night import extract_for_night

        up_to = get_current_context()["params"].get("up_to")
        return extract_for_night(la_code, up_to=date.fromisoformat(up_to) if up_to else None)

    # A council whose extract failed (alerted) does not stop the others: the night goes on.
    @task(trigger_rule="all_done")
    def prepare_warehouse() -> None:
        from csc_pipeline.flows import nightly

        nightly.prepare_warehouse()

    @task
    def find_pending_drops() -> list[dict]:
        from datetime import date

        from csc_pipeline.flows import nightly

        up_to = get_current_context()["params"].get("up_to")
        return nightly.wait_for_drops(up_to=date.fromisoformat(up_to) if up_to else None)

    @task
    def land_drops(drops: list[dict]) -> list[dict]:
        from csc_pipeline.flows import nightly

        return nightly.land(drops, run_id=get_current_context()["run_id"])

    @task
    def validate_drops(landed: list[dict]) -> list[dict]:
        from csc_pipeline.flows import nightly

        return nightly.validate(landed)

    @task
    def publish_drops(validated: list[dict]) -> list[dict]:
        from csc_pipeline.flows import nightly

        return nightly.publish(validated)

    @task
    def dbt_build(published: list[dict]) -> dict:
        from csc_pipeline.flows import nightly

        return nightly.transform()

    @task(outlets=[PERFORMANCE_MEASURES])
    def publish_marts(built: dict) -> dict:
        from csc_pipeline.flows import nightly

        return nightly.publish_marts(built)

    drops = find_pending_drops()
    extract_council.expand(la_code=councils_to_extract()) >> prepare_warehouse() >> drops
    publish_marts(dbt_build(publish_drops(validate_drops(land_drops(drops)))))


nightly_dag = csc_nightly()

if __name__ == "__main__":
    nightly_dag.test()
