"""The defect catalogue: bad extracts, each blocked or warned as documented (docs/validation.md).

Every defect gets its own council (la_code) with a good previous drop already
published, then a drop for the next night carrying that one defect. All of them go
through the night's own steps — nightly.land, nightly.validate, nightly.publish —
against a real PostgreSQL, with real SMTP and webhook receivers for the alerts.
For each defect the test checks:
  - the outcome: blocked (quarantined) or warned (published) as documented;
  - the message: the rule id, the table (file) and the column;
  - nothing was loaded: raw.* and audit.current_extracts for the council are unchanged
    (the marts are built from exactly these by dbt, so they are unchanged too; the
    whole-DAG cases in test_defects_dag.py check the marts themselves);
  - an alert was sent (blocked drops), by email and webhook;
  - no personal data (names, dates of birth) in the report or the alert.
Also here: corrected and repeated deliveries, and the operator's `csc accept`.
"""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import psycopg
import pytest

from alert_receivers import SmtpServer, WebhookReceiver, alert_env
from drop_factory import edit_table, land, manifest, read_table, refresh_manifest, write_manifest, write_table
from warehouse_db import own_warehouse

LAST = date(2026, 11, 24)
DAY1, DAY2 = LAST - timedelta(days=1), LAST
TEMPLATE_LA = "E06999999"
SEED, SIZE = 5, 20


# -- copying a council's drops ---------------------------------------------------------------

def copy_council(template: Path, landing: Path, la_code: str) -> tuple[Path, Path]:
    folders = []
    for day in (DAY1, DAY2):
        target = landing / la_code / day.isoformat()
        shutil.copytree(template / TEMPLATE_LA / day.isoformat(), target)
        doc = manifest(target)
        doc["la_code"] = la_code
        write_manifest(target, doc)
        folders.append(target)
    return folders[0], folders[1]


# -- the defects -------------------------------------------------------------------------------

@dataclass
class Defect:
    name: str
    rule: str
    table: str  # the file (without .csv), or manifest.json
    column: str | None
    outcome: str  # blocked | warned
    apply: Callable[[Path], None]
    refresh: bool = True  # rewrite the manifest to match the edited files
    baseline: Callable[[Path], None] | None = None  # edit the previous good drop too
    settings: dict = field(default_factory=dict)  # the council's deployment settings
    mapping: str | None = None  # the council's label mapping file


def _set(table: str, column: str, rows_to_value: dict[int, str]) -> Callable[[Path], None]:
    """Set `column` of the given (1-based) records."""
    def apply(folder: Path) -> None:
        def edit(header, rows):
            for n, value in rows_to_value.items():
                rows[n - 1][column] = value
        edit_table(folder, table, edit)
    return apply


def _set_all(table: str, column: str, value: str) -> Callable[[Path], None]:
    """Set `column` of every record."""
    def apply(folder: Path) -> None:
        def edit(header, rows):
            for r in rows:
                r[column] = value
        edit_table(folder, table, edit)
    return apply


def _drop_column(table: str, column: str, rename_to: str | None = None) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        def edit(header, rows):
            new_header = [rename_to if c == column else c for c in header if rename_to or c != column]
            if rename_to:
                for r in rows:
                    r[rename_to] = r.pop(column)
            return new_header, rows
        edit_table(folder, table, edit)
    return apply


def _first(rows: list[dict], test: Callable[[dict], bool]) -> int:
    return next(i for i, r in enumerate(rows) if test(r))


def _end_before_start(folder: Path) -> None:
    def edit(header, rows):
        i = _first(rows, lambda r: r["cppl_cp_plan_end_date"])
        start = date.fromisoformat(rows[i]["cppl_cp_plan_start_date"][:10])
        rows[i]["cppl_cp_plan_end_date"] = (start - timedelta(days=10)).isoformat()
    edit_table(folder, "ssd_cp_plans", edit)


def _bump_manifest_rows(folder: Path) -> None:
    doc = manifest(folder)
    doc["files"]["ssd_family"]["rows"] += 1
    write_manifest(folder, doc)


def _change_a_byte(folder: Path) -> None:
    path = folder / "ssd_involvements.csv"
    data = bytearray(path.read_bytes())
    at = data.rindex(b"Team")
    data[at] = ord("t")
    path.write_bytes(bytes(data))


def _truncate(folder: Path) -> None:
    path = folder / "ssd_cla_health.csv"
    data = path.read_bytes()
    cut = int(len(data) * 0.6)
    while data[cut:cut + 1] in (b"\n", b","):
        cut += 1
    path.write_bytes(data[:cut])  # mid-record, as a copy interrupted part-way


def _cp1252_without_encoding(folder: Path) -> None:
    header, rows = read_table(folder, "ssd_professionals")
    rows[1]["prof_professional_name"] = "Zoë Brontë-Renée"
    write_table(folder, "ssd_professionals", header, rows, encoding="cp1252")


def _empty(table: str) -> Callable[[Path], None]:
    return lambda folder: edit_table(folder, table, lambda header, rows: (header, []))


def _keep_share(table: str, share: float) -> Callable[[Path], None]:
    return lambda folder: edit_table(folder, table, lambda header, rows: (header, rows[: int(len(rows) * share)]))


def _future(folder: Path) -> None:
    _set("ssd_initial_cp_conference", "icpc_icpc_date", {1: (LAST + timedelta(days=40)).isoformat()})(folder)


def _mangle_ids(folder: Path) -> None:
    def edit(header, rows):
        rows[0]["pers_person_id"] += ".0"
        rows[2]["pers_person_id"] = f"{int(rows[2]['pers_person_id']) / 10**5:.2f}E+05"
    edit_table(folder, "ssd_person", edit)


_PROFESSIONAL_IDS = (("ssd_professionals", "prof_professional_id"), ("ssd_involvements", "invo_professional_id"),
                     ("loc_iro_escalations", "esca_professional_id"),
                     ("loc_foster_carer_reviews", "fcar_professional_id"))


