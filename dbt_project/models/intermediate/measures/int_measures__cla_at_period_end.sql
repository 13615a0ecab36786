-- cla_at_period_end (measures.md §3): children looked after at period end, short
-- breaks excluded, by age band, legal status in force, ethnicity group and sex.
-- Closed sets publish every value: legal statuses other than the short-break ones,
-- `Other` for a local status and `Not known` for none.
{%- set code_sets = contract_code_sets() %}
{%- set legal_status_codes = [] %}
{%- for code in code_sets['legal_status']['codes'] %}
    {%- if code not in var('short_break_legal_statuses') %}{% do legal_status_codes.append(code) %}{% endif %}
{%- endfor %}
{%- set sex_codes = code_sets['sex']['codes'] %}

with

children as (

    select * from {{ ref('int_cla_at_period_end') }}
    where not is_short_break

),

population as (

    select
        la_code,
        period_type,
        period_label,
        age_band,
        case
            when legal_status is null then 'Not known'
            when legal_status in {{ sql_list(legal_status_codes) }} then legal_status
            else 'Other'
        end as legal_status,
        ethnicity_group,
        {{ code_or_not_known('sex', sex_codes) }} as sex
    from children

),

cells as (

    {{ measure_counts('cla_at_period_end', 'population', [
        {'name': 'age_band', 'values': age_band_breakdown_values()},
        {'name': 'legal_status', 'values': legal_status_codes + ['Other', 'Not known']},
        {'name': 'ethnicity_group', 'values': ethnicity_group_values()},
        {'name': 'sex', 'values': sex_codes + ['Not known']},
    ]) | indent(4) }}

)

select * from cells
