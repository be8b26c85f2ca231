{#- Decomposition identity: baseline + trend + seasonality + controls + channels equal the
    predicted mean every week (means are linear, so the component means must add up). -#}
with

decomposition as (
    select * from {{ ref('decomposition') }}
),

fitted as (
    select * from {{ ref('fitted_values') }}
),

summed as (
    select run_id, week_start, geo, sum(contribution_mean) as components_mean
    from decomposition
    group by run_id, week_start, geo
),

mismatches as (
    select fitted.week_start, fitted.geo, fitted.predicted_mean, summed.components_mean
    from fitted
    left join summed
        on summed.run_id = fitted.run_id and summed.week_start = fitted.week_start and summed.geo = fitted.geo
    where summed.components_mean is null
       or abs(summed.components_mean - fitted.predicted_mean) > 1e-6 * abs(fitted.predicted_mean)
)

select * from mismatches
