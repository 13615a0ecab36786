"""The synthetic case-system generator: drops that keep the extract contract, deterministically.

Everything is checked from the files written, the way the pipeline will read them,
never from the generator's internals.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from csc_pipeline.contract import CODE_SETS, TABLES, normalise_label
from csc_pipeline.contract.cross_column import DATE_ORDER
from csc_pipeline.generate import generate_council
from drop_factory import read_table

LAST = date(2026, 11, 24)
LA = "E06999999"


# --- reading drops as the pipeline would --------------------------------------------------------

def rows(drop: Path, table: str) -> list[dict[str, str]]:
    return read_table(drop, table)[1]


# Starts the contract lets be empty: an unborn child's date of birth; the optional entered-care date.
NULLABLE_STARTS = {"pers_dob", "clae_entered_care_date"}


def parse_date(text: str) -> date | None:
    """The contract's three date forms; anything else fails the test."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise AssertionError(f"not a contract date: {text!r}")


def extract_date(drop: Path) -> date:
    return date.fromisoformat(drop.name)


def all_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fks():
    return [(t.name, c.name, *c.references) for t in TABLES for c in t.columns if c.references]


@pytest.fixture(scope="module")
def mosaic(tmp_path_factory) -> list[Path]:
    return generate_council(tmp_path_factory.mktemp("mosaic"), children_looked_after=60, nights=3, seed=7)


@pytest.fixture(scope="module")
def default_size(tmp_path_factory) -> Path:
    """One drop of a council of the default size (some properties need numbers)."""
    (drop,) = generate_council(tmp_path_factory.mktemp("default"), children_looked_after=300, nights=1, seed=11)
    return drop


@pytest.fixture(scope="module")
def systemc(tmp_path_factory) -> list[Path]:
    return generate_council(tmp_path_factory.mktemp("systemc"), children_looked_after=60, nights=2, seed=7,
                            flavour="systemc")


# --- determinism ----------------------------------------------------------------------------------

def test_same_arguments_give_byte_identical_files_and_another_seed_does_not(tmp_path):
    kwargs = dict(children_looked_after=60, nights=2, last_extract_date=LAST)
    generate_council(tmp_path / "a", seed=3, **kwargs)
    generate_council(tmp_path / "b", seed=3, **kwargs)
    generate_council(tmp_path / "c", seed=4, **kwargs)
    a, b, c = (all_files(tmp_path / x) for x in "abc")
    assert len(a) == 2 * (len(TABLES) + 1)
    assert a == b
    assert a.keys() == c.keys()
    assert a[f"{LA}/2026-11-24/ssd_person.csv"] != c[f"{LA}/2026-11-24/ssd_person.csv"]
    assert a[f"{LA}/2026-11-24/ssd_cla_episodes.csv"] != c[f"{LA}/2026-11-24/ssd_cla_episodes.csv"]


# --- delivery: folders, manifest, headers ---------------------------------------------------------

def test_drops_are_consecutive_nights_oldest_first(mosaic):
    assert [d.name for d in mosaic] == ["2026-11-22", "2026-11-23", "2026-11-24"]
    assert all(d.parent.name == LA and d.is_dir() for d in mosaic)


@pytest.mark.parametrize("flavour", ["mosaic", "systemc"])
def test_manifest_matches_the_files(flavour, request):
    for drop in request.getfixturevalue(flavour):
        manifest = json.loads((drop / "manifest.json").read_text(encoding="utf-8"))
        e = extract_date(drop)
        assert manifest["la_code"] == LA
        assert manifest["la_name"] == "Demo Council (synthetic)"
        assert manifest["extract_date"] == e.isoformat()
        assert manifest["extracted_at"] == f"{e.isoformat()}T02:10:00Z"
        assert manifest["source_system"] == flavour
        assert manifest["ssd_version"] == "1.4.5"
        six_years_before = e.replace(year=e.year - 6, day=28 if (e.month, e.day) == (2, 29) else e.day)
        assert manifest["window_start"] == six_years_before.isoformat()
        assert list(manifest["files"]) == [t.name for t in TABLES]  # every table, optional ones too
        assert sorted(p.name for p in drop.iterdir()) == sorted([f"{t.name}.csv" for t in TABLES] + ["manifest.json"])
        for table, entry in manifest["files"].items():
            data = (drop / f"{table}.csv").read_bytes()
            assert entry["sha256"] == hashlib.sha256(data).hexdigest(), table
            assert entry["rows"] == len(rows(drop, table)), table


