-- Every measure's cells in one relation. A new measure plugs in by adding its
-- int_measures__<measure_id> model (same columns, built with measure_counts or by
-- hand) to this list.
-- A measure whose optional source tables (measure_catalogue.optional_source_tables,
-- from contract/measures.py) are not all in a council's current drop is unavailable
-- there: value, numerator and denominator NULL, is_available false, published `x` and
-- never 0 (extract-contract.md §4, measures.md §1). Decided here, once for every measure.
{%- set measure_models = [
    ref('int_measures__cla_at_period_end'),
    ref('int_measures__cla_reviews_in_period'),
    ref('int_measures__cla_reviews_on_time_in_period'),
    ref('int_measures__cla_reviews_late_in_period'),
    ref('int_measures__cla_reviews_without_due_date_in_period'),
    ref('int_measures__cla_reviews_overdue_at_period_end'),
    ref('int_measures__cla_review_participation_rate'),
    ref('int_measures__cla_review_due_date_mismatch'),
    ref('int_measures__cp_plans_at_period_end'),
    ref('int_measures__cp_families_at_period_end'),
    ref('int_measures__cp_plans_started_in_period'),
    ref('int_measures__cp_plans_ended_in_period'),
    ref('int_measures__cp_plans_repeat_in_period'),
    ref('int_measures__icpc_in_period'),
    ref('int_measures__icpc_within_15_working_days_in_period'),
    ref('int_measures__rcpc_in_period'),
    ref('int_measures__rcpc_on_time_in_period'),
    ref('int_measures__cp_conferences_in_period'),
    ref('int_measures__cp_conferences_on_time_in_period'),
    ref('int_measures__lado_allegations_in_period'),
    ref('int_measures__lado_concluded_in_period'),
    ref('int_measures__lado_concluded_within_1_month_in_period'),
    ref('int_measures__lado_concluded_within_3_months_in_period'),
    ref('int_measures__lado_concluded_within_12_months_in_period'),
    ref('int_measures__lado_open_at_period_end'),
    ref('int_measures__foster_carer_reviews_in_period'),
    ref('int_measures__foster_carer_reviews_on_time_in_period'),
    ref('int_measures__iro_escalations_in_period'),
    ref('int_measures__iro_escalations_resolved_in_period'),
    ref('int_measures__iro_caseload_at_period_end'),
    ref('int_measures__cla_without_iro_at_period_end'),
    ref('int_measures__cla_short_breaks_at_period_end'),
    ref('int_measures__cla_started_in_period'),
    ref('int_measures__cla_ceased_in_period'),
    ref('int_measures__cla_placed_over_20_miles_at_period_end'),
    ref('int_measures__adoptions_in_period'),
    ref('int_measures__adm_decisions_in_period'),
    ref('int_measures__cla_care_plan_current_at_period_end'),
    ref('int_measures__cla_health_assessment_current_at_period_end'),
    ref('int_measures__cla_pep_current_at_period_end'),
    ref('int_measures__reg33_visits_in_period'),
] %}

with

unioned as (

{% for measure_model in measure_models %}
    select
        la_code,
        period_type,
        period_label,
        measure_id,
        breakdown,
        breakdown_value,
        cast(value as numeric(12, 1)) as value,
        cast(numerator as numeric(12, 0)) as numerator,
        cast(denominator as numeric(12, 0)) as denominator,
        unit,
        is_available
    from {{ measure_model }}
    {% if not loop.last %}union all{% endif %}
{%- endfor %}

),

optional_tables as (

    select measure_id, unnest(string_to_array(optional_source_tables, ' ')) as table_name
    from {{ ref('measure_catalogue') }}
    where coalesce(optional_source_tables, '') <> ''

),

unavailable as (

    select distinct extracts.la_code, optional_tables.measure_id
    from {{ ref('stg_audit__current_extracts') }} as extracts
    cross join optional_tables
    left join {{ ref('stg_audit__load_tables') }} as load_tables
        on load_tables.load_id = extracts.load_id
        and load_tables.table_name = optional_tables.table_name
        and load_tables.present
    where load_tables.table_name is null

)

select
    unioned.la_code,
    unioned.period_type,
    unioned.period_label,
    unioned.measure_id,
    unioned.breakdown,
    unioned.breakdown_value,
    case when unavailable.measure_id is null then unioned.value end as value,
    case when unavailable.measure_id is null then unioned.numerator end as numerator,
    case when unavailable.measure_id is null then unioned.denominator end as denominator,
    unioned.unit,
    unioned.is_available and unavailable.measure_id is null as is_available
from unioned
left join unavailable
    on unavailable.la_code = unioned.la_code
    and unavailable.measure_id = unioned.measure_id
