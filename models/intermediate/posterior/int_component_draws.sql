{#- Every additive component of the predicted KPI, per posterior draw, week and geo, in KPI
    units: baseline (intercept, constant or time-varying), trend, seasonality (yearly Fourier), each control and each
    channel. Their sum is the model's mean prediction (mu) on the original scale. Geo rows only,
    like int_channel_contribution_draws: fitted_values and decomposition sum the nation at their
    own grain. A view, for the same reason. A linear term whose feature is zero that
    week (a holiday flag that is off) adds exactly zero and has no row: holiday controls are
    mostly zero, and skipping them cut fitted_values by a third on the case study. -#}
{{ config(materialized='view') }}

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

channel_contributions as (
    select * from {{ ref('int_channel_contribution_draws') }}
),

varying_baseline as (
    select * from {{ ref('int_baseline_draws') }}
),

linear_terms as (
    select
        kept.run_id, kept.chain, kept.draw, linear_features.week_start, linear_features.geo,
        linear_features.component_type,
        linear_features.component,
        kept.value * linear_features.feature as contribution
    from kept
    inner join linear_features
        on linear_features.run_id = kept.run_id
        and linear_features.parameter_geo = kept.geo
        and linear_features.parameter = kept.parameter
        and linear_features.term = kept.term
    where linear_features.feature <> 0
),

seasonality as (
    select
        run_id, chain, draw, week_start, geo,
        'seasonality' as component_type,
        'yearly_seasonality' as component,
        contribution
    from seasonality_draws
),

channels as (
    select
        run_id, chain, draw, week_start, geo,
        'channel' as component_type,
        channel as component,
        contribution
    from channel_contributions
),

unioned as (
    select * from linear_terms
    union all
    select * from seasonality
    union all
    select run_id, chain, draw, week_start, geo, component_type, component, contribution
    from varying_baseline
    union all
    select * from channels
)

select * from unioned
