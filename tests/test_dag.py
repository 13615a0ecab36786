"""The csc_nightly DAG imports through Airflow's own DagBag and follows the house policy."""

from __future__ import annotations

import pytest

from csc_pipeline import paths


@pytest.fixture(scope="module")
def dagbag(airflow_ready):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(paths.DAGS_DIR))


def test_dags_folder_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "csc_nightly" in dagbag.dags


def test_nightly_dag_policy(dagbag):
    dag = dagbag.dags["csc_nightly"]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    # Earlier than any extract (the working-day calendar's first year): a replay or backfill of an
    # archive drop must get tasks, not an empty "successful" run (issue 11).
    from csc_pipeline.contract.render import BANK_HOLIDAY_YEARS

    assert dag.start_date.year <= BANK_HOLIDAY_YEARS[0] and (dag.start_date.month, dag.start_date.day) == (1, 1)
    assert dag.timetable.expression == "30 5 * * *"
    assert str(getattr(dag.timetable.timezone, "name", dag.timetable.timezone)) == "Europe/London"
    for t in dag.tasks:
        assert t.owner == "csc-data-team"
        assert t.retries >= 1
        assert t.on_failure_callback, f"{t.task_id} does not alert on failure"


def test_nightly_dag_reads_as_the_nights_story(dagbag):
    dag = dagbag.dags["csc_nightly"]
    order = ["find_pending_drops", "council.land_drops", "council.validate_drops", "council.publish_drops",
             "dbt_build", "publish_marts"]
    for upstream, downstream in zip(order, order[1:]):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    # Per council (mapped over the night's batches, labelled by council): a council's quarantine
    # fails its own validate task and never the others'; publish takes what passed even so; one
    # build for the night whatever some councils' drops did; the summary, a leaf, fails the run.
    group = dag.task_group_dict["council"]
    assert type(group).__name__ == "MappedTaskGroup"
    for task_id in ("council.land_drops", "council.validate_drops", "council.publish_drops"):
        assert dag.get_task(task_id).map_index_template == "{{ councils }}"
    assert dag.get_task("council.validate_drops").retries >= 1  # retries stay for real faults; a quarantine raises AirflowFailException
    assert dag.get_task("council.publish_drops").trigger_rule == "all_done"
    assert dag.get_task("dbt_build").trigger_rule == "all_done"
    assert dag.get_task("night_summary").trigger_rule == "all_done"
    assert not dag.get_task("night_summary").downstream_task_ids and not dag.get_task("publish_marts").downstream_task_ids
    assert "find_pending_drops" in dag.get_task("prepare_warehouse").downstream_task_ids
    # extract the councils with a database source first (one mapped task each); a failed one
    # (alerted with its own line) does not hold up the night
    assert "extract_council" in dag.get_task("councils_to_extract").downstream_task_ids
    assert "prepare_warehouse" in dag.get_task("extract_council").downstream_task_ids
    assert dag.get_task("prepare_warehouse").trigger_rule == "all_done"
    assert dag.get_task("extract_council").on_failure_callback.__name__ == "extract_failed"
