{#- One row per scenario x geo: what each plan does in each geo - current and planned weekly
    spend, the expected media contribution before and after with 94% intervals, and the uplift
    interval and its probability of being positive, each from the geo's per-draw total (never a
    sum of intervals). A geo panel's national plan moves budget between geos, and this is where
    each geo's manager reads their share of it; a national panel's only row per scenario is
    geo 'total' (the same figures as budget_scenario_summary). Read from budget_allocations,
    whose geo_* columns carry the geo's totals on each of its channel rows. -#}
with

allocations as (
    select * from {{ ref('budget_allocations') }}
),

final as (
    select
        run_id,
        scenario_id,
        geo,
        sum(current_weekly_spend) as current_weekly_spend,
        sum(optimised_weekly_spend) as planned_weekly_spend,
        max(geo_contribution_before_mean) as contribution_before_mean,
        max(geo_contribution_before_lower) as contribution_before_lower,
        max(geo_contribution_before_upper) as contribution_before_upper,
        max(geo_contribution_after_mean) as contribution_after_mean,
        max(geo_contribution_after_median) as contribution_after_median,
        max(geo_contribution_after_lower) as contribution_after_lower,
        max(geo_contribution_after_upper) as contribution_after_upper,
        max(geo_uplift_mean) as uplift_mean,
        max(geo_uplift_median) as uplift_median,
        max(geo_uplift_lower) as uplift_lower,
        max(geo_uplift_upper) as uplift_upper,
        max(geo_prob_uplift_positive) as prob_uplift_positive,
        max(scenario_status) as status
    from allocations
    group by run_id, scenario_id, geo
)

select * from final
