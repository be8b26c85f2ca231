{#- Per run x geo x sample (in_sample, holdout; a geo panel also has the nation, geo 'total'): how well the posterior mean prediction fits the
    actual KPI - R squared, MAPE, mean CRPS of the predictive distribution, and the share of
    weeks inside the 94% predictive interval. -#}
with

fitted as (
    select * from {{ ref('fitted_values') }}
),

by_sample as (
    select
        run_id,
        geo,
        fit_sample,
        count(*) as n_weeks,
        avg(actual) as mean_actual,
        sum((actual - predicted_mean) * (actual - predicted_mean)) as sse,
        avg(abs(actual - predicted_mean) / nullif(abs(actual), 0)) as mape,
        avg(crps) as crps,
        avg(cast(case when actual between predictive_lower and predictive_upper then 1 else 0 end as {{ mmm_type_double() }})) as predictive_coverage
    from fitted
    group by run_id, geo, fit_sample
),

total_ss as (
    select
        fitted.run_id,
        fitted.geo,
        fitted.fit_sample,
        sum((fitted.actual - by_sample.mean_actual) * (fitted.actual - by_sample.mean_actual)) as sst
    from fitted
    inner join by_sample
        on by_sample.run_id = fitted.run_id
        and by_sample.geo = fitted.geo
        and by_sample.fit_sample = fitted.fit_sample
    group by fitted.run_id, fitted.geo, fitted.fit_sample
),

final as (
    select
        by_sample.run_id,
        by_sample.geo,
        by_sample.fit_sample,
        by_sample.n_weeks,
        1 - by_sample.sse / nullif(total_ss.sst, 0) as r_squared,
        by_sample.mape,
        by_sample.crps,
        by_sample.predictive_coverage
    from by_sample
    inner join total_ss
        on total_ss.run_id = by_sample.run_id
        and total_ss.geo = by_sample.geo
        and total_ss.fit_sample = by_sample.fit_sample
)

select * from final
