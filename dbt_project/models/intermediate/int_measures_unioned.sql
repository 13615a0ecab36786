-- Every measure's cells in one relation. A new measure plugs in by adding its
-- int_measures__<measure_id> model (same columns, built with measure_counts or by
-- hand) to this list.
{%- set measure_models = [
    ref('int_measures__cla_at_period_end'),
] %}

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
