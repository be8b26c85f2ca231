{% macro mmm_spread_to_weeks(relation, value, keys, how='sum') %}
  {#- A select that spreads each period's value evenly over its days and gathers the days into
      modelling weeks: one row per week_start x keys. how='sum' for amounts (spend, KPI), so
      totals are kept exactly; how='mean' for levels (price, flags), a day-weighted average.
      Portable: one join to a small numbers table, no calendar table, no dialect functions. -#}
  {%- set key_list = keys | join(', ') -%}
  {%- set period_days = dbt.datediff('period_start', 'period_end', 'day') ~ ' + 1' %}
    select
        {{ key_list }},
        week_start,
        {% if how == 'sum' -%}
        sum({{ value }} * overlap_days / period_days) as {{ value }}
        {%- else -%}
        sum({{ value }} * overlap_days) / sum(overlap_days) as {{ value }}
        {%- endif %}
    from (
        select
            {{ key_list }},
            {{ value }},
            period_days,
            week_start,
            {{ dbt.datediff(
                'case when period_start > week_start then period_start else week_start end',
                'case when period_end < week_end then period_end else week_end end',
                'day') }} + 1 as overlap_days
        from (
            select
                p.*,
                cast({{ dbt.dateadd('day', '7 * (n.generated_number - 1)', 'p.first_week_start') }} as date) as week_start,
                cast({{ dbt.dateadd('day', '7 * (n.generated_number - 1) + 6', 'p.first_week_start') }} as date) as week_end
            from (
                select
                    {{ key_list }},
                    {{ value }},
                    period_start,
                    period_end,
                    {{ period_days }} as period_days,
                    {{ mmm_week_start('period_start') }} as first_week_start
                from {{ relation }}
                where {{ value }} is not null and period_end >= period_start
            ) as p
            inner join ({{ dbt.generate_series(var('mmm_max_period_weeks')) }}) as n
                on 7 * (n.generated_number - 1) <= {{ dbt.datediff('p.first_week_start', 'p.period_end', 'day') }}
        ) as by_week
    ) as with_overlap
    group by {{ key_list }}, week_start
{% endmacro %}
