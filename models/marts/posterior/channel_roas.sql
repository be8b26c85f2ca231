{#- Channel x geo over the in-sample weeks: spend, contribution, ROAS (contribution / spend)
    and marginal ROAS (the return on the next unit: 1% more spend in every week), each with
    mean, median and 94% interval; plus contribution and spend shares. -#}
with

contribution_draws as (
    select * from {{ ref('int_channel_contribution_draws') }}
),

per_draw as (
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

with_ratios as (
    select
        per_draw.*,
        contribution / nullif(spend, 0) as roas,
        extra_contribution / nullif(0.01 * spend, 0) as marginal_roas,
        contribution / nullif(sum(contribution) over (partition by run_id, chain, draw, geo), 0) as contribution_share
    from per_draw
),

final as (
    select
        run_id,
        geo,
        channel,
        max(spend) as spend,
        max(spend) / sum(max(spend)) over (partition by run_id, geo) as spend_share,
        {{ mmm_interval('contribution', 'contribution') }},
        {{ mmm_interval('roas', 'roas') }},
        {{ mmm_interval('marginal_roas', 'marginal_roas') }},
        {{ mmm_interval('contribution_share', 'contribution_share') }}
    from with_ratios
    group by run_id, geo, channel
)

select * from final
