{#- What the marts never show: a date that is a child's date of birth (docs/threat-model.md).
    A fact's event can fall on the day of birth (a baby taken into care the day it is born, a
    conference on an unborn child's expected date): the marts show that date as the first of its
    month, and any interval counted from it as NULL. The intermediate models keep it: the measures
    need it. -#}

{% macro join_birth_dates(alias, person_column) -%}
left join (
    select la_code as born_la_code, pers_person_id as born_person_id,
           pers_dob as born_on, pers_expected_dob as expected_on
    from {{ ref('stg_ssd__persons') }}
) as births
    on births.born_la_code = {{ alias }}.la_code and births.born_person_id = {{ alias }}.{{ person_column }}
{%- endmacro %}


{% macro birth_safe_date(value) -%}
{#- A fact's date, or the first day of its month when it is the child's date of birth or
    expected date of birth (NULL if that too is one: a child born on the 1st). The month keeps
    every period count of the measures (periods start on the 1st); a date on the 1st is common,
    so the shown date does not say it was moved. Needs join_birth_dates. -#}
case when {{ value }} in (births.born_on, births.expected_on) then
        case when date_trunc('month', {{ value }})::date in (births.born_on, births.expected_on) then null
             else date_trunc('month', {{ value }})::date end
    else {{ value }} end
{%- endmacro %}


{% macro unless_birth_date(value, dates) -%}
{#- An interval (days, months, working days) counted from `dates`: NULL when any of them is the
    child's date of birth or expected date of birth (it would give that date back from the other).
    Needs join_birth_dates. -#}
case when {% for d in dates %}{{ d }} in (births.born_on, births.expected_on){% if not loop.last %} or {% endif %}{% endfor %}
    then null else {{ value }} end
{%- endmacro %}
