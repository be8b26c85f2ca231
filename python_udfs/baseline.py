"""The time-varying baseline: pymc-marketing's SoftPlusHSGP intercept, and its basis for the SQL.

Why: sales whose baseline drifts (a store network growing, a competitor entering) are forced
through a straight trend otherwise, and media gets the blame or the credit for the drift. With
`mmm_fit.time_varying_intercept: true` the intercept is `intercept_baseline` times a positive
multiplier with mean 1 over the training weeks: softplus of a Hilbert-space Gaussian process
(phi(week) . coefficients), divided by its training mean (`f_mean`). The SQL marts recompute it
from the draws like every other component: the fit stores phi, one row per week and basis
function, which depends on the weeks only, and the coefficients and `f_mean` are draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

LATENT = "intercept_latent_process"
COEFFICIENTS = f"{LATENT}_raw_hsgp_coefs"
F_MEAN = f"{LATENT}_f_mean"
BASIS = "intercept_basis"
# The drift is slower than a quarter: faster movement belongs to seasonality, controls and media,
# and a wigglier baseline would absorb them. 90% of the lengthscale's prior mass lies between a
# quarter and the whole training window.
MIN_LENGTHSCALE_WEEKS = 13
DAYS_PER_STEP = 7  # pymc-marketing's time index counts weeks from the first training week


def latent_process(n_train_weeks: int, dims: tuple[str, ...]) -> Any:
    """The SoftPlusHSGP pymc-marketing multiplies the intercept by, sized from the data
    (pymc-marketing's own recommendations for the number of basis functions and the boundary)."""
    from pymc_marketing.mmm import SoftPlusHSGP

    upper = max(float(n_train_weeks), 2.0 * MIN_LENGTHSCALE_WEEKS)
    return SoftPlusHSGP.parameterize_from_data(
        X=np.arange(n_train_weeks), dims=("date", *dims), ls_lower=MIN_LENGTHSCALE_WEEKS, ls_upper=upper
    )


def basis(hsgp: Any, weeks: pd.Series, first_train_week: pd.Timestamp) -> xr.DataArray:
    """phi per week (training and holdout) and basis function, as pymc-marketing builds it:
    PyMC's Laplace eigenfunctions at the week's time index less the process's midpoint, the
    first function dropped when the process drops it."""
    from pymc.gp.hsgp_approx import calc_eigenvalues, calc_eigenvectors

    if getattr(hsgp, "demeaned_basis", False):
        raise ValueError("a demeaned HSGP basis has no SQL twin here")
    weeks = pd.Series(np.unique(pd.to_datetime(weeks)))
    index = ((weeks - pd.Timestamp(first_train_week)).dt.days // DAYS_PER_STEP).to_numpy(dtype=float)
    centred = (index - float(hsgp.X_mid))[:, None]
    boundary = np.array([float(hsgp.L)])  # an array: PyMC computes 2 * L, which repeats a list
    eigenvalues = calc_eigenvalues(boundary, [hsgp.m])
    phi = np.asarray(calc_eigenvectors(centred, boundary, eigenvalues, [hsgp.m]).eval())
    if hsgp.drop_first:
        phi = phi[:, 1:]
    return xr.DataArray(
        phi,
        dims=("week", "basis_function"),
        coords={"week": weeks.to_numpy(), "basis_function": np.arange(phi.shape[1])},
        name=BASIS,
    )


def basis_long(tree: xr.DataTree) -> pd.DataFrame:
    """The stored basis as rows (week_start, term, value); no rows for a fit without it."""
    const = tree["constant_data"].to_dataset()
    if BASIS not in const:
        return pd.DataFrame({"week_start": pd.Series(dtype="object"), "term": [], "value": []})
    df = const[BASIS].to_dataframe(name="value").reset_index()
    return pd.DataFrame(
        {
            "week_start": pd.to_datetime(df["week"]).dt.date,  # a date, as the panel's week_start
            "term": df["basis_function"].astype(str),
            "value": df["value"].astype("float64"),
        }
    )
