{#- Every row satisfies a SQL boolean expression (an invariant such as
    "numerator <= denominator"). Returns how many rows break it, never the rows. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select count(*) as failing_rows
from {{ model }}
where not coalesce(({{ expression }}), false)
having count(*) > 0
{% endtest %}
