"""Pure numpy twins of the SQL transform macros (adstock weights, saturation, response).

Why twins: warehouses without Python UDFs compute the marts with the SQL macros; these
functions are what DuckDB can call from SQL and what tests hold both against pymc-marketing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def adstock_weights(adstock: str, max_lag: int, alpha: float, theta: float = 0.0, normalize: bool = True) -> Array:
    """Weights for lags 0..max_lag (geometric: alpha^l; delayed: alpha^((l - theta)^2)).

    >>> adstock_weights("geometric", 2, 0.5, normalize=False).tolist()
    [1.0, 0.5, 0.25]
    """
    lags = np.arange(max_lag + 1, dtype=float)
    if adstock == "geometric":
        w = np.power(alpha, lags)
    elif adstock == "delayed":
        w = np.power(alpha, (lags - theta) ** 2)
    else:
        raise ValueError(f"adstock must be geometric or delayed, got {adstock!r}")
    return w / w.sum() if normalize else w


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
    if kind == "hill":
        xs = np.power(np.maximum(x, 0), p1)
        return xs / (np.power(p2, p1) + xs)
    if kind == "michaelis_menten":
        return p1 * x / (p2 + x)
    raise ValueError(f"saturation must be logistic, hill or michaelis_menten, got {kind!r}")


def steady_state_response(
    weekly_spend: npt.ArrayLike,
    *,
    alpha: float,
    lam: float,
    beta: float,
    channel_scale: float,
    target_scale: float,
    max_lag: int = 6,
) -> Array:
    """Expected weekly contribution (KPI units) of spending `weekly_spend` every week, for the
    default model (normalised geometric adstock, logistic saturation)."""
    w_sum = adstock_weights("geometric", max_lag, alpha).sum()
    x = np.asarray(weekly_spend, dtype=float) * w_sum / channel_scale
    return target_scale * beta * saturation("logistic", x, lam)
