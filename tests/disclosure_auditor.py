"""A reader trying to undo the suppression of marts.performance_measures (measures.md §1).

The auditor plays the reader the rule must hold against, and is written apart from the
rule's code (sql/080_disclosure_control.sql, int_measure_disclosure_sets): it builds the
additive sets itself, from measures.md §1's list of sets, §3's definitions of the
percentages' denominators, and the measure catalogue (csc_pipeline.contract.measures:
which measures and breakdowns exist, which breakdowns add up to their total).

What the reader is given: every row's `published_value`, and for a published percentage its
numerator and denominator (the worst case: BI and open data may carry them). What it knows:
a count published `c` is at least 1 (true zeros are published); a percentage published `c`
has a numerator and a complement (denominator - numerator) of at least 0 and a denominator of
at least 1 (a denominator of 0 is published `z`); `x` is unknown (at least 0); so is every
cell of a measure a set names that is not in the mart at all.

For every `c` cell (a count, or a percentage's numerator and complement) it computes the
smallest and largest value the cell can take given every published figure and every set (a
linear program per connected group of unknowns, scipy's HiGHS; a narrow range is re-checked
with integer unknowns), and flags any cell whose range is a single value. A percentage left at
0% or 100% only by a published 0 (a true zero, which measures.md publishes and never
suppresses) is reported apart, not as a finding.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from csc_pipeline.contract.measures import AGE_BANDS, MEASURES_BY_ID, NOT_KNOWN, TOTAL

SUPPRESSED, NOT_APPLICABLE, UNAVAILABLE = "c", "z", "x"

# measures.md §1, "The additive sets are", the linked measures, transcribed here (not read
# from the rule's data) so that a mistake there is not repeated here. Each: (sum, members),
# a term being (measure_id, part) of the measure's total row.
LINKED_SETS_FROM_SPEC: tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...] = (
    (("cla_reviews_in_period", "value"), (("cla_reviews_on_time_in_period", "numerator"),
                                          ("cla_reviews_late_in_period", "value"),
                                          ("cla_reviews_without_due_date_in_period", "value"))),
    (("cla_at_period_end", "value"), (("iro_caseload_at_period_end", "value"),
                                      ("cla_without_iro_at_period_end", "value"))),
    (("cp_conferences_in_period", "value"), (("icpc_in_period", "value"), ("rcpc_in_period", "value"))),
    (("cp_conferences_on_time_in_period", "numerator"),
     (("icpc_within_15_working_days_in_period", "numerator"), ("rcpc_on_time_in_period", "numerator"))),
)

# What measures.md §3 says a percentage's denominator (or numerator) is, in published cells a
# reader can add up. Only definitions that hold by the spec's own words: rcpc and foster-carer
# on-time denominators leave out conferences and reviews without a due date, which no measure
# publishes, so they add nothing here.
IDENTITIES_FROM_SPEC: tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...] = (
    # "Of those, held within 15 working days" (a conference with no s47 start counts as not within)
    (("icpc_in_period", "value"), (("icpc_within_15_working_days_in_period", "denominator"),)),
    # "denominator: cp_plans_started_in_period"
    (("cp_plans_started_in_period", "value"), (("cp_plans_repeat_in_period", "denominator"),)),
    # "Of those concluded", for 1, 3 and 12 months
    *((("lado_concluded_in_period", "value"), ((f"lado_concluded_within_{n}_in_period", "denominator"),))
      for n in ("1_month", "3_months", "12_months")),
    # "denominator: reviews held in the period that have a due date" = held - without a due date
    (("cla_reviews_in_period", "value"), (("cla_reviews_on_time_in_period", "denominator"),
                                          ("cla_reviews_without_due_date_in_period", "value"))),
    # "initial conferences within 15 working days plus review conferences on time": of the two
    # kinds of conference, so the denominators add up as the numerators do
    (("cp_conferences_on_time_in_period", "denominator"),
     (("icpc_within_15_working_days_in_period", "denominator"), ("rcpc_on_time_in_period", "denominator"))),
)

# "reviews in the period coded PN1–PN6 over those coded PN1–PN7": sums of the participation
# breakdown of cla_reviews_in_period.
PARTICIPATION_RATE = "cla_review_participation_rate"
PARTICIPATION_NUMERATOR = tuple(f"PN{i}" for i in range(1, 7))
PARTICIPATION_DENOMINATOR = tuple(f"PN{i}" for i in range(1, 8))


@dataclass(frozen=True)
class Cell:
    la_code: str
    period_type: str
    period_label: str
    measure_id: str
    breakdown: str
    breakdown_value: str


@dataclass(frozen=True)
class Finding:
    cell: Cell
    part: str  # value (a count), numerator or complement (a percentage)
    low: float
    high: float


@dataclass
class AuditResult:
    suppressed_cells: int = 0
    sets: int = 0
    findings: list[Finding] = field(default_factory=list)
    # Sets whose published figures alone do not add up: the auditor's sets are wrong for the data.
    inconsistent: list[str] = field(default_factory=list)
    # Percentages at 0% or 100% that only published zeros give away (see audit()).
    given_away_by_zeros: list[Finding] = field(default_factory=list)

    @property
    def recovered_cells(self) -> set[Cell]:
        return {f.cell for f in self.findings}


class _Unknowns:
    """The reader's unknowns: an index per variable, with its lower bound."""

    def __init__(self) -> None:
        self.lower: list[float] = []

    def new(self, lower: float) -> int:
        self.lower.append(lower)
        return len(self.lower) - 1


