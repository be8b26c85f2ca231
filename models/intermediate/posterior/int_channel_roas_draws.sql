{#- Per draw x geo x channel over the in-sample weeks: spend, contribution, the contribution with
    1% more spend every week, and the in-sample KPI total. channel_roas summarises it; the model
    review reads it for probabilities and ROAS correlations. A table: both read it, and it is
    small (draws x geos x channels) while each read of the weekly draws behind it is not. A geo
    panel's nation (geo 'total') is summed here over the geos' per-draw totals. -#}
{{ config(materialized='table') }}

with

contribution_draws as (
    select * from {{ ref('int_channel_contribution_draws') }}
),

panel as (
    select * from {{ ref('int_weekly_panel') }}
),

geo_kpi_totals as (
    select geo, sum(kpi) as kpi_total from panel where not is_holdout group by geo
),

kpi_totals as (
    select * from geo_kpi_totals
    union all
    select 'total' as geo, sum(kpi_total) as kpi_total from geo_kpi_totals
    where geo <> 'total'
    having count(*) > 0
),

geo_draws as (
    select
        contribution_draws.run_id,
        contribution_draws.chain,
        contribution_draws.draw,
        contribution_draws.geo,
        contribution_draws.channel,
        sum(contribution_draws.spend) as spend,
        sum(contribution_draws.contribution) as contribution,
        sum(contribution_draws.contribution_plus_1pct - contribution_draws.contribution) as extra_contribution
    from contribution_draws
    where not contribution_draws.is_holdout
    group by contribution_draws.run_id, contribution_draws.chain, contribution_draws.draw,
        contribution_draws.geo, contribution_draws.channel
),

per_draw as (
    select * from geo_draws
    union all
    {{ mmm_national_rollup('geo_draws', ['run_id', 'chain', 'draw'], ['channel'], ['spend', 'contribution', 'extra_contribution']) }}
),

final as (
    select per_draw.*, kpi_totals.kpi_total
    from per_draw
    inner join kpi_totals on kpi_totals.geo = per_draw.geo
)

select * from final
