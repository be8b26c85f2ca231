{% macro mmm_normal_crps(y, mean, sd) %}
  {#- CRPS of a normal forecast N(mean, sd^2) at the observation y (Gneiting & Raftery 2007):
      sd * (|z| erf(|z|/sqrt 2) + 2 phi(z) - 1/sqrt pi), z = (y - mean) / sd. erf by
      Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), so plain arithmetic works on every
      warehouse. Twin: scipy's closed form in tests/python/test_fit_and_marts.py. -#}
  {%- set z = '(abs((' ~ y ~ ') - (' ~ mean ~ ')) / (' ~ sd ~ '))' -%}
  {%- set x = '(' ~ z ~ ' / 1.4142135623730951)' -%}
  {%- set t = '(1 / (1 + 0.3275911 * ' ~ x ~ '))' -%}
  ({{ sd }}) * (
      {{ z }} * (1 - {{ t }} * (0.254829592 + {{ t }} * (-0.284496736 + {{ t }} * (1.421413741
          + {{ t }} * (-1.453152027 + {{ t }} * 1.061405429)))) * exp(-{{ x }} * {{ x }}))
      + 2 * exp(-0.5 * {{ z }} * {{ z }}) / 2.5066282746310002
      - 0.5641895835477563
  )
{%- endmacro %}
