{#- How staging reads extract values. The rules themselves live in the warehouse's
    private.* parsing functions (sql/040_parsing.sql), shared with validation. -#}

{% macro clean_text(column) -%}
case when private.is_null_value({{ column }}) then null else btrim({{ column }}) end
{%- endmacro %}


{#- A coded column as its code: the contract's labels first (code, DfE description, aliases),
    then the council's own labels (its mapping file, loaded into reference.council_code_labels
    before its drop is validated: the same labels validation accepted), else the value as given. -#}
{% macro normalise_code(column, code_set, la_code='source.la_code') -%}
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
        (select m.code from reference.council_code_labels as m
         where m.la_code = {{ la_code }} and m.code_set = '{{ code_set }}'
           and m.label = private.normalise_label({{ column }})),
        btrim({{ column }})
    )
end
{%- endmacro %}
