-- Every measure's cells in one relation. A new measure plugs in by adding it to the
-- contract (contract/measures.py, then `csc contract render`) and its
-- int_measures__<measure_id> model (same columns, built with measure_counts or by hand).
-- A measure whose optional source tables (measure_catalogue.optional_source_tables,
-- from contract/measures.py) are not all in a council's current drop is unavailable
-- there: value, numerator and denominator NULL, is_available false, published `x` and
-- never 0 (extract-contract.md §4, measures.md §1). Decided here, once for every measure.
{#- One int_measures__<measure_id> model per measure of the contract (contract_measure_ids,
    rendered from csc_pipeline/contract/measures.py). -#}
{%- set measure_models = [] %}
{%- for measure_id in contract_measure_ids() %}
    {%- do measure_models.append(ref('int_measures__' ~ measure_id)) %}
{%- endfor %}

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
