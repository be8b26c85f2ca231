{#- Each channel's spend at lags 0..L for every week x geo: the adstock features. Weeks before
    the window count as zero spend, exactly as pymc-marketing's convolution pads them. -#}
with

spend as (
    select * from {{ ref('int_media_spend_weekly') }}
),

lags as (
    select cast(generated_number - 1 as {{ dbt.type_bigint() }}) as lag from ({{ dbt.generate_series(var('mmm_max_lag') | int + 1) }}) as numbers
),

lagged as (
    select
        spend.week_start,
        spend.geo,
        spend.channel,
        lags.lag,
        coalesce(earlier.spend, 0) as spend_lagged
    from spend
    cross join lags
    left join spend as earlier
        on earlier.geo = spend.geo
        and earlier.channel = spend.channel
        and earlier.week_index = spend.week_index - lags.lag
)

select * from lagged
