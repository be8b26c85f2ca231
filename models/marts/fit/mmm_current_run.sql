{#- The run every mart reports on: the fit used by the latest build. -#}
with

runs as (
    select * from {{ ref('mmm_runs') }}
),

final as (
    select run_id from runs where is_current
)

select * from final
