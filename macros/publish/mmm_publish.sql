{% macro mmm_publish(results) %}
  {#- All or nothing. Every model builds into the build schema (<target schema>_build); only when
      every node of a `dbt build` or `dbt run` succeeded (tests may warn) are the tables it built
      copied into the target schema, which is what the dashboard, BI and analysts read. After any
      failure they all stay on the previous build, consistently: marts, mmm_runs' current run,
      the reviews and the budget tables alike. Views (staging, draws-level intermediates) are not
      published: they are the build's working parts. -#}
  {%- if not execute or flags.WHICH not in ('build', 'run') -%}{{ return('') }}{%- endif -%}
  {%- set failed = [] -%}
  {%- for result in results if result.status in ('error', 'fail', 'skipped', 'runtime error') -%}
    {%- do failed.append(result.node.name) -%}
  {%- endfor -%}
  {%- if failed -%}
    {{ log('MMM NOT PUBLISHED: ' ~ failed | length ~ ' node(s) failed or were skipped (' ~ failed[:4] | join(', ')
           ~ (', ...' if failed | length > 4 else '') ~ '); the tables in schema ' ~ target.schema
           ~ ' stay on the previous build', info=true) }}
    {{ return('') }}
  {%- endif -%}
  {%- set pairs = [] -%}
  {%- for result in results if result.node.resource_type == 'model'
        and result.node.config.materialized in ('table', 'incremental') -%}
    {%- set built = api.Relation.create(database=result.node.database, schema=result.node.schema,
        identifier=result.node.alias, type='table') -%}
    {%- set published = api.Relation.create(database=result.node.database, schema=target.schema,
        identifier=result.node.alias, type='table') -%}
    {%- do pairs.append((built, published)) -%}
  {%- endfor -%}
  {%- if pairs -%}
    {%- for statement in adapter.dispatch('mmm_publish_sql', 'warehouse_mmm')(pairs) -%}
      {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ log('MMM PUBLISHED: ' ~ pairs | length ~ ' table(s) into schema ' ~ target.schema, info=true) }}
  {%- endif -%}
  {{ return('') }}
{% endmacro %}


{% macro default__mmm_publish_sql(pairs) %}
  {#- One statement per table; warehouses with zero-copy clones (Snowflake, Databricks) can
      override this with `create or replace table ... clone ...`. -#}
  {%- set statements = ['create schema if not exists ' ~ target.schema] -%}
  {%- for built, published in pairs -%}
    {%- do statements.append('create or replace table ' ~ published ~ ' as select * from ' ~ built) -%}
  {%- endfor -%}
  {{ return(statements) }}
{% endmacro %}


{% macro duckdb__mmm_publish_sql(pairs) %}
  {#- One transaction in one call: a reader sees every table of the old build or every table of
      the new. -#}
  {%- set statements = ['begin transaction', 'create schema if not exists ' ~ target.schema] -%}
  {%- for built, published in pairs -%}
    {%- do statements.append('create or replace table ' ~ published ~ ' as select * from ' ~ built) -%}
  {%- endfor -%}
  {%- do statements.append('commit') -%}
  {{ return([statements | join(';\n')]) }}
{% endmacro %}


{% macro spark__mmm_publish_sql(pairs) %}
  {#- Parquet tables in a session cannot be replaced in place: drop and create, table by table. -#}
  {%- set statements = ['create schema if not exists ' ~ target.schema] -%}
  {%- for built, published in pairs -%}
    {%- do statements.append('drop table if exists ' ~ published) -%}
    {%- do statements.append('create table ' ~ published ~ ' using parquet as select * from ' ~ built) -%}
  {%- endfor -%}
  {{ return(statements) }}
{% endmacro %}
