{#- Yearly seasonality per posterior draw, week and geo, in KPI units. The Fourier basis is
    evaluated once per week and each draw's coefficients are pivoted into columns, so a draw x
    week row is a handful of multiply-adds and no aggregation (4x faster than joining long
    coefficients to a long basis on the case study). Modes: fit setting yearly_seasonality. -#}
{{ config(materialized='view') }}
{%- set modes = mmm_fit_setting('yearly_seasonality') | int %}
{%- set terms = [] %}
{%- for k in range(1, modes + 1) %}{% do terms.extend(['sin_' ~ k, 'cos_' ~ k]) %}{% endfor %}

with

kept as (
    select * from {{ ref('int_posterior_draws_current') }}
),

panel as (
    select * from {{ ref('int_weekly_panel') }}
),

target_scale as (
    select * from {{ ref('int_posterior_scales') }}
),

coefficients as (
    select
        kept.run_id,
        kept.chain,
        kept.draw,
        kept.geo,
        {%- for term in terms %}
        max(case when kept.term = '{{ term }}' then kept.value end) as gamma_{{ term }},
        {%- endfor %}
        max(target_scale.target_scale) as target_scale
    from kept
    inner join target_scale on target_scale.run_id = kept.run_id and target_scale.geo = kept.geo
    where kept.parameter = 'gamma_fourier'
    group by kept.run_id, kept.chain, kept.draw, kept.geo
),

basis as (
    select
        week_start,
        geo
        {%- for k in range(1, modes + 1) %},
        sin(2 * 3.141592653589793 * {{ k }} * {{ mmm_day_of_year('week_start') }} / 365.25) as basis_sin_{{ k }},
        cos(2 * 3.141592653589793 * {{ k }} * {{ mmm_day_of_year('week_start') }} / 365.25) as basis_cos_{{ k }}
        {%- endfor %}
    from panel
),

seasonality as (
    select
        coefficients.run_id,
        coefficients.chain,
        coefficients.draw,
        basis.week_start,
        basis.geo,
        coefficients.target_scale * (
            0
            {%- for term in terms %}
            + coefficients.gamma_{{ term }} * basis.basis_{{ term }}
            {%- endfor %}
        ) as contribution
    from coefficients
    inner join basis on basis.geo = coefficients.geo
)

select * from seasonality
