{#- Per draw x geo: the expected KPI without media (every component of mu but the channels:
    baseline, trend, seasonality, controls, a geo panel's weekly effect) summed over the in-sample
    weeks; a geo panel's nation (geo 'total') summed over the geos per draw. The model review
    reads it for the posterior probability that the baseline is negative, per geo and for the
    nation (Meridian's negative-baseline check: the total over the period, not a week's dip).
    A linear term's total is its draw times its feature summed over the weeks (int_linear_features:
    contribution = draw x feature), so those terms cost draws x geos x terms, not x weeks: on
    50 geos x 208 weeks with 10 controls they were most of this table's time.
    A table, small (draws x geos). -#}
{{ config(materialized='table') }}

with

kept as (
    select * from {{ ref('int_posterior_draws_current') }}
),

linear_features as (
    select * from {{ ref('int_linear_features') }}
),

seasonality_draws as (
    select * from {{ ref('int_seasonality_draws') }}
),

varying_baseline as (
    select * from {{ ref('int_baseline_draws') }}
),

panel as (
    select * from {{ ref('int_weekly_panel') }}
),

training_weeks as (
    select week_start, geo from panel where not is_holdout
),

feature_totals as (
    select
        linear_features.run_id,
        linear_features.geo,
        linear_features.parameter,
        linear_features.term,
        linear_features.parameter_geo,
        sum(linear_features.feature) as feature_total
    from linear_features
    inner join training_weeks
        on training_weeks.week_start = linear_features.week_start
        and training_weeks.geo = linear_features.geo
    group by
        linear_features.run_id, linear_features.geo, linear_features.parameter,
        linear_features.term, linear_features.parameter_geo
),

linear_terms as (
    select
        kept.run_id, kept.chain, kept.draw, feature_totals.geo,
        kept.value * feature_totals.feature_total as contribution
    from kept
    inner join feature_totals
        on feature_totals.run_id = kept.run_id
        and feature_totals.parameter_geo = kept.geo
        and feature_totals.parameter = kept.parameter
        and feature_totals.term = kept.term
),

weekly_terms as (
    select run_id, chain, draw, week_start, geo, contribution from seasonality_draws
    union all
    select run_id, chain, draw, week_start, geo, contribution from varying_baseline
),

weekly_totals as (
    select weekly_terms.run_id, weekly_terms.chain, weekly_terms.draw, weekly_terms.geo, weekly_terms.contribution
    from weekly_terms
    inner join training_weeks
        on training_weeks.week_start = weekly_terms.week_start
        and training_weeks.geo = weekly_terms.geo
),

geo_draws as (
    select run_id, chain, draw, geo, sum(contribution) as baseline_total
    from (
        select * from linear_terms
        union all
        select * from weekly_totals
    ) as terms
    group by run_id, chain, draw, geo
),

final as (
    select * from geo_draws
    union all
    {{ mmm_national_rollup('geo_draws', ['run_id', 'chain', 'draw'], [], ['baseline_total']) }}
)

select * from final
