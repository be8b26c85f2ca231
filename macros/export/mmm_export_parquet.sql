{% macro mmm_export_parquet() %}
  {#- Post-hook on the marts: with var mmm_export_path set, write the model's table to
      <mmm_export_path>/<model>.parquet for BI tools that read files. Dispatched: DuckDB
      COPYs; other warehouses unload with their own tools, so the default does nothing. -#}
  {{ return(adapter.dispatch('mmm_export_parquet', 'warehouse_mmm')()) }}
{% endmacro %}

{% macro default__mmm_export_parquet() %}{% endmacro %}

{% macro duckdb__mmm_export_parquet() %}
  {%- set folder = var('mmm_export_path', none) -%}
  {%- if folder and model.config.materialized in ('table', 'incremental') -%}
    copy (select * from {{ this }}) to '{{ folder | replace("'", "''") }}/{{ this.identifier }}.parquet' (format parquet)
  {%- endif -%}
{% endmacro %}
