{% macro mmm_read_file(path) %}
  {{ return(adapter.dispatch('mmm_read_file', 'warehouse_mmm')(path)) }}
{% endmacro %}

{% macro default__mmm_read_file(path) %}
  {{ exceptions.raise_compiler_error(
      "mmm_inputs: reading files ('" ~ path ~ "') is supported on DuckDB and Spark only; "
      ~ "load the file into a table and set `relation:` instead.") }}
{% endmacro %}

{% macro duckdb__mmm_read_file(path) %}
  {%- if path.endswith('.parquet') -%}
    read_parquet('{{ path }}')
  {%- else -%}
    read_csv('{{ path }}', header = true, all_varchar = true)
  {%- endif -%}
{% endmacro %}

{% macro spark__mmm_read_file(path) %}
  {%- if path.endswith('.parquet') -%}
    parquet.`{{ path }}`
  {%- else -%}
    {{ exceptions.raise_compiler_error("mmm_inputs: on Spark, read CSV through a table; `path:` takes parquet") }}
  {%- endif -%}
{% endmacro %}
