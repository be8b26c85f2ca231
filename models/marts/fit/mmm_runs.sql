{#- One row per fit: what it saw, how it was sampled, whether it converged, and the model
    review's verdict. is_current marks the run the marts report on; is_usable says whether its
    results may drive a budget (converged and no failed review check, or var
    mmm_allow_failed_review). -#}
with

fits as (
    select * from {{ ref('mmm_fits') }}
),

current_run as (
    select * from {{ ref('mmm_current_run') }}
),

review as (
    select * from {{ ref('mmm_model_review') }}
),

verdicts as (
    select
        run_id,
        case
            when sum(case when status = 'fail' then 1 else 0 end) > 0 then 'fail'
            when sum(case when status = 'warn' then 1 else 0 end) > 0 then 'warn'
            else 'pass'
        end as review_status,
        {{ dbt.listagg("case when status = 'fail' then check_name || ' (' || subject || ')' end", "'; '") }} as review_failed_checks
    from review
    group by run_id
),

final as (
    select
        fits.run_id,
        fits.fitted_at,
        fits.last_used_at,
        fits.data_hash,
        fits.config_hash,
        fits.model_config,
        fits.channels,
        fits.controls,
        fits.sampler,
        fits.chains,
        fits.draws,
        fits.tune,
        fits.n_weeks_train,
        fits.n_weeks_holdout,
        fits.fit_seconds,
        fits.divergences,
        fits.max_r_hat,
        fits.min_ess_bulk,
        fits.min_ess_tail,
        fits.is_converged,
        fits.worst_parameters,
        fits.sampling_notes,
        fits.pymc_marketing_version,
        coalesce(fits.lift_tests, '[]') as lift_tests,
        coalesce(verdicts.review_status, 'not_reviewed') as review_status,
        verdicts.review_failed_checks,
        coalesce(verdicts.review_status, 'fail') <> 'fail' and fits.is_converged as is_usable,
        current_run.run_id is not null as is_current
    from fits
    left join verdicts on verdicts.run_id = fits.run_id
    left join current_run on current_run.run_id = fits.run_id
)

select * from final
