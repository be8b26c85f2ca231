{#- The weekly panel the model is fitted on: one row per week x geo with the KPI (summed from
    any input grain), the trend regressor and the holdout flag. -#}
with

weeks as (
    select * from {{ ref('int_weeks') }}
),

kpi as (
    select * from {{ ref('stg_kpi') }}
),

geos as (
    select distinct geo from kpi
),

kpi_weekly as (
    {{ mmm_spread_to_weeks('kpi', 'kpi', ['geo'], how='sum') }}
),

final as (
    select
        weeks.week_start,
        geos.geo,
        weeks.week_index,
        kpi_weekly.kpi,
        weeks.trend,
        weeks.is_holdout
    from weeks
    cross join geos
    left join kpi_weekly
        on kpi_weekly.geo = geos.geo
        and kpi_weekly.week_start = weeks.week_start
)

select * from final
