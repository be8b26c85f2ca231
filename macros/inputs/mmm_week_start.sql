{% macro mmm_week_start(date_expr) %}
  {#- The first day of the modelling week holding date_expr. Portable: counts days from an
      anchor that falls on the configured weekday, so no dialect's weekday numbering is used. -#}
  {%- set days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] -%}
  {%- set start = var('mmm_week_start') | lower -%}
  {%- if start not in days -%}
    {{ exceptions.raise_compiler_error("var mmm_week_start must be one of " ~ days | join(', ') ~ "; got '" ~ start ~ "'") }}
  {%- endif -%}
  {%- set anchor = "cast('1900-01-0" ~ (days.index(start) + 1) ~ "' as date)" -%}
  cast({{ dbt.dateadd('day', '-1 * mod(' ~ dbt.datediff(anchor, date_expr, 'day') ~ ', 7)', date_expr) }} as date)
{% endmacro %}
