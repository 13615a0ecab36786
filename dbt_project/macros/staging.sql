{#- How staging reads extract values. The rules themselves live in the warehouse's
    private.* parsing functions (sql/040_parsing.sql), shared with validation. -#}

{% macro clean_text(column) -%}
case when private.is_null_value({{ column }}) then null else btrim({{ column }}) end
{%- endmacro %}


{% macro normalise_code(column, code_set) -%}
{%- set code_sets = contract_code_sets() -%}
{%- if code_set not in code_sets -%}
    {{ exceptions.raise_compiler_error("normalise_code: no code set " ~ code_set ~ " in the contract") }}
{%- endif -%}
{%- set cs = code_sets[code_set] -%}
case
    when private.is_null_value({{ column }}) then null
    {%- for prefix, code in cs['prefixes'].items() %}
    when private.normalise_label({{ column }}) like '{{ prefix | replace("'", "''") }}:%' then '{{ code }}'
    {%- endfor %}
    else coalesce(
        case private.normalise_label({{ column }})
            {%- for label, code in cs['labels'].items() %}
            when '{{ label | replace("'", "''") }}' then '{{ code }}'
            {%- endfor %}
        end,
        btrim({{ column }})
    )
end
{%- endmacro %}
