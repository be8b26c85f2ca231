{#- One row per raw media_spend record, typed. The only model that reads the media_spend input. -#}
with
{{ mmm_stage_input('media_spend', value='spend', label='channel') }}

select * from renamed
