{#- One row per business rule of a budget scenario (seed budget_scenario_rules, or var
    mmm_inputs.budget_scenario_rules): bounds, fixed channels, shares and ratios. -#}
with

source as (
    select * from {{ mmm_input_relation('budget_scenario_rules', seed='budget_scenario_rules') }}
),

typed as (
    select
        cast(scenario_id as {{ dbt.type_string() }}) as scenario_id,
        cast(rule as {{ dbt.type_string() }}) as rule,
        cast(target as {{ dbt.type_string() }}) as target,
        cast(value as {{ mmm_type_double() }}) as value
    from source
)

select * from typed
{% if not mmm_bundled_input_applies('budget_scenario_rules') %}where 1 = 0  {# bundled demo rows: not for the user's channels #}{% endif %}
