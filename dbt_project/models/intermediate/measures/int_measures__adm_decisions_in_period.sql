-- adm_decisions_in_period (measures.md §3): agency decision maker "should be placed for
-- adoption" decisions (perm_adm_decision_date) in the period.
with

decisions as (

    select la_code, perm_adm_decision_date as adm_decision_date
    from {{ ref('stg_ssd__permanences') }}

),

population as (

    select la_code, period_type, period_label
    from ({{ events_in_periods('decisions', 'adm_decision_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('adm_decisions_in_period', 'population', []) | indent(4) }}

)

select * from cells
