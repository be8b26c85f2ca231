{% macro mmm_drop_leftover_temp_tables() %}
  {#- dbt-duckdb builds an incremental Python model's new rows into `<model>__dbt_tmp<timestamp>`
      and, taking it for a temporary table, never drops it; on DuckDB it is a real table in the
      default schema, where users read the results, and every build added ten. Dropped after
      every run, failed or not. -#}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {{ return(adapter.dispatch('mmm_drop_leftover_temp_tables', 'warehouse_mmm')()) }}
{% endmacro %}

{% macro default__mmm_drop_leftover_temp_tables() %}
  {{ return('') }}
{% endmacro %}

{% macro duckdb__mmm_drop_leftover_temp_tables() %}
  {%- set found = run_query(
      "select table_schema, table_name from information_schema.tables "
      ~ "where table_catalog = current_database() and table_type = 'BASE TABLE' "
      ~ "and regexp_matches(table_name, '__dbt_tmp[0-9]+$')") -%}
  {%- for row in found.rows -%}
    {%- do run_query('drop table if exists "' ~ row[0] ~ '"."' ~ row[1] ~ '"') -%}
  {%- endfor -%}
  {%- if found.rows | length > 0 -%}
    {{ log('MMM: dropped ' ~ found.rows | length ~ " table(s) dbt-duckdb's incremental Python models left behind", info=true) }}
  {%- endif -%}
  {{ return('') }}
{% endmacro %}
