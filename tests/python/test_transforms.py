"""The numpy twins agree with pymc-marketing's own transforms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from pymc_marketing.mmm.transformers import (
    delayed_adstock,
    geometric_adstock,
    hill_function,
    logistic_saturation,
    michaelis_menten,
)

from python_udfs import transforms


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(7)


@pytest.mark.parametrize("alpha", [0.05, 0.4, 0.85])
def test_geometric_adstock_matches_pymc_marketing(rng, alpha):
    x = rng.gamma(2, 1, 40)
    theirs = geometric_adstock(xr.DataArray(x, dims="t"), alpha=alpha, l_max=7, normalize=True, dim="t").eval()
    ours = transforms.adstock(x, transforms.adstock_weights("geometric", 6, alpha))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_delayed_adstock_matches_pymc_marketing(rng):
    x = rng.gamma(2, 1, 40)
    theirs = delayed_adstock(xr.DataArray(x, dims="t"), alpha=0.6, theta=2, l_max=7, normalize=True, dim="t").eval()
    ours = transforms.adstock(x, transforms.adstock_weights("delayed", 6, 0.6, theta=2))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_saturations_match_pymc_marketing(rng):
    x = rng.uniform(0, 3, 50)
    xt = xr.DataArray(x, dims="t")
    np.testing.assert_allclose(
        transforms.saturation("logistic", x, 1.7), logistic_saturation(xt, lam=1.7).eval(), rtol=1e-10
    )
    np.testing.assert_allclose(
        2.0 * transforms.saturation("michaelis_menten", x, 0.5), michaelis_menten(xt, 2.0, 0.5).eval(), rtol=1e-10
    )
    np.testing.assert_allclose(
        transforms.saturation("hill", x, 1.5, 0.8), hill_function(xt, 1.5, 0.8).eval(), rtol=1e-10
    )


def test_unknown_transform_names_the_choice():
    with pytest.raises(ValueError, match="weibull"):
        transforms.adstock_weights("weibull", 3, 0.5)


def test_yearly_fourier_matches_pymc_marketing():
    from pymc_marketing.mmm.fourier import YearlyFourier, generate_fourier_modes
    from pytensor.xtensor import as_xtensor

    day = pd.date_range("2023-01-02", periods=70, freq="7D").day_of_year.to_numpy(dtype=float)
    assert YearlyFourier.model_fields["days_in_period"].default == transforms.DAYS_IN_YEAR
    periods = as_xtensor(day / transforms.DAYS_IN_YEAR, dims=("date",))
    theirs = generate_fourier_modes(periods, n_order=3).transpose("date", "fourier_mode").eval()
    np.testing.assert_allclose(transforms.yearly_fourier(day, 3), theirs, atol=1e-12)
