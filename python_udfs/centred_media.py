"""The intercept parameterised at the training weeks' mean media level (geo panels by default).

Why: in the plain model a channel's saturation (lam) or carryover moves its contribution in every
week and every geo at once, so each geo's intercept has to move the other way to keep the fit: a
direction through the intercepts of all geos and the shared shapes that NUTS can only cross once
nutpie's low-rank mass matrix has learnt it, which needs a recomputation every 20 warm-up draws
(on Meridian's geo data half of the fit's wall time went to those recomputations; at one every
100 the fit did not converge, r-hat 1.04). Here the model's free intercept is each geo's level at
its mean media contribution over the training weeks, and the media term enters the mean as its
deviation from that level:

    mu[t, g] = level[g] + sum_c (contribution[t, g, c] - mean_t contribution[., g, c]) + ...

The same model, written so that a shape change no longer moves the levels. Meridian's geo data,
default fit (4 chains x 1,500 + 1,500, target 0.95): r-hat 1.004 and lowest bulk ESS 1,793
instead of 1.010 and 334, at the same 11 min of sampling; with a recomputation every 50 draws
(now the geo default) 315 and 320 s on two seeds, r-hat 1.009 and 1.004, ESS 1,106 and 2,017.

The mean is taken over the training spend, held in the model as data that predictions do not
replace, so it is a function of the parameters alone and the holdout weeks are predicted by the
same model. What the tables store as the intercept is the baseline, level - mean media
(`baseline_draws`): the SQL marts, the decomposition and the model review read the same
intercept as with the plain model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

PARAMETER = "media_level"  # per geo: the mean over training weeks of the summed media contribution
INTERCEPT = "intercept_contribution"
DIM = "centring_week"  # the training weeks, fixed at fit time; "date" changes for predictions
SPEND = "centring_spend"


def effect() -> Any:
    """pymc-marketing MuEffect subtracting each geo's mean media contribution over the training
    weeks from mu. Built on first use: pymc is imported only when a model is built."""
    import pymc.dims as pmd
    from pymc_marketing.mmm.additive_effect import MuEffect

    class CentredMedia(MuEffect):
        def create_data(self, mmm: Any) -> None:
            # the scaled spend the model saw, as channel_data_scaled is built (0/0 and x/0 -> 0)
            spend = mmm.xarray_dataset["_channel"] / mmm.scalers["_channel"]
            spend = spend.where(np.isfinite(spend), 0.0).fillna(0.0)
            spend = spend.transpose("date", *mmm.dims, "channel").rename(date=DIM)
            mmm.model.add_coord(DIM, spend[DIM].values)
            pmd.Data(SPEND, spend.values, dims=spend.dims)

        def create_effect(self, mmm: Any) -> Any:
            spend = mmm.model[SPEND]
            first, second = (mmm.adstock, mmm.saturation) if mmm.adstock_first else (mmm.saturation, mmm.adstock)
            contribution = second(first(spend, core_dim=DIM), core_dim=DIM)  # the model's own variables
            level = pmd.Deterministic(PARAMETER, contribution.sum(dim="channel").mean(dim=DIM))
            return -level

        def set_data(self, mmm: Any, model: Any, X: Any) -> None:
            pass  # the training spend stays: a prediction is centred where the fit was

        @property
        def contribution_var_name(self) -> str:
            return PARAMETER

    return CentredMedia()


def baseline_draws(draws: xr.Dataset) -> xr.Dataset:
    """Draws with the intercept as the baseline (level - mean media) and the level term dropped;
    unchanged when the model was not centred."""
    if PARAMETER not in draws:
        return draws
    return draws.assign({INTERCEPT: draws[INTERCEPT] - draws[PARAMETER]}).drop_vars(PARAMETER)