# A linear expression: ({variable: coefficient}, constant).
Expr = tuple[dict[int, float], float]


def _add(a: Expr, b: Expr, sign: float = 1.0) -> Expr:
    coefficients = dict(a[0])
    for v, k in b[0].items():
        coefficients[v] = coefficients.get(v, 0.0) + sign * k
    return {v: k for v, k in coefficients.items() if k}, a[1] + sign * b[1]


class _Reader:
    def __init__(self, rows: list[dict], *, zeros_unknown: bool = False) -> None:
        # zeros_unknown: read a published 0 count as unknown (at least 0), to tell what only
        # the true zeros give away
        self.zeros_unknown = zeros_unknown
        self.unknowns = _Unknowns()
        self.parts: dict[tuple[Cell, str], Expr] = {}
        self.protected: list[tuple[Cell, str, int]] = []
        # (numerator, complement) of each `c` percentage: their sum, the denominator, is at least 1
        self.positive_denominators: list[tuple[int, int]] = []
        self.cells: dict[Cell, dict] = {}
        for row in rows:
            cell = Cell(row["la_code"], row["period_type"], row["period_label"], row["measure_id"],
                        row["breakdown"], row["breakdown_value"])
            self.cells[cell] = row
            self._read(cell, row)

    def _read(self, cell: Cell, row: dict) -> None:
        published, unit = row["published_value"], row["unit"]
        if unit == "count":
            if published == SUPPRESSED:
                v = self.unknowns.new(1.0)
                self.protected.append((cell, "value", v))
                self.parts[cell, "value"] = ({v: 1.0}, 0.0)
            elif published == UNAVAILABLE or (self.zeros_unknown and float(published) == 0):
                self.parts[cell, "value"] = ({self.unknowns.new(0.0): 1.0}, 0.0)
            else:
                self.parts[cell, "value"] = ({}, float(published))
            return
        # a percentage: its numerator n and complement k; denominator = n + k
        if published == NOT_APPLICABLE:
            n, k = ({}, 0.0), ({}, 0.0)
        elif published in (SUPPRESSED, UNAVAILABLE):
            vn, vk = self.unknowns.new(0.0), self.unknowns.new(0.0)
            n, k = ({vn: 1.0}, 0.0), ({vk: 1.0}, 0.0)
            if published == SUPPRESSED:
                self.protected += [(cell, "numerator", vn), (cell, "complement", vk)]
                self.positive_denominators.append((vn, vk))
        else:
            numerator, denominator = float(row["numerator"]), float(row["denominator"])
            n, k = ({}, numerator), ({}, denominator - numerator)
        self.parts[cell, "numerator"] = n
        self.parts[cell, "complement"] = k
        self.parts[cell, "denominator"] = _add(n, k)

    def part(self, cell: Cell, part: str, missing: dict) -> Expr:
        """A cell's part; a cell the mart does not hold is an unknown of its own (at least 0)."""
        if (cell, part) in self.parts:
            return self.parts[cell, part]
        if part == "denominator":
            return _add(self.part(cell, "numerator", missing), self.part(cell, "complement", missing))
        if (cell, part) not in missing:
            missing[cell, part] = ({self.unknowns.new(0.0): 1.0}, 0.0)
        return missing[cell, part]


