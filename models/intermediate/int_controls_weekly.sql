{#- Controls per week x geo x control: a day-weighted mean of the raw periods, as controls are
    levels (a price, a flag), not amounts. A week with no value stays null and fails a test. -#}
with

weeks as (
    select * from {{ ref('int_weeks') }}
),

geos as (
    select distinct geo from {{ ref('int_weekly_panel') }}
),

controls as (
    select * from {{ ref('stg_controls') }}
),

control_names as (
    select distinct control from controls
),

controls_weekly as (
    {{ mmm_spread_to_weeks('controls', 'value', ['geo', 'control'], how='mean') }}
),

final as (
    select
        weeks.week_start,
        geos.geo,
        control_names.control,
        weeks.week_index,
        controls_weekly.value
    from weeks
    cross join geos
    cross join control_names
    left join controls_weekly
        on controls_weekly.week_start = weeks.week_start
        {# a control input without a geo column (geo 'total') holds for every geo #}
        and (controls_weekly.geo = geos.geo or (controls_weekly.geo = 'total' and geos.geo <> 'total'))
        and controls_weekly.control = control_names.control
)

select * from final
