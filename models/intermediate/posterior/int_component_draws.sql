{#- Every additive component of the predicted KPI, per posterior draw, week and geo, in KPI
    units: baseline (intercept), trend, seasonality (yearly Fourier), each control and each
    channel. Their sum is the model's mean prediction (mu) on the original scale. -#}
with

kept as (
    select * from {{ ref('int_posterior_draws_current') }}
),

scaling as (
    select * from {{ ref('mmm_posterior_scaling') }}
),

panel as (
    select * from {{ ref('int_weekly_panel') }}
),

controls as (
    select * from {{ ref('int_controls_weekly') }}
),

channel_contributions as (
    select * from {{ ref('int_channel_contribution_draws') }}
),

target_scale as (
    select run_id, geo, value as target_scale from scaling where parameter = 'target_scale'
),

control_scaling as (
    select
        run_id,
        term as control,
        max(case when parameter = 'control_offset' then value end) as control_offset,
        max(case when parameter = 'control_scale' then value end) as control_scale
    from scaling
    where parameter in ('control_offset', 'control_scale')
    group by run_id, term
),

control_values as (
    select week_start, geo, control, value from controls
    union all
    select week_start, geo, 'trend' as control, trend as value from panel
),

baseline as (
    select
        kept.run_id, kept.chain, kept.draw, panel.week_start, panel.geo,
        'baseline' as component_type,
        'intercept' as component,
        kept.value * target_scale.target_scale as contribution
    from kept
    inner join panel on panel.geo = kept.geo
    inner join target_scale on target_scale.run_id = kept.run_id and target_scale.geo = kept.geo
    where kept.parameter = 'intercept_contribution'
),

control_terms as (
    select
        kept.run_id, kept.chain, kept.draw, control_values.week_start, control_values.geo,
        case when kept.term = 'trend' then 'trend' else 'control' end as component_type,
        kept.term as component,
        kept.value * (control_values.value - control_scaling.control_offset)
            / control_scaling.control_scale * target_scale.target_scale as contribution
    from kept
    inner join control_scaling on control_scaling.run_id = kept.run_id and control_scaling.control = kept.term
    inner join control_values on control_values.control = kept.term and control_values.geo = kept.geo
    inner join target_scale on target_scale.run_id = kept.run_id and target_scale.geo = kept.geo
    where kept.parameter = 'gamma_control'
),

fourier_terms as (
    select
        kept.run_id, kept.chain, kept.draw, panel.week_start, panel.geo,
        kept.value * target_scale.target_scale * case
            when {{ dbt.split_part('kept.term', "'_'", 1) }} = 'sin'
                then sin(2 * 3.141592653589793 * cast({{ dbt.split_part('kept.term', "'_'", 2) }} as integer)
                         * {{ mmm_day_of_year('panel.week_start') }} / 365.25)
            else cos(2 * 3.141592653589793 * cast({{ dbt.split_part('kept.term', "'_'", 2) }} as integer)
                     * {{ mmm_day_of_year('panel.week_start') }} / 365.25)
        end as contribution
    from kept
    inner join panel on panel.geo = kept.geo
    inner join target_scale on target_scale.run_id = kept.run_id and target_scale.geo = kept.geo
    where kept.parameter = 'gamma_fourier'
),

seasonality as (
    select
        run_id, chain, draw, week_start, geo,
        'seasonality' as component_type,
        'yearly_seasonality' as component,
        sum(contribution) as contribution
    from fourier_terms
    group by run_id, chain, draw, week_start, geo
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
    select * from baseline
    union all
    select * from control_terms
    union all
    select * from seasonality
    union all
    select * from channels
)

select * from unioned