def _pad_professional_ids(folder: Path) -> None:
    """The previous drop wrote professional ids zero-padded, as the case system does."""
    for table, column in _PROFESSIONAL_IDS:
        def edit(header, rows, column=column):
            for r in rows:
                if r[column]:
                    r[column] = "00" + r[column]
        edit_table(folder, table, edit)
    refresh_manifest(folder)


def _before_birth(folder: Path) -> None:
    _, people = read_table(folder, "ssd_person")
    born = {p["pers_person_id"]: p["pers_dob"] for p in people if p["pers_dob"]}

    def edit(header, rows):
        i = _first(rows, lambda r: r["clah_person_id"] in born)
        rows[i]["clah_health_check_date"] = (date.fromisoformat(born[rows[i]["clah_person_id"]][:10])
                                             - timedelta(days=200)).isoformat()
    edit_table(folder, "ssd_cla_health", edit)


def _review_outside_period(folder: Path) -> None:
    _, episodes = read_table(folder, "ssd_cla_episodes")
    periods: dict[str, list[dict]] = {}
    for e in episodes:
        periods.setdefault(e["clae_cla_id"], []).append(e)
    ended = {k: max(e["clae_cla_episode_ceased_date"] for e in v) for k, v in periods.items()
             if all(e["clae_cla_episode_ceased_date"] for e in v)}

    def edit(header, rows):
        i = _first(rows, lambda r: r["clar_cla_id"] in ended and r["clar_cla_review_date"]
                   and date.fromisoformat(ended[r["clar_cla_id"]][:10]) < LAST - timedelta(days=60))
        rows[i]["clar_cla_review_date"] = (date.fromisoformat(ended[rows[i]["clar_cla_id"]][:10])
                                           + timedelta(days=30)).isoformat()
    edit_table(folder, "ssd_cla_reviews", edit)


def _manifest_date(folder: Path) -> None:
    doc = manifest(folder)
    doc["extract_date"] = DAY1.isoformat()
    write_manifest(folder, doc)


def _break_manifest(folder: Path) -> None:
    (folder / "manifest.json").write_text('{"la_code": "E06000123", "files": {')


def _delete(table: str) -> Callable[[Path], None]:
    return lambda folder: (folder / f"{table}.csv").unlink()


def _outside(folder: Path) -> Path:
    """A folder beside the landing root (never scanned), for what a link points to."""
    path = folder.parents[2] / "outside" / folder.parent.name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file_linked_outside(table: str, target: Path | None = None) -> Callable[[Path], None]:
    """The table's file replaced by a link: to a canary copy outside the drop, or to `target`."""
    def apply(folder: Path) -> None:
        path = folder / f"{table}.csv"
        if target is None:
            canary = _outside(folder) / path.name
            edit_table(folder, table, lambda h, rows: rows[0].update({h[0]: "canary-from-outside"}))
            shutil.move(path, canary)
            path.symlink_to(canary)
        else:
            path.unlink()
            path.symlink_to(target)
    return apply


def _folder_linked(level: str) -> Callable[[Path], None]:
    """The date folder (or the council's folder) moved outside the landing root and linked back."""
    def apply(folder: Path) -> None:
        moved = folder if level == "date" else folder.parent
        target = _outside(folder) / level
        shutil.move(moved, target)
        moved.symlink_to(target, target_is_directory=True)
    return apply


def _surnames_in_a_code_column(folder: Path) -> None:
    """Surnames, in upper case as SystemC writes them, shifted into a code column."""
    def edit(header, rows):
        for r in rows[:6]:
            r["pers_ethnicity"] = r["pers_surname"].upper()
    edit_table(folder, "ssd_person", edit)


def _header_row_missing(table: str) -> Callable[[Path], None]:
    """The file without its header row: its first record (a child's names, date of birth) is the header."""
    def apply(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[1:]))
    return apply


def _zero_bytes(table: str) -> Callable[[Path], None]:
    return lambda folder: (folder / f"{table}.csv").write_bytes(b"")


def _extracted_next_year(folder: Path) -> None:
    write_manifest(folder, {**manifest(folder), "extracted_at": f"{LAST.year + 1}-06-30T02:00:00Z"})


def _duplicate_header(folder: Path) -> None:
    path = folder / "ssd_family.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines[0] = lines[0].replace("fami_family_id", "fami_person_id")
    path.write_text("".join(lines))


def _extra_column(folder: Path) -> None:
    def edit(header, rows):
        for r in rows:
            r["pers_nickname"] = "Zebedee"
        return header + ["pers_nickname"], rows
    edit_table(folder, "ssd_person", edit)


def _grow(folder: Path) -> None:
    def edit(header, rows):
        extra = [dict(r, invo_involvements_id=r["invo_involvements_id"] + "9") for r in rows]
        return header, rows + extra
    edit_table(folder, "ssd_involvements", edit)


def _local_label(value: str) -> Callable[[Path], None]:
    return _set("ssd_legal_status", "lega_legal_status", {1: value, 2: value})


MAPPING = "code_set,label,code\nlegal_status,Interim C.O.,C1\nplacement_provider,Agency foster care,PR4\n"

