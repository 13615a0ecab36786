"""Every check of every contract table, generated from `contract.TABLES` (and written into the suites).

A check is one rule applied to one table (and usually one column). Row checks are
a SQL predicate that is true for a row breaking the rule, over the landed table
aliased `t` (every column text), plus the derived relations it joins. The gate
(sql_pass.py) puts all the predicates of one table into ONE query that counts the
rows breaking each; Great Expectations then evaluates those counts (gx_run.py).

Predicates are templates; the gate fills in, per drop:
    {{table:NAME}}        the landed table NAME (absent optional columns read as NULL)
    {{date:COLUMN}}       t.COLUMN parsed as a date, computed once per row (private.parse_date)
    {{codes:SET}}         the code set's codes as written, a SQL list ('M', 'F', ...)
    {{labels:SET}}        every accepted label, normalised: codes, DfE descriptions, aliases
                          and the council's own labels (its mapping file), a SQL list
    {{labels:SET:CODE}}   the labels that mean CODE
    {{la_code}} {{extract_date}}   the drop's council and date, as literals
Parsing uses the warehouse's never-raising private.* functions (sql/040_parsing.sql),
the same ones dbt staging uses, so validation and staging read a value the same way.

The few rules that relate columns (which dates are ordered, which tables cannot
predate a child's birth, which future dates are allowed) are the small explicit
tables of contract/cross_column.py, checked against the contract when this module is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from csc_pipeline.contract.parsing_sql import null_markers
from csc_pipeline.contract import CODE_SETS, TABLES, TABLES_BY_NAME, Column, Table
from csc_pipeline.contract.cross_column import (
    ADULT_AGE, BORN_TABLES, DATE_ORDER, FUTURE_ALLOWED_WHEN, MANGLED_ID_PATTERN, MISSING_LINKS, OPEN_RECORDS,
    PERIOD_OF_CARE, PERSON, REVIEWS_IN_PERIOD,
)
from csc_pipeline.contract.rules import RULES, Severity

@dataclass(frozen=True)
class Join:
    """A derived relation a check's predicate needs, left-joined to `t` (one row per key)."""

    alias: str
    relation: str  # SQL (a template) selecting `k` and any other columns, one row per k
    key: str  # expression over `t` matched to `k`

    def to_json(self) -> list[str]:
        return [self.alias, self.relation, self.key]


@dataclass(frozen=True)
class Check:
    rule: str
    table: str
    column: str | None
    description: str
    where: str = ""  # row checks: true for a row that breaks the rule; "" for table checks
    joins: tuple[Join, ...] = ()
    # (table, column) the check cannot run without; a missing one skips it (a missing
    # required column is reported once, by required_column).
    needs: tuple[tuple[str, str], ...] = ()
    severity: Severity | None = None  # None: the rule's
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.table}.{self.rule}" + (f".{self.column}" if self.column else "")

    @property
    def effective_severity(self) -> Severity:
        return self.severity or RULES[self.rule].severity


# -- the checks of one table ---------------------------------------------------------------

def checks_for(table: Table) -> list[Check]:
    """Every check of one contract table, in report order."""
    t = table.name
    out: list[Check] = [
        Check("required_column", t, None, f"{t} has every required column",
              params={"columns": [c.name for c in table.columns if not c.optional]}),
        Check("unknown_column", t, None, f"{t} has no column outside the contract",
              params={"columns": table.column_names}),
        Check("optional_column_missing", t, None, f"{t} has every optional column",
              params={"columns": [c.name for c in table.columns if c.optional]}),
        Check("filled_column_missing", t, None,
              f"{t} has every optional column that had values in the last good drop",
              params={"columns": [c.name for c in table.columns if c.optional]}),
    ]
    if table.required:
        out.append(Check("table_not_empty", t, None, f"{t} is not empty"))
    out += [
        Check("volume_shrink", t, None, f"{t} has not shrunk beyond the threshold since the last good drop"),
        Check("volume_growth", t, None, f"{t} has not grown beyond the threshold since the last good drop"),
    ]
    for column in table.columns:
        out += _column_checks(table, column)
    out += _counted_warnings(table)
    return out


def _counted_warnings(table: Table) -> list[Check]:
    """Records the measures treat specially (measures.md §2), counted so the data team knows:
    empty links, records open past a child's 18th birthday or death, unknown dates of birth."""
    t = table.name
    out: list[Check] = []
    for tt, c in MISSING_LINKS:
        if tt == t:
            out.append(Check("missing_link", t, c, f"{c} is not empty (an empty one stands alone)",
                             where=null_test(f"t.{_q(c)}"), needs=((t, c),)))
    for tt, end in OPEN_RECORDS:
        if tt == t:
            person = _person_column(table)
            alias = f"fk_{person}"
            open_ = null_test(f"t.{_q(end)}")
            needs = ((t, end), (t, person), (PERSON[0], "pers_dob"))
            # Age on the last day the extract covers (the day before it), as the marts count it.
            out.append(Check(
                "open_after_18", t, end, f"{end} is set once the child ({person}) is {ADULT_AGE}",
                where=f"{open_} and date_part('year', age({{{{extract_date}}}} - 1, {alias}.born)) >= {ADULT_AGE}",
                joins=(_key_join(person, PERSON),), needs=needs, params={"person": person}))
            out.append(Check(
                "open_after_death", t, end, f"{end} is set once the child ({person}) has died",
                where=f"{open_} and {alias}.died < {{{{extract_date}}}}",
                joins=(_key_join(person, PERSON),), needs=needs, params={"person": person}))
    if t == PERSON[0]:
        out.append(Check(
            "dob_missing", t, "pers_dob", "pers_dob is known (or the child is unborn on the extract date)",
            where=(f"{null_test('t.pers_dob')} and ({{{{date:pers_expected_dob}}}} is null "
                   f"or {{{{date:pers_expected_dob}}}} < {{{{extract_date}}}})"),
            needs=((t, "pers_dob"),)))
    return out


