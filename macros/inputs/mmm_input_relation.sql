{% macro mmm_input_config(name) %}
  {#- The var entry of one input: mmm_wide_input for 'wide_input', else mmm_inputs.<name>. -#}
  {%- if name == 'wide_input' -%}
    {{ return(var('mmm_wide_input', none) or {}) }}
  {%- endif -%}
  {{ return(var('mmm_inputs', {}).get(name) or {}) }}
{% endmacro %}


{% macro mmm_is_demo() %}
  {#- True when the spend is the bundled demo (no media_spend input and no wide input). The demo
      seeds are enabled by the same rule in dbt_project.yml (which cannot call a macro). -#}
  {{ return(not (mmm_input_config('media_spend') or mmm_input_config('wide_input'))) }}
{% endmacro %}


{% macro mmm_input_relation(name, seed=none) %}
  {#- The FROM target of one raw input (media_spend, kpi, controls, wide_input, events,
      lift_tests, or the optimizer's budget_scenarios, budget_scenario_rules, channel_groups):
      the source mmm_inputs.<name> when its var entry names a `table:` (lineage, freshness), a
      `relation:` as written, or a `path:` read as a file; with none of them, the bundled seed
      (`seed`, or demo_<name> on the demo). Staging is the only caller. -#}
  {%- set cfg = mmm_input_config(name) -%}
  {%- if cfg.get('table') -%}
    {{ source('mmm_inputs', name) }}
  {%- elif cfg.get('relation') -%}
    {{ cfg['relation'] }}
  {%- elif cfg.get('path') -%}
    {{ mmm_read_file(cfg['path']) }}
  {%- elif seed -%}
    {{ ref(seed) }}
  {%- elif mmm_is_demo() -%}
    {{ ref('demo_' ~ name) }}
  {%- else -%}
    {{ exceptions.raise_compiler_error('MMM INPUT ERROR in mmm_inputs.' ~ name ~ ': not set; with your own '
        ~ 'spend the ' ~ name ~ ' input is needed too: {table: <name>} (in schema mmm_source.schema), '
        ~ '{relation: <db.schema.table>} or {path: <file.csv|parquet>}') }}
  {%- endif -%}
{% endmacro %}


{% macro mmm_input_is_set(name) %}
  {#- Whether the user configured this input (a table, relation or path). -#}
  {%- set cfg = mmm_input_config(name) -%}
  {{ return((cfg.get('table') or cfg.get('relation') or cfg.get('path')) is not none) }}
{% endmacro %}


{% macro mmm_input_column(name, column) %}
  {#- The user's column name for one contract column of an input (identity by default). -#}
  {{- return((mmm_input_config(name).get('columns') or {}).get(column, column)) -}}
{% endmacro %}


{% macro mmm_input_has_geo(name) %}
  {%- set cfg = mmm_input_config(name) -%}
  {{- return('geo' in (cfg.get('columns') or {}) or cfg.get('has_geo', false)) -}}
{% endmacro %}


{% macro mmm_bundled_input_applies(name) %}
  {#- The bundled budget rules and channel groups name the demo's channels. They apply when the
      media input is the demo, or when the user supplied this input; on the user's own media
      data they are left out rather than failing on channels the fit does not have. -#}
  {{ return(mmm_is_demo() or mmm_input_is_set(name)) }}
{% endmacro %}
