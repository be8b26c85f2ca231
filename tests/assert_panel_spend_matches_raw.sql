{#- The weekly panel keeps every unit of raw spend that falls in the modelling window: per
    channel, panel spend equals raw spend to 1e-9 relative, monthly and daily inputs included. A
    period that straddles an edge of the window counts for its days inside it (spend is spread
    evenly over a period's days); channels left out by var mmm_channels are not compared. -#}
with

raw_spend as (
    select * from {{ ref('stg_media_spend') }}
),

weeks as (
    select * from {{ ref('int_weeks') }}
),

panel_spend as (
    select * from {{ ref('int_media_spend_weekly') }}
),

window_bounds as (
    select min(week_start) as first_day, {{ dbt.dateadd('day', 6, 'max(week_start)') }} as last_day from weeks
),

clipped as (
    select
        raw_spend.channel,
        raw_spend.spend,
        {{ dbt.datediff('raw_spend.period_start', 'raw_spend.period_end', 'day') }} + 1 as period_days,
        {{ dbt.datediff(
            'case when raw_spend.period_start > window_bounds.first_day then raw_spend.period_start else window_bounds.first_day end',
            'case when raw_spend.period_end < window_bounds.last_day then raw_spend.period_end else window_bounds.last_day end',
            'day') }} + 1 as days_inside
    from raw_spend
    cross join window_bounds
    where raw_spend.period_end >= window_bounds.first_day and raw_spend.period_start <= window_bounds.last_day
),

raw_totals as (
    select channel, sum(spend * days_inside / period_days) as raw_spend
    from clipped
    group by channel
),

panel_totals as (
    select channel, sum(spend) as panel_spend from panel_spend group by channel
),

mismatches as (
    select raw_totals.channel, raw_totals.raw_spend, panel_totals.panel_spend
    from raw_totals
    inner join panel_totals on panel_totals.channel = raw_totals.channel
    where abs(raw_totals.raw_spend - panel_totals.panel_spend) > 1e-9 * abs(raw_totals.raw_spend)
)

select * from mismatches
