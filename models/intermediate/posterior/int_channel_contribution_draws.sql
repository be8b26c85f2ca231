{#- Contribution of each channel in each week, per posterior draw, in KPI units: adstock over
    the lag features, then saturation, times the coefficient, as pymc-marketing computes it.
    Also the contribution with 1% more spend in the week's history, for marginal ROAS. -#}
with

lags as (
    select * from {{ ref('int_media_adstock_lags') }}
),

params as (
    select * from {{ ref('int_posterior_channel_draws') }}
),

adstocked as (
    select
        params.run_id,
        params.chain,
        params.draw,
        lags.week_start,
        lags.geo,
        lags.channel,
        sum(case when lags.lag = 0 then lags.spend_lagged else 0 end) as spend,
        sum(lags.spend_lagged * {{ mmm_adstock_weight(mmm_fit_setting('adstock'), 'lags.lag', mmm_fit_setting('max_lag'), 'params.adstock_alpha', 'params.adstock_theta') }}) as adstocked_spend
    from lags
    inner join params
        on params.geo = lags.geo
        and params.channel = lags.channel
    group by params.run_id, params.chain, params.draw, lags.week_start, lags.geo, lags.channel
),

contributions as (
    select
        adstocked.run_id,
        adstocked.chain,
        adstocked.draw,
        adstocked.week_start,
        adstocked.geo,
        adstocked.channel,
        adstocked.spend,
        {{ mmm_channel_response('adstocked.adstocked_spend') }} as contribution,
        {{ mmm_channel_response('1.01 * adstocked.adstocked_spend') }} as contribution_plus_1pct
    from adstocked
    inner join params
        on params.run_id = adstocked.run_id
        and params.chain = adstocked.chain
        and params.draw = adstocked.draw
        and params.geo = adstocked.geo
        and params.channel = adstocked.channel
)

select * from contributions
