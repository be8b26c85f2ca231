{#- One row per dated event (a launch, a strike, a promotion): read from var mmm_inputs.events
    ({relation} or {path}; columns event, period_start, period_end, optional geo), else none.
    Each event name becomes a weekly flag control (int_controls_weekly), so nobody builds dummy
    columns by hand. -#}
with
{{ mmm_stage_optional('events', ['event']) }}

select * from renamed