def _column_checks(table: Table, column: Column) -> list[Check]:
    t, c = table.name, column.name
    col = _q(c)
    needs = ((t, c),)
    out: list[Check] = []

    def add(rule: str, description: str, where: str, **kw) -> None:
        kw["needs"] = needs + kw.get("needs", ())
        out.append(Check(rule, t, c, description, where=where, **kw))

    if column.primary_key or column.not_null:
        add("not_null", f"{c} is never missing", null_test(f"t.{col}"))
    if column.primary_key:
        # In the pass: count(*) against count(distinct key); these rows only when that differs.
        dup = Join("dup", f"select btrim({col}) as k from {{{{table:{t}}}}} "
                   f"where not {null_test(col)} group by 1 having count(*) > 1", f"btrim(t.{col})")
        add("primary_key_unique", f"{c} is unique (the primary key)", "dup.k is not null", joins=(dup,))
    if column.type == "text" and is_identifier(table, column):
        add("id_format", f"{c} is not a number mangled by a spreadsheet",
            f"(strpos(t.{col}, '.') > 0 or strpos(t.{col}, '+') > 0) and t.{col} ~ '{MANGLED_ID_PATTERN}'")
    if column.primary_key:
        # Ids of the last good drop that start with 0, stripped of their zeros, unless the
        # stripped id was an id of that drop too. Both read raw's primary key index only.
        raw = f"raw.{_q(t)}"
        zeros = Join("zeros", f"select z.k from (select distinct ltrim(btrim({col}), '0') as k from {raw} "
                     f"where la_code = {{{{la_code}}}} and {col} >= '0' and {col} < '1') as z "
                     f"where z.k <> '' and not exists (select from {raw} as r "
                     f"where r.la_code = {{{{la_code}}}} and r.{col} = z.k)", f"btrim(t.{col})")
        add("id_leading_zeros", f"{c} keeps the leading zeros the last good drop's ids had",
            "zeros.k is not null", joins=(zeros,))
    if column.type == "date":
        date = f"{{{{date:{c}}}}}"
        add("date_format", f"{c} is a date in an accepted form",
            f"{date} is null and not {null_test(f't.{col}')}")
        exception = FUTURE_ALLOWED_WHEN.get((t, c))
        if column.happened or exception:
            where, extra = f"{date} > {{{{extract_date}}}}", ()
            description = f"{c} is not after the extract date"
            if exception:
                other, code = exception
                code_set = table.column(other).code_set
                where += (f" and coalesce(private.normalise_label(t.{_q(other)}), '') "
                          f"not in {{{{labels:{code_set}:{code}}}}}")
                extra = ((t, other),)
                description += f" (unless {other} is {code})"
            add("future_date", description, where, needs=extra)
        for tt, start, end in DATE_ORDER:
            if tt == t and end == c:
                add("date_order", f"{c} is not before {start}", f"{date} < {{{{date:{start}}}}}",
                    needs=((t, start),), params={"start": start})
        if t in BORN_TABLES:
            person = _person_column(table)
            if person is not None:
                alias = f"fk_{person}"
                add("before_birth", f"{c} is not before the birth of the child ({person})",
                    f"{date} < {alias}.born", joins=(_key_join(person, PERSON),),
                    needs=((t, person), (PERSON[0], "pers_dob")), params={"person": person})
        for tt, held, period in REVIEWS_IN_PERIOD:
            if tt == t and held == c:
                alias = f"fk_{period}"
                add("review_in_period", f"{c} lies within the period of care ({period})",
                    f"({date} < {alias}.starts or {date} > {alias}.ends)",
                    joins=(_key_join(period, PERIOD_OF_CARE),), needs=((t, period), PERIOD_OF_CARE),
                    params={"period": period})
    if column.type == "code":
        cs = CODE_SETS[column.code_set]
        where = (f"t.{col} not in {{{{codes:{cs.name}}}}} and not {null_test(f't.{col}')} "
                 f"and private.normalise_label(t.{col}) not in {{{{labels:{cs.name}}}}}")
        for prefix in cs.prefix_descriptions:
            # "Multiple: Neglect, Emotional abuse": a description followed by ':' and free text.
            where += f" and private.normalise_label(t.{col}) not like {sql_literal(prefix.strip().lower() + ':%')}"
        rule = "code_local" if cs.open_set else "code_valid"
        add(rule, f"{c} holds a code of {cs.name} (or its description, or a council label)", where,
            params={"code_set": cs.name})
    if column.type == "yn":
        add("yn_valid", f"{c} is Y or N",
            f"t.{col} not in ('Y', 'N') and private.parse_yn(t.{col}) is null and not {null_test(f't.{col}')}")
    if column.type == "number":
        add("number_valid", f"{c} is a number",
            f"private.parse_number(t.{col}) is null and not {null_test(f't.{col}')}")
    if column.references:
        ref_table, ref_column = column.references
        alias = f"fk_{c}"
        add("foreign_key", f"{c} matches a {ref_column} of {ref_table} in the drop",
            f"{alias}.k is null and not {null_test(f't.{col}')}",
            joins=(_key_join(c, column.references),), needs=((ref_table, ref_column),),
            params={"references": [ref_table, ref_column]})
    return out


