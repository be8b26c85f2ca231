{#- channel_roas ranks the channels of each geo in every draw, so over a geo's ranked channels
    (those with spend) exactly one is first in each draw, P(highest ROAS) sums to 1, and the
    mean ranks sum to 1 + 2 + ... + n. -#}
with

roas as (
    select * from {{ ref('channel_roas') }}
),

per_geo as (
    select
        run_id,
        geo,
        count(roas_rank_mean) as ranked,
        sum(prob_highest_roas) as prob_first_total,
        sum(roas_rank_mean) as rank_total
    from roas
    group by run_id, geo
),

final as (
    select *
    from per_geo
    where ranked > 0
        and (
            abs(prob_first_total - 1) > 1e-9
            or abs(rank_total - ranked * (ranked + 1) / 2.0) > 1e-9 * ranked * ranked
        )
)

select * from final
