"""Every adstock x saturation form of the registry, computed three ways, agrees to 1e-9.

For each pair the posterior marts are built by dbt from a generated posterior of that form (no
sampling) on the demo's SQL layer, and their contributions, weights and response curves are
checked against the registry's numpy functions (python_udfs/forms.py), against pymc-marketing's
own transformation classes, and against the optimizer's objective. A form added to the registry
without its SQL (or with its parameters named differently on either side) fails here.
"""

from __future__ import annotations

import itertools
import shutil

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import run_dbt
from engines import duckdb_load, duckdb_read

from python_udfs import transforms
from python_udfs.forms import ADSTOCK_FORMS, SATURATION_FORMS, adstock_form, components, saturation_form
from python_udfs.optimizer import ChannelDraws
from python_udfs.synthetic_posterior import synthetic_posterior

MAX_LAG = 6  # the demo's var mmm_max_lag
CHANNELS = ["display", "print", "search", "social", "tv"]
NODES = ["mmm_current_run", "int_posterior_scales", "int_posterior_draws_current", "int_posterior_channel_draws"]
NODES += ["int_channel_contribution_draws", "response_curves"]
PAIRS = list(itertools.product(ADSTOCK_FORMS, SATURATION_FORMS))
pytestmark = pytest.mark.quick


@pytest.fixture(scope="module", params=PAIRS, ids=[f"{a}-{s}" for a, s in PAIRS])
def built(request, sql_layer_db, tmp_path_factory):
    """The posterior nodes built once per form pair (both tests read them)."""
    adstock, saturation = request.param
    db = tmp_path_factory.mktemp(f"{adstock}-{saturation}") / sql_layer_db.name
    shutil.copy(sql_layer_db, db)
    posterior = synthetic_posterior(
        ["total"], CHANNELS, [], chains=2, draws=8, channel_scale=2000.0, target_scale=8e4, seed=3,
        adstock=adstock, saturation=saturation, max_lag=MAX_LAG,
    )  # fmt: skip
    duckdb_load(db, posterior)
    run_dbt(["run", "--select", *NODES], db)
    return db, adstock, saturation, posterior["mmm_posterior_draws"]


def _draws(posterior: pd.DataFrame, prefix: str, names: tuple[str, ...]) -> pd.DataFrame:
    """One row per chain x draw x channel with the form's parameters as columns."""
    rows = posterior[posterior["parameter"].isin([f"{prefix}_{n}" for n in names])]
    wide = rows.pivot_table(index=["chain", "draw", "term"], columns="parameter", values="value")
    return wide.rename(columns=lambda c: c.removeprefix(f"{prefix}_"))


def _frame(db, sql: str) -> pd.DataFrame:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).df()


def test_sql_equals_the_registry_and_pymc_marketing(built):
    db, adstock, saturation, posterior = built
    a_form, s_form = adstock_form(adstock), saturation_form(saturation)
    ad = _draws(posterior, "adstock", a_form.params)
    sat = _draws(posterior, "saturation", s_form.params)
    params = duckdb_read(db, "int_posterior_channel_draws").set_index(["chain", "draw", "channel"])
    assert len(params) == 2 * 8 * len(CHANNELS)

    # the SQL's columns carry the registry's parameters under their names; the other forms' are null
    sat = sat.rename_axis(index={"term": "channel"}).reindex(params.index)
    np.testing.assert_allclose(params["saturation_coefficient"], sat[s_form.coefficient], rtol=1e-12)
    for name in {n for form in SATURATION_FORMS.values() for n in form.shape}:
        if name in s_form.shape:
            np.testing.assert_allclose(params[f"saturation_{name}"], sat[name], rtol=1e-12)
        else:
            assert params[f"saturation_{name}"].isna().all(), name
    ad = ad.rename_axis(index={"term": "channel"}).reindex(params.index)
    weights = transforms.adstock_weights(adstock, MAX_LAG, *(ad[p].to_numpy() for p in a_form.params))
    sql_weights = params[[f"adstock_weight_{lag}" for lag in range(MAX_LAG + 1)]].to_numpy()
    np.testing.assert_allclose(sql_weights, weights, rtol=1e-9)

    # weekly contributions: SQL against the numpy twins and against pymc-marketing's classes
    contrib = _frame(
        db,
        """select c.chain, c.draw, c.channel, c.week_start, c.contribution, s.spend
           from main_build.int_channel_contribution_draws c
           join main_build.int_media_spend_weekly s using (week_start, channel)
           order by c.chain, c.draw, c.channel, c.week_start""",
    )
    assert len(contrib) > 0
    adstock_obj, saturation_obj = components(adstock, saturation, l_max=MAX_LAG + 1)
    for (chain, draw, channel), rows in itertools.islice(contrib.groupby(["chain", "draw", "channel"]), 0, None, 7):
        p = params.loc[(chain, draw, channel)]
        x = rows["spend"].to_numpy() / p["channel_scale"]
        shape = [sat.loc[(chain, draw, channel), n] for n in s_form.shape]
        coefficient = sat.loc[(chain, draw, channel), s_form.coefficient]
        stock = transforms.adstock(x, weights[params.index.get_loc((chain, draw, channel))])
        ours = p["target_scale"] * coefficient * s_form.curve(stock, *shape)
        np.testing.assert_allclose(rows["contribution"], ours, rtol=1e-9, atol=1e-9)
        a_values = {n: ad.loc[(chain, draw, channel), n] for n in a_form.params}
        stock_pm = adstock_obj.function(xr.DataArray(x, dims="t"), dim="t", **a_values).eval()
        s_values = {n: sat.loc[(chain, draw, channel), n] for n in s_form.params}
        theirs = saturation_obj.function(xr.DataArray(stock_pm, dims="t"), **s_values).eval()
        np.testing.assert_allclose(rows["contribution"], p["target_scale"] * theirs, rtol=1e-9, atol=1e-9)


def test_response_curve_and_marginal_return_equal_the_optimizers_objective(built):
    db, _, saturation, _ = built
    params = duckdb_read(db, "int_posterior_channel_draws")
    draws = ChannelDraws.from_frame(params, saturation)
    curves = _frame(
        db,
        "select channel, level_index, weekly_spend, contribution_mean, marginal_return_mean "
        "from main_build.response_curves where geo = 'total' and level_index in (5, 30, 55)",
    )
    assert len(curves) == 3 * len(CHANNELS)
    for level, rows in curves.groupby("level_index"):
        rows = rows.set_index("channel").loc[draws.channels]
        spend = rows["weekly_spend"].to_numpy()
        np.testing.assert_allclose(draws.contribution(spend).mean(axis=0), rows["contribution_mean"], rtol=1e-9)
        # the mart's marginal return: the next 1% of a grid step, per draw, then the mean
        step = 0.01 * spend / level
        nxt = (draws.contribution(spend + step) - draws.contribution(spend)) / step
        np.testing.assert_allclose(nxt.mean(axis=0), rows["marginal_return_mean"], rtol=1e-7)


@pytest.mark.parametrize("name", list(SATURATION_FORMS))
def test_each_saturation_slope_is_the_derivative_of_its_curve(name):
    form = saturation_form(name)
    rng = np.random.default_rng(1)
    x = rng.uniform(0.05, 3.0, 200)
    shape = [rng.uniform(0.5, 2.0, 200) for _ in form.shape]
    h = 1e-6
    numeric = (form.curve(x + h, *shape) - form.curve(x - h, *shape)) / (2 * h)
    np.testing.assert_allclose(form.slope(x, *shape), numeric, rtol=1e-6)
