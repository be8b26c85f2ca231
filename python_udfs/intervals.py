"""The one posterior interval every table, message and chart reports: equal-tailed, 94%.

94% is arviz's and pymc-marketing's default. Equal-tailed (the 3% and 97% quantiles) rather than
an HDI because SQL computes it from draws in one aggregate on every warehouse. The SQL twin is
the macro ``mmm_interval_bounds``; tests/python/test_sql_dialects.py holds the two equal.
"""

from __future__ import annotations

from statistics import NormalDist

PROB = 0.94
LOWER = round((1 - PROB) / 2, 12)  # 0.03
UPPER = round(1 - LOWER, 12)  # 0.97
# A normal's UPPER quantile in standard deviations (1.881): the predictive band of fitted_values.
Z = NormalDist().inv_cdf(UPPER)
LABEL = f"{PROB:.0%} equal-tailed posterior intervals ({LOWER:.0%} to {UPPER:.0%} quantiles)"