def _equations(reader: _Reader) -> list[tuple[str, Expr]]:
    """Every listed set as `sum - members = 0`, built from the spec and the catalogue."""
    cells = reader.cells
    missing: dict = {}
    equations: list[tuple[str, Expr]] = []

    def equation(name: str, total: tuple[Cell, str], members: list[tuple[Cell, str]]) -> None:
        expr = reader.part(*total, missing)
        for member in members:
            expr = _add(expr, reader.part(*member, missing), -1.0)
        equations.append((name, expr))

    def parts_of(measure_id: str) -> tuple[str, ...]:
        return ("value",) if MEASURES_BY_ID[measure_id].published_unit == "count" else ("numerator", "denominator")

    by_group: dict[tuple, list[Cell]] = defaultdict(list)
    for cell in cells:
        by_group[cell.la_code, cell.period_type, cell.period_label, cell.measure_id, cell.breakdown].append(cell)
    periods = {(c.la_code, c.period_type, c.period_label) for c in cells}

    # 1. a breakdown's values and its total (where the catalogue says they add up)
    for (la, ptype, plabel, measure_id, breakdown), members in by_group.items():
        measure = MEASURES_BY_ID.get(measure_id)
        if breakdown == "total" or measure is None or not measure.breakdowns_sum_to_total:
            continue
        total = Cell(la, ptype, plabel, measure_id, "total", TOTAL)
        for part in parts_of(measure_id):
            equation(f"breakdown {total} {breakdown} {part}", (total, part), [(m, part) for m in members])

    # 2. the quarters of a financial year and the year, for _in_period measures, per value
    quarters: dict[tuple, list[Cell]] = defaultdict(list)
    for cell in cells:
        if cell.period_type == "financial_quarter" and cell.measure_id.endswith("_in_period"):
            year = cell.period_label.split(" ")[0]
            quarters[cell.la_code, year, cell.measure_id, cell.breakdown, cell.breakdown_value].append(cell)
    for (la, year, measure_id, breakdown, value), members in quarters.items():
        total = Cell(la, "financial_year", year, measure_id, breakdown, value)
        if total not in cells:
            continue  # a year that began before the window is not published
        for part in parts_of(measure_id):
            equation(f"quarters {total} {part}", (total, part), [(m, part) for m in members])

    # 3. adoptions_in_period: the single years within each age band
    def band_of(age_years: str) -> str:
        if not age_years.isdigit():
            return NOT_KNOWN
        age = int(age_years)
        return next(b.label for b in AGE_BANDS if age >= b.min_years and (b.max_years is None or age <= b.max_years))

    for la, ptype, plabel in periods:
        years = by_group.get((la, ptype, plabel, "adoptions_in_period", "age_years"), [])
        bands: dict[str, list[Cell]] = defaultdict(list)
        for cell in years:
            bands[band_of(cell.breakdown_value)].append(cell)
        for band_cell in by_group.get((la, ptype, plabel, "adoptions_in_period", "age_band"), []):
            equation(f"ages {band_cell}", (band_cell, "value"),
                     [(c, "value") for c in bands.get(band_cell.breakdown_value, [])])

    # 4. linked measures, and what §3 says denominators are
    for la, ptype, plabel in periods:
        def total_of(measure_id: str) -> Cell:
            return Cell(la, ptype, plabel, measure_id, "total", TOTAL)

        for (sum_measure, sum_part), members in LINKED_SETS_FROM_SPEC + IDENTITIES_FROM_SPEC:
            equation(f"linked {total_of(sum_measure)} {sum_part}", (total_of(sum_measure), sum_part),
                     [(total_of(m), p) for m, p in members])
        for part, codes in (("numerator", PARTICIPATION_NUMERATOR), ("denominator", PARTICIPATION_DENOMINATOR)):
            equation(f"participation {total_of(PARTICIPATION_RATE)} {part}", (total_of(PARTICIPATION_RATE), part),
                     [(Cell(la, ptype, plabel, "cla_reviews_in_period", "participation", code), "value")
                      for code in codes])
    return equations


