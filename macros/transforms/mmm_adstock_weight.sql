{% macro mmm_adstock_weight(adstock, lag, max_lag, alpha, theta=none, normalize=true) %}
  {#- Weight of the spend `lag` weeks back, as pymc-marketing's adstock kernels define it
      (lags 0..max_lag). geometric: alpha^lag; delayed: alpha^((lag - theta)^2). Normalised
      weights sum to 1, pymc-marketing's default. Twin: python_udfs.transforms.adstock_weights. -#}
  {{ return(adapter.dispatch('mmm_adstock_weight', 'warehouse_mmm')(adstock, lag, max_lag, alpha, theta, normalize)) }}
{% endmacro %}

{% macro default__mmm_adstock_weight(adstock, lag, max_lag, alpha, theta, normalize) %}
  {%- if normalize -%}
    ({{ _mmm_adstock_kernel(adstock, lag, alpha, theta) }} / ({% for l in range(max_lag + 1) %}{{ _mmm_adstock_kernel(adstock, l, alpha, theta) }}{% if not loop.last %} + {% endif %}{% endfor %}))
  {%- else -%}
    {{ _mmm_adstock_kernel(adstock, lag, alpha, theta) }}
  {%- endif -%}
{% endmacro %}

{% macro _mmm_adstock_kernel(adstock, lag, alpha, theta) %}
  {%- if adstock == 'geometric' -%}
    power({{ alpha }}, {{ lag }})
  {%- elif adstock == 'delayed' -%}
    power({{ alpha }}, power({{ lag }} - {{ theta }}, 2))
  {%- else -%}
    {{ exceptions.raise_compiler_error("mmm_adstock_weight: SQL supports geometric and delayed adstock; got '" ~ adstock ~ "'") }}
  {%- endif -%}
{% endmacro %}