DEFECTS: list[Defect] = [
    Defect("missing column", "required_column", "ssd_cla_reviews", "clar_cla_review_date", "blocked",
           _drop_column("ssd_cla_reviews", "clar_cla_review_date")),
    Defect("misspelt header", "required_column", "ssd_person", "pers_sex", "blocked",
           _drop_column("ssd_person", "pers_sex", rename_to="pers_sx")),
    Defect("bad date", "date_format", "ssd_cla_episodes", "clae_cla_episode_start_date", "blocked",
           _set("ssd_cla_episodes", "clae_cla_episode_start_date", {2: "2021-02-30", 4: "12/31/2021"})),
    Defect("unknown code", "code_valid", "ssd_cla_placement", "clap_cla_placement_type", "blocked",
           _set("ssd_cla_placement", "clap_cla_placement_type", {1: "IFA placement (agency)", 3: "IFA placement (agency)"})),
    Defect("duplicate key", "primary_key_unique", "ssd_s47_enquiry", "s47e_s47_enquiry_id", "blocked",
           lambda f: edit_table(f, "ssd_s47_enquiry", lambda h, rows: rows[3].update(
               s47e_s47_enquiry_id=rows[1]["s47e_s47_enquiry_id"]))),
    Defect("orphan foreign key", "foreign_key", "ssd_cla_episodes", "clae_person_id", "blocked",
           _set("ssd_cla_episodes", "clae_person_id", {3: "999999999"})),
    Defect("end before start", "date_order", "ssd_cp_plans", "cppl_cp_plan_end_date", "blocked", _end_before_start),
    Defect("manifest row count", "manifest_row_count", "ssd_family", None, "blocked", _bump_manifest_rows,
           refresh=False),
    Defect("manifest checksum", "manifest_checksum", "ssd_involvements", None, "blocked", _change_a_byte,
           refresh=False),
    Defect("truncated file", "manifest_checksum", "ssd_cla_health", None, "blocked", _truncate, refresh=False),
    Defect("cp1252 bytes, no encoding declared", "file_encoding", "ssd_professionals", None, "blocked",
           _cp1252_without_encoding),
    Defect("empty required table", "table_not_empty", "loc_iro_escalations", None, "blocked",
           _empty("loc_iro_escalations")),
    Defect("60% volume drop", "volume_shrink", "ssd_cla_health", None, "blocked", _keep_share("ssd_cla_health", 0.4)),
    Defect("future date", "future_date", "ssd_initial_cp_conference", "icpc_icpc_date", "blocked", _future),
    Defect("unknown la_code", "la_code_unknown", "manifest.json", None, "blocked", lambda f: None),
    Defect("malformed la_code in the manifest", "la_code_unknown", "manifest.json", None, "blocked",
           lambda f: write_manifest(f, {**manifest(f), "la_code": "E6000028"})),
    Defect("mangled ids", "id_format", "ssd_person", "pers_person_id", "blocked", _mangle_ids),
    Defect("leading zeros lost", "id_leading_zeros", "ssd_professionals", "prof_professional_id", "blocked",
           lambda f: None, baseline=_pad_professional_ids),
    Defect("event before birth", "before_birth", "ssd_cla_health", "clah_health_check_date", "blocked",
           _before_birth),
    Defect("review outside its period of care", "review_in_period", "ssd_cla_reviews", "clar_cla_review_date",
           "blocked", _review_outside_period),
    Defect("Y/N not Y/N", "yn_valid", "ssd_s47_enquiry", "s47e_s47_nfa", "blocked",
           _set("ssd_s47_enquiry", "s47e_s47_nfa", {2: "Maybe"})),
    Defect("distance not a number", "number_valid", "ssd_cla_placement", "clap_cla_placement_distance", "blocked",
           _set("ssd_cla_placement", "clap_cla_placement_distance", {1: "far away"})),
    Defect("missing period of care id", "not_null", "ssd_cla_episodes", "clae_cla_id", "blocked",
           _set("ssd_cla_episodes", "clae_cla_id", {5: ""})),
    Defect("manifest for another date", "manifest_folder_mismatch", "manifest.json", None, "blocked",
           _manifest_date),
    Defect("manifest not JSON", "manifest_unreadable", "manifest.json", None, "blocked", _break_manifest,
           refresh=False),
    Defect("file listed but missing", "manifest_missing_file", "ssd_cp_reviews", None, "blocked",
           _delete("ssd_cp_reviews"), refresh=False),
    Defect("duplicate header", "duplicate_header", "ssd_family", "fami_person_id", "blocked", _duplicate_header),
    Defect("council label not mapped", "code_valid", "ssd_cla_placement", "clap_cla_placement_provider", "blocked",
           _set("ssd_cla_placement", "clap_cla_placement_provider", {1: "Agency fostering"}), mapping=MAPPING),
    Defect("broken label mapping file", "label_mapping_invalid", "<LA>.csv", None, "blocked", lambda f: None,
           mapping="code_set,label,code\nlegal_status,Interim C.O.,C9\n"),
    Defect("file linked outside the drop", "unsafe_path", "ssd_person", None, "blocked",
           _file_linked_outside("ssd_person")),
    Defect("file linked to /etc/passwd", "unsafe_path", "ssd_family", None, "blocked",
           _file_linked_outside("ssd_family", Path("/etc/passwd")), refresh=False),
    Defect("date folder linked", "unsafe_path", "manifest.json", None, "blocked", _folder_linked("date"),
           refresh=False),
    Defect("council folder linked", "unsafe_path", "manifest.json", None, "blocked", _folder_linked("council"),
           refresh=False),
    Defect("surnames in a code column", "code_valid", "ssd_person", "pers_ethnicity", "blocked",
           _surnames_in_a_code_column),
    Defect("header row missing", "required_column", "ssd_person", "pers_person_id", "blocked",
           _header_row_missing("ssd_person")),
    Defect("0-byte file", "file_empty", "ssd_cla_health", None, "blocked", _zero_bytes("ssd_cla_health")),
    Defect("extracted in the future", "extract_in_future", "manifest.json", None, "blocked", _extracted_next_year),
    Defect("renamed optional column that had values", "filled_column_missing", "ssd_cla_reviews",
           "clar_cla_person_id", "blocked", _drop_column("ssd_cla_reviews", "clar_cla_person_id", rename_to="clar_pid")),
    # Real but tolerable: reported, loaded.
    Defect("unknown extra column", "unknown_column", "ssd_person", None, "warned", _extra_column),
    Defect("optional column dropped, always empty", "optional_column_missing", "ssd_cla_care_plan",
           "lacp_cla_care_plan_json", "warned", _drop_column("ssd_cla_care_plan", "lacp_cla_care_plan_json"),
           baseline=_set_all("ssd_cla_care_plan", "lacp_cla_care_plan_json", "")),
    Defect("local legal status", "code_local", "ssd_legal_status", "lega_legal_status", "warned",
           _local_label("Secure accommodation order (local)")),
    Defect("volume growth", "volume_growth", "ssd_involvements", None, "warned", _grow),
    Defect("council label mapped", "", "ssd_cla_placement", "clap_cla_placement_provider", "passed",
           _set("ssd_cla_placement", "clap_cla_placement_provider", {1: " AGENCY   foster care "}), mapping=MAPPING),
]
LA_CODES = {d.name: f"E06000{101 + i}" for i, d in enumerate(DEFECTS)}
UNKNOWN_COUNCIL = LA_CODES["unknown la_code"]
for _d in DEFECTS:
    _d.table = _d.table.replace("<LA>", LA_CODES[_d.name])  # the issue names the council's mapping file


