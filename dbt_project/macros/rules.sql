{#- Business rules of measures.md §2, used by several models. -#}

{% macro in_force(start_column, end_column, on_date) -%}
({{ start_column }} <= {{ on_date }} and ({{ end_column }} is null or {{ end_column }} > {{ on_date }}))
{%- endmacro %}


{% macro later_start_then_higher_id(start_column, id_column) -%}
{{ start_column }} desc, length({{ id_column }}) desc, {{ id_column }} desc
{%- endmacro %}


{% macro age_in_years(date_of_birth, on_date) -%}
case when {{ date_of_birth }} <= {{ on_date }}
    then date_part('year', age({{ on_date }}, {{ date_of_birth }}))::integer
end
{%- endmacro %}


{% macro age_band(age_years) -%}
case
    {%- for band in contract_age_bands() %}
    when {{ age_years }} >= {{ band['min_years'] }}
        {%- if band['max_years'] is not none %} and {{ age_years }} <= {{ band['max_years'] }}{% endif %} then '{{ band['label'] }}'
    {%- endfor %}
    else 'Not known'
end
{%- endmacro %}


{% macro age_band_values() -%}
{%- set values = [] -%}
{%- for band in contract_age_bands() -%}{%- do values.append(band['label']) -%}{%- endfor -%}
{%- do return(values) -%}
{%- endmacro %}


{% macro ethnicity_group(ethnicity_code) -%}
case
    {%- for group, codes in var('ethnicity_groups').items() %}
    when {{ ethnicity_code }} in {{ sql_list(codes) }} then '{{ group | replace("'", "''") }}'
    {%- endfor %}
    else 'Not known'
end
{%- endmacro %}


{% macro ethnicity_group_values() -%}
{%- set values = [] -%}
{%- for group in var('ethnicity_groups') -%}{%- do values.append(group) -%}{%- endfor -%}
{%- if 'Not known' not in values -%}{%- do values.append('Not known') -%}{%- endif -%}
{%- do return(values) -%}
{%- endmacro %}


{% macro sql_list(values) -%}
({%- for v in values -%}'{{ v | string | replace("'", "''") }}'{%- if not loop.last %}, {% endif -%}{%- endfor -%})
{%- endmacro %}


{% macro resolved_spells(records, partition_columns, id_column, start_column, end_column) -%}
{#- Records with a start and an end (measures.md §2) resolved into spells that never
    overlap: one row per partition (e.g. la_code, person_id) x record x spell, with
    valid_from / valid_to (NULL while open), such that the record in force on any date D
    (in_force: valid_from <= D and (valid_to is null or valid_to > D)) is the one the
    overlap rule picks: the later start wins, then the higher id. Set-based: the
    partition's start and end dates cut time into pieces, the winner of each piece is the
    winner on its first day, and adjacent pieces of one record are merged again.
    records: a relation or CTE with the partition columns, id_column, start_column and
    end_column; records without a start are ignored. -#}
{%- set partition = partition_columns | join(', ') -%}
select
    {%- for column in partition_columns %}
    {{ column }},
    {%- endfor %}
    {{ id_column }},
    min(piece_start) as valid_from,
    case when bool_or(piece_end is null) then null else max(piece_end) end as valid_to
from (
    select
        *,
        sum(starts_spell) over (partition by {{ partition }} order by piece_start rows unbounded preceding) as spell
    from (
        select
            *,
            case
                when lag({{ id_column }}) over pieces_in_order = {{ id_column }}
                    and lag(piece_end) over pieces_in_order = piece_start then 0
                else 1
            end as starts_spell
        from (
            select
                {%- for column in partition_columns %}
                pieces.{{ column }},
                {%- endfor %}
                pieces.piece_start,
                pieces.piece_end,
                records.{{ id_column }},
                row_number() over (
                    partition by {% for column in partition_columns %}pieces.{{ column }}, {% endfor %}pieces.piece_start
                    order by {{ later_start_then_higher_id('records.' ~ start_column, 'records.' ~ id_column) }}
                ) as precedence
            from (
                select
                    {{ partition }},
                    boundary as piece_start,
                    lead(boundary) over (partition by {{ partition }} order by boundary) as piece_end
                from (
                    select {{ partition }}, {{ start_column }} as boundary
                    from {{ records }}
                    where {{ start_column }} is not null
                    union
                    select {{ partition }}, {{ end_column }}
                    from {{ records }}
                    where {{ start_column }} is not null and {{ end_column }} is not null
                ) as boundaries
            ) as pieces
            inner join {{ records }} as records
                on {% for column in partition_columns %}records.{{ column }} = pieces.{{ column }}
                {% if not loop.last %}and {% endif %}{% endfor -%}
                and {{ in_force('records.' ~ start_column, 'records.' ~ end_column, 'pieces.piece_start') }}
        ) as ranked
        where precedence = 1
        window pieces_in_order as (partition by {{ partition }} order by piece_start)
    ) as flagged
) as spells
group by {{ partition }}, spell, {{ id_column }}
{%- endmacro %}


{% macro events_in_periods(events, date_column) -%}
{#- measures.md §2 "in period": one row per event x reporting period whose
    [period_start, period_end] holds the event's date. Returns the event's columns
    (la_code among them) with period_type, period_label, period_start and period_end. -#}
select
    periods.period_type,
    periods.period_label,
    periods.period_start,
    periods.period_end,
    events.*
from {{ ref('int_reporting_periods') }} as periods
inner join {{ events }} as events
    on events.la_code = periods.la_code
    and events.{{ date_column }} between periods.period_start and periods.period_end
{%- endmacro %}


{% macro records_at_period_ends(records, start_column, end_column) -%}
{#- measures.md §2 "at period end": one row per record x reporting period whose period
    end the record is in force on (start <= D and (end is null or end > D)). Returns the
    record's columns with period_type, period_label, period_start and period_end. -#}
select
    periods.period_type,
    periods.period_label,
    periods.period_start,
    periods.period_end,
    records.*
from {{ ref('int_reporting_periods') }} as periods
inner join {{ records }} as records
    on records.la_code = periods.la_code
    and {{ in_force('records.' ~ start_column, 'records.' ~ end_column, 'periods.period_end') }}
{%- endmacro %}


{% macro age_band_or_unborn(date_of_birth, expected_date_of_birth, on_date) -%}
{#- The age band on a date (measures.md §2), `Unborn` for a child not yet born on it
    (a date of birth after it, or none and an expected date of birth after it), and
    `Not known` without a date of birth otherwise. -#}
case
    when {{ date_of_birth }} > {{ on_date }} then 'Unborn'
    when {{ date_of_birth }} is null and {{ expected_date_of_birth }} > {{ on_date }} then 'Unborn'
    else {{ age_band(age_in_years(date_of_birth, on_date)) }}
end
{%- endmacro %}
