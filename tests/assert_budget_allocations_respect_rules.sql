{#- Every scenario's optimised weekly spend adds up to its budget, each channel stays inside
    its bounds, and for budgets at or above current spend the optimised expected contribution
    is at least the current allocation's (the current plan is feasible there). -#}
with

allocations as (
    select * from {{ ref('budget_allocations') }}
),

scenarios as (
    select * from {{ ref('budget_scenarios') }}
),

totals as (
    select
        allocations.scenario_id,
        max(scenarios.budget_change_pct) as budget_change_pct,
        sum(current_weekly_spend) * (1 + max(scenarios.budget_change_pct) / 100.0) as budget,
        sum(optimised_weekly_spend) as optimised_total,
        sum(contribution_before_mean) as before_mean,
        sum(contribution_after_mean) as after_mean,
        sum(case when optimised_weekly_spend < lower_bound - 1e-6 or optimised_weekly_spend > upper_bound + 1e-6
            then 1 else 0 end) as out_of_bounds
    from allocations
    inner join scenarios on scenarios.scenario_id = allocations.scenario_id
    group by allocations.scenario_id
),

violations as (
    select * from totals
    where abs(optimised_total - budget) > 1e-6 * budget
       or out_of_bounds > 0
       or (budget_change_pct >= 0 and after_mean < before_mean - 1e-9 * abs(before_mean))
)

select * from violations
