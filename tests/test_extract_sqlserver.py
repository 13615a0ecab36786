"""SQL Server sources without a SQL Server: the dialect's SQL, the type mapping, the values
mssql-python returns as they are written, connection strings, and the real driver's failure
against a port nothing listens on. Reading from a real SQL Server is not tested here."""

from __future__ import annotations

import socket
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from csc_pipeline.contract import TABLES_BY_NAME
from csc_pipeline.extract.errors import SourceStructureError, SourceUnreachable
from csc_pipeline.extract.sources import SourceColumn, TableRef, check_column_type, open_reader, spec_from_dsn
from csc_pipeline.extract.sqlserver import TYPES, SqlServerDialect, connection_string, label_of
from csc_pipeline.extract.values import UnwritableValue, format_value

D = SqlServerDialect()
REF = TableRef("ssd_development", "ssd_person")


def test_identifiers_and_literals_are_quoted_for_t_sql():
    assert D.quote("pers_person_id") == "[pers_person_id]"
    assert D.quote("odd]name") == "[odd]]name]"
    assert D.literal("O'Neil") == "N'O''Neil'"
    assert D.qualified(REF) == "[ssd_development].[ssd_person]"


def test_rows_are_read_in_binary_order_of_a_text_key():
    key = SourceColumn("pers_person_id", "nvarchar")
    cols = [key, SourceColumn("pers_dob", "datetime")]
    assert D.select(REF, cols, key) == (
        "SELECT [pers_person_id], [pers_dob] FROM [ssd_development].[ssd_person]"
        " ORDER BY [pers_person_id] COLLATE Latin1_General_BIN2")
    # a numeric key sorts as a number: no collation
    assert D.select(REF, [SourceColumn("id", "int")], SourceColumn("id", "int")).endswith("ORDER BY [id]")


def test_catalog_lookups_use_information_schema_in_capitals():
    assert D.find_table(TableRef("SSD_Development", "ssd_person")) == (
        "SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
        " WHERE LOWER(TABLE_SCHEMA) = LOWER(N'SSD_Development') AND LOWER(TABLE_NAME) = LOWER(N'ssd_person')")
    assert D.columns(REF).startswith("SELECT COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE")
    assert D.has_rows(REF) == "SELECT TOP 1 1 FROM [ssd_development].[ssd_person]"


def test_one_snapshot_transaction_or_shared_table_locks_without_snapshot_isolation():
    tables = [REF, TableRef("ssd_development", "ssd_cla_episodes")]
    assert D.snapshot_allowed() == "SELECT snapshot_isolation_state FROM sys.databases WHERE name = DB_NAME()"
    assert D.begin_snapshot(True, tables) == ["SET TRANSACTION ISOLATION LEVEL SNAPSHOT", "BEGIN TRANSACTION"]
    locked = D.begin_snapshot(False, tables)
    assert locked[:3] == ["SET LOCK_TIMEOUT 60000", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "BEGIN TRANSACTION"]
    assert locked[3:] == [f"SELECT TOP 0 1 FROM {D.qualified(t)} WITH (TABLOCK, HOLDLOCK)" for t in tables]
    assert D.end_snapshot()[0] == "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION"


# The SSD's SQL Server scripts (systemc_sqlserver_v1.4.5) declare the contract's columns with these types.
SSD_DECLARED = {
    ("ssd_person", "pers_person_id"): "nvarchar", ("ssd_person", "pers_dob"): "datetime",
    ("ssd_person", "pers_sex"): "nvarchar", ("ssd_cla_placement", "clap_cla_placement_distance"): "float",
    ("ssd_cla_reviews", "clar_cla_review_cancelled"): "nchar",
    ("ssd_professionals", "prof_professional_caseload"): "int",
    ("ssd_professionals", "prof_full_time_equivalency"): "float",
    ("ssd_cla_care_plan", "lacp_cla_care_plan_json"): "nvarchar",
}


@pytest.mark.parametrize("table, column", sorted(SSD_DECLARED))
def test_every_type_the_ssd_declares_is_accepted(table, column):
    t = TABLES_BY_NAME[table]
    data_type = SSD_DECLARED[(table, column)]
    assert check_column_type(D, t, t.column(column), SourceColumn(column, data_type), REF, "src") == TYPES[data_type]


def test_types_that_cannot_hold_a_contract_column_are_refused_by_name():
    t = TABLES_BY_NAME["ssd_person"]
    with pytest.raises(SourceStructureError) as info:
        check_column_type(D, t, t.column("pers_upn"), SourceColumn("PERS_UPN", "varbinary"), REF, "connection x")
    assert str(info.value) == ("connection x: column ssd_development.ssd_person.PERS_UPN has type varbinary, which "
                               "the extract cannot write (extract-contract ssd_person.pers_upn is text)")
    with pytest.raises(SourceStructureError, match="pers_dob is a date column"):
        check_column_type(D, t, t.column("pers_dob"), SourceColumn("pers_dob", "bit"), REF, "connection x")
    with pytest.raises(SourceStructureError, match="clap_cla_placement_distance is a number column"):
        p = TABLES_BY_NAME["ssd_cla_placement"]
        check_column_type(D, p, p.column("clap_cla_placement_distance"),
                          SourceColumn("d", "datetime2"), REF, "connection x")


