{% macro mmm_stage_input(name, value, label=none) %}
  {#- Staging SQL for one raw input, long or wide, as `source` and `renamed` CTEs ending in
      `renamed`. Output: geo, period_start, period_end, period_start_raw, [label], <value>_raw (the text as sent,
      kept so validation can name values that are not numbers) and <value> (a double).
      name: media_spend | kpi | controls; value: spend | kpi | value; label: channel | control. -#}
  {%- set wide = var('mmm_wide_input') -%}
  {%- if wide -%}
    {{ _mmm_stage_wide(name, value, label, wide) }}
  {%- else -%}
    {{ _mmm_stage_long(name, value, label) }}
  {%- endif -%}
{% endmacro %}


{% macro _mmm_stage_long(name, value, label) %}
  {%- set cfg = mmm_input_config(name) -%}
  {%- if name == 'controls' and not mmm_is_demo() and not mmm_input_is_set(name) -%}
    {#- your own spend without controls: no controls (never the demo's) -#}
    {%- set text = dbt.type_string() -%}
    {{ _mmm_empty_renamed([('geo', text), ('period_start', 'date'), ('period_end', 'date'), ('period_start_raw', text),
        (label, text), (value ~ '_raw', text), (value, mmm_type_double())]) }}
  {%- else -%}
  {%- set start_col = adapter.quote(mmm_input_column(name, 'period_start')) -%}
  {%- if cfg.get('period_days') -%}
    {%- set end_expr = dbt.dateadd('day', cfg['period_days'] - 1, mmm_safe_cast(start_col, 'date')) -%}
  {%- else -%}
    {%- set end_expr = adapter.quote(mmm_input_column(name, 'period_end')) -%}
  {%- endif -%}
  {%- set raw_value = 'cast(' ~ adapter.quote(mmm_input_column(name, value)) ~ ' as ' ~ dbt.type_string() ~ ')' -%}
  {%- set needed = ['period_start', value] + ([label] if label else []) + ([] if cfg.get('period_days') else ['period_end'])
      + (['geo'] if mmm_input_has_geo(name) else []) -%}
  {{ _mmm_require_columns(name, mmm_input_relation(name), needed) }}
source as (
    select * from {{ mmm_input_relation(name) }}
),

renamed as (
    select
        {% if mmm_input_has_geo(name) -%}
        cast({{ adapter.quote(mmm_input_column(name, 'geo')) }} as {{ dbt.type_string() }})
        {%- else -%}
        'total'
        {%- endif %} as geo,
        {{ mmm_safe_cast(start_col, 'date') }} as period_start,
        {{ mmm_safe_cast(end_expr, 'date') }} as period_end,
        {#- the dates as sent, so a date that does not parse is shown as the user wrote it -#}
        cast({{ start_col }} as {{ dbt.type_string() }}) as period_start_raw,
        {% if label -%}
        cast({{ adapter.quote(mmm_input_column(name, label)) }} as {{ dbt.type_string() }}) as {{ label }},
        {% endif -%}
        {{ raw_value }} as {{ value }}_raw,
        {{ mmm_safe_cast(raw_value, mmm_type_double()) }} as {{ value }}
    from source
)
  {%- endif %}
{% endmacro %}


{% macro _mmm_empty_renamed(columns) %}
  {#- A `renamed` CTE with no rows and the given (name, type) columns: an optional input that is
      not set, so the DAG and the columns are the same with or without it. -#}
renamed as (
    select
        {% for column, type in columns -%}
        cast(null as {{ type }}) as {{ column }}{{ ',' if not loop.last }}
        {% endfor -%}
    where 1 = 0
)
{% endmacro %}


{% macro _mmm_stage_wide(name, value, label, wide) %}
  {%- set date_col = adapter.quote(wide['date_column']) -%}
  {%- set days = wide.get('period_days', 7) -%}
  {%- set geo_expr = 'cast(' ~ adapter.quote(wide['geo_column']) ~ ' as ' ~ dbt.type_string() ~ ')' if wide.get('geo_column') else "'total'" -%}
  {%- if name == 'kpi' -%}
    {%- set columns = [wide['kpi_column']] -%}
  {%- elif name == 'media_spend' -%}
    {%- set columns = mmm_wide_columns('spend_columns') -%}
  {%- else -%}
    {%- set columns = mmm_wide_columns('control_columns') -%}
    {%- set events = mmm_wide_events(wide) -%}
  {%- endif %}
  {%- set events = events if name == 'controls' else [] -%}
source as (
    select * from {{ mmm_input_relation('wide_input') }}
),

renamed as (
    {% for column in columns -%}
    select
        {{ geo_expr }} as geo,
        {{ mmm_safe_cast(date_col, 'date') }} as period_start,
        {{ mmm_safe_cast(dbt.dateadd('day', days - 1, mmm_safe_cast(date_col, 'date')), 'date') }} as period_end,
        cast({{ date_col }} as {{ dbt.type_string() }}) as period_start_raw,
        {% if label -%}
        {#- a wide export's headers are not chosen labels: unsafe characters become '_' -#}
        '{{ modules.re.sub("[^\\w .&+/()-]", "_", column) }}' as {{ label }},
        {% endif -%}
        cast({{ adapter.quote(column) }} as {{ dbt.type_string() }}) as {{ value }}_raw,
        {{ mmm_safe_cast('cast(' ~ adapter.quote(column) ~ ' as ' ~ dbt.type_string() ~ ')', mmm_type_double()) }} as {{ value }}
    from source
    {% if not loop.last or events %}union all
    {% endif %}
    {%- else -%}
    {%- if not events -%}
    {{ exceptions.raise_compiler_error("mmm_wide_input: no " ~ name ~ " columns matched in " ~ (wide.get('path') or wide.get('relation') or wide.get('table'))) }}
    {%- endif -%}
    {%- endfor %}
    {%- for column, level, control in events %}
    select
        {{ geo_expr }} as geo,
        {{ mmm_safe_cast(date_col, 'date') }} as period_start,
        {{ mmm_safe_cast(dbt.dateadd('day', days - 1, mmm_safe_cast(date_col, 'date')), 'date') }} as period_end,
        cast({{ date_col }} as {{ dbt.type_string() }}) as period_start_raw,
        '{{ modules.re.sub("[^\\w .&+/()-]", "_", control) }}' as {{ label }},
        case when cast({{ adapter.quote(column) }} as {{ dbt.type_string() }}) = '{{ level | replace("'", "''") }}' then '1' else '0' end as {{ value }}_raw,
        case when cast({{ adapter.quote(column) }} as {{ dbt.type_string() }}) = '{{ level | replace("'", "''") }}' then 1.0 else 0.0 end as {{ value }}
    from source
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
)
{% endmacro %}


{% macro _mmm_require_columns(name, relation, contract_columns) %}
  {#- A contract column the input lacks fails at compile time naming the input, the column, the
      columns it has and how to map them, instead of a database binder error. User inputs only:
      the bundled seeds have the contract's names. -#}
  {%- if execute and mmm_input_is_set(name) -%}
    {%- if mmm_input_config(name).get('table') and load_relation(source('mmm_inputs', name)) is none -%}
      {{ exceptions.raise_compiler_error('MMM INPUT ERROR in mmm_inputs.' ~ name ~ ': table ' ~ relation
          ~ ' not found; set mmm_source: {schema: <its schema>} (and database) or the input\'s table:') }}
    {%- endif -%}
    {%- set present = run_query('select * from ' ~ relation ~ ' limit 0').column_names | map('lower') | list -%}
    {%- set missing = [] -%}
    {%- for column in contract_columns if mmm_input_column(name, column) | lower not in present -%}
      {%- do missing.append(column) -%}
    {%- endfor -%}
    {%- if missing -%}
      {%- set mapped = mmm_input_column(name, missing[0]) -%}
      {{ exceptions.raise_compiler_error('MMM INPUT ERROR in mmm_inputs.' ~ name ~ ': column(s) '
          ~ missing | map('tojson') | join(', ') ~ ' not found (looked for ' ~ mapped | tojson ~ '); the input has columns '
          ~ present | join(', ') ~ '; map yours with columns: {' ~ missing[0] ~ ': <your column>}') }}
    {%- endif -%}
  {%- endif -%}
{% endmacro %}