def _key_join(column: str, target: tuple[str, str]) -> Join:
    """The distinct keys of `target` (trimmed), with what checks on them need: a person's
    date of birth (else expected date of birth) and date of death, a period of care's first
    start and last end (none while an episode is open)."""
    table, key = target
    dates: list[str] = []
    extra = ""
    if target == PERSON:
        dates = ["pers_dob", "pers_expected_dob", "pers_death_date"]
        extra = (f", min(coalesce({parsed_date('r', 'pers_dob')}, {parsed_date('r', 'pers_expected_dob')})) as born"
                 f", min({parsed_date('r', 'pers_death_date')}) as died")
    elif target == PERIOD_OF_CARE:
        dates = ["clae_cla_episode_start_date", "clae_cla_episode_ceased_date"]
        start, end = (parsed_date("r", d) for d in dates)
        extra = (f", min({start}) as starts, "
                 f"case when bool_or({end} is null) then null else max({end}) end as ends")
    joins = "".join(f" left join private.calendar as cal_{d} on cal_{d}.form = r.{d}" for d in dates)
    relation = (f"select btrim(r.{_q(key)}) as k{extra} from {{{{table:{table}}}}} as r{joins} "
                f"where not {null_test(f'r.{_q(key)}')} group by 1")
    return Join(f"fk_{column}", relation, f"btrim(t.{_q(column)})")


def parsed_date(alias: str, column: str) -> str:
    """alias.column as a date: private.calendar (joined as cal_<column>) for the usual
    spellings, else private.parse_date — the same answer either way (sql/052_calendar.sql)."""
    return f"coalesce(cal_{column}.d, private.parse_date({alias}.{_q(column)}))"


def null_test(column_sql: str) -> str:
    """private.is_null_value(v), called only when a cheap necessary condition holds:
    a non-NULL value is NULL-like only if it is blank (empty or starting with a space, so it
    sorts bytewise before '!'; no string is allocated, unlike btrim) or contains a placeholder."""
    v = column_sql
    markers = "".join(f" or strpos({v}, {sql_literal(m)}) > 0" for m in null_markers())
    return f"({v} is null or (({v} < '!' collate \"C\"{markers}) and private.is_null_value({v})))"


def _person_column(table: Table) -> str | None:
    for c in table.columns:
        if c.references == PERSON:
            return c.name
    return None


def is_identifier(table: Table, column: Column) -> bool:
    """A column holding an identifier: a key, a reference, a column others refer to, or *_id."""
    referenced = {c.references for t in TABLES for c in t.columns if c.references}
    return (column.primary_key or column.references is not None or column.name.endswith("_id")
            or (table.name, column.name) in referenced)


def _q(name: str) -> str:
    """A contract name as a SQL identifier (they are all lower-case snake case)."""
    if not name.replace("_", "").isalnum() or name.lower() != name:
        raise ValueError(f"{name!r} is not a plain identifier")
    return name


def sql_literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _check_tables() -> None:
    """The explicit tables above name only contract tables and columns."""
    for t, start, end in DATE_ORDER:
        table = TABLES_BY_NAME[t]
        assert table.column(start).type == table.column(end).type == "date", (t, start, end)
    for t in BORN_TABLES:
        assert _person_column(TABLES_BY_NAME[t]) is not None, t
    for (t, c), (other, code) in FUTURE_ALLOWED_WHEN.items():
        table = TABLES_BY_NAME[t]
        assert table.column(c).type == "date" and code in CODE_SETS[table.column(other).code_set].codes
    for t, held, period in REVIEWS_IN_PERIOD:
        assert TABLES_BY_NAME[t].column(period).references == PERIOD_OF_CARE, (t, period)
        assert TABLES_BY_NAME[t].column(held).type == "date"
    for t, c in MISSING_LINKS:
        column = TABLES_BY_NAME[t].column(c)
        assert not column.not_null and not column.primary_key, (t, c)
    for t, end in OPEN_RECORDS:
        assert TABLES_BY_NAME[t].closed_by == end and _person_column(TABLES_BY_NAME[t]) is not None, (t, end)
    for t in TABLES:
        ids = [c.id for c in checks_for(t)]
        assert len(ids) == len(set(ids)), t.name


_check_tables()
