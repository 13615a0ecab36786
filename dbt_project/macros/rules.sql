{#- Business rules of measures.md §2, used by several models. -#}

{% macro in_force(start_column, end_column, on_date) -%}
({{ start_column }} <= {{ on_date }} and ({{ end_column }} is null or {{ end_column }} > {{ on_date }}))
{%- endmacro %}


{% macro later_start_then_higher_id(start_column, id_column) -%}
{{ start_column }} desc, length({{ id_column }}) desc, {{ id_column }} desc
{%- endmacro %}


{% macro link_key(link_column, own_id_column) -%}
{#- measures.md §2 "missing links never join": the PARTITION BY / GROUP BY / DISTINCT ON
    terms that group records through a link the contract lets be empty (clar_cla_id,
    cppr_cp_plan_id, cppl_person_id, fcar_household_id): records sharing a link group
    together, a record with it empty stands alone (grouped only with itself, by its own
    id), where a bare link would group every empty one together. -#}
{{ link_column }}, case when {{ link_column }} is null then {{ own_id_column }} end
{%- endmacro %}


{% macro earlier_date_then_lower_id(date_column, id_column) -%}
{#- ORDER BY terms for events of one series in the order they happened (reviews, plans):
    by date, ties by id, ids compared as later_start_then_higher_id does (10 > 9). -#}
{{ date_column }}, length({{ id_column }}), {{ id_column }}
{%- endmacro %}


{% macro age_in_years(date_of_birth, on_date) -%}
{#- Completed years on a date; NULL before birth or without a date of birth. PostgreSQL's
    age() counts a 29 February birthday as reached on 1 March in other years (measures.md §2). -#}
case when {{ date_of_birth }} <= {{ on_date }}
    then date_part('year', age({{ on_date }}, {{ date_of_birth }}))::integer
end
{%- endmacro %}


{% macro counts_as_a_child_on(date_of_birth, death_date, on_date) -%}
{#- measures.md §2 "nobody is looked after, or on a plan, at 18 or after death": true unless
    the child has had their 18th birthday (a 29 February birthday falls on 1 March: age_in_years)
    or died on or before the date. For the at-period-end measures; flows are not filtered. -#}
(coalesce({{ age_in_years(date_of_birth, on_date) }} < 18, true)
    and ({{ death_date }} is null or {{ death_date }} > {{ on_date }}))
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


{% macro age_band_breakdown_values() -%}
{#- Every value an age_band breakdown publishes (a closed set, measures.md §1–2): Unborn,
    the bands, Not known (the values age_band_or_unborn gives). -#}
{%- do return(['Unborn'] + age_band_values() + ['Not known']) -%}
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
    Each spell carries its record's columns (records.*) beside valid_from and valid_to.
    records: a relation or CTE with the partition columns, id_column, start_column and
    end_column; records without a start are ignored. -#}
{%- set partition = partition_columns | join(', ') -%}
select
    records.*,
    spells.valid_from,
    spells.valid_to
from (
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
    ) as numbered
    group by {{ partition }}, spell, {{ id_column }}
) as spells
inner join {{ records }} as records
    on {% for column in partition_columns %}records.{{ column }} = spells.{{ column }}
    and {% endfor %}records.{{ id_column }} = spells.{{ id_column }}
{%- endmacro %}


{% macro join_spell_in_force(alias, spells, child, on_date) -%}
{#- measures.md §2 "the state on D": left-joins `alias`, the spell of `spells` (a
    resolved_spells model: int_legal_status_spells, int_placement_spells, int_iro_spells)
    in force on on_date for the child of the row aliased `child` (its la_code and
    person_id). Spells never overlap, so at most one row per child and date. -#}
left join {{ spells }} as {{ alias }}
    on {{ alias }}.la_code = {{ child }}.la_code
    and {{ alias }}.person_id = {{ child }}.person_id
    and {{ in_force(alias ~ '.valid_from', alias ~ '.valid_to', on_date) }}
{%- endmacro %}


{% macro join_reporting_periods(records, condition) -%}
{#- One row per record x reporting period of its council (int_reporting_periods) for which
    `condition` holds; the condition names the record `records` and the period `periods`.
    Returns the record's columns with period_type, period_label, period_start,
    period_end (the calendar end) and as_at_date (the date the period is measured at: what
    measures.md §2–3 call "period end"). Shared by events_in_periods and
    records_at_period_ends. -#}
select
    periods.period_type,
    periods.period_label,
    periods.period_start,
    periods.period_end,
    periods.as_at_date,
    records.*
from {{ ref('int_reporting_periods') }} as periods
inner join {{ records }} as records
    on records.la_code = periods.la_code
    and {{ condition }}
{%- endmacro %}


{% macro events_in_periods(events, date_column) -%}
{#- measures.md §2 "in period": one row per event x reporting period whose
    [period_start, as_at_date] holds the event's date. Returns the event's columns
    (la_code among them) with the period's columns (join_reporting_periods). -#}
{{ join_reporting_periods(events, 'records.' ~ date_column ~ ' between periods.period_start and periods.as_at_date') }}
{%- endmacro %}


{% macro records_at_period_ends(records, start_column, end_column, one_per=none, id_column=none) -%}
{#- measures.md §2 "at period end": one row per record x reporting period whose
    as_at_date D the record is in force on (start <= D and (end is null or end > D)). Returns
    the record's columns with the period's columns (join_reporting_periods).
    With one_per (a column, e.g. person_id) and id_column: only the record that wins on
    the period end for each, where records of one kind overlap: the later start, then
    the higher id (measures.md §2). (distinct on rather than row_number() = 1, whose row
    estimate of a handful misleads the planner into nested loops over later joins.) -#}
{%- set in_force_on_period_end = in_force('records.' ~ start_column, 'records.' ~ end_column, 'periods.as_at_date') -%}
{%- if one_per is none -%}
{{ join_reporting_periods(records, in_force_on_period_end) }}
{%- else -%}
select distinct on (la_code, period_type, period_label, {{ one_per }}) *
from (
    {{ join_reporting_periods(records, in_force_on_period_end) | indent(4) }}
) as in_force_on_period_end
order by la_code, period_type, period_label, {{ one_per }},
    {{ later_start_then_higher_id(start_column, id_column) }}
{%- endif %}
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


{% macro review_due(review_number, began_before_window, recorded_due_date, first_due_date, later_rules) -%}
{#- due_rule and due_date of a review held in a series (reviews of a child looked after,
    review conferences: measures.md §3). The first held in the window (review_number 1)
    is due on first_due_date (`first`), unless the series began before the window start:
    its earlier reviews may have aged out of the extract, so it is due on the case
    system's recorded due date (`recorded`). A later review is due by the first of
    later_rules ([[name, condition, due date], ...]) whose condition holds. NULL for a
    review not held (no review_number). -#}
case
    when {{ review_number }} = 1 and {{ began_before_window }} then 'recorded'
    when {{ review_number }} = 1 then 'first'
    {%- for name, condition, _ in later_rules %}
    when {{ condition }} then '{{ name }}'
    {%- endfor %}
end as due_rule,
case
    when {{ review_number }} = 1 and {{ began_before_window }} then {{ recorded_due_date }}
    when {{ review_number }} = 1 then {{ first_due_date }}
    {%- for _, condition, due_date in later_rules %}
    when {{ condition }} then {{ due_date }}
    {%- endfor %}
end as due_date
{%- endmacro %}


{% macro days_late(held_date, due_date) -%}
{#- Days after its due date an event was held (0 when on time); NULL unless both dates are known. -#}
cast(case when {{ held_date }} is not null and {{ due_date }} is not null
     then greatest({{ held_date }} - {{ due_date }}, 0) end as integer)
{%- endmacro %}


{% macro dimension_member(column, dimension) -%}
{#- A fact's coded column as a member of its code dimension (dim_<dimension>, its foreign key):
    the code when it is one of the dimension's, NULL when not recorded, else the dimension's
    value for a recorded value that fits no code (`Other` for a local legal status, `Not known`
    otherwise), as the published breakdowns count it. -#}
{%- set d = contract_code_dimensions()[dimension] -%}
case
    when {{ column }} is null then null
    when {{ column }} in {{ sql_list(d['codes']) }} then {{ column }}
    else '{{ d['unmatched'] | replace("'", "''") }}'
end
{%- endmacro %}
