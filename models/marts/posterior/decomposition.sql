{#- Week x geo x component: what the model attributes each week's KPI to (baseline, trend,
    seasonality, each control, each channel), with 94% intervals, for the current run.
    A component of one linear term is its coefficient times a fixed weekly feature, so its
    interval is the coefficient's interval scaled (ends swapped where the feature is negative):
    exact, and it spares expanding every draw into every week. A component of several terms (a
    trend with slope changes) is summed per draw first. Channel rows are channel_contributions' own. -#}
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
    select * from {{ ref('channel_contributions') }}
),

component_draws as (
    select * from {{ ref('int_component_draws') }}
),

varying_baseline_draws as (
    select * from {{ ref('int_baseline_draws') }}
),

coefficients as (
    select
        run_id,
        geo,
        parameter,
        term,
        {{ mmm_interval('value', 'coefficient') }}
    from kept
    where parameter in ('intercept_contribution', 'gamma_control', 'week_effect')
    group by run_id, geo, parameter, term
),

multi_term as (
    select run_id, component
    from linear_features
    group by run_id, component
    having count(distinct term) > 1
),

single_term_features as (
    select linear_features.*
    from linear_features
    left join multi_term
        on multi_term.run_id = linear_features.run_id
        and multi_term.component = linear_features.component
    where multi_term.component is null
),

linear as (
    select
        linear_features.run_id,
        linear_features.week_start,
        linear_features.geo,
        linear_features.component_type,
        linear_features.component,
        coefficients.coefficient_mean * linear_features.feature as contribution_mean,
        coefficients.coefficient_median * linear_features.feature as contribution_median,
        case when linear_features.feature >= 0
            then coefficients.coefficient_lower * linear_features.feature
            else coefficients.coefficient_upper * linear_features.feature
        end as contribution_lower,
        case when linear_features.feature >= 0
            then coefficients.coefficient_upper * linear_features.feature
            else coefficients.coefficient_lower * linear_features.feature
        end as contribution_upper
    from single_term_features as linear_features
    inner join coefficients
        on coefficients.run_id = linear_features.run_id
        and coefficients.geo = linear_features.parameter_geo
        and coefficients.parameter = linear_features.parameter
        and coefficients.term = linear_features.term
),

seasonality as (
    select
        run_id,
        week_start,
        geo,
        'seasonality' as component_type,
        'yearly_seasonality' as component,
        {{ mmm_interval('contribution', 'contribution') }}
    from seasonality_draws
    group by run_id, week_start, geo
),

media as (
    select
        run_id,
        week_start,
        geo,
        'channel' as component_type,
        channel as component,
        contribution_mean,
        contribution_median,
        contribution_lower,
        contribution_upper
    from channel_contributions
),

{#- Summarised from draws: a time-varying baseline (it has no single coefficient), and a geo
    panel's nation - baseline, trend, controls and seasonality summed over geos per draw
    (int_component_draws) before the interval is taken; a sum of geo intervals would be too wide. -#}
geo_terms_draws as (
    select * from component_draws where component_type <> 'channel'
),

multi_term_draws as (
    select
        component_draws.run_id, component_draws.chain, component_draws.draw, component_draws.week_start,
        component_draws.geo, component_draws.component_type, component_draws.component,
        sum(component_draws.contribution) as contribution
    from component_draws
    inner join multi_term
        on multi_term.run_id = component_draws.run_id
        and multi_term.component = component_draws.component
    group by
        component_draws.run_id, component_draws.chain, component_draws.draw, component_draws.week_start,
        component_draws.geo, component_draws.component_type, component_draws.component
),

summary_draws as (
    select run_id, week_start, geo, component_type, component, contribution
    from varying_baseline_draws
    union all
    select run_id, week_start, geo, component_type, component, contribution
    from multi_term_draws
    union all
    select run_id, week_start, geo, component_type, component, contribution
    from (
        {{ mmm_national_rollup(
            'geo_terms_draws',
            ['run_id', 'chain', 'draw', 'week_start'],
            ['component_type', 'component'],
            ['contribution']) }}
    ) as national
),

from_draws as (
    select
        run_id,
        week_start,
        geo,
        component_type,
        component,
        {{ mmm_interval('contribution', 'contribution') }}
    from summary_draws
    group by run_id, week_start, geo, component_type, component
),

final as (
    select * from linear
    union all
    select * from seasonality
    union all
    select * from from_draws
    union all
    select * from media
)

select * from final
