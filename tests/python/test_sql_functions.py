"""SQL-callable Python functions, as an analyst uses them on the built DuckDB file."""

from __future__ import annotations

import duckdb
import pytest

from python_udfs.sql_functions import register


@pytest.fixture()
def con(demo_fit):
    db, *_ = demo_fit
    with duckdb.connect(str(db), read_only=True) as connection:
        yield register(connection)


def test_response_udf_equals_the_sql_macro_twin(con):
    """Averaged over draws, the UDF gives the response_curves mart (built by SQL macros)."""
    rows = con.sql(
        """
        with level as (
            select channel, weekly_spend, contribution_mean
            from main.response_curves where level_index = 30
        ),
        per_draw as (
            select p.channel, level.contribution_mean,
                   mmm_channel_response(level.weekly_spend, p.adstock_alpha, p.saturation_lam,
                       p.saturation_coefficient, p.channel_scale, p.target_scale, 6) as response
            from main.int_posterior_channel_draws p join level using (channel)
        )
        select channel, avg(response), max(contribution_mean) from per_draw group by channel
        """
    ).fetchall()
    assert len(rows) == 5
    for channel, udf, mart in rows:
        assert udf == pytest.approx(mart, rel=1e-9), channel


def test_optimizer_udf_from_sql_respects_budget_and_bounds(con):
    rows = con.sql(
        """
        with p as (
            select channel, avg(adstock_alpha) as alpha, avg(saturation_lam) as lam,
                   avg(saturation_coefficient) as beta, max(channel_scale) as cs, max(target_scale) as ts
            from main.int_posterior_channel_draws group by channel order by channel
        )
        select unnest(mmm_optimize_budget(list(channel), list(alpha), list(lam), list(beta),
                      list(cs), max(ts), 7000.0, list(500.0), list(4000.0), 6), recursive := true)
        from p
        """
    ).fetchall()
    spend = dict(rows)
    assert sum(spend.values()) == pytest.approx(7000.0, rel=1e-9)
    assert all(500.0 - 1e-6 <= s <= 4000.0 + 1e-6 for s in spend.values())


def test_small_transforms_from_sql(con):
    ((sat, ad),) = con.sql(
        "select mmm_logistic_saturation(0.5, 2.0), mmm_geometric_adstock([100.0, 50.0, 0.0], 0.5)"
    ).fetchall()
    assert sat == pytest.approx((1 - 2.718281828459045**-1) / (1 + 2.718281828459045**-1))
    assert ad == pytest.approx((100 + 25) / 1.75)
