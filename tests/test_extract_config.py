"""A council's database source in the deployment file (councils.<LA>.source) and its Airflow connection."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from csc_pipeline.deployment import ConfigError, SourceConfig, load as load_deployment


def _deployment(tmp_path: Path, text: str):
    path = tmp_path / "deployment.yml"
    path.write_text(text)
    return load_deployment({"CSC_DEPLOYMENT_CONFIG": str(path)})


def test_a_source_with_its_defaults_and_one_with_everything(tmp_path):
    deployment = _deployment(tmp_path, """
councils:
  E06000028:
    name: Bournemouth
    source: {kind: postgres, connection: csc_source_e06000028}
  E08000025:
    source:
      kind: sqlserver
      connection: csc_source_birmingham
      schema: ssd_live
      tables: {ssd_person: ssd_person_v2, loc_lado_allegations: local.lado}
      readiness_query: select count(*) from ssd_live.refresh_log where finished_on = cast(getdate() as date)
      cutoff: "06:45"
      system: liquidlogic
      ssd_version: 1.4.5
      local_tables: {kind: postgres, connection: csc_local_birmingham, schema: local}
  E09000033:
    source: {kind: postgres, connection: csc_source_westminster, local_tables: {files: local/E09000033}}
  E06000029: {}
""")
    assert sorted(deployment.sources) == ["E06000028", "E08000025", "E09000033"]
    assert deployment.names == {"E06000028": "Bournemouth"}
    simple = deployment.sources["E06000028"]
    assert simple == SourceConfig(kind="postgres", connection="csc_source_e06000028")
    assert (simple.schema, simple.tables, simple.readiness_query, simple.cutoff) == ("ssd_development", {}, None, None)
    full = deployment.sources["E08000025"]
    assert (full.kind, full.schema, full.cutoff, full.system, full.ssd_version) == (
        "sqlserver", "ssd_live", time(6, 45), "liquidlogic", "1.4.5")
    assert full.tables == {"ssd_person": "ssd_person_v2", "loc_lado_allegations": "local.lado"}
    assert full.readiness_query.startswith("select count(*) from ssd_live.refresh_log")
    assert full.local_tables == SourceConfig(kind="postgres", connection="csc_local_birmingham", schema="local")
    assert deployment.sources["E09000033"].local_files == (tmp_path / "local" / "E09000033").resolve()


@pytest.mark.parametrize("source, message", [
    ("{kind: oracle, connection: x}", "councils.E06000028.source.kind: 'oracle' is neither postgres nor sqlserver"),
    ("{kind: postgres}", "councils.E06000028.source.connection: expected an Airflow connection id"),
    ("{kind: postgres, connection: x, tables: {ssd_people: p}}",
     "councils.E06000028.source.tables.ssd_people: not a table of the extract contract"),
    ("{kind: postgres, connection: x, cutoff: soon}", "councils.E06000028.source.cutoff: 'soon' is not a time"),
    ("{kind: postgres, connection: x, password: hunter2}",
     "councils.E06000028.source.password: unknown setting (see docs/extract.md)"),
    ("{kind: postgres, connection: x, local_tables: {kind: postgres, connection: y, local_tables: {files: z}}}",
     "councils.E06000028.source.local_tables.local_tables: unknown setting"),
])
def test_a_bad_source_names_its_setting(tmp_path, source, message):
    with pytest.raises(ConfigError) as info:
        _deployment(tmp_path, f"councils:\n  E06000028:\n    source: {source}\n")
    assert str(info.value).startswith(message)


def test_the_airflow_connection_gives_the_dsn_of_its_kind(monkeypatch, airflow_ready):
    from csc_pipeline.extract.connections import spec_for
    from csc_pipeline.extract.errors import SourceUnreachable

    monkeypatch.setenv("AIRFLOW_CONN_CSC_SRC_PG", '{"conn_type": "postgres", "host": "db.example", "port": 5433,'
                       ' "login": "extract", "password": "p w;x", "schema": "ssd", "extra": {"sslmode": "require"}}')
    monkeypatch.setenv("AIRFLOW_CONN_CSC_SRC_MS", "mssql://extract:p%40x@sql.example:1433/Reporting"
                                                  "?TrustServerCertificate=yes")
    pg = spec_for(SourceConfig(kind="postgres", connection="csc_src_pg", tables={"ssd_person": "people"}))
    assert pg.dsn == "host=db.example port=5433 user=extract password='p w;x' dbname=ssd sslmode=require"
    assert (pg.label, pg.schema, pg.table_ref("ssd_person").name) == ("connection csc_src_pg", "ssd_development",
                                                                     "people")
    ms = spec_for(SourceConfig(kind="sqlserver", connection="csc_src_ms", schema="ssd_live"))
    assert ms.dsn == "Server=tcp:sql.example,1433;Database=Reporting;UID=extract;PWD=p@x;" \
                     "TrustServerCertificate=yes;Encrypt=yes"
    with pytest.raises(SourceUnreachable) as info:
        spec_for(SourceConfig(kind="postgres", connection="csc_src_missing"))
    assert str(info.value) == "connection csc_src_missing: not defined in Airflow (AirflowNotFoundException)"
