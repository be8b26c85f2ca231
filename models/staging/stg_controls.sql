{#- One row per raw controls record, typed. The only model that reads the controls input. -#}
with
{{ mmm_stage_input('controls', value='value', label='control') }}

select * from renamed
