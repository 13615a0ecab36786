"""Per-council settings for dbt: the deployment file's IRO roles reach reference.council_iro_roles."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from csc_pipeline.transform.council_settings import sync_iro_roles
from csc_pipeline.deployment import ConfigError, load


def _deployment(tmp_path: Path, body: str):
    config = tmp_path / "deployment.yml"
    config.write_text(body)
    return load({"CSC_DEPLOYMENT_CONFIG": str(config)})


def test_each_councils_iro_roles_are_read_trimmed_and_upper_case(tmp_path):
    deployment = _deployment(tmp_path, (
        "councils:\n"
        "  E06000028: {iro_role_codes: [' iro ', RO-IRO, IRO]}\n"
        "  E06000029: {}\n"))
    assert deployment.iro_role_codes == {"E06000028": ("IRO", "RO-IRO")}


@pytest.mark.parametrize("value", ["IRO", "[]", "[IRO, '']", "[1]"])
def test_a_bad_iro_role_list_says_where(tmp_path, value):
    with pytest.raises(ConfigError, match=r"councils\.E06000028\.iro_role_codes: expected a list"):
        _deployment(tmp_path, f"councils:\n  E06000028: {{iro_role_codes: {value}}}\n")


def test_the_warehouse_copy_follows_the_deployment_file(fresh_database, tmp_path):
    first = _deployment(tmp_path, "councils:\n  E06000028: {iro_role_codes: [IRO, IROM]}\n  E06000029: {}\n")
    second = _deployment(tmp_path, "councils:\n  E06000029: {iro_role_codes: [RO-IRO]}\n")
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        assert sync_iro_roles(conn, first) == 2
        assert sync_iro_roles(conn, second) == 1  # replaced, not added to
        rows = conn.execute("select la_code, role_code from reference.council_iro_roles order by 1, 2").fetchall()
    assert rows == [("E06000029", "RO-IRO")]
