{#- Decomposition identity: baseline + trend + seasonality + controls + channels equal the
    predicted mean every week (means are linear, so the component means must add up). The
    tolerance is relative to the terms' sizes, not only their sum: a fit whose terms cancel
    (a stuck chain's coefficients of 1e13 against a baseline of -1e13) loses that many digits
    to rounding, and must reach the model review, which names it, rather than stop here. -#}
with

decomposition as (
    select * from {{ ref('decomposition') }}
),

fitted as (
    select * from {{ ref('fitted_values') }}
),

summed as (
    select
        run_id, week_start, geo,
        sum(contribution_mean) as components_mean,
        sum(abs(contribution_mean)) as components_size
    from decomposition
    group by run_id, week_start, geo
),

mismatches as (
    select fitted.week_start, fitted.geo, fitted.predicted_mean, summed.components_mean
    from fitted
    left join summed
        on summed.run_id = fitted.run_id and summed.week_start = fitted.week_start and summed.geo = fitted.geo
    where summed.components_mean is null
       or abs(summed.components_mean - fitted.predicted_mean)
        > 1e-6 * greatest(abs(fitted.predicted_mean), summed.components_size)
)

select * from mismatches
