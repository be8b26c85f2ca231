{#- Per draw x geo: the expected KPI without media (every component of mu but the channels:
    baseline, trend, seasonality, controls, a geo panel's weekly effect) summed over the in-sample
    weeks; a geo panel's nation (geo 'total') summed over the geos per draw. The model review
    reads it for the posterior probability that the baseline is negative, per geo and for the
    nation (Meridian's negative-baseline check: the total over the period, not a week's dip).
    A table, small (draws x geos). -#}
{{ config(materialized='table') }}

with

component_draws as (
    select * from {{ ref('int_component_draws') }}
),

panel as (
    select * from {{ ref('int_weekly_panel') }}
),

geo_draws as (
    select
        component_draws.run_id,
        component_draws.chain,
        component_draws.draw,
        component_draws.geo,
        sum(component_draws.contribution) as baseline_total
    from component_draws
    inner join panel
        on panel.week_start = component_draws.week_start
        and panel.geo = component_draws.geo
    where component_draws.component_type <> 'channel'
        and not panel.is_holdout
    group by component_draws.run_id, component_draws.chain, component_draws.draw, component_draws.geo
),

final as (
    select * from geo_draws
    union all
    {{ mmm_national_rollup('geo_draws', ['run_id', 'chain', 'draw'], [], ['baseline_total']) }}
)

select * from final
