{#- The current run's KPI scale per geo: pymc-marketing divides the KPI by it before fitting,
    so every draw-level model multiplies by it to return to KPI units. One place for it; a
    view, since it is a handful of rows. -#}
{{ config(materialized='view') }}
with

scaling as (
    select * from {{ ref('mmm_posterior_scaling') }}
),

current_run as (
    select * from {{ ref('mmm_current_run') }}
),

final as (
    select scaling.run_id, scaling.geo, scaling.value as target_scale
    from scaling
    inner join current_run on current_run.run_id = scaling.run_id
    where scaling.parameter = 'target_scale'
)

select * from final
