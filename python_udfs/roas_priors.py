"""ROAS priors: a team's belief about a channel's return, when it has no experiment.

Why not a prior on the coefficient: a belief is held in money (about 2.5 per unit of spend, give
or take 0.5), and what a coefficient means in money depends on the channel's spend, its
saturation and the KPI's scale. pymc-marketing 1.3's ROAS calibration
(`MMM.add_cost_per_target_calibration` with `target_per_cost=True`) adds the belief as a Normal
likelihood on the model's own ROAS over the training weeks (mean contribution over mean spend),
so the posterior weighs it against the data like any other evidence.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

NAME = "roas_prior"


def beliefs(settings: dict[str, Any], channels: list[str], geos: list[str]) -> pd.DataFrame:
    """(channel, roas, sigma) from var mmm_fit.roas_priors, checked against the fitted channels."""
    unknown = sorted(set(settings) - set(channels))
    if unknown:
        raise ValueError(
            f"var mmm_fit.roas_priors: {', '.join(unknown)} not among the fitted channels ({', '.join(channels)})"
        )
    if settings and len(geos) > 1:
        raise ValueError("var mmm_fit.roas_priors: national panels only; a geo panel's ROAS differs by geo")
    return pd.DataFrame(
        [{"channel": c, "roas": float(b["roas"]), "sigma": float(b["sigma"])} for c, b in settings.items()],
        columns=["channel", "roas", "sigma"],
    )


def calibrate(mmm: Any, X: pd.DataFrame, table: pd.DataFrame) -> None:
    """Add the beliefs to a built model; X is the training frame (spend in spend units)."""
    mmm.add_cost_per_target_calibration(
        data=X, calibration_data=table, name_prefix=NAME, target_column="roas", target_per_cost=True
    )
