{% macro mmm_regexp_full_match(expr, pattern) %}
  {{ return(adapter.dispatch('mmm_regexp_full_match', 'warehouse_mmm')(expr, pattern)) }}
{% endmacro %}

{% macro default__mmm_regexp_full_match(expr, pattern) %}regexp_like({{ expr }}, '^{{ pattern }}$'){% endmacro %}
{% macro duckdb__mmm_regexp_full_match(expr, pattern) %}regexp_full_match({{ expr }}, '{{ pattern }}'){% endmacro %}
{% macro spark__mmm_regexp_full_match(expr, pattern) %}({{ expr }} rlike '^{{ pattern }}$'){% endmacro %}
{% macro bigquery__mmm_regexp_full_match(expr, pattern) %}regexp_contains({{ expr }}, r'^{{ pattern }}$'){% endmacro %}
