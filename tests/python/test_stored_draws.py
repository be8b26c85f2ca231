"""Which deterministics a fit keeps (mmm_fit.stored_deterministics): none over dates unless a
caller asks, so the fit's memory grows with parameters, not with weeks x geos x channels."""

from __future__ import annotations

import numpy as np
import pytest

from python_udfs import mmm_fit

pytestmark = pytest.mark.quick


def test_only_deterministics_without_dates_are_kept_unless_asked():
    import pymc as pm

    coords = {"date": np.arange(5), "geo": ["a", "b"], "channel": ["tv", "search"]}
    with pm.Model(coords=coords) as model:
        beta = pm.HalfNormal("beta", dims=("geo", "channel"))
        pm.Deterministic("beta_total", beta.sum(axis=0), dims="channel")
        spend = pm.Data("spend", np.ones((5, 2, 2)), dims=("date", "geo", "channel"))
        contribution = pm.Deterministic("channel_contribution", spend * beta, dims=("date", "geo", "channel"))
        pm.Deterministic("mu", contribution.sum(axis=-1), dims=("date", "geo"))
    assert mmm_fit.stored_deterministics(model) == ["beta_total"]
    assert mmm_fit.stored_deterministics(model, keep=("mu",)) == ["beta_total", "mu"]