# What mssql-python returns for each SQL Server type, and the text it becomes.
DRIVER_VALUES = [
    ("datetime in a date column", datetime(2024, 3, 1, 9, 30, 15, 997000), True, "2024-03-01"),
    ("datetime2 at midnight", datetime(2024, 3, 1), True, "2024-03-01"),
    ("datetimeoffset keeps its local date", datetime(2024, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
     True, "2024-03-01"),
    ("date", date(1999, 12, 31), True, "1999-12-31"),
    ("datetime in a text column", datetime(2024, 3, 1, 9, 30), False, "2024-03-01 09:30:00"),
    ("float whole", 12.0, False, "12"),
    ("float", 62.2, False, "62.2"),
    ("float unknown distance", 999.9, False, "999.9"),
    ("float tiny", 1e-7, False, "0.0000001"),
    ("real read as double", 0.30000001192092896, False, "0.30000001192092896"),
    ("decimal(4,2)", Decimal("1.00"), False, "1"),
    ("decimal trailing zero", Decimal("0.50"), False, "0.5"),
    ("decimal hundred", Decimal("100"), False, "100"),
    ("money", Decimal("12.3400"), False, "12.34"),
    ("decimal negative zero", Decimal("-0.00"), False, "0"),
    ("int", 42, False, "42"),
    ("bit", True, False, "Y"),
    ("bit false", False, False, "N"),
    ("nvarchar identifier", "000123", False, "000123"),
    ("nchar padded", "Y   ", False, "Y   "),
    ("uniqueidentifier", uuid.UUID("6f9619ff-8b86-d011-b42d-00c04fc964ff"), False,
     "6F9619FF-8B86-D011-B42D-00C04FC964FF"),
    ("time", time(9, 30), False, "09:30:00"),
    ("NULL", None, True, ""),
]


@pytest.mark.parametrize("what, value, date_column, text", DRIVER_VALUES, ids=[v[0] for v in DRIVER_VALUES])
def test_driver_values_are_written_deterministically(what, value, date_column, text):
    assert format_value(value, date_column=date_column) == text


@pytest.mark.parametrize("value", [b"s3cret", bytearray(b"s3cret"), float("nan"), float("-inf"), Decimal("NaN")])
def test_values_the_contract_cannot_hold_are_refused_without_quoting_them(value):
    with pytest.raises(UnwritableValue) as info:
        format_value(value, date_column=False)
    assert "s3cret" not in str(info.value)


def test_connection_strings_from_a_url_and_their_labels_hide_credentials():
    spec = spec_from_dsn("mssql://extract:p%3Bw%7Dd@sql.example:1433/Reporting?TrustServerCertificate=yes",
                         schema="ssd_development")
    assert spec.kind == "sqlserver"
    assert spec.dsn == ("Server=tcp:sql.example,1433;Database=Reporting;UID=extract;PWD={p;w}}d};"
                        "TrustServerCertificate=yes;Encrypt=yes")
    assert spec.label == "mssql://sql.example:1433/Reporting"
    odbc = "Server=tcp:sql.example,1433;Database=Reporting;UID=extract;PWD=secret"
    assert spec_from_dsn(odbc).kind == "sqlserver" and label_of(odbc) == "mssql://sql.example,1433/Reporting"
    assert connection_string(host="h", database="d", options={"Encrypt": "no"}) == "Server=tcp:h;Database=d;Encrypt=no"


def test_the_real_driver_reports_an_unreachable_server_in_one_line(monkeypatch):
    # The driver keeps trying until its login timeout (30 s in use): shorter here.
    monkeypatch.setattr("csc_pipeline.extract.sqlserver.LOGIN_TIMEOUT_SECONDS", 2)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = spec_from_dsn(f"mssql://extract:s3cret@127.0.0.1:{port}/Reporting?Encrypt=no")
    with pytest.raises(SourceUnreachable) as info:
        with open_reader(spec):
            pass
    assert str(info.value) == f"mssql://127.0.0.1:{port}/Reporting: cannot connect (server unreachable)"


def test_an_unknown_connection_keyword_is_reported_without_the_string():
    spec = spec_from_dsn("Server=tcp:127.0.0.1,1;Database=x;UID=u;PWD=s3cret;Connect Timeout=3")
    with pytest.raises(SourceUnreachable) as info:
        with open_reader(spec):
            pass
    assert "the connection string is not valid" in str(info.value) and "s3cret" not in str(info.value)