def test_manifest_is_written_after_the_csvs(mosaic):
    for drop in mosaic:
        manifest_time = (drop / "manifest.json").stat().st_mtime_ns
        assert all((drop / f"{t.name}.csv").stat().st_mtime_ns <= manifest_time for t in TABLES)


@pytest.mark.parametrize("flavour", ["mosaic", "systemc"])
def test_headers_are_the_contract_columns_and_files_are_plain_utf8(flavour, request):
    for drop in request.getfixturevalue(flavour):
        for table in TABLES:
            data = (drop / f"{table.name}.csv").read_bytes()
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
            data.decode("utf-8")
            header, _ = read_table(drop, table.name)
            assert header == table.column_names


def test_every_table_has_rows_in_id_order(mosaic):
    drop = mosaic[-1]
    for table in TABLES:
        ids = [r[table.primary_key.name] for r in rows(drop, table.name)]
        assert ids, f"{table.name} is empty"
        assert all(ids), table.name
        assert len(set(ids)) == len(ids), f"{table.name}: duplicate ids"
        assert ids == sorted(ids, key=lambda k: (len(k), k)), f"{table.name}: not in id order"


# --- integrity within a drop -----------------------------------------------------------------------

@pytest.mark.parametrize("flavour", ["mosaic", "systemc"])
def test_foreign_keys_resolve(flavour, request):
    checked = 0
    for drop in request.getfixturevalue(flavour):
        for table, col, ref_table, ref_col in fks() + [
            # Not a contract key, but an episode's placement must be there.
            ("ssd_cla_episodes", "clae_cla_placement_id", "ssd_cla_placement", "clap_cla_placement_id"),
        ]:
            targets = {r[ref_col] for r in rows(drop, ref_table)}
            values = [r[col] for r in rows(drop, table) if r[col]]
            missing = [v for v in values if v not in targets]
            assert not missing, f"{drop.name} {table}.{col}: {len(missing)} value(s) not in {ref_table}.{ref_col}"
            checked += len(values)
    assert checked > 1000


def test_people_are_only_there_with_their_records(mosaic):
    drop = mosaic[-1]
    named = {r[col] for table, col, ref, _ in fks() if ref == "ssd_person" for r in rows(drop, table) if r[col]}
    people = {r["pers_person_id"] for r in rows(drop, "ssd_person")}
    assert people and people == named


@pytest.mark.parametrize("flavour", ["mosaic", "systemc"])
def test_nothing_that_happened_is_dated_after_the_extract_date(flavour, request):
    for drop in request.getfixturevalue(flavour):
        e = extract_date(drop)
        future_due = 0
        for table in TABLES:
            data = rows(drop, table.name)
            for col in (c for c in table.columns if c.type == "date"):
                for r in data:
                    d = parse_date(r[col.name])
                    if d is None:
                        continue
                    if col.happened:
                        assert d <= e, f"{drop.name} {table.name}.{col.name} = {d}"
                    elif d > e:
                        future_due += 1
        assert future_due > 0  # due and planned dates may lie ahead, and some do


