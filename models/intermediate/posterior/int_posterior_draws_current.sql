{#- The current run's posterior draws, thinned by var mmm_mart_thin: what every mart reads.
    auto (the default): every draw while draws x geos stays within 24,000 (every draw of a
    national 4 x 1500 fit), evenly thinned above it, so the marts of a 20-geo panel read 1,200
    draws instead of 6,000 and their memory and time stay bounded; a 94% interval from 1,000 or
    more draws moves by a few percent of its width. An integer k keeps every k-th draw. -#}
{{ config(materialized='view') }}
{%- set thin = var('mmm_mart_thin') %}
{%- set max_draw_geos = 24000 %}

with

draws as (
    select * from {{ ref('mmm_posterior_draws') }}
),

current_run as (
    select * from {{ ref('mmm_current_run') }}
),

scaling as (
    select * from {{ ref('mmm_posterior_scaling') }}
),

{#- draws per chain and chains, read from the draws themselves (numbered from 0) -#}
sample_size as (
    select draws.run_id, (max(draws.chain) + 1) * (max(draws.draw) + 1) as n_draws
    from draws
    inner join current_run on current_run.run_id = draws.run_id
    group by draws.run_id
),

thinning as (
    select
        sample_size.run_id,
        {% if thin == 'auto' -%}
        greatest(1, cast(ceil(max(sample_size.n_draws) * count(*) / {{ max_draw_geos }}.0) as {{ dbt.type_int() }})) as every_k
        {%- else -%}
        {{ thin | int }} as every_k
        {%- endif %}
    from sample_size
    inner join scaling on scaling.run_id = sample_size.run_id and scaling.parameter = 'target_scale'
    group by sample_size.run_id
),

kept as (
    select draws.*
    from draws
    inner join thinning on thinning.run_id = draws.run_id
    where mod(draws.draw, thinning.every_k) = 0
)

select * from kept
