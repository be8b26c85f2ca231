{#- One row per fit: what it saw, how it was sampled, and whether it converged. The run a
    dashboard shows by default is the one with is_current = true (the latest used). -#}
with

fits as (
    select * from {{ ref('mmm_fits') }}
),

final as (
    select
        run_id,
        fitted_at,
        last_used_at,
        data_hash,
        config_hash,
        model_config,
        channels,
        controls,
        sampler,
        chains,
        draws,
        tune,
        n_weeks_train,
        n_weeks_holdout,
        fit_seconds,
        divergences,
        max_r_hat,
        min_ess_bulk,
        min_ess_tail,
        is_converged,
        worst_parameters,
        pymc_marketing_version,
        last_used_at = max(last_used_at) over () as is_current
    from fits
)

select * from final
