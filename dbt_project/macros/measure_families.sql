{#- Measures that come in families differing only by a parameter: the family's rule is
    written once here, and each measure keeps its own int_measures__<measure_id> model
    (one line calling the macro), so int_measures_unioned and the data tests still see one
    model per measure. -#}

{% macro lado_within(months) -%}
{#- The name of a LADO timescale: within_1_month, within_3_months, within_12_months
    (int_lado_allegations' is_concluded_<name> columns, the measures' ids). -#}
within_{{ months }}_month{{ 's' if months != 1 }}
{%- endmacro %}


{% macro lado_concluded_within(months) -%}
{#- lado_concluded_within_<N>_month(s)_in_period (measures.md §3): of the allegations
    concluded in the period (lado_concluded_in_period: meeting the threshold, outcome dated
    in it), the percentage whose outcome came within N calendar months of referral
    (int_lado_allegations.is_concluded_within_..., computed for each N of var
    lado_conclusion_months, which must hold N). -#}
{%- if months not in var('lado_conclusion_months') %}
    {{ exceptions.raise_compiler_error("var lado_conclusion_months must include " ~ months) }}
{%- endif %}
with

allegations as (

    select * from {{ ref('int_lado_allegations') }}
    where threshold_met = 'Y'

),

population as (

    select la_code, period_type, period_label, is_concluded_{{ lado_within(months) }} as in_numerator
    from ({{ events_in_periods('allegations', 'outcome_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_percentages('lado_concluded_' ~ lado_within(months) ~ '_in_period', 'population') | indent(4) }}

)

select * from cells
{%- endmacro %}


{% macro cp_conferences_measure(measure_id, conference_types, on_time=false) -%}
{#- The child protection conference measures (measures.md §3): conferences of
    conference_types (initial, review) held in the period, counted per child (and per plan
    for review conferences), transfer-in initial conferences excluded (icpc_in_period,
    rcpc_in_period, and cp_conferences_in_period for both types). With on_time: the
    percentage of them held on time (int_cp_conferences.is_on_time: an initial conference
    within 15 working days of the s47 start, one without an s47 start date counting as not
    within; a review conference by its due date). A review conference without a
    determinable due date is held but neither on time nor late: outside the denominator
    (measures.md §3 Reviews). -#}
with

conferences as (

    select * from {{ ref('int_cp_conferences') }}
    where conference_type in {{ sql_list(conference_types) }} and not is_transfer_in
        {%- if on_time %}
        and (conference_type = 'initial' or due_date is not null)
        {%- endif %}

),

population as (

    select la_code, period_type, period_label, coalesce(is_on_time, false) as in_numerator
    from ({{ events_in_periods('conferences', 'conference_date') | indent(4) }}) as in_period

),

cells as (

    {% if on_time -%}
    {{ measure_percentages(measure_id, 'population') | indent(4) }}
    {%- else -%}
    {{ measure_counts(measure_id, 'population', []) | indent(4) }}
    {%- endif %}

)

select * from cells
{%- endmacro %}


{% macro cla_with_document_within(measure_id, children, documents, date_column, months, breakdowns=[]) -%}
{#- The percentage of children looked after at period end with a document dated within
    the previous M months of it (measures.md §3 "within the previous M months"):
    cla_health_assessment_current_at_period_end (health assessments) and
    cla_pep_current_at_period_end (personal education plans).
    children: rows of int_cla_at_period_end, the denominator (with the breakdown columns);
    documents: la_code, person_id and date_column; months: M, a number or an SQL
    expression that may name the child's row `children` (e.g. its age_years). -#}
with

current_documents as (

    select distinct children.la_code, children.period_type, children.period_label, children.person_id
    from {{ children }} as children
    inner join {{ documents }} as documents
        on documents.la_code = children.la_code
        and documents.person_id = children.person_id
        and {{ within_previous_months('documents.' ~ date_column, 'children.as_at_date', months) }}

),

population as (

    select
        children.la_code,
        children.period_type,
        children.period_label,
        {%- for b in breakdowns %}
        children.{{ b['name'] }},
        {%- endfor %}
        current_documents.person_id is not null as in_numerator
    from {{ children }} as children
    left join current_documents
        on current_documents.la_code = children.la_code
        and current_documents.period_type = children.period_type
        and current_documents.period_label = children.period_label
        and current_documents.person_id = children.person_id

)

{{ measure_percentages(measure_id, 'population', breakdowns) }}
{%- endmacro %}
