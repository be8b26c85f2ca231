{% macro mmm_channel_response(adstocked_spend, params='params') %}
  {#- Contribution in KPI units of adstocked spend (spend units) for one draw's parameters,
      read from the relation alias `params` (a row of int_posterior_channel_draws). -#}
  {%- set x = '(' ~ adstocked_spend ~ ') / ' ~ params ~ '.channel_scale' -%}
  {{ params }}.target_scale * {{ params }}.saturation_coefficient * {{ mmm_saturation(mmm_fit_setting('saturation'), x, params ~ '.saturation_p1', params ~ '.saturation_p2') }}
{% endmacro %}
