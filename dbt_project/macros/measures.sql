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


{% macro nested_breakdown_value(breakdown, value) -%}
{#- The value of the breakdown that `value` of `breakdown` falls within
    (measure_catalogue.nested_breakdowns, from contract/measures.py Breakdown.within): a
    single year of age_years falls within its age band (the contract's bands), `Not known`
    within `Not known`. Used by int_measure_disclosure_sets (measures.md §1). -#}
case {{ breakdown }}
    when 'age_years' then {{ age_band("case when " ~ value ~ " ~ '^[0-9]+$' then " ~ value ~ "::integer end") }}
end
{%- endmacro %}
