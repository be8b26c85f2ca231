{% macro mmm_interval_bounds() %}
  {#- The interval every mart reports: equal-tailed 94%, its lower and upper quantiles, and the
      normal quantile for a band of mean +/- z sd. The SQL twin of python_udfs/intervals.py
      (tests/python/test_sql_dialects.py holds them equal); read by mmm_interval and fitted_values. -#}
  {{ return({'prob': 0.94, 'lower': 0.03, 'upper': 0.97, 'z': 1.8807936081512504}) }}
{% endmacro %}
