{#- Business rules of measures.md §2, used by several models. -#}

{% macro in_force(start_column, end_column, on_date) -%}
({{ start_column }} <= {{ on_date }} and ({{ end_column }} is null or {{ end_column }} > {{ on_date }}))
{%- endmacro %}


{% macro later_start_then_higher_id(start_column, id_column) -%}
{{ start_column }} desc, length({{ id_column }}) desc, {{ id_column }} desc
{%- endmacro %}


{% macro age_in_years(date_of_birth, on_date) -%}
case when {{ date_of_birth }} <= {{ on_date }}
    then date_part('year', age({{ on_date }}, {{ date_of_birth }}))::integer
end
{%- endmacro %}


{% macro age_band(age_years) -%}
case
    {%- for band in contract_age_bands() %}
    when {{ age_years }} >= {{ band['min_years'] }}
        {%- if band['max_years'] is not none %} and {{ age_years }} <= {{ band['max_years'] }}{% endif %} then '{{ band['label'] }}'
    {%- endfor %}
    else 'Not known'
end
{%- endmacro %}


{% macro age_band_values() -%}
{%- set values = [] -%}
{%- for band in contract_age_bands() -%}{%- do values.append(band['label']) -%}{%- endfor -%}
{%- do return(values) -%}
{%- endmacro %}


{% macro ethnicity_group(ethnicity_code) -%}
case
    {%- for group, codes in var('ethnicity_groups').items() %}
    when {{ ethnicity_code }} in {{ sql_list(codes) }} then '{{ group | replace("'", "''") }}'
    {%- endfor %}
    else 'Not known'
end
{%- endmacro %}


{% macro ethnicity_group_values() -%}
{%- set values = [] -%}
{%- for group in var('ethnicity_groups') -%}{%- do values.append(group) -%}{%- endfor -%}
{%- if 'Not known' not in values -%}{%- do values.append('Not known') -%}{%- endif -%}
{%- do return(values) -%}
{%- endmacro %}


{% macro sql_list(values) -%}
({%- for v in values -%}'{{ v | string | replace("'", "''") }}'{%- if not loop.last %}, {% endif -%}{%- endfor -%})
{%- endmacro %}
