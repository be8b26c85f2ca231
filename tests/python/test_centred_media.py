"""The intercept at the mean media level (python_udfs/centred_media.py): the baseline the tables
store gives, in the plain model the SQL marts compute, the same mean as the centred model; and a
prediction keeps the training weeks' centring. On the generated geo panel of test_geo_truth."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from test_geo_truth import MAX_LAG, WEEKS, generate

from python_udfs import centred_media, mmm_fit
from python_udfs.config import FitConfig
from python_udfs.panel import build_model_frame

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def frame():
    panel, spend, controls, _ = generate()
    mf = build_model_frame(panel, spend, controls)
    config = FitConfig.from_mapping({"max_lag": MAX_LAG}).resolved(WEEKS, len(mf.geos))
    assert config.centred_media  # the geo default
    return mf, config


def test_the_stored_baseline_gives_the_centred_models_mean(frame):
    import pymc as pm

    mf, config = frame
    X, y = mf.train.drop(columns=["kpi"]), mf.train["kpi"]
    centred = mmm_fit.build_mmm(mf, config)
    centred.build_model(X, y)
    plain = mmm_fit.build_mmm(mf, replace(config, centred_media=False))
    plain.build_model(X, y)
    free = [v.name for v in centred.model.free_RVs]
    with centred.model:
        prior = pm.sample_prior_predictive(draws=40, var_names=[*free, centred_media.PARAMETER, "mu"], random_seed=1)
    draws = prior["prior"].to_dataset() if "prior" in prior else prior.prior
    level = draws[centred_media.PARAMETER]
    assert float(np.abs(level).min()) > 1e-3  # media moves every geo's level: the test has power
    stored = centred_media.baseline_draws(draws[[*free, centred_media.PARAMETER]])
    assert centred_media.PARAMETER not in stored

    def plain_mu(posterior):
        with plain.model:
            pp = pm.sample_posterior_predictive(posterior, var_names=["mu"], progressbar=False, random_seed=1)
        pp = pp["posterior_predictive"].to_dataset() if "posterior_predictive" in pp else pp.posterior_predictive
        return pp["mu"].transpose(*draws["mu"].dims).values

    np.testing.assert_allclose(plain_mu(stored), draws["mu"].values, rtol=1e-9, atol=1e-12)
    # the level itself as the intercept would put each geo's baseline off by its mean media
    assert not np.allclose(plain_mu(draws[free]), draws["mu"].values, atol=1e-3)


def test_a_prediction_keeps_the_training_weeks_centring(frame):
    """Predicting the last 40 training weeks on their own reproduces the fitted mean there (after
    the first weeks, whose carry-over the window lacks); a centring taken over the predicted
    weeks instead of the training ones would shift every geo."""
    mf, config = frame
    config = replace(config, chains=1, draws=20, tune=30)
    X, y = mf.train.drop(columns=["kpi"]), mf.train["kpi"]
    mmm = mmm_fit.build_mmm(mf, config)
    idata = mmm_fit._sample(mmm, X, y, config, cores=1, keep=("mu",))
    posterior = idata["posterior"].to_dataset()
    # of the deterministics over dates only the one asked for is kept; those without dates all are
    assert {v for v in posterior.data_vars if "date" in posterior[v].dims} == {"mu"}
    assert {"saturation_beta", centred_media.PARAMETER} <= set(posterior.data_vars)
    dates = pd.to_datetime(X["date"])
    window = X[dates >= sorted(dates.unique())[-40]]
    pred = mmm.sample_posterior_predictive(
        window,
        extend_idata=False,
        include_last_observations=False,
        combined=False,
        var_names=["mu"],
        progressbar=False,
    )
    fitted = idata["posterior"].to_dataset()["mu"].isel(chain=0)
    predicted = pred["mu"].isel(chain=0)
    later = sorted(pd.to_datetime(window["date"]).unique())[MAX_LAG + 1 :]
    fitted = fitted.sel(date=later).transpose("draw", "date", "geo").values
    predicted = predicted.sel(date=later).transpose("draw", "date", "geo").values
    np.testing.assert_allclose(predicted, fitted, rtol=1e-6, atol=1e-9)
