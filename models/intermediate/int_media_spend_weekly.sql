{#- Spend per week x geo x channel inside the modelling window, zero where nothing was spent.
    Periods of any length are spread evenly over their days, so totals match the raw input. -#}
with

weeks as (
    select * from {{ ref('int_weeks') }}
),

geos as (
    select distinct geo from {{ ref('int_weekly_panel') }}
),

spend as (
    select * from {{ ref('stg_media_spend') }}
),

channels as (
    {% set configured = var('mmm_channels') -%}
    {% if configured -%}
    {% for channel in configured -%}
    select '{{ dbt.escape_single_quotes(channel) }}' as channel
    {% if not loop.last %}union all {% endif %}
    {%- endfor %}
    {%- else -%}
    select distinct channel from spend
    {%- endif %}
),

spend_weekly as (
    {{ mmm_spread_to_weeks('spend', 'spend', ['geo', 'channel'], how='sum') }}
),

final as (
    select
        weeks.week_start,
        geos.geo,
        channels.channel,
        weeks.week_index,
        coalesce(spend_weekly.spend, 0) as spend
    from weeks
    cross join geos
    cross join channels
    left join spend_weekly
        on spend_weekly.week_start = weeks.week_start
        and spend_weekly.geo = geos.geo
        and spend_weekly.channel = channels.channel
)

select * from final