def _by(data: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in data:
        out[r[key]].append(r)
    return out


def test_ends_follow_starts_and_events_fall_in_life_and_care(mosaic):
    for drop in mosaic:
        # The contract's date orders, and one the generator keeps too (strategy meetings after referral).
        spans = [*DATE_ORDER, ("loc_lado_allegations", "lado_referral_date", "lado_strategy_meeting_date")]
        for table, start, end in spans:
            for r in rows(drop, table):
                s, e = parse_date(r[start]), parse_date(r[end])
                assert s is not None or start in NULLABLE_STARTS, (table, start)
                assert s is None or e is None or e >= s, f"{table}: {end} {e} before {start} {s}"

        # No event before birth; before an expected birth only during the pregnancy.
        people = {r["pers_person_id"]: r for r in rows(drop, "ssd_person")}
        for table in TABLES:
            person_cols = [c.name for c in table.columns if c.references == ("ssd_person", "pers_person_id")]
            date_cols = [c.name for c in table.columns if c.type == "date" and c.happened]
            for r in rows(drop, table.name):
                for pc in person_cols:
                    if not r[pc]:
                        continue
                    p = people[r[pc]]
                    dob, expected = parse_date(p["pers_dob"]), parse_date(p["pers_expected_dob"])
                    for dc in date_cols:
                        d = parse_date(r[dc])
                        if d is None:
                            continue
                        if expected is not None:
                            assert d >= expected - timedelta(weeks=40), (table.name, dc)
                        else:
                            assert dob is not None and d >= dob, (table.name, dc)

        # Reviews lie inside their period of care.
        periods = _by(rows(drop, "ssd_cla_episodes"), "clae_cla_id")
        for r in rows(drop, "ssd_cla_reviews"):
            eps = periods[r["clar_cla_id"]]
            start = min(parse_date(e["clae_cla_episode_start_date"]) for e in eps)
            ends = [parse_date(e["clae_cla_episode_ceased_date"]) for e in eps]
            end = None if None in ends else max(ends)
            held = parse_date(r["clar_cla_review_date"])
            if held:
                assert held >= start and (end is None or held <= end)


def test_periods_of_care_are_chains_of_episodes(mosaic):
    """First episode starts with S; each later one starts the day the previous ceased with X1."""
    drop = mosaic[-1]
    for cla_id, eps in _by(rows(drop, "ssd_cla_episodes"), "clae_cla_id").items():
        eps.sort(key=lambda e: parse_date(e["clae_cla_episode_start_date"]))
        for prev, nxt in zip(eps, eps[1:]):
            assert prev["clae_cla_episode_ceased_reason"] == "X1"
            assert prev["clae_cla_episode_ceased_date"] == nxt["clae_cla_episode_start_date"]
            assert nxt["clae_cla_episode_start_reason"] in "LPTBU"
        if eps[0]["clae_cla_episode_start_date"] == eps[0]["clae_entered_care_date"]:
            assert eps[0]["clae_cla_episode_start_reason"] == "S"
        last = eps[-1]
        assert bool(last["clae_cla_episode_ceased_date"]) == bool(last["clae_cla_episode_ceased_reason"])
        assert last["clae_cla_episode_ceased_reason"] != "X1"


# --- scale and change over nights ------------------------------------------------------------------

def children_looked_after(drop: Path) -> int:
    """Children with an episode open on the day before the extract date."""
    day = extract_date(drop) - timedelta(days=1)
    return len({r["clae_person_id"] for r in rows(drop, "ssd_cla_episodes")
                if parse_date(r["clae_cla_episode_start_date"]) <= day
                and (not r["clae_cla_episode_ceased_date"] or parse_date(r["clae_cla_episode_ceased_date"]) > day)})


def test_about_the_requested_number_of_children_are_looked_after(mosaic, default_size):
    assert 48 <= children_looked_after(mosaic[-1]) <= 72
    assert 240 <= children_looked_after(default_size) <= 360


def test_consecutive_drops_differ_and_open_records_show_no_future_end(mosaic):
    for earlier, later in zip(mosaic, mosaic[1:]):
        changed = [t.name for t in TABLES
                   if (earlier / f"{t.name}.csv").read_bytes() != (later / f"{t.name}.csv").read_bytes()]
        assert changed, f"{later.name} is the same as {earlier.name}"
    # An episode ending on or after an extract date is still open in that drop.
    first, last = mosaic[0], mosaic[-1]
    before = {r["clae_cla_episode_id"]: r for r in rows(first, "ssd_cla_episodes")}
    for r in rows(last, "ssd_cla_episodes"):
        ceased = parse_date(r["clae_cla_episode_ceased_date"])
        if ceased and ceased >= extract_date(first) and r["clae_cla_episode_id"] in before:
            assert before[r["clae_cla_episode_id"]]["clae_cla_episode_ceased_date"] == ""
            assert before[r["clae_cla_episode_id"]]["clae_cla_episode_ceased_reason"] == ""


# --- flavours --------------------------------------------------------------------------------------

def _coded_columns():
    return [(t.name, c) for t in TABLES for c in t.columns if c.type == "code"]


def test_mosaic_writes_codes_yn_and_iso_dates(mosaic):
    drop = mosaic[-1]
    for table, col in _coded_columns():
        codes = CODE_SETS[col.code_set].codes
        values = {r[col.name] for r in rows(drop, table)} - {""}
        assert values <= set(codes), (table, col.name, values - set(codes))
    for table in TABLES:
        data = rows(drop, table.name)
        for col in table.columns:
            if col.type == "yn":
                assert {r[col.name] for r in data} <= {"Y", "N", ""}, (table.name, col.name)
            if col.type == "date":
                assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r[col.name]) for r in data if r[col.name])


