{% macro mmm_saturation(saturation, x, p1, p2) %}
  {#- Saturation of scaled, adstocked spend x, before the channel coefficient, as in
      pymc-marketing. logistic(x; lam=p1); hill(x; slope=p1, kappa=p2);
      michaelis_menten(x; alpha=p1, lam=p2) (alpha is the ceiling, so no beta is applied).
      Twin: python_udfs.transforms.saturation. -#}
  {{ return(adapter.dispatch('mmm_saturation', 'warehouse_mmm')(saturation, x, p1, p2)) }}
{% endmacro %}

{% macro default__mmm_saturation(saturation, x, p1, p2) %}
  {%- if saturation == 'logistic' -%}
    ((1 - exp(-({{ p1 }}) * ({{ x }}))) / (1 + exp(-({{ p1 }}) * ({{ x }}))))
  {%- elif saturation == 'hill' -%}
    (case when ({{ x }}) <= 0 then 0 else power({{ x }}, {{ p1 }}) / (power({{ p2 }}, {{ p1 }}) + power({{ x }}, {{ p1 }})) end)
  {%- elif saturation == 'michaelis_menten' -%}
    ({{ p1 }} * ({{ x }}) / ({{ p2 }} + ({{ x }})))
  {%- else -%}
    {{ exceptions.raise_compiler_error("mmm_saturation: unknown saturation '" ~ saturation ~ "'") }}
  {%- endif -%}
{% endmacro %}
