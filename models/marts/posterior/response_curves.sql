{#- Channel x geo x spend level: the expected steady-state weekly contribution if the channel
    spent that amount every week (0 to 2x its largest observed weekly spend, 61 levels), with
    94% interval and the marginal return per extra unit of spend. is_current_level marks the
    level nearest the channel's average weekly spend. -#}
with

params as (
    select * from {{ ref('int_posterior_channel_draws') }}
),

spend as (
    select * from {{ ref('int_media_spend_weekly') }}
),

levels as (
    select cast(generated_number - 1 as {{ dbt.type_bigint() }}) as level_index from ({{ dbt.generate_series(61) }}) as numbers
),

observed as (
    select geo, channel, max(spend) as max_weekly_spend, avg(spend) as avg_weekly_spend
    from spend
    group by geo, channel
),

grid as (
    select
        observed.geo,
        observed.channel,
        observed.avg_weekly_spend,
        levels.level_index,
        2 * observed.max_weekly_spend * levels.level_index / 60 as weekly_spend,
        2 * observed.max_weekly_spend / 60 as step
    from observed
    cross join levels
),

{#- Constant spend x every week: adstock gives x times the sum of the lag weights. -#}
geo_curve_draws as (
    select
        params.run_id,
        params.chain,
        params.draw,
        grid.geo,
        grid.channel,
        grid.level_index,
        grid.weekly_spend,
        grid.avg_weekly_spend,
        grid.step,
        {{ mmm_channel_response('grid.weekly_spend * params.weight_sum') }} as contribution,
        {{ mmm_channel_response('(grid.weekly_spend + 0.01 * grid.step) * params.weight_sum') }} as contribution_next
    from grid
    inner join (
        select
            *,
            {% for lag in range(mmm_fit_setting('max_lag') + 1) -%}
            adstock_weight_{{ lag }}{% if not loop.last %} + {% endif %}
            {%- endfor %} as weight_sum
        from params
    ) as params
        on params.geo = grid.geo and params.channel = grid.channel
),

{#- A geo panel's nation: every geo at the same level of its own range, spend and contribution
    summed per draw. -#}
curve_draws as (
    select * from geo_curve_draws
    union all
    {{ mmm_national_rollup(
        'geo_curve_draws',
        ['run_id', 'chain', 'draw'],
        ['channel', 'level_index'],
        ['weekly_spend', 'avg_weekly_spend', 'step', 'contribution', 'contribution_next']) }}
),

final as (
    select
        run_id,
        geo,
        channel,
        level_index,
        {# max: the nation's spend is a sum per draw, equal across draws up to rounding #}
        max(weekly_spend) as weekly_spend,
        {{ mmm_interval('contribution', 'contribution') }},
        avg((contribution_next - contribution) / (0.01 * step)) as marginal_return_mean,
        abs(max(weekly_spend) - max(avg_weekly_spend)) = min(abs(max(weekly_spend) - max(avg_weekly_spend))) over (partition by run_id, geo, channel) as is_current_level
    from curve_draws
    group by run_id, geo, channel, level_index
)

select * from final
