{% macro mmm_input_relation(name, seed=none) %}
  {#- The FROM target of one raw input (media_spend, kpi, controls, or the optimizer's
      budget_scenarios, budget_scenario_rules, channel_groups): the user's relation or file
      from var('mmm_inputs'), else the bundled seed (demo_<name> unless `seed` names it).
      Staging is the only caller. -#}
  {%- set cfg = var('mmm_inputs', {}).get(name) or {} -%}
  {%- if cfg.get('relation') -%}
    {{ cfg['relation'] }}
  {%- elif cfg.get('path') -%}
    {{ mmm_read_file(cfg['path']) }}
  {%- else -%}
    {{ ref(seed or 'demo_' ~ name) }}
  {%- endif -%}
{% endmacro %}


{% macro mmm_input_column(name, column) %}
  {#- The user's column name for one contract column of an input (identity by default). -#}
  {%- set cfg = var('mmm_inputs', {}).get(name) or {} -%}
  {{- return((cfg.get('columns') or {}).get(column, column)) -}}
{% endmacro %}


{% macro mmm_input_has_geo(name) %}
  {%- set cfg = var('mmm_inputs', {}).get(name) or {} -%}
  {{- return('geo' in (cfg.get('columns') or {}) or cfg.get('has_geo', false)) -}}
{% endmacro %}


{% macro mmm_bundled_input_applies(name) %}
  {#- The bundled budget rules and channel groups name the demo's channels. They apply when the
      media input is the demo, or when the user supplied this input; on the user's own media
      data they are left out rather than failing on channels the fit does not have. -#}
  {%- set inputs = var('mmm_inputs', {}) -%}
  {%- set demo_media = not (inputs.get('media_spend') or var('mmm_wide_input', none)) -%}
  {{ return(demo_media or (inputs.get(name) is not none)) }}
{% endmacro %}