# -- the night ----------------------------------------------------------------------------------

def _raw_snapshot(conn, la_code: str) -> dict:
    from csc_pipeline.contract import TABLES

    out = {}
    for t in TABLES:
        out[t.name] = conn.execute(
            f"select count(*), md5(coalesce(string_agg(row_hash, ',' order by row_hash), '')) from raw.{t.name}"
            " where la_code = %s", (la_code,)).fetchone()
    out["current_extract"] = conn.execute(
        "select load_id, extract_date from audit.current_extracts where la_code = %s", (la_code,)).fetchone()
    return out


@dataclass
class Night:
    dsn: str
    landing: Path
    validated: dict[str, dict]  # la_code -> nightly.validate's output
    published: dict[str, dict]  # la_code -> nightly.publish's output
    before: dict[str, dict]
    after: dict[str, dict]
    emails: list[str]
    hooks: list[dict]
    people: list[dict]
    logs: str  # every log record of the night, formatted, at DEBUG and above
    staff: list[str]  # the professionals' names
    data_docs: Path


@pytest.fixture(scope="module")
def defect_db(pg_server):
    with own_warehouse(pg_server.dsn(), "defects") as dsn:
        yield dsn


@pytest.fixture(scope="module")
def environment(defect_db, state_dir):
    """The night's environment: this warehouse, alert receivers, the deployment file."""
    with SmtpServer() as smtp, WebhookReceiver() as hook, pytest.MonkeyPatch.context() as mp:
        mp.setenv("CSC_WAREHOUSE_DSN", defect_db)
        for name, value in alert_env(smtp, hook).items():
            mp.setenv(name, value)
        mp.setenv("CSC_DATA_DOCS", "failed")  # every quarantined drop's pages, scanned below
        mp.setenv("CSC_DATA_DOCS_DIR", str(state_dir / "defect-data-docs"))
        for var in ("CSC_COUNCILS", "CSC_DEPLOYMENT_CONFIG", "CSC_LABEL_MAPPING_DIR"):
            mp.delenv(var, raising=False)
        yield mp, smtp, hook


def publish_good(dsn: str, folder: Path) -> int:
    """Publish a drop as the last good one, as an earlier night would have."""
    from csc_pipeline.drops.finder import Drop
    from csc_pipeline.drops.manifest import sha256_of
    from csc_pipeline.load.promote import publish_drop

    drop = Drop(folder, folder.parent.name, date.fromisoformat(folder.name), sha256_of(folder / "manifest.json"))
    with psycopg.connect(dsn, autocommit=True) as conn:
        landed = land(conn, drop, run_id="earlier night")
        assert landed.issues == []
        assert publish_drop(conn, landed).status == "published"
    return landed.load_id


def run_night(drops, run_id: str = "test night") -> tuple[dict, dict]:
    from csc_pipeline.flows import nightly

    validated = nightly.validate(nightly.land([d.to_dict() for d in drops], run_id=run_id))
    published = nightly.publish(validated)
    return ({v["landed"]["drop"]["la_code"]: v for v in validated},
            {p["drop"].split("/")[0]: p for p in published})


@pytest.fixture(scope="module")
def night(environment, defect_db, state_dir, tmp_path_factory) -> Night:
    from csc_pipeline.generate import generate_council
    from csc_pipeline.drops.finder import find_drops

    mp, smtp, hook = environment
    base = Path(tmp_path_factory.mktemp("defects"))
    template = base / "template"
    generate_council(template, la_code=TEMPLATE_LA, seed=SEED, children_looked_after=SIZE, nights=2,
                     last_extract_date=LAST)
    landing = base / "landing"
    councils: dict = {}
    for defect in DEFECTS:
        la = LA_CODES[defect.name]
        day1, day2 = copy_council(template, landing, la)
        if defect.baseline:
            defect.baseline(day1)
            refresh_manifest(day1)
        defect.apply(day2)
        if defect.refresh:
            refresh_manifest(day2)
        council: dict = {}
        if la != UNKNOWN_COUNCIL:
            council = {"name": f"Test council {defect.name}"}
        if defect.mapping is not None:
            path = base / "mappings" / f"{la}.csv"
            path.parent.mkdir(exist_ok=True)
            path.write_text(defect.mapping)
            council["label_mapping"] = str(path)
        if council:
            councils[la] = council
    # The deployment lists its councils: the one with the unknown la_code is not among them.
    config = base / "deployment.yml"
    import yaml

    config.write_text(yaml.safe_dump({"councils": councils}))
    mp.setenv("CSC_DEPLOYMENT_CONFIG", str(config))

    for defect in DEFECTS:
        publish_good(defect_db, landing / LA_CODES[defect.name] / DAY1.isoformat())
    with psycopg.connect(defect_db) as conn:
        before = {la: _raw_snapshot(conn, la) for la in LA_CODES.values()}
    with _captured_logs() as logs:
        validated, published = run_night([d for d in find_drops(landing) if d.extract_date == DAY2])
    with psycopg.connect(defect_db) as conn:
        after = {la: _raw_snapshot(conn, la) for la in LA_CODES.values()}
    _, people = read_table(template / TEMPLATE_LA / DAY2.isoformat(), "ssd_person")
    _, staff = read_table(template / TEMPLATE_LA / DAY2.isoformat(), "ssd_professionals")
    return Night(defect_db, landing, validated, published, before, after, smtp.messages, list(hook.received), people,
                 logs.getvalue(), [p["prof_professional_name"] for p in staff if p["prof_professional_name"]],
                 state_dir / "defect-data-docs")


