{#- A contracted table with its foreign keys added after its rows (dbt-postgres's own macro, but
    for that): declared in the CREATE TABLE, each foreign key is checked row by row as the rows
    go in, about 3 µs a key a row (a million rows with six keys: 18 s, against under 1 s for
    the insert and one ALTER TABLE that checks each key in a single pass). The keys, the columns
    and the other constraints are the model contract's, as dbt renders them. -#}
{% macro postgres__create_table_as(temporary, relation, sql) -%}
  {%- set unlogged = config.get('unlogged', default=false) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {%- set contract_config = config.get('contract') -%}
  {%- set enforced = contract_config.enforced and not temporary -%}

  {{ sql_header if sql_header is not none }}

  create {% if temporary -%}
    temporary
  {%- elif unlogged -%}
    unlogged
  {%- endif %} table {{ relation }}
  {% if contract_config.enforced %}
    {{ get_assert_columns_equivalent(sql) }}
  {% endif -%}
  {% if enforced -%}
    {%- set columns = {} -%}
    {%- set foreign_keys = contract_foreign_keys() -%}
    {%- for name, column in model['columns'].items() -%}
      {%- set kept = column.get('constraints', []) | rejectattr('type', 'equalto', 'foreign_key') | list -%}
      {%- do columns.update({name: {'name': column['name'], 'data_type': column['data_type'],
                                     'quote': column.get('quote'), 'constraints': kept}}) -%}
    {%- endfor -%}
    {%- set table_constraints = model['constraints'] | rejectattr('type', 'equalto', 'foreign_key') | list -%}
    {%- set rendered = adapter.render_raw_columns_constraints(raw_columns=columns)
                       + adapter.render_raw_model_constraints(raw_constraints=table_constraints) %}
    (
      {{ rendered | join(',\n      ') }}
    ) ;
    insert into {{ relation }} (
      {{ adapter.dispatch('get_column_names', 'dbt')() }}
    )
    {%- set sql = get_select_subquery(sql) %}
  {% else %}
    as
  {% endif %}
  (
    {{ sql }}
  )
  {%- if enforced %}
  {%- for key in adapter.render_raw_model_constraints(raw_constraints=foreign_keys) %};
  alter table {{ relation }} add {{ key }}
  {%- endfor %}
  {%- endif %};
{%- endmacro %}
