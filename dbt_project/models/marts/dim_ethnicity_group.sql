-- Ethnicity groups (var ethnicity_groups, with Not known): every value of the ethnicity_group
-- breakdown and of the facts' and dimensions' ethnicity groups, in the configuration's order.
select
    v.ethnicity_group,
    v.ethnicity_group_order
from (
    values
    {%- for value in ethnicity_group_values() %}
        ('{{ value | replace("'", "''") }}'::text, {{ loop.index }}::integer){% if not loop.last %},{% endif %}
    {%- endfor %}
) as v (ethnicity_group, ethnicity_group_order)
