-- The additive sets disclosure control must hold against (measures.md §1), one row per
-- member or sum, built from the measure catalogue (contract/measures.py, through the seeds
-- measure_catalogue and disclosure_linked_sets) and the cells of int_measures_unioned:
--   - a breakdown's values and its total (measure × period × breakdown), where the
--     catalogue says they add up (breakdowns_sum_to_total);
--   - the quarters of a financial year and that year (a running year: the quarters so far),
--     for _in_period measures (adds_up_over_quarters), per breakdown value;
--   - the values of a breakdown within those of another (nested_breakdowns: adoptions'
--     age_years within age_band);
--   - the linked measures (disclosure_linked_sets): a member whose measure has no cells is
--     absent (0 rows).
-- A count takes part by its value; a percentage by its numerator, its denominator and its
-- complement (denominator - numerator), which add up over the same sets, and in linked
-- sets by the part named there.
-- `phase` is the rule's fixed order (sql/080_disclosure_control.sql): sets of one phase
-- share no cell. member_order breaks ties: breakdown values in text order, numbers by
-- number; quarters in order; linked terms as listed; the sum is last by is_sum.
{#- Its CTEs are read many times, so PostgreSQL materialises them and has no statistics for
    them: it guessed 1 row for tens of thousands and planned nested loops over CTE scans, which
    grew with the square of the councils (301 s of a 10-council build). Hash joins throughout. -#}
{{ config(pre_hook=["set local enable_nestloop = off"]) }}
with

cells as (

    select la_code, period_type, period_label, measure_id, breakdown, breakdown_value, unit
    from {{ ref('int_measures_unioned') }}

),

catalogue as (

    select
        measure_id,
        string_to_array(breakdowns, ' ') as breakdowns,
        breakdowns_sum_to_total,
        adds_up_over_quarters,
        string_to_array(nullif(nested_breakdowns, ''), ' ') as nested_breakdowns
    from {{ ref('measure_catalogue') }}

),

linked_terms as (

    select * from {{ ref('disclosure_linked_sets') }}

),

-- the parts by which a cell adds up, and their order within a family of sets
parts (unit, part, part_order) as (

    values ('count', 'value', 0), ('percent', 'numerator', 0), ('percent', 'complement', 1),
        ('percent', 'denominator', 2)

),

breakdown_members as (

    select
        concat_ws('|', 'breakdown', cells.la_code, cells.period_type, cells.period_label,
                  cells.measure_id, cells.breakdown, parts.part) as set_id,
        100 + 3 * array_position(catalogue.breakdowns, cells.breakdown) + parts.part_order as phase,
        cells.la_code, cells.period_type, cells.period_label, cells.measure_id,
        cells.breakdown, cells.breakdown_value, parts.part
    from cells
    inner join catalogue using (measure_id)
    inner join parts using (unit)
    where cells.breakdown <> 'total' and catalogue.breakdowns_sum_to_total

),

breakdown_sets as (

    select
        set_id, phase, la_code, period_type, period_label, measure_id, breakdown, breakdown_value, part,
        false as is_sum, false as is_derived,
        row_number() over (
            partition by set_id
            order by case when breakdown_value ~ '^[0-9]+$' then lpad(breakdown_value, 12, '0')
                          else breakdown_value end collate "C"
        )::integer as member_order
    from breakdown_members
    union all
    select distinct
        members.set_id, members.phase, totals.la_code, totals.period_type, totals.period_label,
        totals.measure_id, totals.breakdown, totals.breakdown_value, members.part,
        true as is_sum, false as is_derived, 0 as member_order
    from breakdown_members as members
    inner join cells as totals
        on totals.la_code = members.la_code
        and totals.period_type = members.period_type
        and totals.period_label = members.period_label
        and totals.measure_id = members.measure_id
        and totals.breakdown = 'total'

),

quarter_members as (

    select
        concat_ws('|', 'quarters', cells.la_code, split_part(cells.period_label, ' ', 1),
                  cells.measure_id, cells.breakdown, cells.breakdown_value, parts.part) as set_id,
        200 + parts.part_order as phase,
        split_part(cells.period_label, ' ', 1) as year_label,
        cells.la_code, cells.period_type, cells.period_label, cells.measure_id,
        cells.breakdown, cells.breakdown_value, parts.part,
        -- Q1 … Q4
        right(cells.period_label, 1)::integer as member_order
    from cells
    inner join catalogue using (measure_id)
    inner join parts using (unit)
    where cells.period_type = 'financial_quarter' and catalogue.adds_up_over_quarters

),

quarter_sets as (

    select
        set_id, phase, la_code, period_type, period_label, measure_id, breakdown, breakdown_value, part,
        false as is_sum, false as is_derived, member_order
    from quarter_members
    union all
    -- the year, when it is published (a year that began before the window is not)
    select distinct
        members.set_id, members.phase, years.la_code, years.period_type, years.period_label,
        years.measure_id, years.breakdown, years.breakdown_value, members.part,
        true as is_sum, false as is_derived, 0 as member_order
    from quarter_members as members
    inner join cells as years
        on years.la_code = members.la_code
        and years.period_type = 'financial_year'
        and years.period_label = members.year_label
        and years.measure_id = members.measure_id
        and years.breakdown = members.breakdown
        and years.breakdown_value = members.breakdown_value

),

-- Quarters taken together (two or more, not the whole year): what a reader gets by adding up
-- the sets above, which a set at a time cannot show. A breakdown's quarters Q2 and Q4 add up,
-- value by value, to the year less Q1 and Q3, and over the values to the total's Q2 + Q4: a
-- `c` cell of Q4 can follow from that when every set holding it on its own hides it. Each such
-- sum is a derived part (is_derived: no cell of its own, never published): defined by its
-- quarters, the rest of its year, and the breakdown's values adding up to the total's.
year_quarters as (

    select
        la_code, measure_id, year_label, array_agg(distinct member_order order by member_order) as quarters
    from quarter_members
    group by la_code, measure_id, year_label

),

quarter_groups as (

    select distinct
        y.la_code, y.measure_id, y.year_label,
        array(select q from unnest(y.quarters) as q where mask & (1 << (q - 1)) > 0 order by q) as in_group
    from year_quarters as y
    cross join generate_series(1, 15) as mask
    where y.year_label is not null

),

merged_groups as (

    select
        la_code, measure_id, year_label, in_group,
        year_label || ' Q' || array_to_string(in_group, '+Q') as merged_label
    from quarter_groups as g
    where cardinality(in_group) >= 2
        and cardinality(in_group) < (select cardinality(y.quarters) from year_quarters as y
                                     where y.la_code = g.la_code and y.measure_id = g.measure_id
                                         and y.year_label = g.year_label)
        -- only where a breakdown makes a grid of values by quarters
        and exists (select from catalogue as c where c.measure_id = g.measure_id
                    and c.breakdowns_sum_to_total and cardinality(c.breakdowns) > 1)
        -- and the year is published (its values are the rows' sums)
        and exists (select from quarter_sets as s where s.la_code = g.la_code and s.measure_id = g.measure_id
                    and s.period_label = g.year_label and s.is_sum)

),

merged_sets as (

    -- the derived part: its quarters add up to it
    select
        concat_ws('|', 'merged', m.la_code, groups.merged_label, m.measure_id, m.breakdown,
                  m.breakdown_value, m.part) as set_id,
        250 + parts.part_order as phase,
        m.la_code, m.period_type, m.period_label, m.measure_id, m.breakdown, m.breakdown_value, m.part,
        false as is_sum, false as is_derived, m.member_order
    from quarter_members as m
    inner join merged_groups as groups
        on groups.la_code = m.la_code and groups.measure_id = m.measure_id and groups.year_label = m.year_label
        and m.member_order = any(groups.in_group)
    inner join parts using (part)
    union all
    select distinct
        concat_ws('|', 'merged', m.la_code, groups.merged_label, m.measure_id, m.breakdown,
                  m.breakdown_value, m.part),
        250 + parts.part_order,
        m.la_code, 'quarters', groups.merged_label, m.measure_id, m.breakdown, m.breakdown_value, m.part,
        true, true, 0
    from quarter_members as m
    inner join merged_groups as groups
        on groups.la_code = m.la_code and groups.measure_id = m.measure_id and groups.year_label = m.year_label
    inner join parts using (part)
    union all
    -- the year is the derived part and the other quarters
    select
        concat_ws('|', 'merged-year', s.la_code, groups.merged_label, s.measure_id, s.breakdown,
                  s.breakdown_value, s.part),
        260 + parts.part_order,
        s.la_code, s.period_type, s.period_label, s.measure_id, s.breakdown, s.breakdown_value, s.part,
        s.is_sum, false, s.member_order
    from quarter_sets as s
    inner join merged_groups as groups
        on groups.la_code = s.la_code and groups.measure_id = s.measure_id
        and groups.year_label = split_part(s.period_label, ' ', 1)
    inner join parts using (part)
    where s.is_sum or not (s.member_order = any(groups.in_group))
    union all
    select distinct
        concat_ws('|', 'merged-year', m.la_code, groups.merged_label, m.measure_id, m.breakdown,
                  m.breakdown_value, m.part),
        260 + parts.part_order,
        m.la_code, 'quarters', groups.merged_label, m.measure_id, m.breakdown, m.breakdown_value, m.part,
        false, true, 0
    from quarter_members as m
    inner join merged_groups as groups
        on groups.la_code = m.la_code and groups.measure_id = m.measure_id and groups.year_label = m.year_label
    inner join parts using (part)
    union all
    -- a breakdown's derived parts add up to the total's
    select distinct
        concat_ws('|', 'merged-breakdown', m.la_code, groups.merged_label, m.measure_id, b.breakdown, m.part),
        270 + parts.part_order,
        m.la_code, 'quarters', groups.merged_label, m.measure_id, m.breakdown, m.breakdown_value, m.part,
        m.breakdown = 'total', true, 0
    from quarter_members as m
    inner join merged_groups as groups
        on groups.la_code = m.la_code and groups.measure_id = m.measure_id and groups.year_label = m.year_label
    inner join parts using (part)
    -- each non-total breakdown with the total row
    inner join (select distinct la_code, measure_id, breakdown from breakdown_members) as b
        on b.la_code = m.la_code and b.measure_id = m.measure_id
        and (m.breakdown = b.breakdown or m.breakdown = 'total')

),

nests as (

    select
        measure_id,
        split_part(pair, ':', 1) as breakdown,
        split_part(pair, ':', 2) as within_breakdown
    from catalogue
    cross join lateral unnest(nested_breakdowns) as pair

),

nested_members as (

    select
        concat_ws('|', 'nested', cells.la_code, cells.period_type, cells.period_label, cells.measure_id,
                  nests.within_breakdown, {{ nested_breakdown_value('nests.breakdown', 'cells.breakdown_value') }},
                  parts.part) as set_id,
        300 + parts.part_order as phase,
        {{ nested_breakdown_value('nests.breakdown', 'cells.breakdown_value') }} as within_value,
        nests.within_breakdown,
        cells.la_code, cells.period_type, cells.period_label, cells.measure_id,
        cells.breakdown, cells.breakdown_value, parts.part
    from cells
    inner join nests using (measure_id, breakdown)
    inner join parts using (unit)

),

nested_sets as (

    select
        set_id, phase, la_code, period_type, period_label, measure_id, breakdown, breakdown_value, part,
        false as is_sum, false as is_derived,
        row_number() over (
            partition by set_id
            order by case when breakdown_value ~ '^[0-9]+$' then lpad(breakdown_value, 12, '0')
                          else breakdown_value end collate "C"
        )::integer as member_order
    from nested_members
    union all
    select distinct
        members.set_id, members.phase, within.la_code, within.period_type, within.period_label,
        within.measure_id, within.breakdown, within.breakdown_value, members.part,
        true as is_sum, false as is_derived, 0 as member_order
    from nested_members as members
    inner join cells as within
        on within.la_code = members.la_code
        and within.period_type = members.period_type
        and within.period_label = members.period_label
        and within.measure_id = members.measure_id
        and within.breakdown = members.within_breakdown
        and within.breakdown_value = members.within_value

),

-- every authority and period a linked set is instantiated in
periods as (

    select distinct la_code, period_type, period_label from cells

),

linked_sets as (

    select
        concat_ws('|', 'linked', periods.la_code, periods.period_type, periods.period_label,
                  linked_terms.linked_set) as set_id,
        400 + linked_terms.set_order as phase,
        cells.la_code, cells.period_type, cells.period_label, cells.measure_id,
        cells.breakdown, cells.breakdown_value, linked_terms.part,
        linked_terms.is_sum, false as is_derived,
        row_number() over (
            partition by periods.la_code, periods.period_type, periods.period_label, linked_terms.linked_set
            order by linked_terms.term_order, cells.breakdown_value collate "C"
        )::integer as member_order
    from periods
    cross join linked_terms
    -- a term whose measure has no cells is absent: 0 rows
    inner join cells
        on cells.la_code = periods.la_code
        and cells.period_type = periods.period_type
        and cells.period_label = periods.period_label
        and cells.measure_id = linked_terms.measure_id
        and cells.breakdown = linked_terms.breakdown
        and cells.breakdown_value = linked_terms.breakdown_value

)

select * from breakdown_sets
union all
select * from quarter_sets
union all
select * from merged_sets
union all
select * from nested_sets
union all
select * from linked_sets
