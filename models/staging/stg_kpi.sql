{#- One row per raw kpi record, typed. The only model that reads the kpi input. -#}
with
{{ mmm_stage_input('kpi', value='kpi') }}

select * from renamed
