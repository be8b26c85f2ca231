{#- One row per experiment (a geo lift test, a holdout, a go-dark test) that calibrates the fit,
    typed: read from var mmm_inputs.lift_tests ({relation} or {path}, optional `columns:`
    renaming), else none. Totals over the test period: spend_change is the extra spend (negative
    for spend switched off), lift the KPI it measured and lift_se that estimate's standard error. -#}
with
{{ mmm_stage_optional('lift_tests', ['test_id', 'channel'], numbers=['spend_change', 'lift', 'lift_se']) }}

select * from renamed
