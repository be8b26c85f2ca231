"""Out-of-time scores of a fitted MMM on the weeks it did not see: CRPS, MAPE and coverage.

Why one module: the model comparison and the time-slice cross-validation score held-out weeks
the same way, so a fold's CRPS and a candidate form's CRPS can be read side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from python_udfs import intervals, week_effect
from python_udfs.panel import ModelFrame


@dataclass(frozen=True)
class HoldoutScores:
    crps: float  # mean CRPS per held-out row, KPI units
    mape: float  # mean absolute percentage error of the posterior predictive mean
    coverage: float  # share of held-out rows inside the predictive interval (intervals.PROB)


def predictive(mmm: Any, mf: ModelFrame, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Observed KPI (rows) and posterior predictive draws (samples x rows) of the holdout rows,
    in KPI units, ordered by date then geo; the last training weeks are carried in so adstock
    sees the spend before the holdout."""
    holdout = mf.frame.loc[mf.holdout.to_numpy()].reset_index(drop=True)
    pred = mmm.sample_posterior_predictive(
        holdout.drop(columns=["kpi"]),
        extend_idata=False,
        include_last_observations=True,
        combined=True,
        random_seed=seed,
        progressbar=False,
    )
    target_scale = mmm.idata["constant_data"].to_dataset()["target_scale"]
    y = (pred["y"] * target_scale).transpose("sample", "date", ...)  # y is on the scaled KPI
    posterior = mmm.idata["posterior"].to_dataset()
    values = y.values
    if week_effect.SIGMA in posterior:  # a geo panel's shared shock, unknown in a week not fitted
        sigma = posterior[week_effect.SIGMA].stack(sample=("chain", "draw")).sel(sample=y["sample"]).values
        fitted = week_effect.week_labels(mf.train["date"])
        new_week = (week_effect.week_index(y["date"].values, fitted) < 0).astype(float)
        rng = np.random.default_rng(seed)
        values = week_effect.add_to_predictive(values, sigma, target_scale.sel(geo=y["geo"]).values, new_week, rng)
    draws = values.reshape(y.sizes["sample"], -1)
    observed = holdout.sort_values([c for c in ("date", "geo") if c in holdout])["kpi"].to_numpy()
    return observed, draws


def scores(observed: np.ndarray, draws: np.ndarray) -> HoldoutScores:
    """CRPS (pymc-marketing's), MAPE of the predictive mean (rows with a zero KPI left out)
    and the share of rows inside the equal-tailed 94% predictive interval."""
    from pymc_marketing.metrics import crps

    low, high = np.quantile(draws, [intervals.LOWER, intervals.UPPER], axis=0)
    nonzero = observed != 0
    ape = np.abs(draws.mean(axis=0) - observed)[nonzero] / np.abs(observed[nonzero])
    return HoldoutScores(
        crps=float(crps(observed, draws)),
        mape=float(ape.mean()) if len(ape) else float("nan"),
        coverage=float(((observed >= low) & (observed <= high)).mean()),
    )
