{#- Controls per week x geo x control: a day-weighted mean of the raw periods, as controls are
    levels (a price, a flag), not amounts. A week with no value stays null and fails a test.
    Each dated event (stg_events) adds a flag: 1 in the weeks it touches, in its geo or, without
    one, in every geo; 0 elsewhere. -#}
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

events as (
    select * from {{ ref('stg_events') }}
),

control_names as (
    select distinct control from controls
),

event_names as (
    select distinct event from events
),

event_weeks as (
    select distinct
        weeks.week_start,
        events.geo,
        events.event
    from events
    inner join weeks
        on events.period_start <= {{ dbt.dateadd('day', 6, 'weeks.week_start') }}
        and events.period_end >= weeks.week_start
),

controls_weekly as (
    {{ mmm_spread_to_weeks('controls', 'value', ['geo', 'control'], how='mean') }}
),

measured as (
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
),

event_flags as (
    select
        weeks.week_start,
        geos.geo,
        event_names.event as control,
        weeks.week_index,
        max(case when event_weeks.event is not null then 1.0 else 0.0 end) as value
    from weeks
    cross join geos
    cross join event_names
    left join event_weeks
        on event_weeks.week_start = weeks.week_start
        and (event_weeks.geo = geos.geo or event_weeks.geo = 'total')
        and event_weeks.event = event_names.event
    group by weeks.week_start, geos.geo, event_names.event, weeks.week_index
),

final as (
    select * from measured
    union all
    select * from event_flags
)

select * from final
