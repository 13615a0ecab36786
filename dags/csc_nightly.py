"""csc_nightly: each council's nightly case-system extract into the published marts.

extract the councils that have a database source (one task each) → find pending drops →
land each in its own staging schema → validate it there → publish (or quarantine) → dbt
build → publish the marts. The work lives in csc_pipeline.nightly (and .extract.night);
this file only wires it together.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Asset, CronTriggerTimetable, Param, dag, get_current_context, task

from csc_pipeline.alerts.callbacks import task_failed
from csc_pipeline.extract.night import extract_failed

PERFORMANCE_MEASURES = Asset(name="marts.performance_measures", uri="csc://warehouse/marts/performance_measures")

default_args = {
    "owner": "csc-data-team",
    "retries": int(os.environ.get("CSC_TASK_RETRIES", "1")),
    "retry_delay": pendulum.duration(seconds=int(os.environ.get("CSC_RETRY_DELAY_SECONDS", "300"))),
    "on_failure_callback": task_failed,
}


@dag(
    dag_id="csc_nightly",
    description="Nightly extract → validate → load → dbt → marts",
    schedule=CronTriggerTimetable(os.environ.get("CSC_SCHEDULE", "30 5 * * *"), timezone="Europe/London"),
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/London"),
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
        from csc_pipeline.extract.night import councils_with_source

        return councils_with_source()

    @task(on_failure_callback=extract_failed)
    def extract_council(la_code: str) -> dict:
        from datetime import date

        from csc_pipeline.extract.night import extract_for_night

        up_to = get_current_context()["params"].get("up_to")
        return extract_for_night(la_code, up_to=date.fromisoformat(up_to) if up_to else None)

    # A council whose extract failed (alerted) does not stop the others: the night goes on.
    @task(trigger_rule="all_done")
    def prepare_warehouse() -> None:
        from csc_pipeline import nightly

        nightly.prepare_warehouse()

    @task
    def find_pending_drops() -> list[dict]:
        from datetime import date

        from csc_pipeline import nightly

        up_to = get_current_context()["params"].get("up_to")
        config = nightly.NightConfig.from_env(dict(os.environ))
        return nightly.wait_for_drops(config, up_to=date.fromisoformat(up_to) if up_to else None)

    @task
    def land_drops(drops: list[dict]) -> list[dict]:
        from csc_pipeline import nightly

        return nightly.land(drops, run_id=get_current_context()["run_id"])

    @task
    def validate_drops(landed: list[dict]) -> list[dict]:
        from csc_pipeline import nightly

        return nightly.validate(landed)

    @task
    def publish_drops(validated: list[dict]) -> list[dict]:
        from csc_pipeline import nightly

        return nightly.publish(validated)

    @task
    def dbt_build(published: list[dict]) -> None:
        from csc_pipeline import nightly

        nightly.transform()

    @task(outlets=[PERFORMANCE_MEASURES])
    def publish_marts() -> dict:
        from csc_pipeline import nightly

        return nightly.publish_marts()

    drops = find_pending_drops()
    extract_council.expand(la_code=councils_to_extract()) >> prepare_warehouse() >> drops
    built = dbt_build(publish_drops(validate_drops(land_drops(drops))))
    built >> publish_marts()


nightly_dag = csc_nightly()

if __name__ == "__main__":
    nightly_dag.test()
