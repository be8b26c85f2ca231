{#- The modelling calendar: one row per week from the first to the last KPI week, numbered,
    with the trend regressor and the holdout flag. Gaps in the KPI show up as weeks here. -#}
with

kpi as (
    select * from {{ ref('stg_kpi') }}
),

numbers as (
    {{ dbt.generate_series(5000) }}
),

bounds as (
    select
        min({{ mmm_week_start('period_start') }}) as first_week_start,
        max({{ mmm_week_start('period_end') }}) as last_week_start
    from kpi
),

weeks as (
    select
        cast({{ dbt.dateadd('day', '7 * (numbers.generated_number - 1)', 'bounds.first_week_start') }} as date) as week_start,
        cast(numbers.generated_number - 1 as {{ dbt.type_bigint() }}) as week_index
    from bounds
    cross join numbers
    where 7 * (numbers.generated_number - 1) <= {{ dbt.datediff('bounds.first_week_start', 'bounds.last_week_start', 'day') }}
),

numbered as (
    select
        week_start,
        week_index,
        count(*) over () as n_weeks
    from weeks
),

final as (
    select
        week_start,
        week_index,
        case when n_weeks > 1 then cast(week_index as {{ mmm_type_double() }}) / (n_weeks - 1) else 0 end as trend,
        week_index >= n_weeks - {{ var('mmm_holdout_weeks') | int }} as is_holdout
    from numbered
)

select * from final