def test_systemc_writes_descriptions_yes_no_and_sql_server_dates(systemc):
    drop = systemc[-1]
    descriptions = 0
    for table, col in _coded_columns():
        cs = CODE_SETS[col.code_set]
        labels = cs.labels()
        for r in rows(drop, table):
            value = r[col.name]
            if not value:
                continue
            norm = normalise_label(value)
            if any(norm.startswith(normalise_label(p) + ":") for p in cs.prefix_descriptions):
                continue  # "Multiple: Neglect, Emotional abuse"
            assert norm in labels, (table, col.name, value)
            if not cs.accept_descriptions or not cs.codes[labels[norm]]:
                assert value == labels[norm]  # no description to write: the code itself
            elif norm == normalise_label(cs.codes[labels[norm]]):
                descriptions += 1
    assert descriptions > 500
    sexes = {r["pers_sex"].strip().lower() for r in rows(drop, "ssd_person")}
    assert {"male", "female"} <= sexes
    yn = {r["clar_cla_review_cancelled"] for r in rows(drop, "ssd_cla_reviews")}
    assert yn and yn <= {"Yes", "No", "True", "False"}
    dates = [r["clae_cla_episode_start_date"] for r in rows(drop, "ssd_cla_episodes")]
    assert sum(bool(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", d)) for d in dates) > len(dates) / 2
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in dates)
    assert not any(re.fullmatch(r"\d{4}-\d\d-\d\d", d) for d in dates)


# --- what the data looks like ----------------------------------------------------------------------

def test_personal_data_looks_real(mosaic):
    drop = mosaic[-1]
    people = rows(drop, "ssd_person")
    upns = [p["pers_upn"] for p in people if p["pers_upn"]]
    assert upns and all(re.fullmatch(r"[A-Z]\d{12}", u) for u in upns)
    born = [p for p in people if p["pers_dob"]]
    assert all(p["pers_forename"] and p["pers_surname"] for p in born)
    assert len({p["pers_surname"] for p in people}) > 20
    postcodes = [r["clap_cla_placement_postcode"] for r in rows(drop, "ssd_cla_placement")
                 if r["clap_cla_placement_postcode"]]
    assert postcodes and all(re.fullmatch(r"[A-Z]{1,2}\d{1,2} \d[A-Z]{2}", p) for p in postcodes)
    names = [r["prof_professional_name"] for r in rows(drop, "ssd_professionals")]
    assert all(re.fullmatch(r"[A-Z][a-z]+ [A-Z][A-Za-z']+", n) for n in names)
    assert all(r["lado_subject_ref"] for r in rows(drop, "loc_lado_allegations"))


def test_progress_messages_carry_no_personal_data(tmp_path):
    messages: list[str] = []
    (drop,) = generate_council(tmp_path, children_looked_after=60, nights=1, progress=messages.append)
    assert any(m.startswith(f"drop {LAST.isoformat()}: {len(TABLES)} tables") for m in messages)
    pii = {r[c.name] for t in TABLES for c in t.columns if c.pii for r in rows(drop, t.name) if r[c.name]}
    words = {w for v in pii for w in re.split(r"[ ,]", v) if len(w) > 3}
    assert pii and words
    text = " ".join(messages)
    assert not [w for w in words if re.search(rf"\b{re.escape(w)}\b", text)]


def test_child_protection_looks_like_child_protection(mosaic):
    drop = mosaic[-1]
    icpc = rows(drop, "ssd_initial_cp_conference")
    meetings = _by(icpc, "icpc_icpc_meeting_id")
    assert any(len(v) > 1 for v in meetings.values())  # brothers and sisters together
    transfers = [r for r in icpc if r["icpc_icpc_transfer_in"] == "Y"]
    assert transfers and all(r["icpc_s47_enquiry_id"] == "" for r in transfers)
    assert all(r["icpc_s47_enquiry_id"] for r in icpc if r["icpc_icpc_transfer_in"] == "N")
    plans = rows(drop, "ssd_cp_plans")
    assert {r["cppl_cp_plan_initial_category"] for r in plans} == set(CODE_SETS["cp_category"].codes)
    assert any(r["cppl_cp_plan_initial_category"] != r["cppl_cp_plan_latest_category"] for r in plans)
    per_child = _by(plans, "cppl_person_id")
    assert any(len(v) > 1 for v in per_child.values())  # repeat plans
    s47 = rows(drop, "ssd_s47_enquiry")
    assert {"Y", "N"} <= {r["s47e_s47_nfa"] for r in s47}


def test_unborn_children_are_known_through_pre_birth_child_protection(default_size):
    drop = default_size
    people = rows(drop, "ssd_person")
    unborn = {p["pers_person_id"] for p in people if not p["pers_dob"]}
    assert unborn and all(p["pers_expected_dob"] and p["pers_sex"] == "U" and not p["pers_forename"]
                          for p in people if p["pers_person_id"] in unborn)
    prebirth = ({r["s47e_person_id"] for r in rows(drop, "ssd_s47_enquiry")}
                | {r["icpc_person_id"] for r in rows(drop, "ssd_initial_cp_conference")}
                | {r["cppl_person_id"] for r in rows(drop, "ssd_cp_plans")})
    assert unborn <= prebirth
    # Once born, a child on a pre-birth plan keeps the expected date beside the real one.
    assert any(p["pers_dob"] and p["pers_expected_dob"] for p in people)


def test_looked_after_children_have_iros_reviews_and_plans(mosaic):
    drop = mosaic[-1]
    day = extract_date(drop) - timedelta(days=1)
    open_eps = [r for r in rows(drop, "ssd_cla_episodes") if not r["clae_cla_episode_ceased_date"]]
    cla = {r["clae_person_id"] for r in open_eps}
    iro = {r["invo_person_id"] for r in rows(drop, "ssd_involvements")
           if r["invo_professional_role_id"] == "IRO" and not r["invo_involvement_end_date"]
           and parse_date(r["invo_involvement_start_date"]) <= day}
    assert len(cla & iro) >= 0.85 * len(cla)
    titles = {r["prof_professional_id"]: r["prof_professional_job_title"] for r in rows(drop, "ssd_professionals")}
    assert all(titles[r["invo_professional_id"]] == "Independent Reviewing Officer"
               for r in rows(drop, "ssd_involvements") if r["invo_professional_role_id"] == "IRO")
    reviews = rows(drop, "ssd_cla_reviews")
    assert {"Y", "N"} == {r["clar_cla_review_cancelled"] for r in reviews}
    assert "PN0" in {r["clar_cla_review_participation"] for r in reviews}
    checks = rows(drop, "ssd_cla_health")
    assert {"Health Assessment", "Dental Check"} <= {r["clah_health_check_type"] for r in checks}
    assert any(r["clah_health_check_status"] == "Planned" and parse_date(r["clah_health_check_date"]) >= day
               for r in checks)
    distances = [float(r["clap_cla_placement_distance"]) for r in rows(drop, "ssd_cla_placement")]
    assert 999.9 in distances and any(20 < d < 999 for d in distances)
