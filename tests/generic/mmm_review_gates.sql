{% test mmm_run_usable(model) %}
  {#- The gate between the fit and the budget: the current run must have converged and passed
      the model review. Severity error by default, so the budget tables (children of mmm_runs)
      are not rebuilt from an unusable run and the build says why; var
      mmm_allow_failed_review: true makes it a warning and lets the budget proceed. -#}
  {{ config(severity=('warn' if var('mmm_allow_failed_review', false) else 'error')) }}
  {%- set failing -%}
    select run_id, review_status, review_failed_checks, max_r_hat, min_ess_bulk, divergences
    from {{ model }}
    where is_current and not is_usable
  {%- endset -%}
  {%- if execute -%}
    {%- set result = run_query(failing) -%}
    {#- the run and its review live in the build schema; the published schema may not exist yet -#}
    {%- set review = model.schema ~ '.mmm_model_review' -%}
    {%- set published = adapter.get_relation(database=model.database, schema=target.schema, identifier=model.identifier) -%}
    {%- set kept = ('every table users read (schema ' ~ target.schema ~ ') stays on the previous run'
        if published is not none else
        'this is the first build, so schema ' ~ target.schema ~ ' has no results yet; this run\'s tables are in schema '
        ~ model.schema) -%}
    {%- for row in result.rows -%}
      {{ log('MMM MODEL REVIEW FAILED: run ' ~ row['run_id'] ~ ' is not usable (failed: '
             ~ (row['review_failed_checks'] or 'convergence') ~ '); '
             ~ ('var mmm_allow_failed_review is true, so its results are published anyway. '
                if var('mmm_allow_failed_review', false) else
                'nothing is published: ' ~ kept ~ '; var mmm_allow_failed_review: true proceeds anyway. ')
             ~ 'See ' ~ review ~ ' for each check', info=true) }}
    {%- endfor -%}
  {%- endif -%}
  {{ failing }}
{% endtest %}


{% test mmm_review_passes(model) %}
  {#- The pre-fit gate: no data review check may fail. Logs each failure's message. -#}
  {%- set failing -%}
    select check_name, subject, message from {{ model }} where status = 'fail'
  {%- endset -%}
  {%- if execute -%}
    {%- set result = run_query(failing) -%}
    {%- for row in result.rows -%}
      {{ log('MMM INPUT ERROR in ' ~ row['message'], info=true) }}
    {%- endfor -%}
  {%- endif -%}
  {{ failing }}
{% endtest %}


{% test mmm_scenarios_planned(model) %}
  {#- Budget scenarios fail alone: each one that could not be planned is named with its reason.
      A warning by default, so the other scenarios' plans still land; var
      mmm_fail_on_scenario_error: true makes it an error. -#}
  {{ config(severity=('error' if var('mmm_fail_on_scenario_error', false) else 'warn')) }}
  {%- set failing -%}
    select scenario_id, geo, status_message from {{ model }} where status <> 'ok'
  {%- endset -%}
  {%- if execute -%}
    {%- set result = run_query(failing) -%}
    {%- for row in result.rows -%}
      {{ log('MMM SCENARIO ERROR ' ~ row['status_message'] ~ ' (geo ' ~ row['geo'] ~ '); the other scenarios were planned', info=true) }}
    {%- endfor -%}
  {%- endif -%}
  {{ failing }}
{% endtest %}
