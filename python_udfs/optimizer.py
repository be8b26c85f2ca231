"""Budget allocation over the posterior: how to split a weekly budget across channels.

The objective is the posterior mean of the total steady-state weekly contribution (each
channel spending x every week, so adstock gives x times its weight sum, consistent with the
fitted carryover), maximised with scipy's SLSQP under a total-budget equality and per-channel
bounds. Uncertainty is reported by evaluating current and optimised allocations on every draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from python_udfs.transforms import adstock_weights, saturation


@dataclass(frozen=True)
class ChannelDraws:
    """Per-channel parameter draws (rows: draws) for the default model, with scales."""

    channels: list[str]
    lam: np.ndarray  # (draws, channels)
    beta: np.ndarray
    weight_sum: np.ndarray
    channel_scale: np.ndarray  # (channels,)
    target_scale: float

    @classmethod
    def from_frame(cls, params: pd.DataFrame, max_lag: int) -> ChannelDraws:
        """From int_posterior_channel_draws (one geo)."""
        params = params.sort_values(["chain", "draw", "channel"])
        channels = sorted(params["channel"].unique())
        numeric = ["adstock_alpha", "saturation_p1", "saturation_beta", "channel_scale", "target_scale"]
        wide = params.pivot_table(index=["chain", "draw"], columns="channel", values=numeric)
        alpha = wide["adstock_alpha"][channels].to_numpy()
        return cls(
            channels=channels,
            lam=wide["saturation_p1"][channels].to_numpy(),
            beta=wide["saturation_beta"][channels].to_numpy(),
            weight_sum=adstock_weights("geometric", max_lag, alpha).sum(axis=-1),
            channel_scale=wide["channel_scale"][channels].to_numpy()[0],
            target_scale=float(wide["target_scale"].to_numpy()[0, 0]),
        )

    def contribution(self, weekly_spend: np.ndarray) -> np.ndarray:
        """(draws, channels) expected weekly contribution in KPI units."""
        x = weekly_spend[None, :] * self.weight_sum / self.channel_scale[None, :]
        return self.target_scale * self.beta * saturation("logistic", x, self.lam)


def optimize_allocation(
    draws: ChannelDraws, budget: float, lower: np.ndarray, upper: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, bool]:
    """Weekly spend per channel maximising mean total contribution; (allocation, success)."""
    if budget < 0:
        raise ValueError(f"budget must be >= 0, got {budget}")
    if lower.sum() > budget + 1e-9 or upper.sum() < budget - 1e-9:
        raise ValueError(
            f"infeasible scenario: budget {budget:.2f} is outside the sum of channel bounds "
            f"[{lower.sum():.2f}, {upper.sum():.2f}]"
        )
    scale = max(budget, 1.0)

    def objective(z: np.ndarray) -> float:
        return -draws.contribution(z * scale).sum(axis=1).mean() / scale

    x0 = np.clip(start / max(start.sum(), 1e-12) * budget, lower, upper) / scale
    result = minimize(
        objective,
        x0,
        method="SLSQP",
        bounds=list(zip(lower / scale, upper / scale, strict=True)),
        constraints=[{"type": "eq", "fun": lambda z: z.sum() - budget / scale}],
        options={"maxiter": 500, "ftol": 1e-12},
    )
    return np.clip(result.x * scale, lower, upper), bool(result.success)


def allocate_scenarios(draws: ChannelDraws, current: pd.Series, scenarios: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario x channel: current and optimised weekly spend, bounds, expected
    weekly contribution before and after (mean and 94% interval over draws), uplift and the
    probability that the scenario's total uplift is positive."""
    current = current.reindex(draws.channels).fillna(0.0).to_numpy(dtype=float)
    rows = []
    for sc in scenarios.itertuples():
        budget = current.sum() * (1 + sc.budget_change_pct / 100)
        lower = current * (1 - sc.bound_pct / 100)
        upper = current * (1 + sc.bound_pct / 100)
        optimised, success = optimize_allocation(draws, budget, lower, upper, current)
        before = draws.contribution(current)
        after = draws.contribution(optimised)
        uplift_total = after.sum(1) - before.sum(1)
        for i, channel in enumerate(draws.channels):
            rows.append(
                {
                    "scenario_id": sc.scenario_id,
                    "channel": channel,
                    "current_weekly_spend": current[i],
                    "optimised_weekly_spend": optimised[i],
                    "lower_bound": lower[i],
                    "upper_bound": upper[i],
                    "contribution_before_mean": before[:, i].mean(),
                    "contribution_after_mean": after[:, i].mean(),
                    "contribution_after_lower": np.quantile(after[:, i], 0.03),
                    "contribution_after_upper": np.quantile(after[:, i], 0.97),
                    "uplift_mean": (after[:, i] - before[:, i]).mean(),
                    "scenario_uplift_mean": uplift_total.mean(),
                    "scenario_uplift_lower": np.quantile(uplift_total, 0.03),
                    "scenario_uplift_upper": np.quantile(uplift_total, 0.97),
                    "scenario_prob_uplift_positive": (uplift_total > 0).mean(),
                    "optimizer_converged": success,
                }
            )
    return pd.DataFrame(rows)
