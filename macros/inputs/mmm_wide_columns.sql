{% macro mmm_wide_columns(kind) %}
  {#- Column names of the wide input for `kind` (spend_columns, control_columns or
      event_columns). Entries with '*' are glob patterns ('hldy_*', '*_control'), expanded
      against the file's header at run time. -#}
  {%- set cfg = var('mmm_wide_input') -%}
  {%- set wanted = cfg.get(kind) or [] -%}
  {%- set has_pattern = '*' in (wanted | join(' ')) -%}
  {%- set header = [] -%}
  {%- if has_pattern and execute -%}
    {%- set source = mmm_input_relation('wide_input') -%}
    {%- set header = run_query('select * from ' ~ source ~ ' limit 0').column_names -%}
  {%- endif -%}
  {%- set out = [] -%}
  {%- for w in wanted -%}
    {%- if '*' in w -%}
      {%- set pattern = modules.re.escape(w).replace('\\*', '.*') -%}
      {%- for h in header if modules.re.fullmatch(pattern, h) -%}{%- do out.append(h) -%}{%- endfor -%}
    {%- else -%}
      {%- do out.append(w) -%}
    {%- endif -%}
  {%- endfor -%}
  {#- at parse time patterns cannot be expanded; one placeholder keeps the SQL well-formed -#}
  {{ return(out if (out or execute or not has_pattern) else ['__parse_placeholder__']) }}
{% endmacro %}


{% macro mmm_wide_events(cfg) %}
  {#- (column, value, control name) for each distinct value of each text column in
      `event_columns` (Robyn's `events`: na, event1, event2): every value but blank and 'na'
      becomes a 0/1 control named <column>_<value>, so users do not build dummy columns. -#}
  {%- set out = [] -%}
  {%- if execute -%}
    {%- set source = mmm_input_relation('wide_input') -%}
    {%- for column in mmm_wide_columns('event_columns') -%}
      {%- set col = adapter.quote(column) -%}
      {%- set found = run_query('select distinct cast(' ~ col ~ ' as ' ~ dbt.type_string() ~ ') from ' ~ source
          ~ ' where ' ~ col ~ ' is not null order by 1') -%}
      {%- for row in found.rows if row[0] | trim | lower not in ('', 'na', 'n/a', 'none', 'null') -%}
        {%- do out.append((column, row[0], column ~ '_' ~ row[0])) -%}
      {%- endfor -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(out) }}
{% endmacro %}
