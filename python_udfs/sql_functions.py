"""Functions SQL can call: registered into DuckDB by the dbt-duckdb plugin (duckdb_plugin.py)
or by `register(con)` on any DuckDB connection, e.g. an analyst's session on mmm.duckdb.

Scalar transforms are vectorised over Arrow arrays (one call per batch, not per row). Each
has a SQL macro twin in macros/transforms for warehouses without Python UDFs.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from duckdb.func import PythonUDFType

from python_udfs import transforms


def logistic_saturation(x: pa.Array, lam: pa.Array) -> pa.Array:
    """mmm_logistic_saturation(x, lam): pymc-marketing's logistic saturation of scaled spend."""
    return pa.array(
        transforms.saturation("logistic", x.to_numpy(zero_copy_only=False), lam.to_numpy(zero_copy_only=False))
    )


def channel_response(
    weekly_spend: pa.Array,
    alpha: pa.Array,
    lam: pa.Array,
    beta: pa.Array,
    channel_scale: pa.Array,
    target_scale: pa.Array,
    max_lag: pa.Array,
) -> pa.Array:
    """mmm_channel_response(...): expected steady-state weekly contribution (KPI units) of
    spending weekly_spend every week, for one set of parameters (one draw, or their means)."""
    a = {k: v.to_numpy(zero_copy_only=False).astype(float) for k, v in locals().items()}
    weight_sum = np.empty_like(a["alpha"])
    for lag in np.unique(a["max_lag"]):  # rows may differ in max_lag; usually one value
        rows = a["max_lag"] == lag
        weight_sum[rows] = transforms.adstock_weights("geometric", int(lag), a["alpha"][rows]).sum(axis=-1)
    x = a["weekly_spend"] * weight_sum / a["channel_scale"]
    return pa.array(a["target_scale"] * a["beta"] * transforms.saturation("logistic", x, a["lam"]))


def geometric_adstock(spend_lags: list[float], alpha: float) -> float:
    """mmm_geometric_adstock([spend at lag 0, lag 1, ...], alpha): normalised geometric adstock."""
    w = transforms.adstock_weights("geometric", len(spend_lags) - 1, alpha)
    return float(np.dot(w, np.asarray(spend_lags, dtype=float)))


def optimize_budget(
    channels: list[str],
    alpha: list[float],
    lam: list[float],
    beta: list[float],
    channel_scale: list[float],
    target_scale: float,
    budget: float,
    lower: list[float],
    upper: list[float],
    max_lag: int,
) -> list[dict]:
    """mmm_optimize_budget(...): the weekly budget split maximising expected contribution for
    the given response parameters; returns LIST(STRUCT(channel, weekly_spend)) to unnest."""
    # Imported here: scipy.optimize costs 1 s, and every dbt command registers these functions.
    from python_udfs.optimizer import ChannelDraws, Plan, optimize_allocation

    draws = ChannelDraws(
        channels=list(channels),
        weights=transforms.adstock_weights("geometric", max_lag, alpha)[None, :, :],
        p1=np.asarray(lam, dtype=float)[None, :],
        beta=np.asarray(beta, dtype=float)[None, :],
        channel_scale=np.asarray(channel_scale, dtype=float),
        target_scale=float(target_scale),
    )
    lo, hi = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    spend = optimize_allocation(draws, Plan(lower=lo, upper=hi, budget=float(budget)), (lo + hi) / 2).weekly_spend
    return [{"channel": c, "weekly_spend": float(s)} for c, s in zip(channels, spend, strict=True)]


def register(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Register every mmm_* function on a DuckDB connection."""
    d, i, v = "DOUBLE", "INTEGER", "VARCHAR"
    arrow = PythonUDFType.ARROW
    con.create_function("mmm_logistic_saturation", logistic_saturation, [d, d], d, type=arrow)
    con.create_function("mmm_channel_response", channel_response, [d, d, d, d, d, d, i], d, type=arrow)
    con.create_function("mmm_geometric_adstock", geometric_adstock, [f"{d}[]", d], d)
    con.create_function(
        "mmm_optimize_budget",
        optimize_budget,
        [f"{v}[]", f"{d}[]", f"{d}[]", f"{d}[]", f"{d}[]", d, d, f"{d}[]", f"{d}[]", i],
        "STRUCT(channel VARCHAR, weekly_spend DOUBLE)[]",
    )
    return con
