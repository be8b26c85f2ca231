{#- The run every mart reports on: the fit used by the latest build (the stored fit reused, or
    the one just sampled). Read from mmm_fits, not mmm_runs, because mmm_runs also carries the
    model review, which is computed from the marts. -#}
with

fits as (
    select * from {{ ref('mmm_fits') }}
),

final as (
    select run_id from fits where last_used_at = (select max(last_used_at) from fits)
)

select * from final
