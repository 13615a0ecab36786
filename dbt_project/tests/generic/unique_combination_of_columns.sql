{#- The columns together identify a row (e.g. la_code + primary key: ids are unique
    only within one authority). Returns the duplicated keys' counts, never the rows. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select count(*) as duplicated_keys
from (
    select {{ combination_of_columns | join(', ') }}
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
) as duplicates
having count(*) > 0
{% endtest %}
