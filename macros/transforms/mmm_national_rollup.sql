{% macro mmm_national_rollup(relation, keys, after_geo, sums) %}
  {#- The nation's rows of a geo panel: each of `sums` added over the geos per `keys` and
      `after_geo` (a draw, a week, a channel), as geo 'total'; columns in the order keys, geo,
      after_geo, sums, to union with the per-geo rows in that order. Summed per draw before any
      interval is taken, so a national interval is the interval of the national total, never a
      sum of intervals. A national panel's only geo is already 'total': it gets nothing here. -#}
    select
        {% for key in keys -%}
        {{ key }},
        {% endfor -%}
        'total' as geo,
        {% for key in after_geo -%}
        {{ key }},
        {% endfor -%}
        {% for column in sums -%}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {% endfor -%}
    from {{ relation }}
    where geo <> 'total'
    group by {{ (keys + after_geo) | join(', ') }}
{% endmacro %}
