{% macro mmm_channel_response(adstocked_spend, params='params') %}
  {#- Contribution in KPI units of adstocked spend (spend units) for one draw's parameters,
      read from the relation alias `params` (a row of int_posterior_channel_draws). -#}
  {%- set x = '(' ~ adstocked_spend ~ ') / ' ~ params ~ '.channel_scale' -%}
  {%- set form = mmm_fit_setting('saturation') -%}
  {%- set shape = mmm_saturation_parameters(form)['shape'] -%}
  {%- set p = [] -%}
  {%- for i in range(2) -%}{%- do p.append(params ~ '.saturation_' ~ shape[i] if i < shape | length else 'null') -%}{%- endfor -%}
  {{ params }}.target_scale * {{ params }}.saturation_coefficient * {{ mmm_saturation(form, x, p[0], p[1]) }}
{% endmacro %}
