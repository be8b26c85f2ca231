{#- A time-varying baseline (fit setting time_varying_intercept) per posterior draw, week and
    geo, in KPI units, recomputed from the draws as pymc-marketing builds it:
    intercept_baseline x softplus(f) / f_mean x target_scale, where f = sum over basis
    functions of the week's basis value (mmm_posterior_basis) times the draw's coefficient.
    softplus(f) = ln(1 + e^f), written max(f, 0) + ln(1 + e^-|f|) so no e^f overflows. No rows
    for a run with a constant intercept (its baseline is a linear term, int_linear_features).
    A table: every reader would otherwise redo draws x weeks x basis functions. -#}
with

kept as (
    select * from {{ ref('int_posterior_draws_current') }}
),

basis as (
    select * from {{ ref('mmm_posterior_basis') }}
),

target_scale as (
    select * from {{ ref('int_posterior_scales') }}
),

latent as (
    select
        kept.run_id, kept.chain, kept.draw, kept.geo,
        cast(basis.week_start as date) as week_start,
        sum(kept.value * basis.value) as f
    from kept
    inner join basis on basis.run_id = kept.run_id and basis.term = kept.term
    where kept.parameter = 'intercept_latent_process_raw_hsgp_coefs'
    group by kept.run_id, kept.chain, kept.draw, kept.geo, cast(basis.week_start as date)
),

levels as (
    select
        run_id, chain, draw, geo,
        max(case when parameter = 'intercept_baseline' then value end) as intercept_baseline,
        max(case when parameter = 'intercept_latent_process_f_mean' then value end) as f_mean
    from kept
    where parameter in ('intercept_baseline', 'intercept_latent_process_f_mean')
    group by run_id, chain, draw, geo
),

baseline as (
    select
        latent.run_id,
        latent.chain,
        latent.draw,
        latent.week_start,
        latent.geo,
        'baseline' as component_type,
        'intercept' as component,
        levels.intercept_baseline
            * (greatest(latent.f, 0) + ln(1 + exp(-abs(latent.f))))
            / levels.f_mean
            * target_scale.target_scale as contribution
    from latent
    inner join levels
        on levels.run_id = latent.run_id
        and levels.chain = latent.chain
        and levels.draw = latent.draw
        and levels.geo = latent.geo
    inner join target_scale on target_scale.run_id = latent.run_id and target_scale.geo = latent.geo
)

select * from baseline
