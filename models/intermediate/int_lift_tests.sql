{#- Each experiment as pymc-marketing's lift-test calibration reads it: per week of the test, the
    channel's spend before the change (x), the change (delta_x), the KPI it measured (delta_y)
    and that estimate's standard error (sigma), in the input's units. The spend input records what
    was spent, the test's change included, so x is the recorded weekly spend over the test weeks
    less the change. problem names what makes a test unusable (mmm_lift_tests_usable fails on it). -#}
with

lift_tests as (
    select * from {{ ref('stg_lift_tests') }}
),

spend as (
    select * from {{ ref('int_media_spend_weekly') }}
),

channels as (
    select distinct channel from spend
),

geos as (
    select distinct geo from spend
),

test_weeks as (
    select
        lift_tests.test_id,
        count(*) as n_panel_weeks,
        avg(spend.spend) as recorded_weekly_spend
    from lift_tests
    inner join spend
        on spend.channel = lift_tests.channel
        and spend.geo = lift_tests.geo
        and spend.week_start <= lift_tests.period_end
        and spend.week_start > {{ dbt.dateadd('day', -7, 'lift_tests.period_start') }}
    group by lift_tests.test_id
),

weekly as (
    select
        lift_tests.test_id,
        lift_tests.channel,
        lift_tests.geo,
        lift_tests.period_start,
        lift_tests.period_end,
        lift_tests.spend_change,
        lift_tests.lift,
        lift_tests.lift_se,
        coalesce(test_weeks.n_panel_weeks, 0) as n_panel_weeks,
        cast({{ dbt.datediff('lift_tests.period_start', 'lift_tests.period_end', 'day') }} + 1 as {{ mmm_type_double() }}) / 7 as n_weeks,
        test_weeks.recorded_weekly_spend,
        channels.channel is not null as is_known_channel,
        geos.geo is not null as is_known_geo
    from lift_tests
    left join test_weeks on test_weeks.test_id = lift_tests.test_id
    left join channels on channels.channel = lift_tests.channel
    left join geos on geos.geo = lift_tests.geo
),

final as (
    select
        test_id,
        channel,
        geo,
        period_start,
        period_end,
        n_weeks,
        n_panel_weeks,
        recorded_weekly_spend - spend_change / n_weeks as x,
        spend_change / n_weeks as delta_x,
        lift / n_weeks as delta_y,
        lift_se / n_weeks as sigma,
        case
            when not is_known_channel then 'channel is not one the model fits (mmm_channels, the spend input)'
            when not is_known_geo then 'geo is not one of the panel''s geos'
            when n_panel_weeks = 0 then 'the test period overlaps no week of the panel'
            when recorded_weekly_spend - spend_change / n_weeks < 0
                then 'spend before the change would be negative: the recorded spend over the test weeks is less than the change'
            when spend_change = 0 then 'spend_change is zero: the test measured no change in spend'
        end as problem
    from weekly
)

select * from final
