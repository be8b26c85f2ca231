"""Budget allocation over the posterior: how to split spend across channels.

A plan spends x_c every week for `horizon` weeks. Each channel's contribution is counted over
the horizon plus the carryover tail after it (adstock ramps up in the first weeks and decays
after the last), exactly as the fitted adstock and saturation compute it; with no horizon the
response is the steady-state weekly contribution. Objectives are the posterior mean of the
total, or a risk-adjusted one (the mean over the worst `risk_quantile` share of draws, CVaR);
the inverse problem is the smallest spend whose mean total reaches a target. Shares, group
shares and ratios between channels are linear constraints G x >= 0. scipy's SLSQP solves it
with analytic gradients; linprog checks feasibility first so a bad plan gets a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linprog, minimize

from python_udfs.forms import saturation_form


@dataclass(frozen=True)
class ChannelDraws:
    """Per-channel response parameters, one row per posterior draw (or a single row)."""

    channels: list[str]
    weights: np.ndarray  # (draws, channels, lags) adstock weights
    p1: np.ndarray  # (draws, channels) first shape parameter (forms.py: logistic and Michaelis-Menten lam, hill slope)
    beta: np.ndarray  # (draws, channels) coefficient, the curve's ceiling (Michaelis-Menten's alpha)
    channel_scale: np.ndarray  # (channels,)
    target_scale: float
    saturation: str = "logistic"
    p2: np.ndarray | None = None  # second shape parameter (hill kappa)
    history: np.ndarray | None = None  # (channels, lags-1) spend before the plan, latest first
    _plan_cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_frame(
        cls, params: pd.DataFrame, saturation_kind: str = "logistic", history: pd.DataFrame | None = None
    ) -> ChannelDraws:
        """From int_posterior_channel_draws (one geo): its adstock_weight_<lag> columns are the
        fitted kernel's weights, so any adstock the SQL layer supports is honoured. history
        (week_start, channel, spend) gives the weeks before the plan, whose carryover still
        lands in the plan's first weeks."""
        params = params.sort_values(["chain", "draw", "channel"])
        channels = sorted(params["channel"].unique())
        lags = sorted(
            (c for c in params.columns if c.startswith("adstock_weight_")), key=lambda c: int(c.rsplit("_", 1)[1])
        )
        form = saturation_form(saturation_kind)
        shape = [f"saturation_{name}" for name in form.shape]  # columns named as pymc-marketing names them
        wide = params.pivot_table(
            index=["chain", "draw"],
            columns="channel",
            values=[*lags, *shape, "saturation_coefficient", "channel_scale"],
            dropna=False,
        )

        def col(name: str) -> np.ndarray:
            return wide[name][channels].to_numpy(dtype=float)

        past = None
        if history is not None and len(lags) > 1:
            recent = history.pivot_table(index="week_start", columns="channel", values="spend", aggfunc="sum")
            recent = recent.reindex(columns=channels).fillna(0.0).sort_index(ascending=False)
            past = np.zeros((len(channels), len(lags) - 1))
            block = recent.to_numpy(dtype=float)[: len(lags) - 1].T
            past[:, : block.shape[1]] = block
        return cls(
            channels=channels,
            weights=np.stack([col(c) for c in lags], axis=-1),
            p1=col(shape[0]),
            beta=col("saturation_coefficient"),
            channel_scale=col("channel_scale")[0],
            target_scale=float(params["target_scale"].iloc[0]),
            saturation=saturation_kind,
            p2=col(shape[1]) if len(shape) > 1 else None,
            history=past,
        )

    def exposure(self, horizon: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Adstocked exposure per unit of weekly spend in each distinct week of the plan,
        (draws, channels, k), and how many weeks share it, (k,). Spend runs for `horizon`
        weeks, then stops: weeks 0..L-1 ramp up, weeks L..H-1 are at steady state, and the
        L weeks after the horizon carry over. horizon None: one steady-state week."""
        cw = np.cumsum(self.weights, axis=-1)
        n_lags = self.weights.shape[-1] - 1
        if horizon is None:
            return cw[..., -1:], np.ones(1)
        if horizon < 1:
            raise ValueError(f"horizon must be >= 1 week, got {horizon}")
        if horizon > n_lags:
            weeks = [*range(n_lags), n_lags, *range(horizon, horizon + n_lags)]
            count = [1.0] * n_lags + [float(horizon - n_lags)] + [1.0] * n_lags
        else:
            weeks = list(range(horizon + n_lags))
            count = [1.0] * len(weeks)
        t = np.asarray(weeks)
        upto = cw[..., np.minimum(t, n_lags)]
        before = np.where(t - horizon >= 0, cw[..., np.clip(t - horizon, 0, n_lags)], 0.0)
        return upto - before, np.asarray(count)

    def carry_in(self, horizon: int | None) -> np.ndarray | float:
        """Adstocked spend from before the plan landing in each distinct week of the plan,
        (draws, channels, k): week t gets sum over l > t of w_l x spend (l - t) weeks before."""
        if horizon is None or self.history is None:
            return 0.0
        n_lags = self.weights.shape[-1] - 1
        weeks = list(range(n_lags)) if horizon > n_lags else list(range(horizon + n_lags))
        factor, _ = self.exposure(horizon)
        out = np.zeros_like(factor)
        for k, t in enumerate(weeks):
            for lag in range(t + 1, n_lags + 1):
                out[..., k] += self.weights[..., lag] * self.history[None, :, lag - t - 1]
        return out

    def _terms(self, weekly_spend: np.ndarray, horizon: int | None) -> tuple:
        """(scaled adstocked spend, exposure, week counts, shape parameters); what depends only on the
        horizon is computed once, not on every objective evaluation of the optimizer."""
        if horizon not in self._plan_cache:
            factor, count = self.exposure(horizon)
            self._plan_cache[horizon] = (factor, count, self.carry_in(horizon))
        factor, count, carry = self._plan_cache[horizon]
        x = (weekly_spend[None, :, None] * factor + carry) / self.channel_scale[None, :, None]
        shape = [self.p1[..., None]]
        if len(saturation_form(self.saturation).shape) > 1:
            if self.p2 is None:
                raise ValueError(f"saturation {self.saturation} needs its second shape parameter (p2)")
            shape.append(self.p2[..., None])
        return x, factor, count, tuple(shape)

    def contribution(self, weekly_spend: np.ndarray, horizon: int | None = None) -> np.ndarray:
        """(draws, channels) contribution in KPI units over the plan (or per steady-state week)."""
        x, _, count, shape = self._terms(np.asarray(weekly_spend, dtype=float), horizon)
        sat = saturation_form(self.saturation).curve(x, *shape)
        return self.target_scale * self.beta * (sat * count).sum(axis=-1)

    def gradient(self, weekly_spend: np.ndarray, horizon: int | None = None) -> np.ndarray:
        """(draws, channels) d contribution / d weekly spend of that channel."""
        x, factor, count, shape = self._terms(np.asarray(weekly_spend, dtype=float), horizon)
        slope = saturation_form(self.saturation).slope(x, *shape) * factor / self.channel_scale[None, :, None]
        return self.target_scale * self.beta * (slope * count).sum(axis=-1)


@dataclass
class Plan:
    """What to optimise: bounds per channel, linear rules G x >= 0 (labelled), and either a
    budget (objective mean or risk_adjusted) or a target mean contribution (objective target)."""

    lower: np.ndarray
    upper: np.ndarray
    budget: float | None = None
    objective: str = "mean"
    risk_quantile: float = 0.1
    target: float | None = None
    horizon: int | None = None
    rules: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    rule_labels: list[str] = field(default_factory=list)


@dataclass
class Allocation:
    weekly_spend: np.ndarray
    converged: bool
    binding: list[str]


def _risk_value(totals: np.ndarray, q: float) -> tuple[float, np.ndarray]:
    """CVaR: mean of the worst ceil(q * draws) totals, and which draws those are."""
    k = max(1, int(np.ceil(q * len(totals))))
    worst = np.argpartition(totals, k - 1)[:k]
    return float(totals[worst].mean()), worst


def objective_value(draws: ChannelDraws, x: np.ndarray, plan: Plan) -> float:
    """The quantity the plan maximises, at weekly spend x (KPI units)."""
    totals = draws.contribution(x, plan.horizon).sum(axis=1)
    if plan.objective == "risk_adjusted":
        return _risk_value(totals, plan.risk_quantile)[0]
    return float(totals.mean())


def _feasible_point(plan: Plan, n: int, maximise_spend: bool = False) -> np.ndarray | None:
    a_ub = -plan.rules if plan.rules.size else None
    b_ub = np.zeros(len(plan.rules)) if plan.rules.size else None
    a_eq = np.ones((1, n)) if plan.budget is not None else None
    b_eq = [plan.budget] if plan.budget is not None else None
    cost = -np.ones(n) if maximise_spend else np.zeros(n)
    res = linprog(
        cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=list(zip(plan.lower, plan.upper, strict=True))
    )
    return res.x if res.status == 0 else None


def optimize_allocation(draws: ChannelDraws, plan: Plan, start: np.ndarray) -> Allocation:
    """Solve the plan; raises ValueError naming the cause when no allocation can satisfy it."""
    n = len(draws.channels)
    lower, upper = np.asarray(plan.lower, float), np.asarray(plan.upper, float)
    if plan.budget is not None and plan.budget < 0:
        raise ValueError(f"budget must be >= 0, got {plan.budget}")
    bad = [
        f"{c} (min {lo:.2f} > max {hi:.2f})"
        for c, lo, hi in zip(draws.channels, lower, upper, strict=True)
        if lo > hi + 1e-9
    ]
    if bad:
        raise ValueError(f"infeasible bounds: minimum above maximum for {', '.join(bad)}")
    if plan.budget is not None and (lower.sum() > plan.budget + 1e-9 or upper.sum() < plan.budget - 1e-9):
        raise ValueError(
            f"infeasible scenario: weekly budget {plan.budget:.2f} is outside the sum of channel bounds "
            f"[{lower.sum():.2f}, {upper.sum():.2f}]"
        )
    feasible = _feasible_point(plan, n, maximise_spend=plan.objective == "target")
    if feasible is None:
        raise ValueError(
            f"infeasible scenario: the bounds, budget and rules ({', '.join(plan.rule_labels)}) cannot all hold"
        )
    unit = max(plan.budget or float(upper.sum()), 1.0)
    cons: list[dict] = []
    if plan.rules.size:
        cons.append({"type": "ineq", "fun": lambda z: plan.rules @ z, "jac": lambda z: plan.rules})
    if plan.objective == "target":
        if plan.target is None:
            raise ValueError("objective target needs a target contribution")
        target = plan.target
        top = draws.contribution(feasible, plan.horizon).sum(axis=1).mean()
        if top < target:
            raise ValueError(
                f"unreachable target: {target:,.2f} expected contribution, but the most the bounds and rules "
                f"allow is {top:,.2f}"
            )
        ref = max(abs(target), 1e-12)
        cons.append(
            {
                "type": "ineq",
                "fun": lambda z: (draws.contribution(z * unit, plan.horizon).sum(axis=1).mean() - target) / ref,
                "jac": lambda z: draws.gradient(z * unit, plan.horizon).mean(axis=0) * unit / ref,
            }
        )

        def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
            return float(z.sum()), np.ones(n)

        x0 = feasible / unit
    else:
        budget = plan.budget if plan.budget is not None else float(upper.sum())
        cons.append({"type": "eq", "fun": lambda z: z.sum() - budget / unit, "jac": lambda z: np.ones(n)})
        ref = max(abs(objective_value(draws, feasible, plan)), 1e-12)

        def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
            contrib = draws.contribution(z * unit, plan.horizon)
            grad = draws.gradient(z * unit, plan.horizon)
            totals = contrib.sum(axis=1)
            if plan.objective == "risk_adjusted":
                value, worst = _risk_value(totals, plan.risk_quantile)
                g = grad[worst].mean(axis=0)
            else:
                value, g = float(totals.mean()), grad.mean(axis=0)
            return -value / ref, -g * unit / ref

        guess = np.clip(start, lower, upper)
        x0 = (guess if _satisfies(plan, guess) else feasible) / unit
    result = minimize(
        fun,
        x0,
        jac=True,
        method="SLSQP",
        bounds=list(zip(lower / unit, upper / unit, strict=True)),
        constraints=cons,
        options={"maxiter": 1000, "ftol": 1e-12},
    )
    x = np.clip(result.x * unit, lower, upper)
    ok = bool(result.success) and _satisfies(plan, x, tol=1e-6 * unit)
    return Allocation(x, ok, _binding(draws.channels, plan, x, unit))


def _satisfies(plan: Plan, x: np.ndarray, tol: float = 1e-9) -> bool:
    if plan.rules.size and (plan.rules @ x < -tol).any():
        return False
    return plan.budget is None or abs(x.sum() - plan.budget) <= max(tol, 1e-9 * plan.budget)


def _binding(channels: list[str], plan: Plan, x: np.ndarray, unit: float) -> list[str]:
    tol = 1e-6 * unit
    out = []
    if plan.budget is not None:
        out.append("budget")
    for c, v, lo, hi in zip(channels, x, plan.lower, plan.upper, strict=True):
        if hi - lo <= tol:
            out.append(f"{c} fixed")
        elif v <= lo + tol and lo > 0:
            out.append(f"{c} min")
        elif v >= hi - tol:
            out.append(f"{c} max")
    if plan.rules.size:
        out += [label for label, slack in zip(plan.rule_labels, plan.rules @ x, strict=True) if abs(slack) <= tol]
    return out
