{#- Every scenario's plan obeys what was asked, recomputed here from the scenario inputs rather
    than from the optimizer's own columns: weekly spend adds up to the budget (absolute, or
    current +/- %), every channel stays within +/- bound_pct of current, every rule (min/max
    spend, fixed, shares of channels or groups, ratios) holds, a target plan reaches its target,
    and where the current plan is feasible the optimised expected contribution is at least its. -#}
with

cells as (
    select * from {{ ref('budget_allocations') }} where scenario_status = 'ok'
),

{#- per plan and channel: a national plan's rules are on channels, summed over its geo cells #}
allocations as (
    select
        run_id,
        {{ mmm_budget_plan_geo('geo') }} as geo,
        scenario_id,
        channel,
        sum(current_weekly_spend) as current_weekly_spend,
        sum(optimised_weekly_spend) as optimised_weekly_spend,
        max(scenario_contribution_before_mean) as scenario_contribution_before_mean,
        max(scenario_contribution_after_mean) as scenario_contribution_after_mean,
        max(scenario_target_contribution) as scenario_target_contribution
    from cells
    group by run_id, {{ mmm_budget_plan_geo('geo') }}, scenario_id, channel
),

scenarios as (
    select * from {{ ref('stg_budget_scenarios') }}
),

rules as (
    select * from {{ ref('stg_budget_scenario_rules') }}
),

groups as (
    select * from {{ ref('stg_channel_groups') }}
),

totals as (
    select
        allocations.run_id,
        allocations.geo,
        allocations.scenario_id,
        sum(allocations.current_weekly_spend) as current_total,
        sum(allocations.optimised_weekly_spend) as optimised_total,
        max(allocations.scenario_contribution_before_mean) as before_mean,
        max(allocations.scenario_contribution_after_mean) as after_mean,
        max(allocations.scenario_target_contribution) as target_contribution
    from allocations
    group by allocations.run_id, allocations.geo, allocations.scenario_id
),

budget_violations as (
    select totals.scenario_id, 'budget' as problem
    from totals
    inner join scenarios on scenarios.scenario_id = totals.scenario_id
    where scenarios.objective <> 'target'
      and abs(totals.optimised_total - coalesce(
            scenarios.total_budget / coalesce(scenarios.horizon_weeks, 52),
            totals.current_total * (1 + coalesce(scenarios.budget_change_pct, 0) / 100.0)
          )) > 1e-6 * totals.current_total
),

bound_violations as (
    select allocations.scenario_id, 'bound_pct ' || allocations.channel as problem
    from allocations
    inner join scenarios on scenarios.scenario_id = allocations.scenario_id
    left join rules
        on rules.scenario_id = allocations.scenario_id
        and rules.target = allocations.channel
        and rules.rule in ('min_spend', 'max_spend', 'fixed')
    where rules.rule is null
      and abs(allocations.optimised_weekly_spend - allocations.current_weekly_spend)
          > coalesce(scenarios.bound_pct, 100) / 100.0 * allocations.current_weekly_spend + 1e-6
),

channel_rule_violations as (
    select allocations.scenario_id, rules.rule || ' ' || rules.target as problem
    from allocations
    inner join rules on rules.scenario_id = allocations.scenario_id and rules.target = allocations.channel
    where (rules.rule = 'min_spend' and allocations.optimised_weekly_spend < rules.value - 1e-6)
       or (rules.rule = 'max_spend' and allocations.optimised_weekly_spend > rules.value + 1e-6)
       or (rules.rule = 'fixed' and abs(allocations.optimised_weekly_spend
            - coalesce(rules.value, allocations.current_weekly_spend)) > 1e-6)
),

members as (
    select group_name as member_of, channel from groups
    union all
    select distinct channel as member_of, channel from allocations
),

share_rules as (
    select
        rules.scenario_id,
        rules.rule,
        rules.target,
        rules.value,
        sum(allocations.optimised_weekly_spend) as spend_in,
        max(totals.optimised_total) as total
    from rules
    inner join members on members.member_of = rules.target
    inner join allocations on allocations.scenario_id = rules.scenario_id and allocations.channel = members.channel
    inner join totals on totals.scenario_id = rules.scenario_id and totals.geo = allocations.geo
    where rules.rule in ('min_share', 'max_share')
    group by rules.scenario_id, rules.rule, rules.target, rules.value, allocations.geo
),

share_violations as (
    select scenario_id, rule || ' ' || target as problem
    from share_rules
    where (rule = 'min_share' and spend_in < value * total - 1e-6)
       or (rule = 'max_share' and spend_in > value * total + 1e-6)
),

ratio_rules as (
    select
        rules.scenario_id,
        rules.rule,
        rules.target,
        rules.value,
        numerator.optimised_weekly_spend as spend_a,
        denominator.optimised_weekly_spend as spend_b
    from rules
    inner join allocations as numerator
        on numerator.scenario_id = rules.scenario_id
        and numerator.channel = {{ dbt.split_part('rules.target', "'/'", 1) }}
    inner join allocations as denominator
        on denominator.scenario_id = rules.scenario_id
        and denominator.geo = numerator.geo
        and denominator.channel = {{ dbt.split_part('rules.target', "'/'", 2) }}
    where rules.rule in ('min_ratio', 'max_ratio')
),

ratio_violations as (
    select scenario_id, rule || ' ' || target as problem
    from ratio_rules
    where (rule = 'min_ratio' and spend_a < value * spend_b - 1e-6)
       or (rule = 'max_ratio' and spend_a > value * spend_b + 1e-6)
),

outcome_violations as (
    select totals.scenario_id, 'objective' as problem
    from totals
    inner join scenarios on scenarios.scenario_id = totals.scenario_id
    where (scenarios.objective = 'target' and totals.after_mean < totals.target_contribution * (1 - 1e-6))
       or (scenarios.objective = 'mean'
           and totals.optimised_total >= totals.current_total
           and not exists (select 1 from rules where rules.scenario_id = totals.scenario_id)
           and totals.after_mean < totals.before_mean * (1 - 1e-9))
),

final as (
    select * from budget_violations
    union all select * from bound_violations
    union all select * from channel_rule_violations
    union all select * from share_violations
    union all select * from ratio_violations
    union all select * from outcome_violations
)

select * from final
