"""The fast paths of the SQL pass give exactly the answers of the shared parsing functions.

Validation reads dates through private.calendar (falling back to private.parse_date) and
tests NULL-ness through a cheap necessary condition before private.is_null_value; dbt
staging uses the functions themselves. Here the two are compared value by value.
"""

from __future__ import annotations

import psycopg

from csc_pipeline.validate.checks import null_test, parsed_date

TRICKY = [
    None, "", " ", "  \t", "SSD_PH", " SSD_PH ", "ssd_ph", "1900-01-01", " 1900-01-01", "1900/01/01",
    "1900-01-01 00:00:00", "1900-01-01 00:00:00.000", "1900-01-01 00:00:00.0000000", "1900-01-01 10:00:00",
    "01/01/1900", "19000", "x1900y", "SSD_PHX", "abc", "0", "2024-02-29", "2023-02-29", "29/02/2024",
    "29/02/2023", " 2024-01-01", "2024-01-01 ", "2024-01-01 00:00:00", "2024-01-01 00:00:00.000",
    "2024-01-01 13:45:10.123", "2024-1-1", "2024-13-01", "31/12/2099", "2100-01-01", "1899-12-31",
    "0000-01-01", "9999-12-31", "2024-01-01T00:00:00",
]


def test_the_calendar_reads_every_date_as_parse_date_does(warehouse_dsn):
    with psycopg.connect(warehouse_dsn) as conn:
        conn.execute("select private.fill_calendar()")
        rows, differ = conn.execute(
            "select count(*), count(*) filter (where private.parse_date(form) is distinct from d)"
            " from private.calendar").fetchone()
    assert rows == 4 * 73_049 - 3 and differ == 0  # 1900–2099 in four spellings, less three placeholders


def test_fast_paths_agree_with_the_shared_functions_on_awkward_values(warehouse_dsn):
    with psycopg.connect(warehouse_dsn) as conn:
        conn.execute("select private.fill_calendar()")
        conn.execute("create temp table v (c text)")
        with conn.cursor().copy("copy v (c) from stdin") as copy:
            for value in TRICKY:
                copy.write_row([value])
        rows = conn.execute(
            f"select t.c, {null_test('t.c')}, private.is_null_value(t.c), {parsed_date('t', 'c')},"
            " private.parse_date(t.c)"
            " from v as t left join private.calendar as cal_c on cal_c.form = t.c").fetchall()
    assert len(rows) == len(TRICKY)
    for value, fast_null, null, fast_date, date in rows:
        assert (fast_null, fast_date) == (null, date), value
