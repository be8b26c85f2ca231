{#- Input validation. Each test returns the offending rows (so store_failures works) and logs
    a message naming table, column and rows through mmm_report_invalid. -#}

{% test mmm_unique_combination(model, combination) %}
  {%- set cols = combination | join(', ') -%}
  {%- set failing -%}
    {#- rows with a missing key (a date that did not parse) are the other tests' to report -#}
    select {{ cols }}, count(*) as n_rows from {{ model }}
    where {% for c in combination %}{{ c }} is not null{{ ' and ' if not loop.last }}{% endfor %}
    group by {{ cols }} having count(*) > 1
  {%- endset -%}
  {{ mmm_report_invalid(model, cols, 'duplicate rows for the same key', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_not_missing(model, column_name, key_columns) %}
  {#- with the value as sent among the keys, only values not sent at all: text that is not a
      number is mmm_numeric's to report -#}
  {%- set raw = column_name ~ '_raw' -%}
  {%- set failing -%}
    select {{ key_columns | join(', ') }} from {{ model }} where {{ column_name }} is null
    {%- if raw in key_columns %} and ({{ raw }} is null or trim({{ raw }}) = ''){% endif %}
  {%- endset -%}
  {{ mmm_report_invalid(model, column_name, 'missing values', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_numeric(model, column_name, key_columns) %}
  {%- set raw = column_name ~ '_raw' -%}
  {#- 5,227.13 or 5227,13 or 5.227,13: a number in a locale's format, which gets its own remedy -#}
  {%- set formatted = mmm_regexp_full_match('trim(' ~ raw ~ ')',
      "[-+]?[0-9]{1,3}([,. ][0-9]{3})+([.,][0-9]+)?|[-+]?[0-9]+,[0-9]+") -%}
  {%- set failing -%}
    select {{ key_columns | join(', ') }}, {{ raw }}
    from {{ model }}
    where ({{ column_name }} is null and {{ raw }} is not null and trim({{ raw }}) <> '') or {{ mmm_is_not_finite(column_name) }}
  {%- endset -%}
  {%- set with_separators -%}
    select * from ({{ failing }}) as bad where {{ formatted }}
  {%- endset -%}
  {%- set other -%}
    select * from ({{ failing }}) as bad where not coalesce({{ formatted }}, false)
  {%- endset -%}
  {{ mmm_report_invalid(model, column_name, 'numbers written with thousands separators or a decimal comma; set '
      ~ "thousands: ',' (and decimal: ',' where the comma is the decimal point) on this input's entry in "
      ~ 'var mmm_inputs or mmm_wide_input, or export plain numbers such as 5227.13', with_separators) }}
  {{ mmm_report_invalid(model, column_name, 'values that are not finite numbers (text, NaN or infinity)', other) }}
  {{ failing }}
{% endtest %}


{% test mmm_non_negative(model, column_name, key_columns) %}
  {%- set failing -%}
    select {{ key_columns | join(', ') }}, {{ column_name }} from {{ model }} where {{ column_name }} < 0
  {%- endset -%}
  {{ mmm_report_invalid(model, column_name, 'negative values', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_positive(model, column_name, key_columns) %}
  {%- set failing -%}
    select {{ key_columns | join(', ') }}, {{ column_name }} from {{ model }} where {{ column_name }} <= 0
  {%- endset -%}
  {{ mmm_report_invalid(model, column_name, 'values that are not above zero', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_no_problem(model, column_name, key_columns) %}
  {#- rows a model marked unusable, each with its reason -#}
  {%- set failing -%}
    select {{ key_columns | join(', ') }}, {{ column_name }} from {{ model }} where {{ column_name }} is not null
  {%- endset -%}
  {{ mmm_report_invalid(model, column_name, 'rows that cannot be used', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_valid_period(model, key_columns) %}
  {%- set max_days = 7 * var('mmm_max_period_weeks') | int - 6 -%}
  {%- set failing -%}
    select {{ key_columns | join(', ') }}, period_start_raw, period_start, period_end
    from {{ model }}
    where period_start is null or period_end is null or period_end < period_start
       or {{ dbt.datediff('period_start', 'period_end', 'day') }} >= {{ max_days }}
  {%- endset -%}
  {{ mmm_report_invalid(model, 'period_start', 'periods that are not dates, end before they start, or are longer than '
      ~ max_days ~ ' days (var mmm_max_period_weeks)', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_names_not_in(model, column_name, reference, reference_column) %}
  {#- Names that would collide with another input's (an event named like a control) -#}
  {%- set failing -%}
    select distinct {{ column_name }} from {{ model }}
    where lower(trim({{ column_name }})) in (select lower(trim({{ reference_column }})) from {{ reference }})
  {%- endset -%}
  {{ mmm_report_invalid(model, column_name, 'names already used by ' ~ reference.identifier ~ '.' ~ reference_column ~ ' (rename one)', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_safe_name(model, column_name) %}
  {#- Names become labels in every mart and coordinates in the model: letters (of any
      alphabet: Télé, Радио), digits and a few separators only; no quote, semicolon or
      backslash, so no name can break SQL, a file path or a dashboard. -#}
  {%- set failing -%}
    select distinct {{ column_name }} from {{ model }}
    where {{ column_name }} is null
       or {{ dbt.length(column_name) }} > 64
       or not {{ mmm_regexp_full_match(column_name, '[' ~ mmm_letter_class() ~ '0-9_][' ~ mmm_letter_class() ~ '0-9_ .&+/()-]*') }}
  {%- endset -%}
  {{ mmm_report_invalid(model, column_name, 'names must be 1-64 characters of letters (any alphabet), digits, space and _ . & + / ( ) -', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_min_weeks(model, min_weeks) %}
  {%- set failing -%}
    select count(*) as n_weeks, {{ min_weeks }} as min_weeks from {{ model }} having count(*) < {{ min_weeks }}
  {%- endset -%}
  {{ mmm_report_invalid(model, 'week_start', 'too few weeks to fit (var mmm_min_weeks)', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_has_spend(model, column_name) %}
  {%- set failing -%}
    select channel, sum({{ column_name }}) as total_spend from {{ model }} group by channel having sum({{ column_name }}) <= 0
  {%- endset -%}
  {{ mmm_report_invalid(model, column_name, 'channels with no spend in the modelling window (drop them from var mmm_channels or the input)', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_has_rows(model) %}
  {#- A table that must not be empty: a mart with no rows would pass every other test. -#}
  select 'no rows' as problem from (select count(*) as n from {{ model }}) as counted where n = 0
{% endtest %}


{% test mmm_no_overlap(model, key_columns) %}
  {#- Two periods of the same key that share days: spreading them to weeks would count those
      days twice. Each row is compared with the one before it in start order (a window, not a
      self-join, so it scales to daily data). Exact duplicates are left to mmm_unique_combination. -#}
  {%- set keys = key_columns | join(', ') -%}
  {%- set failing -%}
    select {{ keys }}, period_start, period_end, previous_start, previous_end
    from (
        select {{ keys }}, period_start, period_end,
            lag(period_start) over (partition by {{ keys }} order by period_start, period_end) as previous_start,
            lag(period_end) over (partition by {{ keys }} order by period_start, period_end) as previous_end
        from {{ model }}
        where period_start is not null and period_end is not null
    ) as ordered
    where previous_end >= period_start
      and not (previous_start = period_start and previous_end = period_end)
  {%- endset -%}
  {{ mmm_report_invalid(model, 'period_start', 'overlapping periods for the same key (their days would count twice)', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_distinct_names(model, column_name) %}
  {#- Names that differ only by case or surrounding spaces ('TV' and 'tv ') would become two
      channels with two ROAS; reject them, naming both. -#}
  {%- set failing -%}
    select lower(trim({{ column_name }})) as name_key, min({{ column_name }}) as first_name, max({{ column_name }}) as other_name
    from (select distinct {{ column_name }} from {{ model }}) as names
    group by lower(trim({{ column_name }}))
    having count(*) > 1
  {%- endset -%}
  {{ mmm_report_invalid(model, column_name, 'names that differ only by case or surrounding spaces (use one spelling)', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_covers_geos(model, national=true) %}
  {#- Every geo of the weekly panel has rows, and with `national` so does the nation ('total'):
      a mart empty for some geo (say, scales joined on the wrong geo name) fails here instead of
      passing every other test on no rows. -#}
  {#- the panel by name, not ref(): a ref would select this test with the panel alone
      (dbt's eager indirect selection) and fail on a mart not built; marts come after it. -#}
  {%- set panel = api.Relation.create(database=model.database, schema=model.schema, identifier='int_weekly_panel') -%}
  {%- set failing -%}
    select expected.geo as missing_geo
    from (
        select distinct geo from {{ panel }}
        {% if national %}union select 'total' as geo{% endif %}
    ) as expected
    left join (select distinct geo from {{ model }}) as present on present.geo = expected.geo
    where present.geo is null
  {%- endset -%}
  {%- if execute -%}
    {%- set result = run_query('select * from (' ~ failing ~ ') as failing limit 6') -%}
    {%- if result.rows | length > 0 -%}
      {{ log('MMM RESULT ERROR in ' ~ model.identifier ~ ': no rows for geo(s) ' ~ result.columns[0].values() | join(', ')
             ~ ' (the weekly panel has them); the mart is empty or partly empty', info=true) }}
    {%- endif -%}
  {%- endif -%}
  {{ failing }}
{% endtest %}


{% test mmm_same_geos(model, column_name, reference, national_allowed=false) %}
  {#- The geos of this input are those of `reference` (the KPI): a geo column mapped in one
      input and not in another would otherwise leave every channel "without spend" further
      down. With `national_allowed`, an input without a geo column (geo 'total' only) passes:
      it holds for every geo. -#}
  {%- set failing -%}
    select * from (
        select '{{ model.identifier }}' as input, mine.{{ column_name }} as geo, 'not in {{ reference.identifier }}' as problem
        from (select distinct {{ column_name }} from {{ model }}) as mine
        where mine.{{ column_name }} not in (select geo from {{ reference }})
        union all
        select '{{ reference.identifier }}' as input, theirs.geo, 'not in {{ model.identifier }}' as problem
        from (select distinct geo from {{ reference }}) as theirs
        where theirs.geo not in (select {{ column_name }} from {{ model }})
    ) as mismatched
    {#- an empty input is mmm_input_not_empty's to report #}
    where exists (select 1 from {{ model }}) and exists (select 1 from {{ reference }})
    {% if national_allowed -%}
    and exists (select 1 from {{ model }} where {{ column_name }} <> 'total')
    {%- endif %}
  {%- endset -%}
  {{ mmm_report_invalid(model, column_name, 'geos that the inputs do not share (is a geo column mapped in one input and not the other? columns: {geo: <your column>})', failing) }}
  {{ failing }}
{% endtest %}


{% test mmm_input_not_empty(model, input) %}
  {#- An input with a header and no rows says so, naming the setting that points at it, instead
      of failing further down as geos or channels that do not match. -#}
  {%- set input = 'wide_input' if var('mmm_wide_input', none) else input -%}
  {%- set cfg = mmm_input_config(input) -%}
  {%- set where = cfg.get('path') or cfg.get('relation') or cfg.get('table') or 'the bundled seed' -%}
  {%- set setting = 'mmm_wide_input' if input == 'wide_input' else 'mmm_inputs.' ~ input -%}
  {%- set failing -%}
    select '{{ where | replace("'", "''") }}' as source from (select count(*) as n from {{ model }}) as counted where n = 0
  {%- endset -%}
  {{ mmm_report_invalid(model, 'rows', 'the input is empty (var ' ~ setting ~ ' points at a file or table with no rows)', failing) }}
  {{ failing }}
{% endtest %}
