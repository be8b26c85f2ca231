"""Pure numpy twins of the SQL transform macros (adstock weights, saturation, response).

Why twins: warehouses without Python UDFs compute the marts with the SQL macros; these
functions are what DuckDB can call from SQL and what tests hold both against pymc-marketing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from python_udfs.forms import adstock_form, saturation_form

Array = npt.NDArray[np.float64]

# pymc-marketing's YearlyFourier.days_in_period; int_seasonality_draws.sql uses the same year.
DAYS_IN_YEAR = 365.25


def adstock_weights(
    adstock: str, max_lag: int, alpha: npt.ArrayLike, theta: npt.ArrayLike = 0.0, normalize: bool = True
) -> Array:
    """Weights for lags 0..max_lag of the registry's kernel (geometric: alpha^l; delayed:
    alpha^((l - theta)^2)), on the last axis; alpha (and theta) may be arrays, e.g. one value per
    draw and channel.

    >>> adstock_weights("geometric", 2, 0.5, normalize=False).tolist()
    [1.0, 0.5, 0.25]
    >>> adstock_weights("geometric", 2, [0.5, 0.0]).sum(axis=-1).tolist()
    [1.0, 1.0]
    """
    form = adstock_form(adstock)
    lags = np.arange(max_lag + 1, dtype=float)
    values = {"alpha": alpha, "theta": theta}
    w = form.kernel(lags, *(np.asarray(values[p], dtype=float)[..., None] for p in form.params))
    return w / w.sum(axis=-1, keepdims=True) if normalize else w


def adstock(spend: npt.ArrayLike, weights: npt.ArrayLike) -> Array:
    """Adstocked series: sum over lags of weight x spend that many steps back (zeros before)."""
    x, w = np.asarray(spend, dtype=float), np.asarray(weights, dtype=float)
    out = np.zeros_like(x)
    for lag, wl in enumerate(w):
        out[lag:] += wl * x[: len(x) - lag]
    return out


def saturation(kind: str, x: npt.ArrayLike, *shape: npt.ArrayLike) -> Array:
    """The registry's saturation curve with the coefficient at 1, given its shape parameters in
    registry order: logistic(x; lam), hill(x; slope, kappa), michaelis_menten(x; lam)."""
    form = saturation_form(kind)
    if len(shape) != len(form.shape) or any(p is None for p in shape):
        raise ValueError(f"saturation {kind} takes {', '.join(form.shape)}")
    return form.curve(np.asarray(x, dtype=float), *(np.asarray(p, dtype=float) for p in shape))


def yearly_fourier(day_of_year: npt.ArrayLike, modes: int) -> Array:
    """The yearly seasonality's features (weeks x 2 modes: sin of modes 1..modes, then cos) as
    pymc-marketing and int_seasonality_draws.sql build them from the day of year.

    >>> yearly_fourier([1.0, 8.0], 3).shape
    (2, 6)
    """
    day = np.asarray(day_of_year, dtype=float)
    angle = 2 * np.pi * np.outer(day / DAYS_IN_YEAR, np.arange(1, modes + 1))
    return np.hstack([np.sin(angle), np.cos(angle)])
