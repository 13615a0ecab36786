{#- `+schema: marts` means exactly the schema `marts` (not dbt's default `<target>_marts`), or,
    during the nightly build, the build schema the run names (var marts_schema: marts_build), which
    is switched in as `marts` only when every model and test has passed
    (csc_pipeline/transform/publication.py). Models without a schema go to the target schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts' -%}
        {{ var('marts_schema', 'marts') }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
