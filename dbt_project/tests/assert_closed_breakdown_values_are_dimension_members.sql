-- Every value a closed breakdown publishes is a member of its code dimension (dim_<breakdown>:
-- code_labels, dim_age_band, dim_ethnicity_group), so breakdown_value_label is a label and a BI
-- tool finds every value in the dimension. Returns the (breakdown, value) pairs that are not.
{%- set closed = [] %}
{%- for name, d in contract_code_dimensions().items() %}{% if d['closed_breakdown'] %}{% do closed.append(name) %}{% endif %}{% endfor %}
with

published as (

    select distinct breakdown, breakdown_value
    from {{ ref('performance_measures') }}

),

members as (

    select dimension as breakdown, code as breakdown_value from {{ ref('code_labels') }}
    union all
    select 'age_band', age_band from {{ ref('dim_age_band') }}
    union all
    select 'ethnicity_group', ethnicity_group from {{ ref('dim_ethnicity_group') }}

)

select published.breakdown, published.breakdown_value
from published
left join members using (breakdown, breakdown_value)
where published.breakdown in {{ sql_list(closed + ['age_band', 'ethnicity_group']) }}
    and members.breakdown is null
