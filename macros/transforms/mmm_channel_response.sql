{% macro mmm_channel_response(adstocked_spend, params='params') %}
  {#- Contribution in KPI units of adstocked spend (spend units) for one draw's parameters,
      read from the relation alias `params` (a row of int_posterior_channel_draws). -#}
  {%- set saturation = mmm_fit_setting('saturation') -%}
  {%- set x = '(' ~ adstocked_spend ~ ') / ' ~ params ~ '.channel_scale' -%}
  {%- if saturation == 'michaelis_menten' -%}
    {{ params }}.target_scale * {{ mmm_saturation(saturation, x, params ~ '.saturation_alpha', params ~ '.saturation_p1') }}
  {%- else -%}
    {{ params }}.target_scale * {{ params }}.saturation_beta * {{ mmm_saturation(saturation, x, params ~ '.saturation_p1', params ~ '.saturation_p2') }}
  {%- endif -%}
{% endmacro %}
