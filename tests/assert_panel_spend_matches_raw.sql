{#- The weekly panel keeps every unit of raw spend that falls in the modelling window: per
    channel, panel spend equals raw spend (to 1e-9 relative), monthly and daily inputs included. -#}
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

raw_totals as (
    select channel, sum(spend) as raw_spend
    from raw_spend
    cross join window_bounds
    where period_start >= window_bounds.first_day and period_end <= window_bounds.last_day
    group by channel
),

panel_totals as (
    select channel, sum(spend) as panel_spend from panel_spend group by channel
),

mismatches as (
    select raw_totals.channel, raw_totals.raw_spend, panel_totals.panel_spend
    from raw_totals
    left join panel_totals on panel_totals.channel = raw_totals.channel
    where panel_totals.panel_spend is null
       or abs(raw_totals.raw_spend - panel_totals.panel_spend) > 1e-9 * abs(raw_totals.raw_spend)
)

select * from mismatches
