{#- ROAS identity per draw, checked on the means: mean(ROAS) x spend = mean(contribution), and
    the channel rows of the decomposition equal channel_contributions. -#}
with

roas as (
    select * from {{ ref('channel_roas') }}
),

contributions as (
    select * from {{ ref('channel_contributions') }}
),

decomposition as (
    select * from {{ ref('decomposition') }}
),

roas_mismatch as (
    select channel, 'roas x spend' as identity
    from roas
    where abs(roas_mean * spend - contribution_mean) > 1e-6 * abs(contribution_mean) + 1e-9
),

decomposition_mismatch as (
    select contributions.channel, 'decomposition channel rows' as identity
    from contributions
    inner join decomposition
        on decomposition.run_id = contributions.run_id
        and decomposition.week_start = contributions.week_start
        and decomposition.geo = contributions.geo
        and decomposition.component_type = 'channel'
        and decomposition.component = contributions.channel
    where abs(decomposition.contribution_mean - contributions.contribution_mean)
        > 1e-6 * abs(contributions.contribution_mean) + 1e-9
),

final as (
    select * from roas_mismatch
    union all
    select * from decomposition_mismatch
)

select * from final
