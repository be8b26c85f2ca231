{% macro mmm_report_invalid(model, column, problem, failing_sql) %}
  {#- Log a message naming the table, column and first offending rows of a failing validation
      test, so the person reading `dbt build` output sees what to fix, not just a count. -#}
  {%- if execute -%}
    {%- set result = run_query('select * from (' ~ failing_sql ~ ') as failing limit 6') -%}
    {%- if result.rows | length > 0 -%}
      {%- set shown = [] -%}
      {%- for row in result.rows[:5] -%}
        {%- set cells = [] -%}
        {%- for name in result.column_names -%}
          {%- do cells.append(name ~ '=' ~ (row[name] | string)) -%}
        {%- endfor -%}
        {%- do shown.append('(' ~ cells | join(', ') ~ ')') -%}
      {%- endfor -%}
      {%- set more = ' and more' if result.rows | length > 5 else '' -%}
      {{ log('MMM INPUT ERROR in ' ~ model.identifier ~ '.' ~ column ~ ': ' ~ problem ~ ': '
             ~ shown | join('; ') ~ more, info=true) }}
    {%- endif -%}
  {%- endif -%}
{% endmacro %}