def _components(equations: list[tuple[str, Expr]], pairs: list[tuple[int, int]], n: int) -> list[list[int]]:
    """Groups of unknowns tied by an equation or a pair (each group solved on its own)."""
    parent = list(range(n))

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for vs in [list(coefficients) for _, (coefficients, _) in equations] + [list(p) for p in pairs]:
        for v in vs[1:]:
            parent[find(v)] = find(vs[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for v in range(n):
        groups[find(v)].append(v)
    return list(groups.values())


def _range(c_obj: np.ndarray, a: np.ndarray, b: np.ndarray, g: np.ndarray, lower: np.ndarray,
           integer: bool) -> tuple[float, float]:
    """Smallest and largest c_obj·x with a·x = b, g·x >= 1, x >= lower (NaN low: no solution)."""
    if integer:
        constraints = [LinearConstraint(a, b, b)] if len(b) else []
        if len(g):
            constraints.append(LinearConstraint(g, 1.0, np.inf))
        bounds = Bounds(lower, np.full(len(lower), np.inf))
        lo = milp(c_obj, constraints=constraints, bounds=bounds, integrality=np.ones(len(lower)))
        hi = milp(-c_obj, constraints=constraints, bounds=bounds, integrality=np.ones(len(lower)))
    else:
        options = {"A_eq": a if len(b) else None, "b_eq": b if len(b) else None,
                   "A_ub": -g if len(g) else None, "b_ub": -np.ones(len(g)) if len(g) else None,
                   "bounds": [(lb, None) for lb in lower], "method": "highs"}
        lo = linprog(c_obj, **options)
        hi = linprog(-c_obj, **options)
    # status 0: solved; otherwise infeasible (no solution) or unbounded (no largest value)
    return (lo.fun if lo.status == 0 else math.nan), (-hi.fun if hi.status == 0 else math.inf)


def _pinned(reader: _Reader, equations: list[tuple[str, Expr]], only: set | None = None) -> list[Finding]:
    """The protected parts (of `only`, if given) whose range is a single value."""
    findings: list[Finding] = []
    protected_by_variable = {v: (cell, part) for cell, part, v in reader.protected
                             if only is None or (cell, part) in only}
    lower_all = reader.unknowns.lower
    pairs = reader.positive_denominators
    component_of: dict[int, int] = {}
    components = _components(equations, pairs, len(lower_all))
    for i, variables in enumerate(components):
        for v in variables:
            component_of[v] = i
    equations_of: dict[int, list[int]] = defaultdict(list)
    for i, (_, (coefficients, _)) in enumerate(equations):
        if coefficients:
            equations_of[component_of[next(iter(coefficients))]].append(i)
    pairs_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pair in pairs:
        pairs_of[component_of[pair[0]]].append(pair)
    for c, variables in enumerate(components):
        if not any(v in protected_by_variable for v in variables):
            continue
        index = {v: j for j, v in enumerate(variables)}
        rows_eq = equations_of[c]
        a = np.zeros((len(rows_eq), len(variables)))
        b = np.zeros(len(rows_eq))
        for row, i in enumerate(rows_eq):
            coefficients, constant = equations[i][1]
            for v, k in coefficients.items():
                a[row, index[v]] = k
            b[row] = -constant
        g = np.zeros((len(pairs_of[c]), len(variables)))
        for row, (vn, vk) in enumerate(pairs_of[c]):
            g[row, index[vn]] = g[row, index[vk]] = 1.0
        lower = np.array([lower_all[v] for v in variables])
        for v in variables:
            if v not in protected_by_variable:
                continue
            c_obj = np.zeros(len(variables))
            c_obj[index[v]] = 1.0
            low, high = _range(c_obj, a, b, g, lower, integer=False)
            if math.isnan(low):
                raise ValueError(f"no solution for the sets around {protected_by_variable[v][0]}")
            # integer values the cell can take lie in [ceil(low), floor(high)]; when few, count them exactly
            if high < math.inf and math.floor(high + 1e-6) - math.ceil(low - 1e-6) <= 2:
                low, high = _range(c_obj, a, b, g, lower, integer=True)
            if high - low < 0.5:
                cell, part = protected_by_variable[v]
                findings.append(Finding(cell, part, low, high))
    return findings


def audit(rows: list[dict]) -> AuditResult:
    """Flag every `c` cell of `rows` (marts.performance_measures, as dicts) a reader can work out.

    A percentage pinned at 0% or 100% (its numerator or complement 0) only because a count in
    one of its sets is a published 0 is set apart (given_away_by_zeros): measures.md §1 publishes
    true zeros and never suppresses a 0, so a reader is meant to know them."""
    reader = _Reader(rows)
    equations = _equations(reader)
    result = AuditResult(suppressed_cells=len({cell for cell, _, _ in reader.protected}), sets=len(equations))
    for name, (coefficients, constant) in equations:
        if not coefficients and abs(constant) > 1e-9:
            result.inconsistent.append(name)
    if result.inconsistent:
        return result
    findings = _pinned(reader, equations)
    at_zero = {(f.cell, f.part) for f in findings if f.part != "value" and abs(f.low) < 1e-9}
    if at_zero:
        relaxed = _Reader(rows, zeros_unknown=True)
        still = {(f.cell, f.part) for f in _pinned(relaxed, _equations(relaxed), only=at_zero)}
        result.given_away_by_zeros = [f for f in findings if (f.cell, f.part) in at_zero - still]
        findings = [f for f in findings if (f.cell, f.part) not in at_zero - still]
    result.findings = findings
    return result


def read_mart(conn, la_code: str | None = None) -> list[dict]:
    """The published figures of marts.performance_measures (what a reader gets), as dicts.

    `value` is never read; numerator and denominator only where the percentage is published."""
    query = """
        select la_code, period_type, period_label, measure_id, breakdown, breakdown_value, unit,
               case when published_value not in ('c', 'x') then numerator end as numerator,
               case when published_value not in ('c', 'x') then denominator end as denominator,
               published_value
        from marts.performance_measures
    """
    params: tuple = ()
    if la_code is not None:
        query += " where la_code = %s"
        params = (la_code,)
    cursor = conn.execute(query, params)
    names = [d.name for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def main(argv: list[str] | None = None) -> int:
    """`python tests/disclosure_auditor.py DSN [LA_CODE]`: print what a reader can recover."""
    import sys

    import psycopg

    args = argv if argv is not None else sys.argv[1:]
    with psycopg.connect(args[0]) as conn:
        rows = read_mart(conn, args[1] if len(args) > 1 else None)
    result = audit(rows)
    print(f"{len(rows)} published rows, {result.suppressed_cells} suppressed cells, {result.sets} sets")
    for finding in result.findings:
        c = finding.cell
        print(f"  recovered: {c.period_label} {c.measure_id} {c.breakdown}={c.breakdown_value}"
              f" {finding.part} = {finding.low:g}")
    for finding in result.given_away_by_zeros:
        c = finding.cell
        print(f"  given away by a published 0: {c.period_label} {c.measure_id} {c.breakdown}={c.breakdown_value}"
              f" {finding.part} = {finding.low:g}")
    for name in result.inconsistent:
        print(f"  inconsistent: {name}")
    print(f"{len(result.recovered_cells)} suppressed cells recovered; {len(result.given_away_by_zeros)} percentage"
          f" parts at 0 given away by published zeros; {len(result.inconsistent)} inconsistent sets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
