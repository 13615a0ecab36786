"""`make bench`'s quick run end to end, and how its results are compared with the stored ones.

No timing is asserted here: performance is measured by `make bench` (docs/performance.md), never
in a test. These tests check that every stage is measured beside its reference and that a
regression against a stored result is flagged.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from csc_pipeline.bench import dbt_reference, results
from csc_pipeline.bench.stages import NIGHT

REFERENCED = ("land", "validate", "dbt_build")


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory) -> dict:
    """One quick run of the benchmark (the national scenario of 2 small councils, its unchanged
    night, memory points at 1 and 2 councils, validation at scale on a small drop)."""
    path = tmp_path_factory.mktemp("bench") / "results.json"
    env = {k: v for k, v in os.environ.items() if k != "CSC_WAREHOUSE_DSN"}
    done = subprocess.run([sys.executable, "-m", "csc_pipeline.bench", "--quick", "--skip-council",
                           "--results", str(path)], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads(path.read_text())
    data["_stdout"] = done.stdout
    return data


def test_quick_run_measures_every_stage_of_the_night_beside_its_reference(quick_results):
    national = quick_results["scenarios"]["national"]
    assert national["councils"] == 2
    night = national["nights"][-1]
    assert list(night["stages"]) == list(NIGHT)
    # One night generated: everything generated is what the night landed.
    assert night["rows"] == national["generated"]["rows"] > 0
    assert night["drops"] == 2
    for name, stage in night["stages"].items():
        assert stage["seconds"] >= 0 and stage["process_seconds"] >= stage["seconds"], name
        assert stage["peak_rss"] > 0 and stage["tree_rss"] >= stage["peak_rss"], name
        assert stage["server_pss"] > 0, name
        if name in REFERENCED:
            reference = stage["reference"]
            assert reference["name"] and reference["seconds"] > 0 and not reference.get("missing"), name
            assert stage["ratio"] == pytest.approx(stage["seconds"] / reference["seconds"]), name
    total = sum(s["seconds"] for s in night["stages"].values())
    assert night["night"]["seconds"] == pytest.approx(total)
    assert night["night"]["reference"]["seconds"] == pytest.approx(
        sum(night["stages"][s]["reference"]["seconds"] for s in REFERENCED))
    detail = night["stages"]["dbt_build"]["reference"]["detail"]
    assert detail["models_nodes"] > 0 and detail["data_tests_nodes"] > 0


def test_quick_run_measures_an_unchanged_councils_night(quick_results):
    national = quick_results["scenarios"]["national"]
    unchanged = national["unchanged_night"]
    assert unchanged["drops"] == 1 and unchanged["la_code"] == "E06900001"
    assert list(unchanged["stages"]) == list(NIGHT)
    assert unchanged["date"] > national["nights"][-1]["date"]
    goal = next(g for g in quick_results["goals"] if g["goal"].startswith("national: an unchanged council's night"))
    assert goal["value"] == pytest.approx(unchanged["night"]["seconds"]) and goal["met"] in (True, False)


def test_quick_run_records_memory_points_and_validation_at_scale(quick_results):
    points = {p["councils"]: p for p in quick_results["memory"]}
    assert sorted(points) == [1, 2]
    assert points[2]["source"] == "the national scenario" and points[1]["source"] == "its own run"
    for p in points.values():
        assert all(p[part]["tree_rss"] > 0 for part in ("generate", "land", "validate"))
    labels = [t["label"] for t in quick_results["validation_at_scale"]]
    assert len(labels) == 4 and labels[-1].strip().startswith("key checks alone")


def test_quick_run_states_every_goal_and_the_machine(quick_results):
    goals = [g["goal"] for g in quick_results["goals"]]
    assert goals[0].startswith("national night under 5 minutes")
    for stage in ("landing within 1.25x", "validation within 1.25x", "dbt build within 2x"):
        assert any(g.startswith(f"national: {stage}") for g in goals), stage
    assert sum(g.startswith("peak memory of") for g in goals) == 3
    assert all(g["met"] in (True, False) for g in quick_results["goals"])
    assert quick_results["machine"]["cores"] == os.cpu_count()
    assert quick_results["git"]["commit"] and quick_results["date"]
    assert quick_results["comparison"]["notes"] == ["no stored result to compare with"]
    assert "goals" in quick_results["_stdout"] and "plain COPY into unlogged tables" in quick_results["_stdout"]


def test_a_deliberately_slowed_stored_result_is_flagged(quick_results):
    current = {k: v for k, v in quick_results.items() if k != "_stdout"}
    assert results.compare(current, current)["regressions"] == []
    stored = copy.deepcopy(current)
    stage = stored["scenarios"]["national"]["nights"][-1]["stages"]["dbt_build"]
    stage["seconds"] /= 2  # the stored run was twice as fast: tonight's is a regression
    flagged = results.compare(stored, current)["regressions"]
    assert [f["what"] for f in flagged] == ["national: dbt_build seconds"]
    assert flagged[0]["ratio"] == pytest.approx(2.0)
    # Another machine's result is not compared; nor is a scenario of another size.
    stored["machine"]["cores"] = (current["machine"]["cores"] or 1) + 2
    assert results.compare(stored, current)["regressions"] == []
    stored["machine"]["cores"] = current["machine"]["cores"]
    stored["scenarios"]["national"]["councils"] = 3
    other = results.compare(stored, current)
    assert other["regressions"] == [] and any("sizes differ" in n for n in other["notes"])


# --- without a run ------------------------------------------------------------------------------

def _results(seconds: float, rss_mb: float, cores: int = 2) -> dict:
    stage = {"seconds": seconds, "tree_rss": int(rss_mb * 2**20)}
    night = {"date": "2026-11-24", "rows": 10, "drops": 1, "stages": {"land": stage}, "night": dict(stage)}
    return {"machine": {"cores": cores}, "memory": [], "validation_at_scale": [],
            "scenarios": {"council": {"councils": 1, "nights": [night], "generated": {}}}}


@pytest.mark.parametrize("stored, now, flagged", [
    ((10.0, 100), (12.5, 100), ["council: land seconds", "council: the night seconds"]),  # 25% slower
    ((10.0, 100), (11.5, 100), []),  # within 20%
    ((0.1, 100), (0.5, 100), []),  # five times, but 0.4 s: below the floor
    ((10.0, 100), (10.0, 130), ["council: land peak memory (MB)", "council: the night peak memory (MB)"]),
    ((10.0, 10), (10.0, 25), []),  # 2.5 times, but 15 MB: below the floor
])
def test_regressions_need_both_the_ratio_and_the_floor(stored, now, flagged):
    found = results.compare(_results(*stored), _results(*now))["regressions"]
    assert [f["what"] for f in found] == flagged


def test_a_missing_results_file_is_no_comparison(tmp_path):
    assert results.load(tmp_path / "results.json") is None
    assert results.compare(None, _results(1.0, 1))["notes"] == ["no stored result to compare with"]


def _node(kind: str, name: str, schema: str, depends: list[str], materialized: str = "table",
          compiled: str | None = None) -> dict:
    return {"resource_type": kind, "name": name, "alias": name, "schema": schema, "database": "warehouse",
            "unique_id": f"{kind}.p.{name}", "package_name": "p", "original_file_path": f"models/{name}.sql",
            "compiled_path": compiled, "depends_on": {"nodes": depends},
            "config": {"materialized": materialized, "post-hook": [{"sql": "analyze {{ this }}"}]}}


def test_the_dbt_replay_renames_into_fresh_schemas_in_dag_order(tmp_path):
    long = "int_measures__a_name_long_enough_that_dbt_shortens_its_tmp_relation"
    tmp = long[:50] + "__dbt_tmp"
    run = tmp_path / "run" / "p" / "models"
    run.mkdir(parents=True)
    (run / "stg_a.sql").write_text('create view "warehouse"."staging"."stg_a__dbt_tmp" as (select 1 as x);')
    (run / f"{long}.sql").write_text(f'create table "warehouse"."intermediate"."{tmp}" as '
                                     '(select x from "warehouse"."staging"."stg_a" join "warehouse"."raw"."r" on true);')
    nodes = {
        "model.p.z_late": _node("model", long, "intermediate", ["model.p.stg_a"],
                                compiled=str(tmp_path / "compiled" / "p" / "models" / f"{long}.sql")),
        "model.p.stg_a": _node("model", "stg_a", "staging", [], "view",
                               compiled=str(tmp_path / "compiled" / "p" / "models" / "stg_a.sql")),
    }
    (tmp_path / "manifest.json").write_text(json.dumps({"nodes": nodes, "unit_tests": {}}))
    (tmp_path / "run_results.json").write_text(json.dumps({"results": [{"unique_id": u} for u in nodes]}))
    plan = dbt_reference.replay(tmp_path, Path("/nowhere"))
    script = plan.scripts["models"]
    assert plan.skipped == [] and plan.schemas == ["bench_ref_intermediate", "bench_ref_staging"]
    assert script.index('"bench_ref_staging"."stg_a__dbt_tmp"') < script.index(f'"bench_ref_intermediate"."{tmp}"')
    assert f'alter table "warehouse"."bench_ref_intermediate"."{tmp}" rename to "{long}"' in script
    assert 'alter view "warehouse"."bench_ref_staging"."stg_a__dbt_tmp" rename to "stg_a"' in script
    assert 'from "warehouse"."bench_ref_staging"."stg_a" join "warehouse"."raw"."r"' in script  # sources stay
    assert f'analyze "warehouse"."bench_ref_intermediate"."{long}";' in script
    assert '"warehouse"."staging".' not in script and '"warehouse"."intermediate".' not in script


def test_a_model_the_replay_cannot_rebuild_is_named_not_guessed(tmp_path):
    nodes = {"model.p.inc": _node("model", "inc", "intermediate", [], "incremental",
                                  compiled=str(tmp_path / "compiled" / "p" / "models" / "inc.sql")),
             "model.p.snap": _node("model", "snap", "intermediate", [], "snapshot",
                                   compiled=str(tmp_path / "compiled" / "p" / "models" / "snap.sql"))}
    (tmp_path / "manifest.json").write_text(json.dumps({"nodes": nodes}))
    (tmp_path / "run_results.json").write_text(json.dumps({"results": [{"unique_id": u} for u in nodes]}))
    run = tmp_path / "run" / "p" / "models"
    run.mkdir(parents=True)
    (run / "inc.sql").write_text('insert into "warehouse"."intermediate"."inc" select * from "inc__dbt_tmp"')
    plan = dbt_reference.replay(tmp_path, Path("/nowhere"))
    assert plan.skipped == ["model.p.inc: built incrementally, which a fresh schema cannot replay",
                            "model.p.snap: materialized as snapshot, which a fresh schema cannot replay"]


def test_an_incremental_model_built_whole_is_replayed_as_a_table(tmp_path):
    nodes = {"model.p.inc": _node("model", "inc", "intermediate", [], "incremental",
                                  compiled=str(tmp_path / "compiled" / "p" / "models" / "inc.sql"))}
    nodes["model.p.inc"]["config"]["pre-hook"] = [{"sql": "{{ council_inputs() }}"},
                                                  {"sql": "{{ delete_rebuilt_councils() }}"}]
    (tmp_path / "manifest.json").write_text(json.dumps({"nodes": nodes}))
    (tmp_path / "run_results.json").write_text(json.dumps({"results": [{"unique_id": "model.p.inc"}]}))
    run = tmp_path / "run" / "p" / "models"
    run.mkdir(parents=True)
    (run / "inc.sql").write_text('-- a full refresh\ncreate  table "warehouse"."intermediate"."inc__dbt_tmp" as (select 1)')
    plan = dbt_reference.replay(tmp_path, Path("/nowhere"))
    assert plan.skipped == []
    assert ('alter table "warehouse"."bench_ref_intermediate"."inc__dbt_tmp" rename to "inc"'
            in plan.scripts["models"])
    assert "council_inputs" not in plan.scripts["models"]
