{% test mmm_fit_converged(model) %}
  {#- The convergence gate on the current run. Severity follows var mmm_fail_on_unconverged:
      warn by default (the fit is kept and flagged), error to stop the build. -#}
  {{ config(severity=('error' if var('mmm_fail_on_unconverged', false) else 'warn')) }}
  {%- set failing -%}
    select run_id, max_r_hat, min_ess_bulk, divergences, worst_parameters
    from {{ model }}
    where is_current and not is_converged
  {%- endset -%}
  {%- if execute -%}
    {%- set result = run_query(failing) -%}
    {%- for row in result.rows -%}
      {{ log('MMM FIT NOT CONVERGED: run ' ~ row['run_id'] ~ ' max r_hat ' ~ row['max_r_hat'] ~ ', min ess_bulk '
             ~ row['min_ess_bulk'] ~ ', divergences ' ~ row['divergences'] ~ '; worst parameters: '
             ~ row['worst_parameters'], info=true) }}
    {%- endfor -%}
  {%- endif -%}
  {{ failing }}
{% endtest %}
