{#- The current run's media parameters, one row per draw x geo x channel, with the scales
    needed to return to spend and KPI units and each lag's adstock weight (computed once here,
    not once per week downstream). Draws thinned by var mmm_mart_thin. -#}
{%- set max_lag = mmm_fit_setting('max_lag') %}
{%- set saturation = mmm_saturation_parameters(mmm_fit_setting('saturation')) %}
{%- set shape = saturation['shape'] %}
with

kept as (
    select * from {{ ref('int_posterior_draws_current') }}
),

scaling as (
    select * from {{ ref('mmm_posterior_scaling') }}
),

target_scale as (
    select * from {{ ref('int_posterior_scales') }}
),

{#- A geo panel's shared shapes (var mmm_fit.geo_pooling) are stored once, as geo 'total';
    every geo of the run gets them, alongside its own parameters. -#}
media_draws as (
    select kept.run_id, kept.chain, kept.draw, target_scale.geo, kept.term, kept.parameter, kept.value
    from kept
    inner join target_scale
        on target_scale.run_id = kept.run_id
        and (kept.geo = target_scale.geo or kept.geo = 'total')
    where kept.parameter in (
        'adstock_alpha', 'adstock_theta'
        {%- for name in shape + [saturation['coefficient']] %}, 'saturation_{{ name }}'{% endfor %}
    )
),

channel_params as (
    select
        run_id,
        chain,
        draw,
        geo,
        term as channel,
        max(case when parameter = 'adstock_alpha' then value end) as adstock_alpha,
        max(case when parameter = 'adstock_theta' then value end) as adstock_theta,
        {#- each form's shape parameters by name; those the run's form does not have are null -#}
        {%- for name in mmm_saturation_shape_columns() %}
        max(case when parameter = 'saturation_{{ name }}' then value end) as saturation_{{ name }},
        {%- endfor %}
        max(case when parameter = 'saturation_{{ saturation['coefficient'] }}' then value end) as saturation_coefficient
    from media_draws
    group by run_id, chain, draw, geo, term
),

channel_scale as (
    select run_id, geo, term as channel, value as channel_scale
    from scaling where parameter = 'channel_scale'
),

final as (
    select
        channel_params.*,
        channel_scale.channel_scale,
        target_scale.target_scale,
        {%- for lag in range(max_lag + 1) %}
        {{ mmm_adstock_weight(mmm_fit_setting('adstock'), lag, max_lag, 'channel_params.adstock_alpha', 'channel_params.adstock_theta') }} as adstock_weight_{{ lag }}{{ ',' if not loop.last }}
        {%- endfor %}
    from channel_params
    inner join channel_scale
        on channel_scale.run_id = channel_params.run_id
        and channel_scale.geo = channel_params.geo
        and channel_scale.channel = channel_params.channel
    inner join target_scale
        on target_scale.run_id = channel_params.run_id
        and target_scale.geo = channel_params.geo
)

select * from final
