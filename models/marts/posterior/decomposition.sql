{#- Week x geo x component: what the model attributes each week's KPI to (baseline, trend,
    seasonality, each control, each channel), with 94% intervals, for the current run. -#}
with

component_draws as (
    select * from {{ ref('int_component_draws') }}
),

final as (
    select
        run_id,
        week_start,
        geo,
        component_type,
        component,
        {{ mmm_interval('contribution', 'contribution') }}
    from component_draws
    group by run_id, week_start, geo, component_type, component
)

select * from final
