{% macro mmm_type_double() %}
  {#- A 64-bit float. dbt.type_float() is 32-bit on DuckDB, which loses cents on large spend. -#}
  {{ return(adapter.dispatch('mmm_type_double', 'warehouse_mmm')()) }}
{% endmacro %}

{% macro default__mmm_type_double() %}{{ return(dbt.type_float()) }}{% endmacro %}
{% macro duckdb__mmm_type_double() %}{{ return('double') }}{% endmacro %}
{% macro spark__mmm_type_double() %}{{ return('double') }}{% endmacro %}
