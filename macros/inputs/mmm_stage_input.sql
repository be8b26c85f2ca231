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
        {{ mmm_parse_number(raw_value, cfg) }} as {{ value }}
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
  {%- if name == 'controls' and not (wide.get('control_columns') or wide.get('event_columns')) -%}
    {#- a wide export without controls: none, as with long inputs -#}
    {%- set text = dbt.type_string() -%}
    {{ _mmm_empty_renamed([('geo', text), ('period_start', 'date'), ('period_end', 'date'), ('period_start_raw', text),
        (label, text), (value ~ '_raw', text), (value, mmm_type_double())]) }}
  {%- else -%}
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
  {{ _mmm_require_wide_columns(name, wide, columns) }}
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
        {{ mmm_parse_number('cast(' ~ adapter.quote(column) ~ ' as ' ~ dbt.type_string() ~ ')', wide) }} as {{ value }}
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
  {%- endif %}
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
    {{ _mmm_refuse_duplicate_headers('mmm_inputs.' ~ name, mmm_input_config(name)) }}
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


{% macro _mmm_require_wide_columns(name, wide, columns) %}
  {#- The wide input's columns this staging model reads must be in the file, each once: a
      missing one is named with the setting that asked for it (not a binder error), and two
      headers with one name are refused (DuckDB would silently read the second as <name>_1). -#}
  {%- if execute -%}
    {{ _mmm_refuse_duplicate_headers('mmm_wide_input', wide) }}
    {%- set present = run_query('select * from ' ~ mmm_input_relation('wide_input') ~ ' limit 0').column_names -%}
    {%- set lowered = present | map('lower') | list -%}
    {%- set settings = [('date_column', [wide.get('date_column')])] + ([('geo_column', [wide['geo_column']])] if wide.get('geo_column') else []) -%}
    {%- if name == 'kpi' -%}
      {%- do settings.append(('kpi_column', [wide.get('kpi_column')])) -%}
    {%- elif name == 'media_spend' -%}
      {%- do settings.append(('spend_columns', columns)) -%}
    {%- else -%}
      {%- do settings.append(('control_columns', columns)) -%}
    {%- endif -%}
    {%- for setting, wanted in settings -%}
      {%- for column in wanted if column is none or column | lower not in lowered -%}
        {{ exceptions.raise_compiler_error('MMM INPUT ERROR in mmm_wide_input.' ~ setting ~ ': column '
            ~ (column | tojson) ~ ' not found in ' ~ (wide.get('path') or wide.get('relation') or wide.get('table'))
            ~ '; the input has columns ' ~ present | join(', ')) }}
      {%- endfor -%}
    {%- endfor -%}
  {%- endif -%}
{% endmacro %}


{% macro _mmm_refuse_duplicate_headers(setting, cfg) %}
  {#- Two columns with one name (after trimming, ignoring case) in a CSV's header: which one the
      database reads is an accident, so the build stops naming both positions. -#}
  {%- set header = mmm_csv_header(cfg.get('path')) if cfg.get('path') else none -%}
  {%- if header -%}
    {%- set seen = {} -%}
    {%- for column in header -%}
      {%- set key = (column or '') | trim | lower -%}
      {%- if key in seen -%}
        {{ exceptions.raise_compiler_error('MMM INPUT ERROR in ' ~ setting ~ ': ' ~ cfg['path'] ~ ' has two columns named '
            ~ (column | trim | tojson) ~ ' (columns ' ~ seen[key] ~ ' and ' ~ loop.index ~ '); rename or drop one, '
            ~ 'so it is clear which one is the data') }}
      {%- endif -%}
      {%- do seen.update({key: loop.index}) -%}
    {%- endfor -%}
  {%- endif -%}
{% endmacro %}


{% macro mmm_csv_header(path) %}
  {#- A CSV file's header as written (duplicates kept), or none where the engine cannot tell. -#}
  {{ return(adapter.dispatch('mmm_csv_header', 'warehouse_mmm')(path)) }}
{% endmacro %}

{% macro default__mmm_csv_header(path) %}{{ return(none) }}{% endmacro %}

{% macro duckdb__mmm_csv_header(path) %}
  {%- if not execute or path.endswith('.parquet') -%}{{ return(none) }}{%- endif -%}
  {%- set found = run_query("select * from read_csv('" ~ path ~ "', header = false, all_varchar = true) limit 1") -%}
  {{ return(found.rows[0].values() | list if found.rows | length else none) }}
{% endmacro %}


{% macro mmm_parse_number(raw, cfg) %}
  {#- A number sent as text, read as a double: null where it is not one, so validation can name
      it. An input may declare its number format (thousands: ',' for 5,227.13; decimal: ','
      for 5227,13 or 5.227,13), as exports from spreadsheets in many locales write them. -#}
  {%- set text = raw -%}
  {%- if cfg.get('thousands') -%}
    {%- set text = dbt.replace(text, "'" ~ cfg['thousands'] | replace("'", "''") ~ "'", "''") -%}
  {%- endif -%}
  {%- if cfg.get('decimal') and cfg['decimal'] != '.' -%}
    {%- set text = dbt.replace(text, "'" ~ cfg['decimal'] | replace("'", "''") ~ "'", "'.'") -%}
  {%- endif -%}
  {{ return(mmm_safe_cast(text, mmm_type_double())) }}
{% endmacro %}
