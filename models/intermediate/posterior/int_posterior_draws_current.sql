{#- The current run's posterior draws, thinned by var mmm_mart_thin: what every mart reads. -#}
{{ config(materialized='view') }}

with

draws as (
    select * from {{ ref('mmm_posterior_draws') }}
),

current_run as (
    select * from {{ ref('mmm_current_run') }}
),

kept as (
    select draws.*
    from draws
    inner join current_run on current_run.run_id = draws.run_id
    where mod(draws.draw, {{ var('mmm_mart_thin') | int }}) = 0
)

select * from kept
