{#- Cost that follows the change: a council's rows are rebuilt only on the nights its data moved.

    Every model holding rows per council (an la_code column) is an incremental model keyed by
    council; the few that span all councils (the calendar, dim_date, the code dimensions: meta
    all_councils) are tables rebuilt every night. The pipeline says which councils to rebuild,
    per layer (csc_pipeline/transform/build_plan.py), in the var

        rebuild_councils: {intermediate: [la_code, ...], marts: [la_code, ...]}

    (intermediate is one schema kept from night to night; the marts are built into the build
    buffer, which last held the marts two nights ago, so its list can be longer). On an
    incremental run a model deletes those councils' rows (pre-hook, in the model's transaction)
    and inserts them afresh, reading every per-council model it refers to only for those councils
    (`ref` and `council_inputs` below): a council not in the list costs nothing. Without the var, or with
    `--full-refresh`, every council is rebuilt: the default is always correct. -#}

{% macro councils_to_rebuild() -%}
{#- The councils this model rebuilds tonight: a list, or none for every council. -#}
    {%- set plan = var('rebuild_councils', none) -%}
    {%- if plan is none -%}{{ return(none) }}{%- endif -%}
    {%- set layer = 'marts' if model.fqn[1] == 'marts' else 'intermediate' -%}
    {{ return(plan.get(layer)) }}
{%- endmacro %}


{% macro council_list_sql(councils) -%}
    array[{%- for la in councils -%}'{{ la | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%}]::text[]
{%- endmacro %}


{% macro is_per_council(node) -%}
{#- Whether a model's rows are per council (an la_code column); seeds and sources are not. -#}
    {{ return(node.resource_type == 'model' and not node.config.get('meta', {}).get('all_councils', false)) }}
{%- endmacro %}


{% macro building_some_councils() -%}
{#- This model is being built incrementally for a list of councils (not all of them). -#}
    {%- if not execute or model.resource_type != 'model' or model.config.materialized != 'incremental' -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(is_incremental() and councils_to_rebuild() is not none) }}
{%- endmacro %}


{% macro council_input_name(name) -%}
{#- The session's view of a per-council model's rows of the councils being rebuilt (short enough
    for an identifier whatever the model's name). -#}
    {{ return('csc_rebuilt__' ~ name[:36] ~ '_' ~ local_md5(name)[:8]) }}
{%- endmacro %}


{% macro per_council_node(name) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ name) -%}
    {{ return(node if node is not none and is_per_council(node) else none) }}
{%- endmacro %}


{% macro ref() -%}
{#- dbt's ref, but inside a model built for some councils a per-council model is read through a
    temporary view of those councils' rows (council_inputs, the model's pre-hook, makes it). -#}
    {%- set relation = builtins.ref(*varargs, **kwargs) -%}
    {%- if not building_some_councils() -%}{{ return(relation) }}{%- endif -%}
    {%- set name = varargs[-1] if varargs else kwargs.get('name') -%}
    {%- if per_council_node(name) is none -%}{{ return(relation) }}{%- endif -%}
    {{ return(api.Relation.create(schema='pg_temp', identifier=council_input_name(name))) }}
{%- endmacro %}


{% macro council_inputs() -%}
{#- pre-hook: for a model built for some councils, a temporary view per per-council model it
    refers to, holding only those councils' rows (in its session, replaced model by model). -#}
    {%- if building_some_councils() -%}
        {%- for r in model.refs -%}
            {%- set name = r['name'] if r is mapping else r[-1] -%}
            {%- if per_council_node(name) is not none %}
    create or replace temporary view {{ council_input_name(name) }} as
    select * from {{ builtins.ref(name) }} where la_code = any({{ council_list_sql(councils_to_rebuild()) }});
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{% macro delete_rebuilt_councils() -%}
{#- pre-hook of every per-council model: on an incremental run, its rows of the councils rebuilt
    tonight go (every row when every council is rebuilt), in the transaction that inserts them anew. -#}
    {%- if execute and is_incremental() -%}
        {%- set councils = councils_to_rebuild() -%}
        {%- if councils is none -%}
            delete from {{ this }}
        {%- else -%}
            delete from {{ this }} where la_code = any({{ council_list_sql(councils) }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{% macro get_where_subquery(relation) -%}
{#- dbt's data-test filter (config `where`), and on a night that rebuilds some councils, a test of
    a per-council model reads only their rows: the other councils' rows are those already tested
    on the night they were built. -#}
    {#- a namespace: what a for loop sets does not outlive it in Jinja -#}
    {%- set found = namespace(where=config.get('where', '')) -%}
    {%- set plan = var('rebuild_councils', none) -%}
    {%- if execute and plan is not none -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model'
                and node.alias == relation.identifier and node.schema == relation.schema
                and node.config.materialized == 'incremental' and is_per_council(node) -%}
            {%- set councils = plan.get('marts' if node.fqn[1] == 'marts' else 'intermediate') -%}
            {%- if councils is not none -%}
                {%- set found.where = ('(' ~ found.where ~ ') and ' if found.where else '')
                                      ~ 'la_code = any(' ~ council_list_sql(councils) ~ ')' -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if found.where -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ found.where ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}


{% macro tested_relation(model) -%}
{#- The relation a generic test's `model` reads, when get_where_subquery has wrapped it in a
    filter (a test that asks the catalogue about its columns needs the relation itself). -#}
    {%- if model is string -%}
        {%- set m = modules.re.search('from "([^"]+)"\\."([^"]+)"\\."([^"]+)"', model) -%}
        {{ return(api.Relation.create(database=m.group(1), schema=m.group(2), identifier=m.group(3))) }}
    {%- endif -%}
    {{ return(model) }}
{%- endmacro %}


{% macro drop_build_foreign_keys() -%}
{#- on-run-start: on a night that rebuilds some councils into a kept build buffer, its foreign
    keys go first (a dimension's rows are deleted before the facts that refer to them are), and
    each model adds its own back once its rows are in (add_contract_foreign_keys). -#}
    {%- if execute and var('rebuild_councils', none) is not none and not flags.FULL_REFRESH -%}
        {%- set schema = var('marts_schema', 'marts') -%}
        {%- set keys = run_query("select format('alter table %I.%I drop constraint %I', n.nspname, c.relname, k.conname)"
                                 ~ " from pg_constraint k join pg_class c on c.oid = k.conrelid"
                                 ~ " join pg_namespace n on n.oid = c.relnamespace"
                                 ~ " where k.contype = 'f' and n.nspname = '" ~ schema ~ "'") -%}
        {%- for row in keys.rows -%}
            {%- do run_query(row[0]) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{% macro add_contract_foreign_keys() -%}
{#- post-hook of the marts: after an incremental run, the model contract's foreign keys, each
    checked in one pass over the table (a fresh table has them from create_table_as). -#}
    {%- if execute and is_incremental() and config.get('contract').enforced -%}
        {%- for key in adapter.render_raw_model_constraints(raw_constraints=contract_foreign_keys()) %}
        alter table {{ this }} add {{ key }};
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{% macro contract_foreign_keys() -%}
{#- The model contract's foreign keys (column-level and model-level), as model constraints. -#}
    {%- set foreign_keys = [] -%}
    {%- for name, column in model['columns'].items() -%}
        {%- for c in column.get('constraints', []) if c['type'] == 'foreign_key' -%}
            {%- do foreign_keys.append({'type': 'foreign_key', 'columns': [column['name']], 'to': c.get('to'),
                                        'to_columns': c.get('to_columns', []), 'expression': c.get('expression')}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for c in model['constraints'] if c['type'] == 'foreign_key' -%}
        {%- do foreign_keys.append(c) -%}
    {%- endfor -%}
    {{ return(foreign_keys) }}
{%- endmacro %}