@contextmanager
def _captured_logs():
    """Every log record while the night runs, as its handlers would write it (message and arguments)."""
    import io
    import logging

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _secrets(people: list[dict], staff: list[str] = ()) -> set[str]:
    names = {p[k] for p in people for k in ("pers_forename", "pers_surname") if p[k]} | set(staff)
    names |= {n.upper() for n in names}  # SystemC writes names in upper case
    dobs = {p["pers_dob"][:10] for p in people if p["pers_dob"]}
    upns = {p["pers_upn"] for p in people if p["pers_upn"]}
    return names | dobs | upns | {"Zebedee", "Zoë", "Brontë"}


def leaks(text: str, secrets: set[str]) -> list[str]:
    """The secrets found in text as whole words (a surname like Ali is not a leak inside 'Alias')."""
    import re

    if not secrets:
        return []
    words = "|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True))
    return sorted(set(re.findall(rf"(?<![\w-])(?:{words})(?![\w-])", text)))


# -- the catalogue, one test per defect ------------------------------------------------------------

@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_defect(night: Night, defect: Defect):
    from csc_pipeline.issues import ValidationReport

    la = LA_CODES[defect.name]
    v = night.validated[la]
    report = ValidationReport.from_dict(v["report"])
    status = night.published[la]["status"]
    text = report.to_text()
    print(f"{defect.name} ({la}): {status}\n{text}")

    if defect.outcome == "passed":
        assert report.issues == [] and status == "published", text
    else:
        matching = [i for i in report.issues if (i.rule, i.table, i.column) == (defect.rule, defect.table, defect.column)]
        assert matching, f"no {defect.rule} issue on {defect.table}.{defect.column}:\n{text}"
        issue = matching[0]
        expected_severity = "blocking" if defect.outcome == "blocked" else "warning"
        assert issue.severity == expected_severity
        line = issue.to_text()
        assert f"[{defect.rule}]" in line and issue.file in line
        assert defect.column is None or f"column {defect.column}" in line
    if defect.outcome == "blocked":
        assert not report.success and status == "quarantined"
        # nothing loaded: the council still has its previous snapshot, and the marts' source with it
        assert night.after[la] == night.before[la]
        with psycopg.connect(night.dsn) as conn:
            assert conn.execute("select status from audit.loads where load_id = %s",
                                (v["landed"]["load_id"],)).fetchone()[0] == "quarantined"
            assert not conn.execute("select 1 from pg_namespace where nspname = %s",
                                    (v["landed"]["schema"],)).fetchone(), "the landing schema is left behind"
        # an alert, by email and webhook, naming the rule
        hooks = [h for h in night.hooks if h["alert"]["la_code"] == la]
        assert [h["alert"]["kind"] for h in hooks] == ["quarantined"]
        assert any(defect.rule in d for d in hooks[0]["alert"]["details"]), hooks[0]["alert"]["details"]
        assert any(la in m and "quarantined" in m for m in night.emails)
    else:
        assert report.success and status == "published"
        assert night.after[la] != night.before[la]
        assert not [h for h in night.hooks if h["alert"]["la_code"] == la]
    # never personal data in what people read
    alerts = json.dumps([h for h in night.hooks if h["alert"]["la_code"] == la], ensure_ascii=False)
    assert leaks(text + "\n" + alerts, _secrets(night.people)) == []


def test_the_catalogue_is_large_and_distinct():
    blocked = {(d.rule, d.table, d.column) for d in DEFECTS if d.outcome == "blocked"}
    assert len(DEFECTS) >= 30 and len(blocked) >= 25


def test_unmapped_values_are_never_stored_and_the_operator_command_prints_them(night: Night, capsys):
    from csc_pipeline.cli.main import main
    from csc_pipeline.issues import ValidationReport

    report = ValidationReport.from_dict(night.validated[LA_CODES["unknown code"]]["report"])
    (issue,) = [i for i in report.issues if i.rule == "code_valid"]
    assert issue.values == [] and issue.rows == 2 and issue.sample_rows == [1, 3]
    assert issue.to_text().endswith("— 2 rows (rows 1, 3)")
    # the quality lead reads them on the terminal, from the quarantined data: the unmapped ones only
    cases = {"unknown code": ("ssd_cla_placement", "clap_cla_placement_type", [("IFA placement (agency)", 2)]),
             "council label not mapped": ("ssd_cla_placement", "clap_cla_placement_provider",
                                          [("Agency fostering", 1)])}
    for name, (table, column, expected) in cases.items():
        load_id = night.validated[LA_CODES[name]]["landed"]["load_id"]
        capsys.readouterr()
        assert main(["validation", "values", str(load_id), table, column]) == 0
        out = capsys.readouterr().out
        assert [line.split(None, 1) for line in out.splitlines()[1:]] == [[f"{n:,}", repr(v)] for v, n in expected], out
    # names shifted into a code column: nowhere in the stored report, on the terminal when asked
    la = LA_CODES["surnames in a code column"]
    report = ValidationReport.from_dict(night.validated[la]["report"])
    assert all(i.values == [] for i in report.issues)
    capsys.readouterr()
    assert main(["validation", "values", str(night.validated[la]["landed"]["load_id"]), "ssd_person",
                 "pers_ethnicity"]) == 0
    shown = capsys.readouterr().out
    assert sum(int(line.split()[0]) for line in shown.splitlines()[1:]) == 6
    assert leaks(shown, _secrets(night.people)), "the operator sees the values"
    # and refuses what it cannot show
    published = night.validated[LA_CODES["volume growth"]]["landed"]["load_id"]
    assert main(["validation", "values", str(published), "ssd_person", "pers_ethnicity"]) == 1
    assert main(["validation", "values", str(night.validated[la]["landed"]["load_id"]), "ssd_person",
                 "pers_surname"]) == 1
    err = capsys.readouterr().err
    assert "quarantined drops only" in err and "not a coded column" in err


