{% macro mmm_wide_columns(kind) %}
  {#- Column names of the wide input for `kind` (spend_columns or control_columns). Entries
      ending in '*' are prefixes, expanded against the file's header at run time. -#}
  {%- set cfg = var('mmm_wide_input') -%}
  {%- set wanted = cfg.get(kind) or [] -%}
  {%- if not execute or wanted | select('string') | select('search', '[*]$') | list | length == 0 -%}
    {{ return(wanted | reject('search', '[*]$') | list) }}
  {%- endif -%}
  {%- set header = run_query('select * from ' ~ mmm_read_file(cfg['path']) ~ ' limit 0').column_names -%}
  {%- set out = [] -%}
  {%- for w in wanted -%}
    {%- if w.endswith('*') -%}
      {%- for h in header if h.startswith(w[:-1]) -%}{% do out.append(h) %}{%- endfor -%}
    {%- else -%}
      {% do out.append(w) %}
    {%- endif -%}
  {%- endfor -%}
  {{ return(out) }}
{% endmacro %}
