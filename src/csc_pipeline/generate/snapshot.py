"""What the case system shows on an extract date: the rows of every table, as plain values.

The extract covers events up to the day before the extract date: a row exists
only if it was created before that date, dates of things that happened on or
after it are NULL (so a record that ends later is still open), and values
changed later show their earlier state. The window is the extract date less six
years: a record is extracted if it ended in the window or is still open, a
point event (review, conference, visit) if it is dated in the window; people
and professionals come with the rows that name them.
"""

from __future__ import annotations

from datetime import date

from csc_pipeline.contract import TABLES
from csc_pipeline.contract.delivery import default_window_start
from .world import Rec, Value, World

Row = dict[str, Value]

# How each table's rows fall in or out of the window.
#   ("span", end columns): in if the first non-NULL end is in the window, or if there is none (open)
#   ("point", date columns): in if the first non-NULL date is in the window
#   ("named",): only when another row in the drop names it (people)
#   ("follows", fk column): in when the row it names is in (a family row follows its person)
#   ("staff",): professionals in post on the extract date, or named by a row in the drop
WINDOW: dict[str, tuple] = {
    # A record with a start and an end is in by its end (the contract's Table.closed_by).
    **{t.name: ("span", t.closed_by) for t in TABLES if t.closed_by},
    "ssd_person": ("named",),
    "ssd_family": ("follows", "fami_person_id"),
    "ssd_cla_reviews": ("point", "clar_cla_review_date", "clar_cla_review_due_date"),
    "ssd_cla_health": ("point", "clah_health_check_date"),
    "ssd_permanence": ("span", "perm_permanence_order_date", "perm_decision_reversed_date"),
    "ssd_initial_cp_conference": ("point", "icpc_icpc_date"),
    "ssd_cp_reviews": ("point", "cppr_cp_review_date"),
    "ssd_professionals": ("staff",),
    "loc_foster_carer_reviews": ("point", "fcar_review_date", "fcar_review_due_date"),
    "loc_cla_pep": ("point", "pep_date"),
    "loc_reg33_visits": ("point", "r33_visit_date"),
}

# Values recorded together with a date: while the date has not happened yet, they are NULL too.
HIDDEN_WITH: dict[str, tuple[str, ...]] = {
    "pers_dob": ("pers_forename", "pers_upn"),  # an unborn child has no name yet
    "clae_cla_episode_ceased_date": ("clae_cla_episode_ceased_reason",),
    "clap_cla_placement_end_date": ("clap_cla_placement_change_reason",),
    "s47e_s47_end_date": ("s47e_s47_nfa",),
    "perm_permanence_order_date": ("perm_permanence_order_type",),
    "invo_involvement_end_date": ("invo_worker_change_reason",),
    "lado_outcome_date": ("lado_outcome",),
    "esca_resolved_date": ("esca_resolution",),
    "fcar_review_date": ("fcar_outcome",),
}


def _check_rules() -> None:
    """The rules above name only contract tables and columns (a typo would silently do nothing)."""
    names = {t.name: set(t.column_names) for t in TABLES}
    assert set(WINDOW) == set(names), sorted(set(WINDOW) ^ set(names))
    all_columns = set().union(*names.values())
    for table, rule in WINDOW.items():
        assert all(c in names[table] for c in rule[1:]), (table, rule)
    for col, deps in HIDDEN_WITH.items():
        assert col in all_columns and all(d in all_columns for d in deps), col


_check_rules()

_HAPPENED = {t.name: tuple(c.name for c in t.columns if c.type == "date" and c.happened) for t in TABLES}
# Foreign keys of the contract: (table, column, referenced table, referenced column).
_FKS = tuple((t.name, c.name, *c.references) for t in TABLES for c in t.columns if c.references)


def _as_of(rec: Rec, extract_date: date, happened: tuple[str, ...]) -> Row:
    row = dict(rec.values)
    if rec.versions:
        for on, changes in rec.versions:
            if on < extract_date:
                row.update(changes)
    for col in happened:
        v = row.get(col)
        if v is not None and v >= extract_date:  # type: ignore[operator]
            row[col] = None
            for dep in HIDDEN_WITH.get(col, ()):
                row[dep] = None
    return row


def _final(rec: Rec, happened: tuple[str, ...]) -> tuple[date, Row]:
    """The row once everything in it has happened, and the last day it changes (cached on the
    record: most rows are settled long before the extract dates and are then shared by all drops)."""
    if rec.final is None:
        settled = rec.visible
        for col in happened:
            v = rec.values.get(col)
            if v is not None and v > settled:  # type: ignore[operator]
                settled = v  # type: ignore[assignment]
        row = dict(rec.values)
        for on, changes in rec.versions or ():
            settled = max(settled, on)
            row.update(changes)
        rec.final = (settled, row)
    return rec.final


