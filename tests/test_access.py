"""The BI role reads the marts schema and nothing else."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from csc_pipeline.warehouse import schema

PRIVATE_RELATIONS = [
    "raw.ssd_person", "history.ssd_person", "audit.loads", "private.pseudonym_key",
]


@pytest.fixture()
def bi_dsn(fresh_database):
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        schema.initialise(conn)  # twice: roles and grants are idempotent
        conn.execute("alter role csc_bi password 'bi-test-password'")
        # A mart and a personal-data model as dbt would create them (after the grants ran).
        conn.execute("create table marts.example_measures (la_code text, value numeric)")
        conn.execute("insert into marts.example_measures values ('E06999999', 12)")
        conn.execute("create view staging.stg_example as select * from raw.ssd_person")
        conn.execute("create table intermediate.int_example as select 1 as x")
    info = psycopg.conninfo.conninfo_to_dict(fresh_database)
    return (f"postgresql://csc_bi:bi-test-password@{info['host']}:{info['port']}/{info['dbname']}")


def test_bi_role_reads_marts(bi_dsn):
    with psycopg.connect(bi_dsn) as conn:
        assert conn.execute("select value from marts.example_measures").fetchone()[0] == 12


@pytest.mark.parametrize("relation", PRIVATE_RELATIONS + ["staging.stg_example", "intermediate.int_example"])
def test_bi_role_cannot_read_personal_data(bi_dsn, relation):
    schema_name, table = relation.split(".")
    with psycopg.connect(bi_dsn) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("select * from {} limit 1").format(sql.Identifier(schema_name, table)))


def test_bi_role_cannot_compute_pseudonyms_or_write(bi_dsn):
    with psycopg.connect(bi_dsn) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select private.pseudonym('E06999999', '1')")
    with psycopg.connect(bi_dsn) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("insert into marts.example_measures values ('E06999999', 1)")
    with psycopg.connect(bi_dsn) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create table marts.mine (x int)")
