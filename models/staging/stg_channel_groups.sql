{#- Channel groups for share rules (seed channel_groups, or var mmm_inputs.channel_groups). -#}
with

source as (
    select * from {{ mmm_input_relation('channel_groups', seed='channel_groups') }}
),

typed as (
    select
        cast(group_name as {{ dbt.type_string() }}) as group_name,
        cast(channel as {{ dbt.type_string() }}) as channel
    from source
)

select * from typed
{% if not mmm_bundled_input_applies('channel_groups') %}where 1 = 0  {# bundled demo rows: not for the user's channels #}{% endif %}
