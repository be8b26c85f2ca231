{% macro mmm_stage_optional(name, labels, numbers=[]) %}
  {#- Staging SQL (a `renamed` CTE) for an optional input with no demo seed (lift_tests,
      events): read from var mmm_inputs.<name> when set, else an empty table of the same shape,
      so the DAG is the same with or without it. Output: the `labels` as text, geo ('total'
      without a geo column), period_start, period_end, period_start_raw, and each of `numbers` as
      <number>_raw (the text as sent) and <number> (a double). -#}
  {%- set has_geo = mmm_input_has_geo(name) -%}
  {%- set text, double = dbt.type_string(), mmm_type_double() -%}
  {%- if mmm_input_is_set(name) -%}
  {%- set needed = labels + ['period_start', 'period_end'] + numbers + (['geo'] if has_geo else []) -%}
  {{ _mmm_require_columns(name, mmm_input_relation(name), needed) }}
  {%- set col = {} -%}
  {%- for c in needed -%}{%- do col.update({c: adapter.quote(mmm_input_column(name, c))}) -%}{%- endfor %}
source as (
    select * from {{ mmm_input_relation(name) }}
),

renamed as (
    select
        {% for label in labels -%}
        cast({{ col[label] }} as {{ text }}) as {{ label }},
        {% endfor -%}
        {{ 'cast(' ~ col['geo'] ~ ' as ' ~ text ~ ')' if has_geo else "'total'" }} as geo,
        {{ mmm_safe_cast(col['period_start'], 'date') }} as period_start,
        {{ mmm_safe_cast(col['period_end'], 'date') }} as period_end,
        cast({{ col['period_start'] }} as {{ text }}) as period_start_raw
        {%- for number in numbers %},
        cast({{ col[number] }} as {{ text }}) as {{ number }}_raw,
        {{ mmm_safe_cast('cast(' ~ col[number] ~ ' as ' ~ text ~ ')', double) }} as {{ number }}
        {%- endfor %}
    from source
)
  {%- else -%}
  {%- set columns = [] -%}
  {%- for label in labels -%}{%- do columns.append((label, text)) -%}{%- endfor -%}
  {%- do columns.extend([('geo', text), ('period_start', 'date'), ('period_end', 'date'), ('period_start_raw', text)]) -%}
  {%- for number in numbers -%}{%- do columns.extend([(number ~ '_raw', text), (number, double)]) -%}{%- endfor %}
{{ _mmm_empty_renamed(columns) }}
  {%- endif %}
{% endmacro %}
