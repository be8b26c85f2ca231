{% macro mmm_regexp_full_match(expr, pattern) %}
  {{ return(adapter.dispatch('mmm_regexp_full_match', 'warehouse_mmm')(expr, pattern)) }}
{% endmacro %}

{% macro default__mmm_regexp_full_match(expr, pattern) %}regexp_like({{ expr }}, '^{{ pattern }}$'){% endmacro %}
{% macro duckdb__mmm_regexp_full_match(expr, pattern) %}regexp_full_match({{ expr }}, '{{ pattern }}'){% endmacro %}
{% macro spark__mmm_regexp_full_match(expr, pattern) %}({{ expr }} rlike '^{{ pattern }}$'){% endmacro %}
{% macro bigquery__mmm_regexp_full_match(expr, pattern) %}regexp_contains({{ expr }}, r'^{{ pattern }}$'){% endmacro %}


{% macro mmm_letter_class() %}
  {#- A letter of any alphabet inside a regex bracket expression, in the engine's dialect. -#}
  {{ return(adapter.dispatch('mmm_letter_class', 'warehouse_mmm')()) }}
{% endmacro %}

{% macro default__mmm_letter_class() %}{{ return('[:alpha:]') }}{% endmacro %}
{% macro duckdb__mmm_letter_class() %}{{ return('\\p{L}') }}{% endmacro %}
{#- Spark unescapes backslashes in string literals: the regex must see \p{L} -#}
{% macro spark__mmm_letter_class() %}{{ return('\\\\p{L}') }}{% endmacro %}
{% macro bigquery__mmm_letter_class() %}{{ return('\\p{L}') }}{% endmacro %}
