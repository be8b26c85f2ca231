{#- Week x geo x linear term of the current run: what one unit of the term's coefficient adds
    to the KPI that week, in KPI units. The baseline's feature is the KPI scale; a control's is
    its scaled value (minus its offset - in a geo panel a geo's own mean for a control that
    differs between geos - over its range) times the KPI scale. contribution = coefficient draw * feature.
    The trend is one component of one or more terms: the straight line and its slope changes.
    parameter_geo: the geo of the coefficient's draws - the row's own, except a geo panel's
    shared weekly effect (one draw per training week, geo 'total', felt by every geo in
    proportion to its KPI scale; python_udfs/week_effect.py). -#}
with

scaling as (
    select * from {{ ref('mmm_posterior_scaling') }}
),

current_run as (
    select * from {{ ref('mmm_current_run') }}
),

panel as (
    select * from {{ ref('int_weekly_panel') }}
),

controls as (
    select * from {{ ref('int_controls_weekly') }}
),

run_scaling as (
    select scaling.*
    from scaling
    inner join current_run on current_run.run_id = scaling.run_id
),

target_scale as (
    select * from {{ ref('int_posterior_scales') }}
),

control_scaling as (
    select
        run_id,
        term as control,
        max(case when parameter = 'control_scale' then value end) as control_scale,
        max(case when parameter = 'trend_knot' then value end) as trend_knot
    from run_scaling
    where parameter in ('control_scale', 'trend_knot')
    group by run_id, term
),

panel_geos as (
    select distinct geo from panel
),

{# a control centred per geo has an offset row per geo; any other one row, geo 'total', for all #}
control_offsets as (
    select run_id, term as control, geo, value as control_offset
    from run_scaling
    where parameter = 'control_offset' and geo <> 'total'
    union all
    select run_scaling.run_id, run_scaling.term as control, panel_geos.geo, run_scaling.value as control_offset
    from run_scaling
    cross join panel_geos
    where run_scaling.parameter = 'control_offset' and run_scaling.geo = 'total'
),

{# the trend's slope changes: max(0, trend - knot), one term per knot the run stored #}
trend_knots as (
    select control, trend_knot from control_scaling where trend_knot is not null
),

control_values as (
    select week_start, geo, control, value from controls
    union all
    select week_start, geo, 'trend' as control, trend as value from panel
    union all
    select
        panel.week_start,
        panel.geo,
        trend_knots.control,
        case when panel.trend > trend_knots.trend_knot then panel.trend - trend_knots.trend_knot else 0 end as value
    from panel
    cross join trend_knots
),

baseline as (
    select
        target_scale.run_id,
        panel.week_start,
        panel.geo,
        'baseline' as component_type,
        'intercept' as component,
        'intercept_contribution' as parameter,
        '' as term,
        panel.geo as parameter_geo,
        target_scale.target_scale as feature
    from panel
    inner join target_scale on target_scale.geo = panel.geo
),

{# rows for every training week of a geo panel; a fit without the effect has no draws to join #}
week_effects as (
    select
        target_scale.run_id,
        panel.week_start,
        panel.geo,
        'baseline' as component_type,
        'shared_week_effect' as component,
        'week_effect' as parameter,
        cast(panel.week_start as {{ dbt.type_string() }}) as term,
        'total' as parameter_geo,
        target_scale.target_scale as feature
    from panel
    inner join target_scale on target_scale.geo = panel.geo
    where panel.geo <> 'total' and not panel.is_holdout
),

control_terms as (
    select
        control_scaling.run_id,
        control_values.week_start,
        control_values.geo,
        case
            when control_values.control = 'trend' or control_scaling.trend_knot is not null then 'trend'
            else 'control'
        end as component_type,
        case when control_scaling.trend_knot is not null then 'trend' else control_values.control end as component,
        'gamma_control' as parameter,
        control_values.control as term,
        control_values.geo as parameter_geo,
        (control_values.value - control_offsets.control_offset) / control_scaling.control_scale
            * target_scale.target_scale as feature
    from control_values
    inner join control_scaling on control_scaling.control = control_values.control
    inner join control_offsets
        on control_offsets.control = control_values.control
        and control_offsets.geo = control_values.geo
    inner join target_scale
        on target_scale.run_id = control_scaling.run_id
        and target_scale.geo = control_values.geo
),

final as (
    select * from baseline
    union all
    select * from control_terms
    union all
    select * from week_effects
)

select * from final
