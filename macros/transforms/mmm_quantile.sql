{% macro mmm_quantile(expr, q) %}
  {#- Continuous quantile aggregate (for interval columns over posterior draws). -#}
  {{ return(adapter.dispatch('mmm_quantile', 'warehouse_mmm')(expr, q)) }}
{% endmacro %}

{% macro default__mmm_quantile(expr, q) %}percentile_cont({{ q }}) within group (order by {{ expr }}){% endmacro %}
{% macro duckdb__mmm_quantile(expr, q) %}quantile_cont({{ expr }}, {{ q }}){% endmacro %}
{% macro spark__mmm_quantile(expr, q) %}percentile({{ expr }}, {{ q }}){% endmacro %}
{% macro bigquery__mmm_quantile(expr, q) %}approx_quantiles({{ expr }}, 1000)[offset({{ (q * 1000) | int }})]{% endmacro %}


{% macro mmm_interval(expr, name) %}
  {#- The interval columns every mart uses: <name>_mean, _median, _lower, _upper, where lower
      and upper bound the equal-tailed interval of mmm_interval_bounds (94%) over posterior draws. -#}
  {{ return(adapter.dispatch('mmm_interval', 'warehouse_mmm')(expr, name)) }}
{%- endmacro %}

{% macro duckdb__mmm_interval(expr, name) %}
  {#- One sort per group: DuckDB shares the identical list-quantile aggregate (~1.7x faster).
      var mmm_portable_sql compiles the default form instead (the sqlglot dialect test). -#}
  {%- if var('mmm_portable_sql', false) -%}{{ return(default__mmm_interval(expr, name)) }}{%- endif %}
  {%- set q = mmm_interval_bounds() %}
        avg({{ expr }}) as {{ name }}_mean,
        quantile_cont({{ expr }}, [0.5, {{ q.lower }}, {{ q.upper }}])[1] as {{ name }}_median,
        quantile_cont({{ expr }}, [0.5, {{ q.lower }}, {{ q.upper }}])[2] as {{ name }}_lower,
        quantile_cont({{ expr }}, [0.5, {{ q.lower }}, {{ q.upper }}])[3] as {{ name }}_upper
{%- endmacro %}

{% macro default__mmm_interval(expr, name) %}
        avg({{ expr }}) as {{ name }}_mean,
        {{ mmm_quantile(expr, 0.5) }} as {{ name }}_median,
        {{ mmm_quantile(expr, mmm_interval_bounds().lower) }} as {{ name }}_lower,
        {{ mmm_quantile(expr, mmm_interval_bounds().upper) }} as {{ name }}_upper
{%- endmacro %}
