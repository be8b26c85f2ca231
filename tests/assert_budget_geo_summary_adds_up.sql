{#- A plan's geos add up to the plan: their expected uplifts and contributions (means add over
    draws) and their planned spend equal the scenario's; each geo's interval holds its mean. -#}
with

geos as (
    select * from {{ ref('budget_geo_summary') }}
),

plans as (
    select * from {{ ref('budget_scenario_summary') }}
),

geo_totals as (
    select
        run_id,
        scenario_id,
        {{ mmm_budget_plan_geo('geo') }} as geo,
        sum(uplift_mean) as uplift_mean,
        sum(contribution_after_mean) as contribution_after_mean,
        sum(planned_weekly_spend) as planned_weekly_spend,
        count(*) as geo_rows
    from geos
    where status = 'ok'
    group by run_id, scenario_id, {{ mmm_budget_plan_geo('geo') }}
),

mismatched as (
    select plans.scenario_id, plans.geo, 'geos do not add up to the plan' as problem
    from plans
    left join geo_totals
        on geo_totals.run_id = plans.run_id
        and geo_totals.scenario_id = plans.scenario_id
        and geo_totals.geo = plans.geo
    where plans.status = 'ok'
        and (
            geo_totals.geo_rows is null
            or abs(geo_totals.uplift_mean - plans.uplift_mean) > 1e-6 * (abs(plans.contribution_after_mean) + 1)
            or abs(geo_totals.contribution_after_mean - plans.contribution_after_mean)
                > 1e-6 * (abs(plans.contribution_after_mean) + 1)
            or abs(geo_totals.planned_weekly_spend - plans.weekly_budget) > 1e-6 * (plans.weekly_budget + 1)
        )
),

outside as (
    select scenario_id, geo, 'geo uplift mean outside its interval' as problem
    from geos
    where status = 'ok' and not (uplift_lower <= uplift_mean and uplift_mean <= uplift_upper)
)

select * from mismatched
union all
select * from outside
