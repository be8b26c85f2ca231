{% macro mmm_day_of_year(date_expr) %}
  {#- Day of the year, 1..366, as pandas' dayofyear (what pymc-marketing's Fourier terms use). -#}
  {{ return(adapter.dispatch('mmm_day_of_year', 'warehouse_mmm')(date_expr)) }}
{% endmacro %}

{% macro default__mmm_day_of_year(date_expr) %}extract(dayofyear from {{ date_expr }}){% endmacro %}
{% macro duckdb__mmm_day_of_year(date_expr) %}dayofyear({{ date_expr }}){% endmacro %}
{% macro spark__mmm_day_of_year(date_expr) %}dayofyear({{ date_expr }}){% endmacro %}
