"""Validation settings and councils' label mapping files: documented defaults, precedence, clear errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from csc_pipeline.deployment import ConfigError, ValidationConfig, load
from csc_pipeline.validate.mapping import MappingError, read_mapping


def test_defaults_without_configuration():
    deployment = load({})
    config = deployment.for_council("E06000028")
    # Data Docs go to the state folder unless configured; everything else is the documented default.
    assert config.data_docs_dir == deployment.state_dir / "data_docs"
    assert replace(config, data_docs_dir=None) == ValidationConfig()
    assert (deployment.schedule, deployment.task_retries, deployment.retry_delay_seconds) == ("30 5 * * *", 1, 300)
    assert (config.volume_shrink_max_pct, config.volume_growth_max_pct, config.volume_min_rows) == (20.0, 50.0, 10)
    assert config.severity_of("code_local") == "warning" and config.severity_of("volume_shrink") == "blocking"
    assert deployment.accepts("E06000028") and deployment.accepts("E10000014")
    assert deployment.accepts("E08000025") and deployment.accepts("E09000033")
    assert not deployment.accepts("E11000001") and not deployment.accepts("W06000015")
    # E07 shire districts have no children's services (extract-contract.md §1)
    assert not deployment.accepts("E07000223")


def test_file_then_environment_then_council(tmp_path: Path):
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "bournemouth.csv").write_text("code_set,label,code\n")
    config = tmp_path / "deployment.yml"
    config.write_text(
        "validation:\n"
        "  volume_shrink_max_pct: 25\n"
        "  volume_growth_max_pct: 80\n"
        "  severity: {unknown_column: blocking}\n"
        "councils:\n"
        "  E06000028:\n"
        "    label_mapping: maps/bournemouth.csv\n"
        "    validation: {volume_shrink_max_pct: 35, severity: {volume_growth: warning}}\n"
        "  E06000029: {}\n"
    )
    deployment = load({"CSC_DEPLOYMENT_CONFIG": str(config), "CSC_VOLUME_SHRINK_MAX_PCT": "30",
                                  "CSC_SEVERITY": "volume_growth=blocking", "CSC_VALIDATION_CONNECTIONS": "3"})
    assert deployment.councils == ("E06000028", "E06000029")
    assert not deployment.accepts("E06000030")  # a deployment that lists councils accepts only those
    poole = deployment.for_council("E06000029")
    assert (poole.volume_shrink_max_pct, poole.volume_growth_max_pct) == (30.0, 80.0)  # env over file
    assert poole.validation_connections == 3 and ValidationConfig().validation_connections == 2
    assert poole.severity_of("unknown_column") == "blocking" and poole.severity_of("volume_growth") == "blocking"
    bournemouth = deployment.for_council("E06000028")
    assert bournemouth.volume_shrink_max_pct == 35.0  # the council's own over everything
    assert bournemouth.severity_of("volume_growth") == "warning"  # the council's own, over the environment's
    assert bournemouth.severity_of("unknown_column") == "blocking"
    assert bournemouth.label_mapping == (tmp_path / "maps" / "bournemouth.csv").resolve()


def test_councils_and_mapping_folder_from_the_environment(tmp_path: Path):
    (tmp_path / "E06000028.csv").write_text("code_set,label,code\n")
    deployment = load({"CSC_COUNCILS": "e06000028, E06000029", "CSC_LABEL_MAPPING_DIR": str(tmp_path)})
    assert deployment.councils == ("E06000028", "E06000029")
    assert deployment.for_council("E06000028").label_mapping == (tmp_path / "E06000028.csv").resolve()
    assert deployment.for_council("E06000029").label_mapping is None


@pytest.mark.parametrize("env, message", [
    ({"CSC_VOLUME_SHRINK_MAX_PCT": "a lot"}, "CSC_VOLUME_SHRINK_MAX_PCT: 'a lot' is not a number"),
    ({"CSC_SEVERITY": "no_such_rule=warning"}, "no rule 'no_such_rule'"),
    ({"CSC_SEVERITY": "volume_shrink=fatal"}, "'fatal' is neither blocking nor warning"),
    ({"CSC_COUNCILS": "E6000028"}, "'E6000028' is not an English local-authority GSS code"),
    ({"CSC_DATA_DOCS": "sometimes"}, "'sometimes' is not always, failed or never"),
    ({"CSC_VALIDATION_CONNECTIONS": "0"}, "CSC_VALIDATION_CONNECTIONS: must be at least 1"),
    ({"CSC_VALIDATION_CONNECTIONS": "two"}, "CSC_VALIDATION_CONNECTIONS: 'two' is not an integer"),
    ({"CSC_SEVERITY": "code_local=blocking"}, "code_local: the contract makes it a warning, always"),
])
def test_bad_settings_say_which_and_why(env, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(env)


def test_an_unknown_setting_in_the_file_is_an_error(tmp_path: Path):
    config = tmp_path / "deployment.yml"
    config.write_text("validation:\n  volume_shrink_max: 30\n")
    with pytest.raises(ConfigError, match=r"validation.volume_shrink_max: unknown setting"):
        load({"CSC_DEPLOYMENT_CONFIG": str(config)})


def test_a_mapping_file_normalises_labels(tmp_path: Path):
    path = tmp_path / "map.csv"
    path.write_bytes("\ufeffCode_Set, Label ,code\n# our spellings\nlegal_status,  Interim   C.O. ,C1\n"
                     "legal_status,interim c.o.,C1\n\nplacement_provider,Agency foster care,PR4\n".encode())
    labels, sha = read_mapping(path)
    assert [(lb.code_set, lb.label, lb.code, lb.line) for lb in labels] == [
        ("legal_status", "interim c.o.", "C1", 3), ("placement_provider", "agency foster care", "PR4", 6)]
    assert len(sha) == 64


@pytest.mark.parametrize("body, message", [
    ("set,label,code\n", "line 1: the header must be code_set,label,code"),
    ("code_set,label,code\nlegal_status,Interim,C9\n", "line 2: 'C9' is not a code of legal_status"),
    ("code_set,label,code\nlegal_statuses,Interim,C1\n", "line 2: no code set 'legal_statuses'"),
    ("code_set,label,code\nlegal_status,Full care order,C1\n", "line 2: the contract already reads this label as C2"),
    ("code_set,label,code\nsex,Boy,M\nsex,boy,F\n", "line 3: label already mapped to M on line 2"),
    ("code_set,label,code\nsex,Boy\n", "line 2: expected 3 fields"),
])
def test_a_bad_mapping_file_names_the_line(tmp_path: Path, body: str, message: str):
    path = tmp_path / "map.csv"
    path.write_text(body)
    with pytest.raises(MappingError) as err:
        read_mapping(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_run_settings_from_environment_airflow_variables_and_file(tmp_path: Path):
    config = tmp_path / "deployment.yml"
    config.write_text("run:\n  schedule: '0 6 * * 1-5'\n  poll_seconds: 60\n  landing_root: drops\n")
    deployment = load({"CSC_DEPLOYMENT_CONFIG": str(config), "AIRFLOW_VAR_CSC_TASK_RETRIES": "3",
                       "CSC_RETRY_DELAY_SECONDS": "30",
                       "AIRFLOW_CONN_CSC_WAREHOUSE": "postgres://u:p@db.example:5432/warehouse"})
    assert deployment.schedule == "0 6 * * 1-5" and deployment.poll_seconds == 60
    assert deployment.landing_root == (tmp_path / "drops").resolve()
    assert (deployment.task_retries, deployment.retry_delay_seconds) == (3, 30)
    assert deployment.warehouse_dsn == "postgresql://u:p@db.example:5432/warehouse"
    assert "p@db" not in repr(deployment)  # secrets stay out of logs and tracebacks


@pytest.mark.parametrize("env, setting", [
    ({"CSC_SCHEDULE": "every night"}, "CSC_SCHEDULE"),
    ({"CSC_TASK_RETRIES": "-1"}, "CSC_TASK_RETRIES"),
    ({"CSC_CUTOFF": "half seven"}, "CSC_CUTOFF"),
    ({"CSC_PSEUDONYM_KEY": "short"}, "CSC_PSEUDONYM_KEY"),
    ({"CSC_ALERT_SMTP_PORT": "twenty-five"}, "CSC_ALERT_SMTP_PORT"),
    ({"CSC_FULL_REFRESH_DAY": "weekends"}, "CSC_FULL_REFRESH_DAY"),
])
def test_a_bad_run_setting_is_refused_naming_it(env, setting):
    with pytest.raises(ConfigError, match=setting):
        load(env)


def test_the_weekly_full_refresh_falls_on_the_configured_night():
    from datetime import date, timedelta

    week = [date(2026, 11, 30) + timedelta(days=i) for i in range(7)]  # Monday to Sunday
    assert [load({}).is_full_refresh_night(d) for d in week] == [False] * 6 + [True]
    assert [load({"CSC_FULL_REFRESH_DAY": " Wednesday"}).is_full_refresh_night(d) for d in week] == \
        [False, False, True, False, False, False, False]
    assert not any(load({"CSC_FULL_REFRESH_DAY": "never"}).is_full_refresh_night(d) for d in week)
