{#- No date column of a model equals the date of birth (or expected date of birth) of the child
    its row is about, whatever its name: every column of type date is checked, but for the
    calendar's own (`calendar_columns`, dates every reader knows). Counts only, never the rows. -#}
{% test no_date_of_birth(model, person_key='child_key', calendar_columns=[]) %}
{%- set dates = [] -%}
{%- if execute -%}
    {%- for c in adapter.get_columns_in_relation(tested_relation(model)) -%}
        {%- if c.data_type == 'date' and c.name not in calendar_columns -%}{%- do dates.append(c.name) -%}{%- endif -%}
    {%- endfor -%}
{%- endif %}
with births as (
    select la_code, {{ pseudonym('la_code', 'pers_person_id') }} as person_key, pers_dob, pers_expected_dob
    from {{ ref('stg_ssd__persons') }}
)
select count(*) as failing_rows
from (select * from {{ model }}) as f  {#- model may be a filtered subquery with its own alias #}
join births as b on b.la_code = f.la_code and b.person_key = f.{{ person_key }}
where {% for c in dates %}f.{{ c }} in (b.pers_dob, b.pers_expected_dob){% if not loop.last %} or {% endif %}{% else %}false{% endfor %}
having count(*) > 0
{% endtest %}
