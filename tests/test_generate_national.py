"""Many synthetic councils (`csc generate --councils`): codes, England-like sizes, per-council seeds.

Drops are generated at tiny sizes (`max_cla`) so this runs in seconds; whether memory stays
flat over 153 full-size councils is measured by `make bench`, not here. The size draw itself
is cheap, so its spread is checked over England's 153 councils without generating them.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import Counter
from pathlib import Path

import pytest

from csc_pipeline.bench_memory import measure, self_peak_rss, tree_peak_rss
from csc_pipeline.cli.main import main
from csc_pipeline.contract import TABLES
from csc_pipeline.contract.delivery import LA_CODE_PATTERN
from csc_pipeline.generate import national
from csc_pipeline.generate.national import (
    SIZE_MAX, SIZE_MIN, council_size, generate_councils, parse_councils, plan_councils, synthetic_codes,
)
from drop_factory import read_table

TINY = dict(nights=2, years=1)  # per council
CAP = 8  # children looked after, at most, in the generated councils here


def all_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def under(files: dict[str, bytes], la_code: str) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if k.startswith(f"{la_code}/")}


# --- codes ----------------------------------------------------------------------------------------

def test_synthetic_codes_are_distinct_well_formed_never_real_and_keep_englands_mix():
    codes = synthetic_codes(153)
    assert len(set(codes)) == 153
    assert all(LA_CODE_PATTERN.match(c) for c in codes)
    # Real GSS serials start at 000001; the demo and benchmark councils are E06999999 and E06999998.
    assert all(900_001 <= int(c[3:]) < 999_998 for c in synthetic_codes(national.MAX_COUNCILS))
    assert Counter(c[:3] for c in codes) == {"E06": 63, "E08": 36, "E09": 33, "E10": 21}
    assert codes[:4] == ["E06900001", "E08900001", "E09900001", "E06900002"]
    # Every prefix is the start of the same sequence, with each kind within one council of its share.
    assert synthetic_codes(10) == codes[:10]
    for n in (1, 7, 40, 100):
        mix = Counter(c[:3] for c in codes[:n])
        for prefix, share, _ in national.KINDS:
            assert abs(mix[prefix] - n * share / 153) < 1, (n, prefix)


def test_names_are_synthetic_and_distinct():
    plan = plan_councils(153, seed=1)
    names = [c.la_name for c in plan]
    assert len(set(names)) == 153
    assert all(n.startswith("Synthetic ") for n in names)
    assert plan[0].la_name == "Synthetic Unitary 1" and plan[1].la_name == "Synthetic Metropolitan Borough 1"
    (given,) = plan_councils(["E08000025"], seed=1)
    assert given.la_name == "Synthetic council E08000025"


# --- sizes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3, 42])
def test_sizes_over_englands_153_councils_have_englands_spread(seed):
    sizes = sorted(c.children_looked_after for c in plan_councils(153, seed=seed))
    assert SIZE_MIN <= sizes[0] < 150  # a few small ones
    assert 1_700 <= sizes[-1] <= SIZE_MAX  # and a few near 2,000
    assert 300 <= statistics.median(sizes) <= 400
    assert sum(s > 1_000 for s in sizes) >= 10
    assert 2 <= sum(s > 1_500 for s in sizes) <= 10
    assert sum(s < 250 for s in sizes) >= 20  # skewed: many more small councils than large ones
    assert 60_000 <= sum(sizes) <= 90_000  # England: about 84,000 children looked after


def test_size_quantiles_run_from_the_smallest_to_the_largest():
    sizes = [national.size_at(u / 100) for u in range(101)]
    assert sizes[0] == SIZE_MIN and sizes[-1] == SIZE_MAX
    assert sizes == sorted(sizes)


def test_a_councils_size_and_seed_depend_on_the_run_seed_and_its_code_only():
    ten = plan_councils(10, seed=5)
    all_ = plan_councils(153, seed=5)
    assert ten == all_[:10]
    # The same council named by its code, alone: same name, size and seed.
    assert plan_councils([all_[7].la_code], seed=5) == [all_[7]]
    assert plan_councils([all_[7].la_code, "E06000001"], seed=5)[0] == all_[7]
    other = plan_councils(10, seed=6)
    assert [c.la_code for c in other] == [c.la_code for c in ten]
    assert [c.children_looked_after for c in other] != [c.children_looked_after for c in ten]
    assert len({c.seed for c in all_}) == 153
    # Codes outside the sequence draw their size from the seed too, within the spread.
    drawn = {council_size(f"E09{n:06d}", 1) for n in range(1, 34)}
    assert len(drawn) > 20 and min(drawn) >= SIZE_MIN and max(drawn) <= SIZE_MAX


def test_max_cla_caps_every_size():
    plan = plan_councils(153, seed=1, max_cla=250)
    sizes = [c.children_looked_after for c in plan]
    assert max(sizes) == 250
    uncapped = plan_councils(153, seed=1)
    assert [min(c.children_looked_after, 250) for c in uncapped] == sizes
    with pytest.raises(ValueError, match="max_cla"):
        plan_councils(3, seed=1, max_cla=0)


# --- which councils: the text of --councils -------------------------------------------------------

def test_parse_councils():
    assert parse_councils("153") == 153
    assert parse_councils(" e06000001, E08000025 ") == ["E06000001", "E08000025"]
    for bad, message in [
        ("0", "from 1 to"),
        ("10000", "from 1 to"),
        ("E07000001", "'E07000001' is not the GSS code"),
        ("E0600001", "'E0600001' is not the GSS code"),
        ("E06000001,,E06000002", "neither a number"),
        ("", "neither a number"),
        ("E06000001,E06000001", "E06000001 is listed more than once"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_councils(bad)


# --- writing them ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """Three councils, tiny, and what the progress callback saw."""
    root = tmp_path_factory.mktemp("three")
    seen = []
    summary = generate_councils(root, plan_councils(3, seed=9, max_cla=CAP), progress=seen.append, **TINY)
    return root, seen, summary


def test_each_council_gets_its_own_drops_with_its_code_and_name(three):
    root, seen, _ = three
    plan = plan_councils(3, seed=9, max_cla=CAP)
    assert sorted(p.name for p in root.iterdir()) == sorted(c.la_code for c in plan)
    persons = set()
    for council in plan:
        drops = sorted((root / council.la_code).iterdir())
        assert [d.name for d in drops] == ["2026-11-23", "2026-11-24"]
        for drop in drops:
            manifest = json.loads((drop / "manifest.json").read_text())
            assert (manifest["la_code"], manifest["la_name"]) == (council.la_code, council.la_name)
        persons.add((drops[-1] / "ssd_person.csv").read_bytes())
    assert len(persons) == 3  # each council simulated from its own seed


def test_progress_reports_each_council_once_with_its_rows_and_bytes(three):
    root, seen, summary = three
    assert [(w.number, w.of) for w in seen] == [(1, 3), (2, 3), (3, 3)]
    for written in seen:
        folder = root / written.council.la_code
        assert written.drops == tuple(sorted(folder.iterdir()))
        assert written.rows == sum(len(read_table(d, t.name)[1]) for d in written.drops for t in TABLES)
        assert written.rows > 0
        assert written.bytes == sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert summary.councils == 3 and summary.drops == 6
    assert summary.rows == sum(w.rows for w in seen)
    assert summary.bytes == sum(w.bytes for w in seen)


def test_same_arguments_byte_identical_and_a_council_the_same_alone_or_among_others(three, tmp_path):
    root, _, _ = three
    before = all_files(root)
    generate_councils(tmp_path / "again", plan_councils(3, seed=9, max_cla=CAP), **TINY)
    assert all_files(tmp_path / "again") == before
    second = plan_councils(3, seed=9, max_cla=CAP)[1]
    generate_councils(tmp_path / "alone", plan_councils([second.la_code], seed=9, max_cla=CAP), **TINY)
    alone = all_files(tmp_path / "alone")
    assert alone and alone == under(before, second.la_code)
    generate_councils(tmp_path / "seed10", plan_councils(3, seed=10, max_cla=CAP), **TINY)
    other = all_files(tmp_path / "seed10")
    assert other.keys() == before.keys() and other != before


# --- the command ----------------------------------------------------------------------------------

def test_the_command_writes_the_councils_and_says_so(tmp_path, capsys):
    assert main(["generate", "--councils", "2", "--max-size", "5", "--nights", "1", "--years", "1",
                 "--landing", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    first, second = (c.la_code for c in plan_councils(2, seed=1))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first, second])
    assert out[1].startswith(f"1/2 {first} Synthetic Unitary 1: 5 children looked after, 1 drop(s), ")
    assert out[2].startswith(f"2/2 {second} ")
    rows = sum(len(read_table(d, t.name)[1]) for d in tmp_path.glob("*/*") for t in TABLES)
    assert out[-1].startswith(f"wrote 2 council(s), 2 drop(s), {rows:,} rows, ")


def test_one_council_as_before(tmp_path, capsys):
    assert main(["generate", "--size", "5", "--nights", "1", "--years", "1", "--landing", str(tmp_path)]) == 0
    (drop,) = (tmp_path / "E06999999").iterdir()
    manifest = json.loads((drop / "manifest.json").read_text())
    assert (manifest["la_code"], manifest["la_name"]) == ("E06999999", "Demo Council (synthetic)")


@pytest.mark.parametrize("argv, message", [
    (["--councils", "0"], "argument --councils: the number of councils must be from 1 to"),
    (["--councils", "E06000001,E0800002X"], "argument --councils: 'E0800002X' is not the GSS code"),
    (["--councils", "3", "--la-code", "E06000001"], "not allowed with argument --councils"),
    (["--la-code", "E06000001", "--councils", "3"], "not allowed with argument --la-code"),
    (["--councils", "3", "--size", "40"], "--size is for one council"),
    (["--councils", "3", "--la-name", "X"], "--la-name is for one council"),
    (["--councils", "3", "--max-size", "0"], "--max-size must be at least 1"),
    (["--max-size", "40"], "--max-size is for --councils"),
])
def test_the_command_refuses_bad_options_naming_them(argv, message, tmp_path, capsys):
    try:
        code = main(["generate", "--landing", str(tmp_path), *argv])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing written


# --- measuring memory (for make bench) ------------------------------------------------------------

ALLOCATE = "import sys\nb = bytearray(int(sys.argv[1]) * 2**20)\nfor i in range(0, len(b), 4096): b[i] = 1\n"


def test_measure_gives_a_commands_own_peak_not_an_earlier_ones():
    big = measure([sys.executable, "-c", ALLOCATE, "96"])
    small = measure([sys.executable, "-c", ALLOCATE, "4"])
    assert big.returncode == 0 and small.returncode == 0
    assert big.peak_rss_bytes >= 96 * 2**20
    assert small.peak_rss_bytes < big.peak_rss_bytes - 64 * 2**20
    assert measure([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3


def test_tree_peak_rss_counts_the_process_itself():
    assert tree_peak_rss(__import__("os").getpid()) >= self_peak_rss() > 0


def test_every_foreign_key_resolves_in_a_council_that_once_broke_one(tmp_path):
    """E09900019 (119 children looked after in a seed-1 national run) once named, in a foster-carer
    review booked before the drop, a reviewing officer whose post began after it: the drop's own
    key check quarantined it (as it did 17 other councils of the 153)."""
    import csv

    from csc_pipeline.generate import generate_council
    from csc_pipeline.generate.national import council_seed, council_size

    code = "E09900019"
    (drop,) = generate_council(tmp_path, la_code=code, seed=council_seed(code, 1),
                               children_looked_after=council_size(code, 1), nights=1)

    def column(table: str, name: str) -> list[str]:
        with (drop / f"{table}.csv").open(newline="", encoding="utf-8") as f:
            return [r[name] for r in csv.DictReader(f) if r[name]]

    checked = 0
    for table in TABLES:
        for c in table.columns:
            if c.references and (drop / f"{table.name}.csv").exists():
                ref_table, ref_col = c.references
                targets = set(column(ref_table, ref_col))
                missing = [v for v in column(table.name, c.name) if v not in targets]
                assert not missing, f"{table.name}.{c.name}: {len(missing)} value(s) not in {ref_table}.{ref_col}"
                checked += 1
    assert checked > 10
