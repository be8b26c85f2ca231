{% macro mmm_budget_plan_geo(geo_column) %}
  {#- The geo a budget plan covers: 'total' for a national plan (the default, var
      mmm_budget_geo_scope: national; a geo panel's plan then spans every geo x channel cell),
      else the row's own geo (one plan per geo). -#}
  {%- if var('mmm_budget_geo_scope', 'national') == 'national' -%}'total'{%- else -%}{{ geo_column }}{%- endif -%}
{% endmacro %}
