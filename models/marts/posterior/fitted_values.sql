{#- Week x geo (and the nation, geo 'total', for a geo panel): actual KPI against the model's
    prediction, in-sample or holdout. The mean
    interval is over the posterior of mu; the predictive interval adds observation noise
    (94%, normal approximation: mean +/- z * sqrt(var(mu) + mean(sigma^2))), and in a holdout
    week a geo panel's unknown shared weekly effect; crps scores
    the actual against that predictive normal (lower is better, KPI units). -#}
with

component_draws as (
    select * from {{ ref('int_component_draws') }}
),

draws as (
    select * from {{ ref('int_posterior_draws_current') }}
),

scaling as (
    select * from {{ ref('mmm_posterior_scaling') }}
),

panel as (
    select * from {{ ref('int_weekly_panel') }}
),

geo_mu_draws as (
    select run_id, chain, draw, week_start, geo, sum(contribution) as mu
    from component_draws
    group by run_id, chain, draw, week_start, geo
),

mu_draws as (
    select * from geo_mu_draws
    union all
    {{ mmm_national_rollup('geo_mu_draws', ['run_id', 'chain', 'draw', 'week_start'], [], ['mu']) }}
),

geo_sigma_draws as (
    select draws.run_id, draws.chain, draws.draw, draws.geo, draws.value * scaling.value as sigma
    from draws
    inner join scaling
        on scaling.run_id = draws.run_id and scaling.geo = draws.geo and scaling.parameter = 'target_scale'
    where draws.parameter = 'y_sigma'
),

{# the nation's noise: geos' independent noises add in variance #}
sigma_draws as (
    select * from geo_sigma_draws
    union all
    select run_id, chain, draw, 'total' as geo, sqrt(sum(sigma * sigma)) as sigma
    from geo_sigma_draws
    where geo <> 'total'
    group by run_id, chain, draw
),

{# a geo panel's shared weekly effect (python_udfs/week_effect.py): fitted in a training week
   (a term of mu), unknown in a holdout week, where it adds its variance: sigma times each geo's
   KPI scale, and for the nation the sum of the scales, since every geo feels the same shock #}
geo_shock_draws as (
    select draws.run_id, draws.chain, draws.draw, scaling.geo, draws.value * scaling.value as shock_sd
    from draws
    inner join scaling on scaling.run_id = draws.run_id and scaling.parameter = 'target_scale'
    where draws.parameter = 'week_effect_sigma'
),

shock_variance as (
    select run_id, geo, avg(shock_sd * shock_sd) as shock_variance
    from geo_shock_draws
    group by run_id, geo
    union all
    select run_id, 'total' as geo, avg(shock_sd * shock_sd) as shock_variance
    from (
        select run_id, chain, draw, sum(shock_sd) as shock_sd
        from geo_shock_draws
        group by run_id, chain, draw
    ) as national
    group by run_id
),

panel_levels as (
    select week_start, geo, is_holdout, kpi from panel
    union all
    {{ mmm_national_rollup('panel', ['week_start'], ['is_holdout'], ['kpi']) }}
),

predicted as (
    select
        mu_draws.run_id,
        mu_draws.week_start,
        mu_draws.geo,
        {{ mmm_interval('mu_draws.mu', 'predicted') }},
        var_pop(mu_draws.mu) as mu_variance,
        avg(sigma_draws.sigma * sigma_draws.sigma) as noise_variance
    from mu_draws
    inner join sigma_draws
        on sigma_draws.run_id = mu_draws.run_id
        and sigma_draws.chain = mu_draws.chain
        and sigma_draws.draw = mu_draws.draw
        and sigma_draws.geo = mu_draws.geo
    group by mu_draws.run_id, mu_draws.week_start, mu_draws.geo
),

with_sd as (
    select
        predicted.*,
        panel.kpi,
        panel.is_holdout,
        sqrt(
            predicted.mu_variance + predicted.noise_variance
            + case when panel.is_holdout then coalesce(shock_variance.shock_variance, 0) else 0 end
        ) as predictive_sd
    from predicted
    inner join panel_levels as panel
        on panel.week_start = predicted.week_start
        and panel.geo = predicted.geo
    left join shock_variance
        on shock_variance.run_id = predicted.run_id
        and shock_variance.geo = predicted.geo
),

final as (
    select
        predicted.run_id,
        predicted.week_start,
        predicted.geo,
        predicted.kpi as actual,
        predicted.predicted_mean,
        predicted.predicted_median,
        predicted.predicted_lower,
        predicted.predicted_upper,
        predicted.predicted_mean - {{ mmm_interval_bounds().z }} * predicted.predictive_sd as predictive_lower,
        predicted.predicted_mean + {{ mmm_interval_bounds().z }} * predicted.predictive_sd as predictive_upper,
        predicted.predictive_sd,
        {{ mmm_normal_crps('predicted.kpi', 'predicted.predicted_mean', 'predicted.predictive_sd') }} as crps,
        case when predicted.is_holdout then 'holdout' else 'in_sample' end as fit_sample
    from with_sd as predicted
)

select * from final
