{#- One row per budget scenario, typed: the optimizer's questions (seed budget_scenarios, or
    var mmm_inputs.budget_scenarios). Blank numbers are nulls; the optimizer applies defaults. -#}
with

source as (
    select * from {{ mmm_input_relation('budget_scenarios', seed='budget_scenarios') }}
),

typed as (
    select
        cast(scenario_id as {{ dbt.type_string() }}) as scenario_id,
        cast(description as {{ dbt.type_string() }}) as description,
        coalesce(cast(objective as {{ dbt.type_string() }}), 'mean') as objective,
        cast(horizon_weeks as {{ dbt.type_int() }}) as horizon_weeks,
        cast(budget_change_pct as {{ mmm_type_double() }}) as budget_change_pct,
        cast(total_budget as {{ mmm_type_double() }}) as total_budget,
        cast(bound_pct as {{ mmm_type_double() }}) as bound_pct,
        cast(risk_quantile as {{ mmm_type_double() }}) as risk_quantile,
        cast(target_change_pct as {{ mmm_type_double() }}) as target_change_pct,
        cast(target_contribution as {{ mmm_type_double() }}) as target_contribution
    from source
)

select * from typed
{%- if not mmm_bundled_input_applies('budget_scenarios') %}
{#- on the user's own media data, the bundled scenarios that need the demo's rules are left out #}
where scenario_id not in (select scenario_id from {{ ref('budget_scenario_rules') }})
{%- endif %}
