{% macro mmm_wide_columns(kind) %}
  {#- Column names of the wide input for `kind` (spend_columns or control_columns). Entries
      ending in '*' are prefixes, expanded against the file's header at run time. -#}
  {%- set cfg = var('mmm_wide_input') -%}
  {%- set wanted = cfg.get(kind) or [] -%}
  {%- set has_pattern = wanted | map('last') | select('equalto', '*') | list | length > 0 -%}
  {%- set header = [] -%}
  {%- if has_pattern and execute -%}
    {%- set source = mmm_read_file(cfg['path']) if cfg.get('path') else cfg['relation'] -%}
    {%- set header = run_query('select * from ' ~ source ~ ' limit 0').column_names -%}
  {%- endif -%}
  {%- set out = [] -%}
  {%- for w in wanted -%}
    {%- if w.endswith('*') -%}
      {%- for h in header if h.startswith(w[:-1]) -%}{%- do out.append(h) -%}{%- endfor -%}
    {%- else -%}
      {%- do out.append(w) -%}
    {%- endif -%}
  {%- endfor -%}
  {#- at parse time patterns cannot be expanded; one placeholder keeps the SQL well-formed -#}
  {{ return(out if (out or execute) else ['__parse_placeholder__']) }}
{% endmacro %}