def test_the_mapped_label_reaches_the_warehouse_table_staging_reads(night: Night):
    la = LA_CODES["council label mapped"]
    with psycopg.connect(night.dsn) as conn:
        labels = conn.execute("select code_set, label, code from reference.council_code_labels where la_code = %s"
                              " order by 1", (la,)).fetchall()
    assert labels == [("legal_status", "interim c.o.", "C1"), ("placement_provider", "agency foster care", "PR4")]


def test_a_blocked_report_names_file_column_rule_rows_and_sample_rows(night: Night):
    from csc_pipeline.issues import ValidationReport

    report = ValidationReport.from_dict(night.validated[LA_CODES["bad date"]]["report"])
    assert report.to_text().splitlines() == [
        "Blocked: 1 blocking problem. The drop is quarantined; fix the extract and send it again.",
        "- ssd_cla_episodes.csv column clae_cla_episode_start_date: not a date (YYYY-MM-DD, "
        "YYYY-MM-DD HH:MM:SS[.fff] or DD/MM/YYYY) [date_format] — 2 rows (rows 2, 4)",
    ]


def test_no_name_or_date_of_birth_from_a_drop_is_an_identifier_or_in_the_server_log(night: Night, pg_server):
    """The header-less file's record never became column names (quarantine keeps `_column_N`);
    nothing the night did put a name or date of birth into the catalogue or PostgreSQL's log."""
    la = LA_CODES["header row missing"]
    with psycopg.connect(night.dsn) as conn:
        identifiers = [r[0] for r in conn.execute(
            "select nspname from pg_namespace union all select relname from pg_class"
            " union all select attname from pg_attribute union all select proname from pg_proc")]
        kept = [r[0] for r in conn.execute(
            "select a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid"
            " join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'quarantine' and c.relname = %s"
            " and a.attnum > 0 and not a.attisdropped order by a.attnum",
            (f"load_{night.validated[la]['landed']['load_id']}__ssd_person",))]
    assert kept and all(c in ("la_code", "extract_date", "source_row") or c.startswith("_column_") for c in kept), kept
    secrets = _secrets(night.people)
    assert leaks("\n".join(identifiers), secrets) == []
    assert leaks(pg_server.log_file.read_text(errors="replace"), secrets) == []


def _email_text(raw: str) -> str:
    import email

    message = email.message_from_string(raw)
    parts = [str(v) for v in message.values()]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if payload:
            parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(parts)


def _artefacts(night: Night) -> dict[str, str]:
    """Everything the night wrote or sent, as text, by where it went."""
    import html

    from psycopg import sql

    from csc_pipeline.issues import ValidationReport

    with psycopg.connect(night.dsn) as conn:
        tables = [r[0] for r in conn.execute("select tablename from pg_tables where schemaname = 'audit'")]
        audit_rows = [json.dumps(r[0], ensure_ascii=False) for t in tables for r in conn.execute(
            sql.SQL("select row_to_json(x) from audit.{} x").format(sql.Identifier(t)))]
    pages = [p for p in night.data_docs.rglob("*") if p.is_file() and p.suffix in (".html", ".json")]
    return {
        "audit rows": "\n".join(audit_rows),
        # what the tasks return is what Airflow keeps as XCom
        "XCom": json.dumps([night.validated, night.published], ensure_ascii=False, default=str),
        "validation reports": "\n".join(ValidationReport.from_dict(v["report"]).to_text()
                                        for v in night.validated.values()),
        "emails": "\n".join(_email_text(m) for m in night.emails),
        "webhooks": json.dumps(night.hooks, ensure_ascii=False),
        "logs": night.logs,
        "Data Docs": "\n".join(html.unescape(p.read_text(encoding="utf-8", errors="replace")) for p in pages),
    }


def _night_secrets(night: Night) -> set[str]:
    """The drop's names (children's and staff's), dates of birth and UPNs; less the dates the night
    itself writes (a child may be born on a day that is also an extract date or today)."""
    return _secrets(night.people, night.staff) - {DAY1.isoformat(), DAY2.isoformat(), date.today().isoformat()}


def test_no_artefact_of_the_night_holds_a_name_date_of_birth_or_upn(night: Night):
    artefacts = _artefacts(night)
    assert len(night.emails) >= 30 and len(night.hooks) >= 30 and len(night.logs) > 10_000
    sites = list(night.data_docs.rglob("index.html"))
    assert len(sites) >= 30, "a Data Docs site for each drop whose checks failed"
    secrets = _night_secrets(night)
    assert len(secrets) > 100
    found = {where: leaks(text, secrets) for where, text in artefacts.items()}
    assert found == {where: [] for where in artefacts}
    # the scan can see: the drop's own files hold them
    folder = night.landing / LA_CODES["volume growth"] / DAY2.isoformat()
    assert leaks((folder / "ssd_person.csv").read_text(encoding="utf-8"), secrets)


