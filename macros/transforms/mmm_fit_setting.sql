{% macro mmm_fit_setting(name) %}
  {#- A fit setting as the current run stored it (mmm_fits.model_config, with the settings
      left to the data resolved), so the SQL marts always pair a run's draws with the forms it
      was fitted with, whatever the vars say now. Before any run exists (parse time, a fresh
      file) the vars are used; the models that call this only have rows once a run exists. -#}
  {%- set settings = {} -%}
  {#- refs taken at parse time too, so dbt records the dependencies -#}
  {%- set fits, current = ref('mmm_fits'), ref('mmm_current_run') -%}
  {%- set exists = execute and adapter.get_relation(database=fits.database, schema=fits.schema, identifier=fits.identifier) -%}
  {%- if exists -%}
    {%- set found = run_query("select model_config from " ~ fits ~ " where run_id in (select run_id from " ~ current ~ ")") -%}
    {%- if found and found.rows | length > 0 -%}
      {%- set settings = fromjson(found.rows[0][0]) -%}
    {%- endif -%}
  {%- endif -%}
  {%- if name in settings and settings[name] is not none -%}
    {{ return(settings[name]) }}
  {%- endif -%}
  {%- set defaults = {'adstock': 'geometric', 'saturation': 'logistic', 'yearly_seasonality': 0} -%}
  {%- if name == 'max_lag' -%}{{ return(var('mmm_max_lag') | int) }}{%- endif -%}
  {{ return(var('mmm_fit', {}).get(name, defaults[name])) }}
{% endmacro %}
