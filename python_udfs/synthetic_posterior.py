"""A generated posterior in the fit's table layout, for benchmarks and cross-engine tests.

Building the posterior marts at scale (many geos, many draws) or on an engine that cannot run
the Python fit (Spark in session mode) needs posterior tables without sampling. These frames
have the columns of mmm_fits that the marts read, mmm_posterior_draws, mmm_posterior_scaling
and an empty mmm_posterior_basis for a model of any adstock and saturation form of the registry
(geometric and logistic by default; yearly Fourier seasonality, linear controls), with plausible
values from a fixed seed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from python_udfs.forms import adstock_form, saturation_form

DRAW_COLUMNS = ["run_id", "chain", "draw", "parameter", "geo", "term", "value"]
SCALING_COLUMNS = ["run_id", "parameter", "geo", "term", "value"]
# Plausible draws of each media parameter (posterior names), on scaled spend and KPI.
MEDIA_DRAWS = {
    "adstock_alpha": lambda rng, size: rng.beta(2.0, 3.0, size),
    "adstock_theta": lambda rng, size: rng.uniform(0.0, 3.0, size),
    "saturation_lam": lambda rng, size: rng.gamma(3.0, 1.0, size),
    "saturation_slope": lambda rng, size: rng.gamma(4.0, 0.4, size),
    "saturation_kappa": lambda rng, size: rng.uniform(0.2, 1.5, size),
    "saturation_beta": lambda rng, size: np.abs(rng.normal(0.0, 0.3, size)),
    "saturation_alpha": lambda rng, size: np.abs(rng.normal(0.0, 0.3, size)),
}


def synthetic_posterior(
    geos: list[str],
    channels: list[str],
    controls: list[str],
    *,
    chains: int = 4,
    draws: int = 1000,
    fourier_modes: int = 2,
    channel_scale: float = 1000.0,
    target_scale: float = 1000.0,
    control_range: tuple[float, float] = (0.0, 1.0),
    seed: int = 0,
    run_id: str = "synthetic",
    adstock: str = "geometric",
    saturation: str = "logistic",
    max_lag: int | None = None,
) -> dict[str, pd.DataFrame]:
    """{table name: frame} for mmm_fits (the columns the marts read: run id, when last used,
    the settings), mmm_posterior_draws and mmm_posterior_scaling."""
    rng = np.random.default_rng(seed)
    n = chains * draws
    chain = np.repeat(np.arange(chains), draws)
    draw = np.tile(np.arange(draws), chains)
    fourier = [f"{wave}_{k}" for k in range(1, fourier_modes + 1) for wave in ("sin", "cos")]
    media = [f"adstock_{p}" for p in adstock_form(adstock).params]
    media += [f"saturation_{p}" for p in saturation_form(saturation).params]
    per_term: dict[str, tuple[list[str], Callable[[int], np.ndarray]]] = {
        **{name: (channels, partial(MEDIA_DRAWS[name], rng)) for name in media},
        "gamma_control": ([*controls, "trend"], lambda size: rng.normal(0.0, 0.1, size)),
        "gamma_fourier": (fourier, lambda size: rng.normal(0.0, 0.05, size)),
        "intercept_contribution": ([""], lambda size: rng.normal(0.5, 0.05, size)),
        "y_sigma": ([""], lambda size: np.abs(rng.normal(0.0, 0.05, size))),
    }
    frames = []
    for parameter, (terms, sampler) in per_term.items():
        for geo in geos:
            for term in terms:
                frames.append(
                    pd.DataFrame(
                        {
                            "chain": chain,
                            "draw": draw,
                            "parameter": parameter,
                            "geo": geo,
                            "term": term,
                            "value": sampler(n),
                        }
                    )
                )
    posterior = pd.concat(frames, ignore_index=True)
    posterior.insert(0, "run_id", run_id)

    lo, hi = control_range
    scaling_rows = [(run_id, "target_scale", geo, "", target_scale) for geo in geos]
    scaling_rows += [(run_id, "channel_scale", geo, ch, channel_scale) for geo in geos for ch in channels]
    for control in [*controls, "trend"]:
        scaling_rows += [
            (run_id, "control_offset", "total", control, lo),
            (run_id, "control_scale", "total", control, hi - lo),
        ]
    settings = {"adstock": adstock, "saturation": saturation, "yearly_seasonality": fourier_modes}
    if max_lag is not None:
        settings["max_lag"] = max_lag
    fits = pd.DataFrame(
        {
            "run_id": [run_id],
            "fitted_at": [pd.Timestamp("2026-01-01")],
            "last_used_at": [pd.Timestamp("2026-01-01")],
            "model_config": [json.dumps(settings)],
        }
    )
    return {
        "mmm_fits": fits,
        "mmm_posterior_draws": posterior[DRAW_COLUMNS],
        "mmm_posterior_scaling": pd.DataFrame(scaling_rows, columns=SCALING_COLUMNS),
        # a constant intercept: no time-varying baseline basis (typed, so engines can load it empty)
        "mmm_posterior_basis": pd.DataFrame(
            {
                "run_id": pd.Series(dtype="string"),
                "week_start": pd.Series(dtype="datetime64[us]"),
                "term": pd.Series(dtype="string"),
                "value": pd.Series(dtype="float64"),
            }
        ),
    }
