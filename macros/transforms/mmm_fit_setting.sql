{% macro mmm_fit_setting(name) %}
  {#- A fit setting as the SQL marts must mirror it (same defaults as python_udfs.config). -#}
  {%- set defaults = {'adstock': 'geometric', 'saturation': 'logistic', 'yearly_seasonality': 2} -%}
  {%- if name == 'max_lag' -%}{{ return(var('mmm_max_lag') | int) }}{%- endif -%}
  {{ return(var('mmm_fit', {}).get(name, defaults[name])) }}
{% endmacro %}