def test_the_catalogue_counts(night: Night):
    """The closing figures: tried, blocked with a clean message, loaded correctly, leaked, loaded wrongly."""
    from csc_pipeline.issues import ValidationReport

    secrets = _night_secrets(night)
    counts = dict.fromkeys(("tried", "blocked with a clean message", "loaded correctly", "leaked", "loaded wrongly"), 0)
    for defect in DEFECTS:
        la = LA_CODES[defect.name]
        report = ValidationReport.from_dict(night.validated[la]["report"])
        status = night.published[la]["status"]
        counts["tried"] += 1
        if defect.outcome == "blocked" and status == "quarantined":
            clean = all("\n" not in i.to_text() and f"[{i.rule}]" in i.to_text() for i in report.issues)
            counts["blocked with a clean message"] += clean and any(i.rule == defect.rule for i in report.blocking)
        elif defect.outcome != "blocked" and status == "published":
            counts["loaded correctly"] += 1
        else:
            counts["loaded wrongly"] += 1
        mine = [h for h in night.hooks if h["alert"]["la_code"] == la]
        counts["leaked"] += bool(leaks(report.to_text() + json.dumps(mine, ensure_ascii=False), secrets))
    print("defect catalogue:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    assert counts["leaked"] == counts["loaded wrongly"] == 0
    assert counts["blocked with a clean message"] + counts["loaded correctly"] == counts["tried"] == len(DEFECTS)


# -- deliveries: the same drop twice, a corrected drop --------------------------------------------

def test_the_same_drop_delivered_twice_changes_nothing(night: Night):
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.load.audit import pending_drops

    # Every drop was processed, good or bad; but for the earlier night of the council whose folder
    # is a link: the test published it around the finder, which (rightly) would refuse it.
    linked = (LA_CODES["council folder linked"], DAY1)
    with psycopg.connect(night.dsn) as conn:
        assert [(d.la_code, d.extract_date) for d in pending_drops(conn, find_drops(night.landing))] == [linked]
        # delivered again, byte for byte (the extract job copied the folder once more)
        la = LA_CODES["orphan foreign key"]
        folder = night.landing / la / DAY2.isoformat()
        shutil.copytree(folder, folder.with_name("copy"))
        shutil.rmtree(folder)
        folder.with_name("copy").rename(folder)
        assert [(d.la_code, d.extract_date) for d in pending_drops(conn, find_drops(night.landing))] == [linked]


def test_a_corrected_drop_for_the_same_date_is_loaded(night: Night, environment):
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.load.audit import pending_drops

    la = LA_CODES["duplicate key"]
    folder = night.landing / la / DAY2.isoformat()
    original = night.landing.parent / "originals" / la
    shutil.copytree(folder, original)
    # the council fixes the file and writes a new manifest (a re-run extract job does)
    edit_table(folder, "ssd_s47_enquiry", lambda h, rows: rows[3].update(
        s47e_s47_enquiry_id=str(int(rows[3]["s47e_s47_enquiry_id"] or 0) + 7_000_000)))
    refresh_manifest(folder)
    doc = manifest(folder)
    doc["extracted_at"] = f"{DAY2}T09:15:00Z"
    write_manifest(folder, doc)
    with psycopg.connect(night.dsn) as conn:
        (drop,) = pending_drops(conn, [d for d in find_drops(night.landing) if d.la_code == la])
    validated, published = run_night([drop], run_id="corrected")
    assert published[la]["status"] == "published", validated[la]["report"]
    with psycopg.connect(night.dsn) as conn:
        statuses = [r[0] for r in conn.execute(
            "select status from audit.loads where la_code = %s order by load_id", (la,))]
        current = conn.execute("select extract_date from audit.current_extracts where la_code = %s",
                               (la,)).fetchone()[0]
        assert pending_drops(conn, [d for d in find_drops(night.landing) if d.la_code == la]) == []
    assert statuses == ["published", "quarantined", "published"] and current == DAY2

    # The original, quarantined, drop sent again after its correction: superseded, and it says so.
    with psycopg.connect(night.dsn) as conn:
        before = _raw_snapshot(conn, la)
    shutil.rmtree(folder)
    shutil.copytree(original, folder)
    with psycopg.connect(night.dsn) as conn:
        (drop,) = pending_drops(conn, [d for d in find_drops(night.landing) if d.la_code == la])
    _, hook = environment[1:]
    alerts_before = len(hook.received)
    _, published = run_night([drop], run_id="original again")
    assert published[la]["status"] == "superseded"
    with psycopg.connect(night.dsn) as conn:
        message = conn.execute("select message from audit.loads where load_id = %s",
                               (published[la]["load_id"],)).fetchone()[0]
        assert _raw_snapshot(conn, la) == before
        assert pending_drops(conn, [d for d in find_drops(night.landing) if d.la_code == la]) == []
    assert message.startswith(f"superseded: an earlier delivery of {DAY2} sent again; its correction (load ")
    assert [h["alert"]["kind"] for h in hook.received[alerts_before:]] == ["superseded"]


def test_a_quarantined_drop_is_taken_again_when_its_file_is_put_back(night: Night, environment):
    """What the quarantine alert says to do: put the intact file back, same manifest, same date."""
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.load.audit import pending_drops

    la = LA_CODES["manifest checksum"]
    folder = night.landing / la / DAY2.isoformat()
    (alert,) = [h["alert"] for h in night.hooks if h["alert"]["la_code"] == la]
    assert "send it again for the same date (a drop whose files changed is taken again" in alert["summary"]
    with psycopg.connect(night.dsn) as conn:
        assert pending_drops(conn, [d for d in find_drops(night.landing) if d.la_code == la]) == []
    shutil.copy(night.landing.parent / "template" / TEMPLATE_LA / DAY2.isoformat() / "ssd_involvements.csv", folder)
    with psycopg.connect(night.dsn) as conn:
        (drop,) = pending_drops(conn, [d for d in find_drops(night.landing) if d.la_code == la])
    validated, published = run_night([drop], run_id="fixed resend")
    assert published[la]["status"] == "published", validated[la]["report"]
    with psycopg.connect(night.dsn) as conn:
        statuses = [r[0] for r in conn.execute(
            "select status from audit.loads where la_code = %s order by load_id", (la,))]
        assert pending_drops(conn, [d for d in find_drops(night.landing) if d.la_code == la]) == []
    assert statuses == ["published", "quarantined", "published"]


@pytest.mark.parametrize("extract_date, extracted_at, now, tolerance, blocked", [
    ("2026-11-24", "2026-11-24T02:00:00Z", "2026-11-24T05:30:00+00:00", 2, None),
    ("2026-11-25", "", "2026-11-24T05:30:00+00:00", 2, "extract date 2026-11-25 is after the day of this run"),
    # 22:30 in London on the 24th: the 25th is within two hours, not within one
    ("2026-11-25", "", "2026-11-24T22:30:00+00:00", 2, None),
    ("2026-11-25", "", "2026-11-24T22:30:00+00:00", 1, "extract date 2026-11-25 is after"),
    # British Summer Time: 23:30 UTC on 30 June is already 1 July in London
    ("2026-07-01", "", "2026-06-30T23:30:00+00:00", 0, None),
    ("2026-11-24", "2026-11-24T09:00:00", "2026-11-24T05:30:00+00:00", 2, "extracted_at 2026-11-24 09:00 is after"),
    ("2026-11-24", "2026-11-24T07:00:00Z", "2026-11-24T05:30:00+00:00", 2, None),
    ("2026-11-24", "not a time", "2026-11-24T05:30:00+00:00", 2, None),
])
def test_a_drop_dated_after_the_run_is_blocked(extract_date, extracted_at, now, tolerance, blocked):
    from datetime import datetime

    from csc_pipeline.drops.clock import future_problem

    problem = future_problem(date.fromisoformat(extract_date), extracted_at, now=datetime.fromisoformat(now),
                             tolerance_hours=tolerance)
    assert (problem is None) if blocked is None else (problem is not None and problem.startswith(blocked)), problem


# -- the operator accepts a genuine purge ----------------------------------------------------------

def test_an_operator_accepts_a_genuine_purge(night: Night, environment, capsys):
    from csc_pipeline.cli import main

    la = LA_CODES["60% volume drop"]
    load_id = night.validated[la]["landed"]["load_id"]
    assert main(["accept", "--load-id", str(load_id), "--operator", "A. Analyst",
                 "--reason", "Health checks before 2021 were purged from the case system (ticket 4711)"]) == 0
    out = capsys.readouterr().out
    assert f"load {load_id} ({la}/{DAY2}) accepted and published" in out and "volume_shrink" in out
    with psycopg.connect(night.dsn) as conn:
        status, message = conn.execute("select status, message from audit.loads where load_id = %s",
                                       (load_id,)).fetchone()
        acceptance = conn.execute(
            "select operator, reason, accepted_rules, mode, accepted_at is not null from audit.acceptances"
            " where load_id = %s", (load_id,)).fetchall()
        rows = conn.execute("select count(*) from raw.ssd_cla_health where la_code = %s", (la,)).fetchone()[0]
        success = conn.execute("select success from audit.validation_results where load_id = %s",
                               (load_id,)).fetchone()[0]
    header, health = read_table(night.landing / la / DAY2.isoformat(), "ssd_cla_health")
    assert status == "accepted" and message.startswith("accepted by A. Analyst (volume_shrink)")
    assert acceptance == [("A. Analyst", "Health checks before 2021 were purged from the case system (ticket 4711)",
                           ["volume_shrink"], "revalidated", True)]
    assert rows == len(health) and success is True
    # an accepted drop is the last good one: the next night compares with it
    from csc_pipeline.load.audit import last_good_row_counts

    with psycopg.connect(night.dsn) as conn:
        assert last_good_row_counts(conn, la)["ssd_cla_health"] == len(health)


def test_an_accepted_missing_column_empties_rows_flagged_as_emptied_not_corrected(night: Night, environment):
    from csc_pipeline.flows.accept import accept_drop
    from csc_pipeline.load.audit import drop_outcomes

    la = LA_CODES["renamed optional column that had values"]
    load_id = night.validated[la]["landed"]["load_id"]
    report = night.validated[la]["report"]
    assert any(i["rule"] == "unknown_column" for i in report["issues"])  # the new name, withheld
    accept_drop(load_id, reason="the case system no longer sends the person id on reviews",
                operator="A. Analyst", rules=["filled_column_missing"])
    _, reviews = read_table(night.landing / la / DAY1.isoformat(), "ssd_cla_reviews")
    with psycopg.connect(night.dsn) as conn:
        emptied, missing, corrected = conn.execute(
            "select rows_emptied, columns_missing, rows_corrected from audit.load_tables"
            " where load_id = %s and table_name = 'ssd_cla_reviews'", (load_id,)).fetchone()
        ended = dict(conn.execute(
            "select ended_because, count(*) from history.ssd_cla_reviews where la_code = %s"
            " and valid_to = %s group by 1", (la, DAY2)).fetchall())
        filled = conn.execute("select count(*) from raw.ssd_cla_reviews where la_code = %s"
                              " and clar_cla_person_id is not null", (la,)).fetchone()[0]
        (outcome,) = [o for o in drop_outcomes(conn, extract_date=DAY2) if o.load_id == load_id]
    assert missing == ["clar_cla_person_id"] and filled == 0
    # every review still in the drop had its person id: each is flagged emptied, none "corrected"
    assert emptied == ended["emptied"] > 0 and corrected == ended.get("corrected", 0) == 0
    assert emptied <= len(reviews)
    assert outcome.line.endswith(f"columns missing from the files, loaded empty: ssd_cla_reviews.clar_cla_person_id "
                                 f"({emptied:,} rows emptied of values the last drop had)"), outcome.line


def test_accept_refuses_what_cannot_be_accepted(night: Night, environment, capsys):
    from csc_pipeline.flows.accept import AcceptRefused, accept_drop
    from csc_pipeline.cli import main

    duplicate = night.validated[LA_CODES["missing column"]]["landed"]["load_id"]
    with pytest.raises(AcceptRefused, match="required_column cannot be accepted"):
        accept_drop(duplicate, reason="the column is not needed this year", operator="A. Analyst")
    published = night.validated[LA_CODES["unknown extra column"]]["landed"]["load_id"]
    assert main(["accept", "--load-id", str(published), "--reason", "looks fine to me", "--operator", "B"]) == 1
    assert "only a quarantined drop can be accepted" in capsys.readouterr().err
    with pytest.raises(AcceptRefused, match="reason of at least 10 characters"):
        accept_drop(duplicate, reason="ok", operator="A. Analyst")
    future = night.validated[LA_CODES["future date"]]["landed"]["load_id"]
    with pytest.raises(AcceptRefused, match="also breaks future_date"):
        accept_drop(future, reason="the date is right, it was a typo", operator="A", rules=["volume_shrink"])
    with psycopg.connect(night.dsn) as conn:
        assert conn.execute("select status from audit.loads where load_id = %s", (duplicate,)).fetchone()[0] \
            == "quarantined"
        # the refused drop's tables are still in quarantine, for the next review
        assert conn.execute("select count(*) from pg_tables where schemaname = 'quarantine'"
                            " and tablename like %s", (f"load_{duplicate}__%",)).fetchone()[0] > 0
