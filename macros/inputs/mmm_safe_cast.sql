{% macro mmm_safe_cast(field, type) %}
  {#- A cast that yields null instead of failing, so validation can name the bad values.
      dbt-duckdb and dbt-spark leave dbt.safe_cast as a plain cast. -#}
  {{ return(adapter.dispatch('mmm_safe_cast', 'warehouse_mmm')(field, type)) }}
{% endmacro %}

{% macro default__mmm_safe_cast(field, type) %}{{ dbt.safe_cast(field, type) }}{% endmacro %}
{% macro duckdb__mmm_safe_cast(field, type) %}try_cast({{ field }} as {{ type }}){% endmacro %}
{% macro spark__mmm_safe_cast(field, type) %}try_cast({{ field }} as {{ type }}){% endmacro %}
