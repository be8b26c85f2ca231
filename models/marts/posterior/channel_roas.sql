{#- Channel x geo over the in-sample weeks: spend, contribution, ROAS (contribution / spend)
    and marginal ROAS (the return on the next unit: 1% more spend in every week), each with
    mean, median and 94% interval; contribution and spend shares; how sure the posterior is
    that the channel matters: P(ROAS < 1) and P(ROAS below var mmm_negligible_share of the
    KPI's average return, total KPI / total spend); and how sure it is of the channel's place
    among the geo's channels: its mean ROAS rank and P(highest ROAS), ranked in each draw, since
    the order of the means can hold in few draws. A channel without spend in a geo has no ROAS
    there, so none of these probabilities (null). -#}
with

roas_draws as (
    select * from {{ ref('int_channel_roas_draws') }}
),

with_ratios as (
    select
        roas_draws.*,
        contribution / nullif(spend, 0) as roas,
        extra_contribution / nullif(0.01 * spend, 0) as marginal_roas,
        contribution / nullif(sum(contribution) over (partition by run_id, chain, draw, geo), 0) as contribution_share,
        sum(spend) over (partition by run_id, chain, draw, geo) as spend_total,
        kpi_total
    from roas_draws
),

ranked as (
    select
        with_ratios.*,
        {#- 1 = the highest ROAS of the geo's channels in this draw; a channel without spend in the
            geo (no ROAS) is not ranked and ranks no other (sorted last explicitly: some dialects
            put nulls first in a descending order) -#}
        case when roas is not null then
            rank() over (
                partition by run_id, chain, draw, geo
                order by case when roas is null then 1 else 0 end, roas desc
            )
        end as roas_rank
    from with_ratios
),

flagged as (
    select
        ranked.*,
        cast(case when roas is null then null when roas < 1 then 1 else 0 end as {{ mmm_type_double() }}) as is_roas_below_1,
        {#- negligible: a return below mmm_negligible_share of the KPI's average return per unit of
            spend (total KPI / total spend), a yardstick in the data's own units -#}
        cast(case when roas is null then null
            when roas < {{ var('mmm_negligible_share') }} * kpi_total / nullif(spend_total, 0) then 1 else 0 end
            as {{ mmm_type_double() }}) as is_negligible,
        cast(case when roas_rank = 1 then 1 when roas_rank > 1 then 0 end as {{ mmm_type_double() }}) as is_highest_roas
    from ranked
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
        {{ mmm_interval('contribution_share', 'contribution_share') }},
        avg(is_roas_below_1) as prob_roas_below_1,
        avg(is_negligible) as prob_negligible,
        avg(cast(roas_rank as {{ mmm_type_double() }})) as roas_rank_mean,
        avg(is_highest_roas) as prob_highest_roas
    from flagged
    group by run_id, geo, channel
)

select * from final
