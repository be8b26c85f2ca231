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

fits as (
    select run_id, chains, draws from {{ ref('mmm_fits') }}
),

scaling as (
    select * from {{ ref('mmm_posterior_scaling') }}
),

thinning as (
    select
        fits.run_id,
        {% if thin == 'auto' -%}
        greatest(1, cast(ceil(fits.chains * fits.draws * count(*) / {{ max_draw_geos }}.0) as {{ dbt.type_int() }})) as every_k
        {%- else -%}
        {{ thin | int }} as every_k
        {%- endif %}
    from fits
    inner join current_run on current_run.run_id = fits.run_id
    inner join scaling on scaling.run_id = fits.run_id and scaling.parameter = 'target_scale'
    group by fits.run_id, fits.chains, fits.draws
),

kept as (
    select draws.*
    from draws
    inner join thinning on thinning.run_id = draws.run_id
    where mod(draws.draw, thinning.every_k) = 0
)

select * from kept
