{% macro mmm_saturation_forms() %}
  {#- Each saturation form's parameters as pymc-marketing names them: the coefficient (the
      curve's ceiling in scaled KPI) and the shape parameters in the order mmm_saturation takes
      them (columns saturation_<name>). The SQL half of the registry in python_udfs/forms.py;
      tests/python/test_form_parity.py holds the two together. -#}
  {{ return({
      'logistic': {'coefficient': 'beta', 'shape': ['lam']},
      'hill': {'coefficient': 'beta', 'shape': ['slope', 'kappa']},
      'michaelis_menten': {'coefficient': 'alpha', 'shape': ['lam']},
  }) }}
{% endmacro %}

{% macro mmm_saturation_parameters(saturation) %}
  {#- One form's entry of mmm_saturation_forms; an unknown form fails naming it. -#}
  {%- set forms = mmm_saturation_forms() -%}
  {%- if saturation not in forms -%}
    {{ exceptions.raise_compiler_error("mmm_saturation: unknown saturation '" ~ saturation ~ "'") }}
  {%- endif -%}
  {{ return(forms[saturation]) }}
{% endmacro %}

{% macro mmm_saturation_shape_columns() %}
  {#- Every form's shape parameter names, each a column saturation_<name> of
      int_posterior_channel_draws (null where the run's form has no such parameter), so the
      columns keep one schema whatever the form. -#}
  {%- set names = [] -%}
  {%- for form in mmm_saturation_forms().values() -%}
    {%- for name in form['shape'] if name not in names -%}{%- do names.append(name) -%}{%- endfor -%}
  {%- endfor -%}
  {{ return(names) }}
{% endmacro %}

{% macro mmm_saturation(saturation, x, p1, p2) %}
  {#- Saturation of scaled, adstocked spend x with the coefficient at 1, as in pymc-marketing:
      logistic(x; lam=p1); hill(x; slope=p1, kappa=p2); michaelis_menten(x; lam=p1).
      Twin: python_udfs.forms (curve). -#}
  {{ return(adapter.dispatch('mmm_saturation', 'warehouse_mmm')(saturation, x, p1, p2)) }}
{% endmacro %}

{% macro default__mmm_saturation(saturation, x, p1, p2) %}
  {%- if saturation == 'logistic' -%}
    ((1 - exp(-({{ p1 }}) * ({{ x }}))) / (1 + exp(-({{ p1 }}) * ({{ x }}))))
  {%- elif saturation == 'hill' -%}
    (case when ({{ x }}) <= 0 then 0 else power({{ x }}, {{ p1 }}) / (power({{ p2 }}, {{ p1 }}) + power({{ x }}, {{ p1 }})) end)
  {%- elif saturation == 'michaelis_menten' -%}
    (({{ x }}) / ({{ p1 }} + ({{ x }})))
  {%- else -%}
    {{ exceptions.raise_compiler_error("mmm_saturation: unknown saturation '" ~ saturation ~ "'") }}
  {%- endif -%}
{% endmacro %}
