"""The rules of Explore Education Statistics (EES) for a data file and its metadata file.

EES, the DfE's statistics service, takes open data as "tidy" CSV pairs: `<name>.csv` (one row
per time period × location × filter combination, one column per filter and indicator) and
`<name>.meta.csv` (one row per filter or indicator column). Its data screener refuses a pair that
breaks these rules. They are transcribed here from the DfE's screener (dfe-analytical-services/
eesyscreener: the allowed time identifiers and symbols, the required columns, the metadata rules)
and the analysts' guide it links to, so that `csc export ees` checks its own files before writing
them and a test can show each rule rejecting a broken file. Where the screener only warns (a
column not in snake_case, a region missing for local-authority rows, a filter without a `Total`,
the API's character limits) this checker refuses: our files never need the exception.

Not checked here: that an LA's name and codes match the DfE's own list of local authorities
(the screener holds that list; a council's name in the drop's manifest must be the DfE's).

    violations = check_files(Path("out/csc_measures_E06000028_financial_year.csv"))
    # [] or [Violation(rule="time_period_format", message="...")]
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from csc_pipeline.contract.delivery import LA_CODE_PATTERN

# -- what EES accepts (eesyscreener data-raw/acceptable_values.R, req_values.R) --

FINANCIAL_QUARTERS = tuple(f"Financial year Q{i}" for i in range(1, 5))
TERMS = ("Spring term", "Autumn term", "Summer term")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKS = tuple(f"Week {i}" for i in range(1, 53))
FINANCIAL_HALVES = ("Part 1 (April to September)", "Part 2 (October to March)")
# Time identifiers that may share a file: each group mixes only with itself (a file of financial
# years holds no quarters: EES keeps them in separate files).
TIME_IDENTIFIER_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Autumn and spring term",), ("Calendar year",), ("Financial year",), ("Academic year",), ("Tax year",),
    ("Reporting year",), TERMS, WEEKS, MONTHS, FINANCIAL_QUARTERS, FINANCIAL_HALVES,
)
FOUR_DIGIT_IDENTIFIERS = frozenset(("Calendar year", "Reporting year", *WEEKS, *MONTHS))
SIX_DIGIT_IDENTIFIERS = frozenset(("Autumn and spring term", *TERMS, "Financial year", "Academic year", "Tax year",
                                   *FINANCIAL_QUARTERS, *FINANCIAL_HALVES))  # 201920 = 2019-20

# The GSS symbols EES accepts in an indicator: not applicable, not available, confidential
# (suppressed), rounds to zero. The legacy ones (":", "~") and blanks are refused.
NOT_APPLICABLE, UNAVAILABLE, SUPPRESSED, LOW = "z", "x", "c", "low"
SYMBOLS = frozenset((NOT_APPLICABLE, UNAVAILABLE, SUPPRESSED, LOW))
NULL_SYMBOLS = frozenset(("NULL", "Null", "null", "NA", "na", "N/A", "n/a", ".", "..", "-", ":", "~"))
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

REQUIRED_DATA_COLUMNS = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name")
REQUIRED_META_COLUMNS = ("col_name", "col_type", "label", "indicator_grouping", "indicator_unit", "indicator_dp",
                         "filter_hint", "filter_grouping_column")
OPTIONAL_META_COLUMNS = ("filter_default", "parent_filter")
COL_TYPES = ("Filter", "Indicator")
INDICATOR_UNITS = frozenset(("", "%", "pp", "£", "£m", "numberstring"))

LOCAL_AUTHORITY = "Local authority"
# Each geographic level's columns: (code, name, secondary code). The screener's geography_df,
# the levels this pipeline can be asked about and the ones that bound it.
GEOGRAPHIC_LEVELS: dict[str, tuple[str, ...]] = {
    "National": ("country_code", "country_name"),
    "Regional": ("region_code", "region_name"),
    LOCAL_AUTHORITY: ("new_la_code", "la_name", "old_la_code"),
    "Local authority district": ("lad_code", "lad_name"),
}
# Every column the screener treats as an observational unit (time, geography): never in the metadata.
OBSERVATIONAL_UNITS = frozenset(("time_period", "time_identifier", "geographic_level",
                                 *(c for cols in GEOGRAPHIC_LEVELS.values() for c in cols)))
COUNTRIES = {"E92000001": "England"}
# ONS's English regions, as EES names them (the screener's acceptable_regions).
ENGLISH_REGIONS = {
    "E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
    "E12000007": "London", "E12000008": "South East", "E12000009": "South West",
}
OLD_LA_CODE = re.compile(r"^\d{3}$")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")
FILE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
TOTAL = "Total"  # every filter's default item (EES: "aggregates and default filters")
# The EES API's limits (the screener's api_char_limits).
MAX_COL_NAME, MAX_LABEL, MAX_FILTER_ITEM, MAX_LOCATION_CODE = 50, 100, 120, 30
# Words the screener takes for filter items folded into an indicator's name (not tidy data).
FILTER_WORDS = ("male", "female", "asian", "chinese", "indian", "pakistani", "bangladeshi", "black", "african",
                "caribbean", "white", "roma", "irish", "english", "british", "scottish", "welsh", "arab")


@dataclass(frozen=True)
class Violation:
    rule: str  # e.g. time_period_format
    message: str  # names the file, column or row; never a figure


@dataclass(frozen=True)
class Table:
    """A CSV as read: its header and its rows (values as text)."""

    name: str  # the file's name, for messages and the file-name rules
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]


def read_table(path: Path) -> Table:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = tuple({k: (v if v is not None else "") for k, v in row.items()} for row in reader)
        return Table(path.name, tuple(reader.fieldnames or ()), rows)


def meta_path_of(data_path: Path) -> Path:
    return data_path.with_name(data_path.name.removesuffix(".csv") + ".meta.csv")


def check_files(data_path: Path, meta_path: Path | None = None) -> list[Violation]:
    """Every rule broken by a data file and its metadata file (by default `<name>.meta.csv`)."""
    meta_path = meta_path or meta_path_of(data_path)
    if not meta_path.exists():
        return [Violation("meta_file_name", f"{meta_path.name}: no metadata file beside {data_path.name}")]
    return check_tables(read_table(data_path), read_table(meta_path))


def check_tables(data: Table, meta: Table) -> list[Violation]:
    out: list[Violation] = []
    out += _file_names(data, meta)
    out += _required_columns(data, meta)
    if any(v.rule in ("data_required_columns", "meta_required_columns") for v in out):
        return out  # the other rules read those columns
    out += _meta_rows(meta)
    out += _cross_file(data, meta)
    out += _column_names(data, meta)
    out += _time(data)
    out += _geography(data)
    out += _filters(data, meta)
    out += _indicators(data, meta)
    out += _duplicates(data, meta)
    return out


def _v(rule: str, table: Table, message: str) -> Violation:
    return Violation(rule, f"{table.name}: {message}")


def _listing(values) -> str:
    values = sorted(set(values))
    shown = ", ".join(repr(v) for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


def _file_names(data: Table, meta: Table) -> list[Violation]:
    out = []
    for table, suffix in ((data, ".csv"), (meta, ".meta.csv")):
        stem = table.name.removesuffix(suffix)
        if not table.name.endswith(suffix) or not FILE_NAME.match(stem):
            out.append(_v("file_name", table, f"a file name is letters, numbers, hyphens and underscores, "
                                              f"ending {suffix}"))
    if meta.name != data.name.removesuffix(".csv") + ".meta.csv":
        out.append(_v("meta_file_name", meta, f"the metadata of {data.name} is named "
                                              f"{data.name.removesuffix('.csv')}.meta.csv"))
    return out


def _required_columns(data: Table, meta: Table) -> list[Violation]:
    out = []
    if missing := [c for c in REQUIRED_DATA_COLUMNS if c not in data.header]:
        out.append(_v("data_required_columns", data, f"required column(s) missing: {', '.join(missing)}"))
    if missing := [c for c in REQUIRED_META_COLUMNS if c not in meta.header]:
        out.append(_v("meta_required_columns", meta, f"required column(s) missing: {', '.join(missing)}"))
    if unknown := [c for c in meta.header if c not in REQUIRED_META_COLUMNS + OPTIONAL_META_COLUMNS]:
        out.append(_v("meta_unknown_columns", meta, f"column(s) EES does not know: {', '.join(unknown)}"))
    return out


def _meta_rows(meta: Table) -> list[Violation]:
    out = []
    if bad := [r["col_type"] for r in meta.rows if r["col_type"] not in COL_TYPES]:
        out.append(_v("meta_col_type", meta, f"col_type is Filter or Indicator, not {_listing(bad)}"))
    if blank := sum(1 for r in meta.rows if not r["col_name"].strip()):
        out.append(_v("meta_col_name", meta, f"{blank} row(s) without a col_name"))
    if dupes := [n for n, k in Counter(r["col_name"] for r in meta.rows).items() if k > 1]:
        out.append(_v("meta_col_name", meta, f"col_name listed twice: {_listing(dupes)}"))
    if blank := [r["col_name"] for r in meta.rows if not r["label"].strip()]:
        out.append(_v("meta_label", meta, f"no label for {_listing(blank)}"))
    if dupes := [n for n, k in Counter(r["label"] for r in meta.rows).items() if k > 1 and n.strip()]:
        out.append(_v("meta_label", meta, f"label used twice: {_listing(dupes)}"))
    if long := [r["col_name"] for r in meta.rows if len(r["label"]) > MAX_LABEL]:
        out.append(_v("meta_label", meta, f"label longer than {MAX_LABEL} characters for {_listing(long)}"))
    filters = [r for r in meta.rows if r["col_type"] == "Filter"]
    indicators = [r for r in meta.rows if r["col_type"] == "Indicator"]
    for key in ("indicator_grouping", "indicator_unit", "indicator_dp"):
        if bad := [r["col_name"] for r in filters if r[key].strip()]:
            out.append(_v("meta_filter_fields", meta, f"a filter has no {key}: {_listing(bad)}"))
    for key in ("filter_hint", "filter_grouping_column"):
        if bad := [r["col_name"] for r in indicators if r[key].strip()]:
            out.append(_v("meta_indicator_fields", meta, f"an indicator has no {key}: {_listing(bad)}"))
    if bad := [r["indicator_unit"] for r in indicators if r["indicator_unit"] not in INDICATOR_UNITS]:
        out.append(_v("meta_indicator_unit", meta, f"indicator_unit is blank or one of "
                                                   f"{', '.join(sorted(INDICATOR_UNITS - {''}))}, not {_listing(bad)}"))
    if bad := [r["col_name"] for r in indicators if not r["indicator_dp"].strip().isdigit()]:
        out.append(_v("meta_indicator_dp", meta, f"indicator_dp is a whole number of decimal places for every "
                                                 f"indicator: {_listing(bad)}"))
    if units := [r["col_name"] for r in meta.rows if r["col_name"] in OBSERVATIONAL_UNITS]:
        out.append(_v("meta_observational_unit", meta, f"time and geography columns are not listed: "
                                                       f"{_listing(units)}"))
    return out


def _cross_file(data: Table, meta: Table) -> list[Violation]:
    out = []
    listed = {r["col_name"] for r in meta.rows} | {r["filter_grouping_column"] for r in meta.rows
                                                   if r["filter_grouping_column"].strip()}
    if missing := [c for c in listed if c not in data.header]:
        out.append(_v("meta_column_not_in_data", meta, f"listed but not in {data.name}: {_listing(missing)}"))
    unlisted = [c for c in data.header if c not in OBSERVATIONAL_UNITS and c not in listed]
    if unlisted:
        out.append(_v("data_column_not_in_meta", data, f"column(s) neither time, geography nor listed in "
                                                       f"{meta.name}: {_listing(unlisted)}"))
    return out


def _column_names(data: Table, meta: Table) -> list[Violation]:
    out = []
    if bad := [c for c in data.header if not SNAKE_CASE.match(c)]:
        out.append(_v("column_snake_case", data, f"column names are snake_case (a-z, 0-9, _, starting with a "
                                                 f"letter): {_listing(bad)}"))
    if long := [c for c in data.header if len(c) > MAX_COL_NAME]:
        out.append(_v("column_name_length", data, f"column names longer than {MAX_COL_NAME}: {_listing(long)}"))
    smushed = [r["col_name"] for r in meta.rows if r["col_type"] == "Indicator"
               and any(w in r["col_name"].lower() for w in FILTER_WORDS)]
    if smushed:
        out.append(_v("indicator_tidy", meta, f"an indicator's name holds a filter item (make it a filter): "
                                              f"{_listing(smushed)}"))
    return out


def _time(data: Table) -> list[Violation]:
    out = []
    identifiers = list(dict.fromkeys(r["time_identifier"] for r in data.rows))
    known = {t for group in TIME_IDENTIFIER_GROUPS for t in group}
    if bad := [t for t in identifiers if t not in known]:
        out.append(_v("time_identifier_valid", data, f"time_identifier not one EES knows: {_listing(bad)}"))
    if identifiers and identifiers[0] in known:
        group = next(g for g in TIME_IDENTIFIER_GROUPS if identifiers[0] in g)
        if mixed := [t for t in identifiers if t in known and t not in group]:
            out.append(_v("time_identifier_mixed", data, f"{identifiers[0]!r} cannot share a file with "
                                                         f"{_listing(mixed)}: write one file per time type"))
    bad_format, bad_years = set(), set()
    for r in data.rows:
        period, identifier = r["time_period"], r["time_identifier"]
        digits = 6 if identifier in SIX_DIGIT_IDENTIFIERS else 4 if identifier in FOUR_DIGIT_IDENTIFIERS else None
        if not re.fullmatch(r"\d{4}(\d{2})?", period) or (digits and len(period) != digits):
            bad_format.add(f"{period} ({identifier})")
        elif len(period) == 6 and (int(period[2:4]) + 1) % 100 != int(period[4:6]):
            bad_years.add(period)
    if bad_format:
        out.append(_v("time_period_format", data, "time_period is six digits (201920) for a financial or academic "
                                                  f"year or quarter, four for a calendar year: {_listing(bad_format)}"))
    if bad_years:
        out.append(_v("time_period_consecutive", data, f"a six-digit time_period is two consecutive years, like "
                                                       f"201920: {_listing(bad_years)}"))
    return out


def _geography(data: Table) -> list[Violation]:
    out = []
    levels = {r["geographic_level"] for r in data.rows}
    if bad := [lv for lv in levels if lv not in GEOGRAPHIC_LEVELS]:
        out.append(_v("geographic_level", data, f"geographic_level not one of {', '.join(GEOGRAPHIC_LEVELS)}: "
                                                f"{_listing(bad)}"))
    for level in sorted(levels & GEOGRAPHIC_LEVELS.keys()):
        # An LA's rows carry its region too (the screener only warns; open data here always has it).
        needed = GEOGRAPHIC_LEVELS[level] + (GEOGRAPHIC_LEVELS["Regional"] if level == LOCAL_AUTHORITY else ())
        if missing := [c for c in needed if c not in data.header]:
            out.append(_v("geography_columns", data, f"{level} rows need column(s) {', '.join(missing)}"))
        present = [c for c in needed if c in data.header]
        if blank := [c for c in present if any(not r[c].strip() for r in data.rows if r["geographic_level"] == level)]:
            out.append(_v("geography_incomplete", data, f"{level} rows with no {', '.join(blank)}"))
    problems = set()
    for r in data.rows:
        if COUNTRIES.get(r["country_code"]) != r["country_name"]:
            problems.add(f"country {r['country_code']!r} {r['country_name']!r}")
        if r.get("region_code") and ENGLISH_REGIONS.get(r["region_code"]) != r.get("region_name"):
            problems.add(f"region {r['region_code']!r} {r.get('region_name')!r}")
        if r.get("new_la_code") and not LA_CODE_PATTERN.match(r["new_la_code"]):
            problems.add(f"new_la_code {r['new_la_code']!r}")
        if r.get("old_la_code") and not OLD_LA_CODE.match(r["old_la_code"]):
            problems.add(f"old_la_code {r['old_la_code']!r}")
        if any(len(r.get(c, "")) > MAX_LOCATION_CODE for c in ("country_code", "region_code", "new_la_code")):
            problems.add("a location code longer than 30 characters")
    if problems:
        out.append(_v("geography_codes", data, f"codes and names that are not England's, an English region's "
                                               f"(ONS) or an English LA's: {_listing(problems)}"))
    for level, columns in GEOGRAPHIC_LEVELS.items():
        # A level's columns filled on rows of a level they do not belong to (e.g. an LA on National rows).
        wider = {"National": (), "Regional": ("National",), LOCAL_AUTHORITY: ("National", "Regional")}.get(level, ())
        filled = [c for c in columns if c in data.header and level != "National"
                  and any(r[c].strip() for r in data.rows if r["geographic_level"] in wider)]
        if filled:
            out.append(_v("geography_overcompleted", data, f"{', '.join(filled)} filled on rows of a wider level"))
    return out


def _filters(data: Table, meta: Table) -> list[Violation]:
    out = []
    names = [r["col_name"] for r in meta.rows if r["col_type"] == "Filter" and r["col_name"] in data.header]
    groups = [r["filter_grouping_column"] for r in meta.rows if r["filter_grouping_column"].strip()]
    for column in names + [g for g in groups if g in data.header and g not in names]:
        items = Counter(r[column] for r in data.rows)
        if items.get("", 0) or any(not item.strip() for item in items):
            out.append(_v("filter_blank", data, f"every {column} cell has a value"))
        if len(items) < 2:
            out.append(_v("filter_single_level", data, f"{column} has one item only: not a filter"))
        if TOTAL not in items:
            out.append(_v("filter_total", data, f"{column} has no {TOTAL!r} item (the default EES shows)"))
        if long := [i for i in items if len(i) > MAX_FILTER_ITEM]:
            out.append(_v("filter_item_length", data, f"{column} items longer than {MAX_FILTER_ITEM} characters: "
                                                      f"{len(long)}"))
    if bad := [g for g in groups if g not in names]:
        out.append(_v("filter_group", meta, f"a filter_grouping_column is listed as a filter too: {_listing(bad)}"))
    units = [c for c in data.header if c in OBSERVATIONAL_UNITS and any(r[c] in (TOTAL, "All") for r in data.rows)]
    if units:
        out.append(_v("observational_unit_total", data, f"no Total or All in time or geography columns: "
                                                        f"{_listing(units)}"))
    return out


def _indicators(data: Table, meta: Table) -> list[Violation]:
    out = []
    names = [r["col_name"] for r in meta.rows if r["col_type"] == "Indicator" and r["col_name"] in data.header]
    for column in names:
        bad = Counter(r[column] for r in data.rows if not NUMBER.match(r[column]) and r[column] not in SYMBOLS)
        if bad:
            shown = _listing(v if v in NULL_SYMBOLS or v == "" else "text" for v in bad)
            out.append(_v("indicator_value", data, f"{column}: {sum(bad.values())} cell(s) neither a number nor "
                                                   f"one of {', '.join(sorted(SYMBOLS))} ({shown})"))
    others = [c for c in data.header if c not in names]
    if nulls := [c for c in others if any(r[c] in NULL_SYMBOLS for r in data.rows)]:
        out.append(_v("null_symbols", data, f"NULL, NA and legacy no-data symbols are not values: {_listing(nulls)}"))
    return out


def _duplicates(data: Table, meta: Table) -> list[Violation]:
    keys = [c for c in data.header if c in OBSERVATIONAL_UNITS
            or any(r["col_name"] == c and r["col_type"] == "Filter" for r in meta.rows)]
    seen = Counter(tuple(r[c] for c in keys) for r in data.rows)
    if dupes := sum(k - 1 for k in seen.values() if k > 1):
        return [_v("duplicate_rows", data, f"{dupes} row(s) repeat another's time, geography and filters")]
    return []
