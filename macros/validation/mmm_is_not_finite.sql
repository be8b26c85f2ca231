{% macro mmm_is_not_finite(field) %}
  {#- True for NaN and +/-infinity. Engines order NaN differently: DuckDB, Spark and Snowflake
      put it above every number (so abs() exceeds the largest double), BigQuery makes every
      comparison with it false except <>; the two tests together cover both. -#}
  ({{ field }} is not null and (abs({{ field }}) > 1.7e308 or {{ field }} <> {{ field }}))
{% endmacro %}
