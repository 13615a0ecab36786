{#- Building blocks of the measure models and of the published mart. -#}

{% macro measure_cells(population, breakdowns) -%}
{#- Every cell a measure publishes: one row per authority x period (int_reporting_periods)
    x breakdown value, with the total. Closed breakdowns publish every value (their
    `values`), open ones (values none) the values seen in the population. -#}
{%- set periods = ref('int_reporting_periods') -%}
select la_code, period_type, period_label, 'total'::text as breakdown, 'Total'::text as breakdown_value
from {{ periods }}
{%- for b in breakdowns %}
union all
{%- if b['values'] is none %}
select distinct la_code, period_type, period_label, '{{ b['name'] }}', {{ b['name'] }}::text
from {{ population }}
{%- else %}
select p.la_code, p.period_type, p.period_label, '{{ b['name'] }}', v.breakdown_value
from {{ periods }} as p
cross join (values {% for value in b['values'] %}('{{ value | replace("'", "''") }}'){% if not loop.last %}, {% endif %}{% endfor %}) as v (breakdown_value)
{%- endif %}
{%- endfor %}
{%- endmacro %}


{% macro measure_counts(measure_id, population, breakdowns, count_expression='count(*)') -%}
{#- One row per authority x period x breakdown value of a count measure.
    population: a relation or CTE with one row per counted thing, with columns
      la_code, period_type, period_label and one text column per breakdown
      (named as the breakdown, already mapped to its published values).
    breakdowns: [{'name': 'age_band', 'values': [...]}, ...]; values none = an open
      set (the values seen are published), a list = a closed set (every value is
      published, 0 where there is none). The total is always included. -#}
{%- set values -%}
    cast(coalesce(counts.n, 0) as numeric(12, 1)) as value,
    cast(null as numeric(12, 0)) as numerator,
    cast(null as numeric(12, 0)) as denominator,
    'count'::text as unit
{%- endset -%}
{{ measure_rows(measure_id, population, breakdowns, count_expression ~ ' as n', values) }}
{%- endmacro %}


{% macro measure_percentages(measure_id, population, breakdowns=[], numerator='in_numerator') -%}
{#- One row per authority x period x breakdown value of a percentage measure
    (measures.md §1): numerator = the population rows where the boolean column
    `numerator` is true, denominator = all population rows, value =
    round(100 * numerator / denominator, 1), NULL when the denominator is 0.
    population and breakdowns as for measure_counts. -#}
{%- set values -%}
    cast(case when coalesce(counts.denominator, 0) > 0
        then round(100.0 * counts.numerator / counts.denominator, 1) end as numeric(12, 1)) as value,
    cast(coalesce(counts.numerator, 0) as numeric(12, 0)) as numerator,
    cast(coalesce(counts.denominator, 0) as numeric(12, 0)) as denominator,
    'percent'::text as unit
{%- endset -%}
{{ measure_rows(measure_id, population, breakdowns,
                'count(*) filter (where ' ~ numerator ~ ') as numerator, count(*) as denominator', values) }}
{%- endmacro %}


{% macro measure_rows(measure_id, population, breakdowns, aggregates, values) -%}
{#- The rows of a measure, shared by measure_counts and measure_percentages: every cell
    (measure_cells) left-joined to `aggregates` of the population rows in it (`counts`:
    grouped for the total and for each breakdown value), with `values` (value, numerator,
    denominator and unit, computed from counts.*). -#}
select
    cells.la_code,
    cells.period_type,
    cells.period_label,
    '{{ measure_id }}'::text as measure_id,
    cells.breakdown,
    cells.breakdown_value,
    {{ values }},
    true as is_available
from (
    {{ measure_cells(population, breakdowns) | indent(4) }}
) as cells
left join (
    select la_code, period_type, period_label, 'total'::text as breakdown, 'Total'::text as breakdown_value,
        {{ aggregates }}
    from {{ population }}
    group by 1, 2, 3
    {%- for b in breakdowns %}
    union all
    select la_code, period_type, period_label, '{{ b['name'] }}', {{ b['name'] }}::text,
        {{ aggregates }}
    from {{ population }}
    group by 1, 2, 3, 4, 5
    {%- endfor %}
) as counts
    using (la_code, period_type, period_label, breakdown, breakdown_value)
{%- endmacro %}


{% macro code_or_not_known(column, codes) -%}
{#- A closed breakdown's value (measures.md §1): the code when it is one of `codes`, else
    `Not known` (missing, or a value that fits no category). -#}
case when {{ column }} in {{ sql_list(codes) }} then {{ column }} else 'Not known' end
{%- endmacro %}


{% macro suppressed_cells(cells) -%}
{#- Adds published_value to measure cells (measures.md §1): counts from
    var('suppression_min') to var('suppression_max') become `c`; secondary
    suppression within one measure x period x breakdown: when exactly one
    non-zero cell is suppressed while the total is published, the next smallest
    non-zero cell is suppressed too. A percentage is judged on its numerator
    (and `c` when its denominator is suppressed); a denominator of 0 gives `z`,
    an unavailable measure `x`, a true zero `0`.
    cells: a relation or CTE with la_code, period_type, period_label, measure_id,
    breakdown, breakdown_value, value, numerator, denominator, unit, is_available. -#}
{%- set lo = var('suppression_min') -%}
{%- set hi = var('suppression_max') -%}
with

-- disclosed_count: what a cell reveals (a count, or a percentage's numerator).
flagged as (

    select
        *,
        coalesce(disclosed_count between {{ lo }} and {{ hi }}, false) as primary_suppressed
    from (
        select *, case when unit = 'count' then value else numerator end as disclosed_count
        from {{ cells }}
    ) as disclosed

),

grouped as (

    select
        flagged.*,
        coalesce(totals.primary_suppressed, false) as total_suppressed,
        count(*) filter (where flagged.primary_suppressed) over cell_group as primary_in_group,
        row_number() over (
            cell_group
            order by
                (not flagged.primary_suppressed and coalesce(flagged.disclosed_count, 0) > 0) desc,
                flagged.disclosed_count,
                flagged.breakdown_value
        ) as candidate_rank
    from flagged
    left join flagged as totals
        on totals.breakdown = 'total'
        and totals.la_code = flagged.la_code
        and totals.period_type = flagged.period_type
        and totals.period_label = flagged.period_label
        and totals.measure_id = flagged.measure_id
    window cell_group as (
        partition by flagged.la_code, flagged.period_type, flagged.period_label,
            flagged.measure_id, flagged.breakdown
    )

),

decided as (

    select
        *,
        breakdown <> 'total'
            and primary_in_group = 1
            and not total_suppressed
            and candidate_rank = 1
            and not primary_suppressed
            and coalesce(disclosed_count, 0) > 0 as secondary_suppressed
    from grouped

)

select
    la_code, period_type, period_label, measure_id, breakdown, breakdown_value,
    value, numerator, denominator, unit, is_available,
    case
        when not is_available or (value is null and unit = 'count') then 'x'
        when unit = 'percent' and denominator = 0 then 'z'
        when unit = 'percent' and value is null then 'x'
        when primary_suppressed or secondary_suppressed then 'c'
        when unit = 'percent' and denominator between {{ lo }} and {{ hi }} then 'c'
        when unit = 'count' then cast(value as numeric(12, 0))::text
        else cast(value as numeric(12, 1))::text
    end as published_value
from decided
{%- endmacro %}
