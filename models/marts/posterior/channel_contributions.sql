{#- Week x geo x channel: spend and the channel's contribution to the KPI (posterior mean,
    median and 94% interval), for the current run. Join to finance data on week and channel.
    A geo panel also gets the nation (geo 'total'), summed over geos per draw before the
    interval is taken. -#}
with

contribution_draws as (
    select * from {{ ref('int_channel_contribution_draws') }}
),

geo_draws as (
    select run_id, chain, draw, week_start, geo, channel, spend, contribution
    from contribution_draws
),

all_draws as (
    select * from geo_draws
    union all
    {{ mmm_national_rollup('geo_draws', ['run_id', 'chain', 'draw', 'week_start'], ['channel'], ['spend', 'contribution']) }}
),

final as (
    select
        run_id,
        week_start,
        geo,
        channel,
        max(spend) as spend,
        {{ mmm_interval('contribution', 'contribution') }}
    from all_draws
    group by run_id, week_start, geo, channel
)

select * from final
