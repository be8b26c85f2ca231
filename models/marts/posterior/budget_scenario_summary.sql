{#- One row per scenario x plan (the nation, 'total', or each geo with var
    mmm_budget_geo_scope: geo): the optimised plan's totals - budget, expected contribution
    before and after with 94% intervals, ROAS, uplift interval and probability, and which
    constraints bind. Read from budget_allocations, whose scenario_* columns carry them. -#}
with

allocations as (
    select * from {{ ref('budget_allocations') }}
),

final as (
    select
        run_id,
        scenario_id,
        {{ mmm_budget_plan_geo('geo') }} as geo,
        max(scenario_objective) as objective,
        max(scenario_horizon_weeks) as horizon_weeks,
        sum(current_weekly_spend) as current_weekly_spend,
        max(scenario_weekly_budget) as weekly_budget,
        max(scenario_total_budget) as total_budget,
        max(scenario_target_contribution) as target_contribution,
        max(scenario_contribution_before_mean) as contribution_before_mean,
        max(scenario_contribution_before_lower) as contribution_before_lower,
        max(scenario_contribution_before_upper) as contribution_before_upper,
        max(scenario_contribution_after_mean) as contribution_after_mean,
        max(scenario_contribution_after_median) as contribution_after_median,
        max(scenario_contribution_after_lower) as contribution_after_lower,
        max(scenario_contribution_after_upper) as contribution_after_upper,
        max(scenario_roas_mean) as roas_mean,
        max(scenario_uplift_mean) as uplift_mean,
        max(scenario_uplift_median) as uplift_median,
        max(scenario_uplift_lower) as uplift_lower,
        max(scenario_uplift_upper) as uplift_upper,
        max(scenario_prob_uplift_positive) as prob_uplift_positive,
        max(binding_constraints) as binding_constraints,
        min(case when optimizer_converged then 1 else 0 end) = 1 as optimizer_converged,
        max(scenario_status) as status,
        max(scenario_message) as status_message
    from allocations
    group by run_id, scenario_id, {{ mmm_budget_plan_geo('geo') }}
)

select * from final
