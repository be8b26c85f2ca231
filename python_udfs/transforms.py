"""Pure numpy twins of the SQL transform macros (adstock weights, saturation, response).

Why twins: warehouses without Python UDFs compute the marts with the SQL macros; these
functions are what DuckDB can call from SQL and what tests hold both against pymc-marketing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def adstock_weights(
    adstock: str, max_lag: int, alpha: npt.ArrayLike, theta: npt.ArrayLike = 0.0, normalize: bool = True
) -> Array:
    """Weights for lags 0..max_lag (geometric: alpha^l; delayed: alpha^((l - theta)^2)), on the
    last axis; alpha (and theta) may be arrays, e.g. one value per draw and channel.

    >>> adstock_weights("geometric", 2, 0.5, normalize=False).tolist()
    [1.0, 0.5, 0.25]
    >>> adstock_weights("geometric", 2, [0.5, 0.0]).sum(axis=-1).tolist()
    [1.0, 1.0]
    """
    lags = np.arange(max_lag + 1, dtype=float)
    alpha = np.asarray(alpha, dtype=float)[..., None]
    if adstock == "geometric":
        w = np.power(alpha, lags)
    elif adstock == "delayed":
        w = np.power(alpha, (lags - np.asarray(theta, dtype=float)[..., None]) ** 2)
    else:
        raise ValueError(f"adstock must be geometric or delayed, got {adstock!r}")
    return w / w.sum(axis=-1, keepdims=True) if normalize else w


def adstock(spend: npt.ArrayLike, weights: npt.ArrayLike) -> Array:
    """Adstocked series: sum over lags of weight x spend that many steps back (zeros before)."""
    x, w = np.asarray(spend, dtype=float), np.asarray(weights, dtype=float)
    out = np.zeros_like(x)
    for lag, wl in enumerate(w):
        out[lag:] += wl * x[: len(x) - lag]
    return out


def saturation(kind: str, x: npt.ArrayLike, p1: float, p2: float | None = None) -> Array:
    """logistic(x; lam=p1), hill(x; slope=p1, kappa=p2), michaelis_menten(x; alpha=p1, lam=p2)."""
    x = np.asarray(x, dtype=float)
    if kind == "logistic":
        return (1 - np.exp(-p1 * x)) / (1 + np.exp(-p1 * x))
    if p2 is None:
        raise ValueError(f"saturation {kind} needs its second parameter")
    if kind == "hill":
        xs = np.power(np.maximum(x, 0), p1)
        return xs / (np.power(p2, p1) + xs)
    if kind == "michaelis_menten":
        return p1 * x / (p2 + x)
    raise ValueError(f"saturation must be logistic, hill or michaelis_menten, got {kind!r}")
