{#- Week x geo x channel: spend and the channel's contribution to the KPI (posterior mean,
    median and 94% interval), for the current run. Join to finance data on week and channel. -#}
with

contribution_draws as (
    select * from {{ ref('int_channel_contribution_draws') }}
),

final as (
    select
        run_id,
        week_start,
        geo,
        channel,
        max(spend) as spend,
        {{ mmm_interval('contribution', 'contribution') }}
    from contribution_draws
    group by run_id, week_start, geo, channel
)

select * from final
