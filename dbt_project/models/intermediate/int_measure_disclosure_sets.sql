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
        false as is_sum,
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
        true as is_sum, 0 as member_order
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
        false as is_sum, member_order
    from quarter_members
    union all
    -- the year, when it is published (a year that began before the window is not)
    select distinct
        members.set_id, members.phase, years.la_code, years.period_type, years.period_label,
        years.measure_id, years.breakdown, years.breakdown_value, members.part,
        true as is_sum, 0 as member_order
    from quarter_members as members
    inner join cells as years
        on years.la_code = members.la_code
        and years.period_type = 'financial_year'
        and years.period_label = members.year_label
        and years.measure_id = members.measure_id
        and years.breakdown = members.breakdown
        and years.breakdown_value = members.breakdown_value

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
        false as is_sum,
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
        true as is_sum, 0 as member_order
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
                  linked_terms.set_name) as set_id,
        400 + linked_terms.set_order as phase,
        cells.la_code, cells.period_type, cells.period_label, cells.measure_id,
        cells.breakdown, cells.breakdown_value, linked_terms.part,
        linked_terms.is_sum,
        row_number() over (
            partition by periods.la_code, periods.period_type, periods.period_label, linked_terms.set_name
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
select * from nested_sets
union all
select * from linked_sets