def _in_window(rule: tuple, row: Row, start: date) -> bool:
    kind = rule[0]
    if kind == "span":
        end = next((row.get(c) for c in rule[1:] if row.get(c) is not None), None)
        return end is None or end >= start  # type: ignore[operator]
    if kind == "point":
        when = next((row.get(c) for c in rule[1:] if row.get(c) is not None), None)
        return when is not None and when >= start  # type: ignore[operator]
    return False


# A row of a snapshot, with the record it came from when the row is that record's final state
# (the writer may then reuse how it formatted it on an earlier night).
Shown = tuple[Row, Rec | None]


def take(world: World, extract_date: date) -> dict[str, list[Shown]]:
    """Every table as the case system shows it on `extract_date`, rows in id order."""
    start = default_window_start(extract_date)
    shown: dict[str, list[Shown]] = {}
    chosen: dict[str, dict[str, Shown]] = {}
    for table in TABLES:
        pk, rule = table.primary_key.name, WINDOW[table.name]
        happened = _HAPPENED[table.name]
        rows: list[Shown] = []
        for rec in world.records[table.name]:
            if rec.visible >= extract_date:
                continue
            settled, row = _final(rec, happened)
            rows.append((row, rec) if settled < extract_date else (_as_of(rec, extract_date, happened), None))
        shown[table.name] = rows
        if rule[0] in ("span", "point"):
            chosen[table.name] = {str(r[0][pk]): r for r in rows if _in_window(rule, r[0], start)}
        elif rule[0] == "staff":
            in_post = {str(rec.values[pk]) for rec in world.records[table.name]
                       if rec.meta and rec.visible < extract_date
                       and (rec.meta["end"] is None or rec.meta["end"] >= extract_date)}  # type: ignore[operator]
            chosen[table.name] = {str(r[0][pk]): r for r in rows if str(r[0][pk]) in in_post}
        else:
            chosen[table.name] = {}
    _bring_named_rows(shown, chosen)
    _derive(world, chosen)
    out = {}
    for table in TABLES:
        rows_by_id = chosen[table.name]
        out[table.name] = [rows_by_id[k] for k in sorted(rows_by_id, key=lambda k: (len(k), k))]
    return out


def _fk_order() -> tuple[tuple[str, str, str, str], ...]:
    """The contract's foreign keys, those of referencing tables first, so that rows brought in by
    one key are there when the keys of their own table are followed (one pass is enough)."""
    order: list[str] = []
    referencing = {t.name: {fk[0] for fk in _FKS if fk[2] == t.name and fk[0] != t.name} for t in TABLES}
    while len(order) < len(TABLES):
        for t in TABLES:  # contract order among equals, so the pass is deterministic
            if t.name not in order and referencing[t.name] <= set(order):
                order.append(t.name)
                break
        else:
            raise ValueError("the contract's foreign keys form a cycle")
    return tuple(fk for name in order for fk in _FKS if fk[0] == name)


_FK_ORDER = _fk_order()


def _bring_named_rows(shown: dict[str, list[Shown]], chosen: dict[str, dict[str, Shown]]) -> None:
    """Every foreign key resolves: a row named by a chosen row is chosen too (people, and the odd
    enquiry or plan that left the window before the conference or review that names it)."""
    pks = {t.name: t.primary_key.name for t in TABLES}
    for table, col, ref_table, ref_col in _FK_ORDER:
        if WINDOW[table][0] == "follows":
            continue
        wanted = {r[0].get(col) for r in chosen[table].values()}
        wanted.discard(None)
        have = {r[0].get(ref_col) for r in chosen[ref_table].values()}
        missing = wanted - have
        if not missing:
            continue
        for r in shown[ref_table]:
            if r[0].get(ref_col) in missing:
                chosen[ref_table][str(r[0][pks[ref_table]])] = r
    for table, rule in WINDOW.items():
        if rule[0] == "follows":
            col = rule[1]
            ref_table, ref_col = next((rt, rc) for t, c, rt, rc in _FKS if t == table and c == col)
            have = {r[0].get(ref_col) for r in chosen[ref_table].values()}
            chosen[table] = {str(r[0][pks[table]]): r for r in shown[table] if r[0].get(col) in have}


def _derive(world: World, chosen: dict[str, dict[str, Shown]]) -> None:
    """Values the case system computes on the day: a professional's caseload (open involvements)."""
    open_cases: dict[Value, int] = {}
    for row, _ in chosen["ssd_involvements"].values():
        if row.get("invo_involvement_end_date") is None:
            key = row.get("invo_professional_id")
            open_cases[key] = open_cases.get(key, 0) + 1
    holds_cases = {str(rec.values["prof_professional_id"]) for rec in world.records["ssd_professionals"]
                   if rec.meta and rec.meta.get("holds_cases")}
    profs = chosen["ssd_professionals"]
    for pid, (row, _) in list(profs.items()):
        row = dict(row)  # never change a row shared with other nights
        row["prof_professional_caseload"] = open_cases.get(pid, 0) if pid in holds_cases else None
        profs[pid] = (row, None)
