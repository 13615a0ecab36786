"""The deployment file's settings for readers: the report's targets and each council's geography."""

from __future__ import annotations

from pathlib import Path

import pytest

from csc_pipeline.deployment import ConfigError, Geography, Target, load


def _deployment(tmp_path: Path, body: str):
    config = tmp_path / "deployment.yml"
    config.write_text(body)
    return load({"CSC_DEPLOYMENT_CONFIG": str(config)})


def test_no_targets_by_default(tmp_path):
    assert _deployment(tmp_path, "councils:\n  E06000028: {}\n").targets_for("E06000028") == {}


def test_a_councils_targets_are_over_the_files(tmp_path):
    deployment = _deployment(tmp_path, (
        "targets:\n"
        "  cla_reviews_on_time_in_period: 90\n"
        "  cla_without_iro_at_period_end: {target: 0, better: lower}\n"
        "councils:\n"
        "  E06000028: {targets: {cla_reviews_on_time_in_period: 95}}\n"
        "  E06000029: {}\n"))
    assert deployment.targets_for("E06000028") == {
        "cla_reviews_on_time_in_period": Target(95.0), "cla_without_iro_at_period_end": Target(0.0, "lower")}
    assert deployment.targets_for("E06000029")["cla_reviews_on_time_in_period"] == Target(90.0)


@pytest.mark.parametrize(("body", "message"), [
    ("targets: {cla_reviews_on_time: 90}\n", r"targets\.cla_reviews_on_time: not a published measure"),
    ("targets: {cla_reviews_on_time_in_period: {target: 90, better: up}}\n",
     r"targets\.cla_reviews_on_time_in_period\.better: expected higher or lower"),
    ("targets: {cla_reviews_on_time_in_period: ninety}\n",
     r"targets\.cla_reviews_on_time_in_period\.target: 'ninety' is not a number"),
    ("targets: [90]\n", r"targets: expected a mapping"),
    ("councils:\n  E06000028: {targets: {nope: 1}}\n", r"councils\.E06000028\.targets\.nope: not a published measure"),
])
def test_a_bad_target_says_where(tmp_path, body, message):
    with pytest.raises(ConfigError, match=message):
        _deployment(tmp_path, body)


def test_geography_is_read_with_the_old_code_as_three_digits(tmp_path):
    deployment = _deployment(tmp_path, (
        "councils:\n"
        "  E06000028: {region_code: E12000009, region_name: South West, old_la_code: 839}\n"
        "  E09000001: {region_code: E12000007, region_name: London, old_la_code: '020'}\n"
        "  E08000025: {region_code: E12000005}\n"))
    assert deployment.geography_of("E06000028") == Geography("E12000009", "South West", "839")
    assert deployment.geography_of("E09000001").old_la_code == "020"
    with pytest.raises(ConfigError, match=r"councils\.E09000001\.old_la_code: expected the DfE's three-digit"):
        _deployment(tmp_path, "councils:\n  E09000001: {region_code: E12000007, old_la_code: 12345}\n")
    with pytest.raises(ConfigError, match=r"^councils\.E08000025\.region_name is not set in the deployment file"):
        deployment.geography_of("E08000025")
    with pytest.raises(ConfigError, match=r"councils\.E06000001\.region_code is not set"):
        deployment.geography_of("E06000001")


def test_a_region_code_that_is_not_an_english_region_says_where(tmp_path):
    with pytest.raises(ConfigError, match=r"councils\.E06000028\.region_code: expected an English region's GSS code"):
        _deployment(tmp_path, "councils:\n  E06000028: {region_code: W92000004}\n")
