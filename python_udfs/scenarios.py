"""Budget scenarios from seeds into optimizer plans, and their results as one tidy table.

Seeds (documented in seeds/_seeds.yml):
- budget_scenarios: one row per scenario - objective (mean, risk_adjusted, target), horizon,
  budget (absolute total or % change on current), default bounds (+/- % of current), risk
  quantile, target (absolute or % change on the current plan's expected contribution).
- budget_scenario_rules: scenario_id, rule, target, value - min_spend / max_spend / fixed
  (weekly spend of a channel), min_share / max_share (of a channel or a group), min_ratio /
  max_ratio ("a/b": spend of a over spend of b).
- channel_groups: group_name, channel (e.g. digital = search, social, display).
Every problem is reported as ValueError naming the seed, scenario, rule and channel at fault.
"""

from __future__ import annotations

import math
from typing import overload

import numpy as np
import pandas as pd

from python_udfs import intervals
from python_udfs.optimizer import ChannelDraws, Plan, objective_value, optimize_allocation

OBJECTIVES = ("mean", "risk_adjusted", "target")
# A geo panel's national plan allocates over cells named "<geo>|<channel>" ('|' is not allowed in names).
CELL = "|"
GEO_SCOPES = ("national", "geo")
RULES = ("min_spend", "max_spend", "fixed", "min_share", "max_share", "min_ratio", "max_ratio")


class ScenarioError(ValueError):
    """A scenario that cannot be planned, with the seed row at fault in the message."""


@overload
def _num(row: pd.Series, name: str, default: float) -> float: ...
@overload
def _num(row: pd.Series, name: str, default: None = None) -> float | None: ...
def _num(row: pd.Series, name: str, default: float | None = None) -> float | None:
    value = row.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return default
    return float(value)


def build_plan(
    scenario: pd.Series, rules: pd.DataFrame, groups: dict[str, list[str]], channels: list[str], current: np.ndarray
) -> tuple[Plan, float | None]:
    """The Plan for one scenario row and the target change % it asked for (resolved later)."""
    sid = scenario["scenario_id"]

    def fail(message: str) -> ScenarioError:
        return ScenarioError(f"budget scenario '{sid}': {message}")

    objective = str(scenario.get("objective") or "mean")
    if objective not in OBJECTIVES:
        raise fail(f"objective '{objective}' is not one of {', '.join(OBJECTIVES)}")
    horizon = int(_num(scenario, "horizon_weeks", 52))
    if horizon < 1:
        raise fail(f"horizon_weeks must be >= 1, got {horizon}")
    bound_pct = _num(scenario, "bound_pct", 100.0)
    if bound_pct < 0:
        raise fail(f"bound_pct must be >= 0, got {bound_pct}")
    lower = current * max(0.0, 1 - bound_pct / 100)
    upper = current * (1 + bound_pct / 100)
    budget: float | None = None
    if objective != "target":
        total = _num(scenario, "total_budget")
        if total is not None:
            budget = total / horizon
        else:
            budget = current.sum() * (1 + _num(scenario, "budget_change_pct", 0.0) / 100)
        if budget < 0:
            raise fail(f"budget must be >= 0, got a weekly budget of {budget:.2f}")
    index = {c: i for i, c in enumerate(channels)}
    rows, labels = [], []

    def members(name: str, rule: str) -> np.ndarray:
        picked = np.zeros(len(channels))
        if name in index:
            picked[index[name]] = 1.0
        elif name in groups:
            unknown = [c for c in groups[name] if c not in index]
            if unknown:
                raise fail(f"group '{name}' (channel_groups) names unknown channels {unknown}")
            picked[[index[c] for c in groups[name]]] = 1.0
        else:
            raise fail(f"rule {rule}: unknown channel or group '{name}' (channels: {', '.join(channels)})")
        return picked

    for rule in rules.itertuples():
        kind, name, value = str(rule.rule), str(rule.target), rule.value
        value = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
        if kind not in RULES:
            raise fail(f"rule '{kind}' is not one of {', '.join(RULES)}")
        if kind in ("min_spend", "max_spend", "fixed"):
            if name not in index:
                raise fail(f"rule {kind}: unknown channel '{name}' (channels: {', '.join(channels)})")
            i = index[name]
            amount = current[i] if (kind == "fixed" and value is None) else value
            if amount is None or amount < 0:
                raise fail(f"rule {kind} {name}: value must be a weekly spend >= 0, got {value}")
            if kind in ("min_spend", "fixed"):
                lower[i] = amount
            if kind in ("max_spend", "fixed"):
                upper[i] = amount
        elif kind in ("min_share", "max_share"):
            if value is None or not 0 <= value <= 1:
                raise fail(f"rule {kind} {name}: value must be a share between 0 and 1, got {value}")
            g = members(name, kind)
            rows.append(g - value if kind == "min_share" else value - g)
            labels.append(f"{name} {kind} {value:g}")
        else:
            parts = name.split("/")
            if len(parts) != 2:
                raise fail(f"rule {kind}: target must be 'channel_a/channel_b', got '{name}'")
            if value is None or value < 0:
                raise fail(f"rule {kind} {name}: value must be a ratio >= 0, got {value}")
            a, b = members(parts[0], kind), members(parts[1], kind)
            rows.append(a - value * b if kind == "min_ratio" else value * b - a)
            labels.append(f"{name} {kind} {value:g}")
    bad = [c for c, lo, hi in zip(channels, lower, upper, strict=True) if lo > hi + 1e-9]
    if bad:
        raise fail(f"infeasible bounds: minimum above maximum for {', '.join(bad)}")
    target_pct = _num(scenario, "target_change_pct")
    plan = Plan(
        lower=lower,
        upper=upper,
        budget=budget,
        objective=objective,
        risk_quantile=_num(scenario, "risk_quantile", 0.1),
        target=_num(scenario, "target_contribution"),
        horizon=horizon,
        rules=np.array(rows) if rows else np.zeros((0, 0)),
        rule_labels=labels,
    )
    if objective == "target" and plan.target is None and target_pct is None:
        raise fail("objective target needs target_contribution or target_change_pct")
    return plan, target_pct


def _interval(values: np.ndarray, prefix: str) -> dict[str, float]:
    return {
        f"{prefix}_mean": float(values.mean()),
        f"{prefix}_median": float(np.median(values)),
        f"{prefix}_lower": float(np.quantile(values, intervals.LOWER)),
        f"{prefix}_upper": float(np.quantile(values, intervals.UPPER)),
    }


def _interval_names(prefix: str) -> list[str]:
    return list(_interval(np.zeros(1), prefix))


# Every column of the allocations, so a table whose scenarios all failed has them too.
COLUMNS = [
    "scenario_id",
    "channel",
    "current_weekly_spend",
    "optimised_weekly_spend",
    "optimised_total_spend",
    "lower_bound",
    "upper_bound",
    *_interval_names("contribution_before"),
    *_interval_names("contribution_after"),
    *_interval_names("uplift"),
    "scenario_objective",
    "scenario_horizon_weeks",
    "scenario_weekly_budget",
    "scenario_total_budget",
    "scenario_target_contribution",
    "scenario_objective_value",
    *_interval_names("scenario_contribution_before"),
    *_interval_names("scenario_contribution_after"),
    "scenario_roas_mean",
    *_interval_names("scenario_uplift"),
    "scenario_prob_uplift_positive",
    *_interval_names("geo_contribution_before"),
    *_interval_names("geo_contribution_after"),
    *_interval_names("geo_uplift"),
    "geo_prob_uplift_positive",
    "binding_constraints",
    "optimizer_converged",
    "scenario_status",
    "scenario_message",
]


def allocate_scenarios(
    draws: ChannelDraws,
    current: pd.Series,
    scenarios: pd.DataFrame,
    rules: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    *,
    on_error: str = "raise",
) -> pd.DataFrame:
    """One row per scenario x channel: current and optimised weekly spend, bounds, expected
    contribution over the horizon (plus carryover) before and after with 94% intervals over
    draws, uplift and its probability of being positive; scenario_* columns repeat the
    scenario's totals on each of its rows.

    on_error="record": a scenario that cannot be planned does not stop the others; its rows
    carry scenario_status 'error' and the message, with no optimised figures. Problems of the
    seeds as a whole (duplicate ids, rules for unknown scenarios) still raise."""
    channels = draws.channels
    unknown = sorted(set(current.index) - set(channels))
    if unknown:
        raise ScenarioError(f"current spend names channels the posterior lacks: {unknown}")
    now = current.reindex(channels).fillna(0.0).to_numpy(dtype=float)
    rules = rules if rules is not None else pd.DataFrame(columns=["scenario_id", "rule", "target", "value"])
    group_map = {} if groups is None else groups.groupby("group_name")["channel"].apply(list).to_dict()
    dupes = scenarios["scenario_id"][scenarios["scenario_id"].duplicated()].tolist()
    if dupes:
        raise ScenarioError(f"budget_scenarios: duplicate scenario_id {dupes}")
    orphan = sorted(set(rules["scenario_id"]) - set(scenarios["scenario_id"]))
    if orphan:
        raise ScenarioError(f"budget_scenario_rules: rules for unknown scenarios {orphan}")
    out = []
    for _, sc in scenarios.iterrows():
        try:
            out += _plan_one(draws, sc, rules, group_map, channels, now)
        except ScenarioError as err:
            if on_error == "raise":
                raise
            out += [
                {
                    "scenario_id": sc["scenario_id"],
                    "channel": channel,
                    "current_weekly_spend": now[i],
                    "optimizer_converged": False,
                    "scenario_status": "error",
                    "scenario_message": str(err),
                }
                for i, channel in enumerate(channels)
            ]
    return pd.DataFrame(out).reindex(columns=COLUMNS)


def _plan_one(
    draws: ChannelDraws,
    sc: pd.Series,
    rules: pd.DataFrame,
    group_map: dict[str, list[str]],
    channels: list[str],
    now: np.ndarray,
) -> list[dict]:
    """The rows of one scenario; ScenarioError when it cannot be planned."""
    out = []
    plan, target_pct = build_plan(sc, rules[rules["scenario_id"] == sc["scenario_id"]], group_map, channels, now)
    before = draws.contribution(now, plan.horizon)
    if plan.objective == "target" and plan.target is None and target_pct is not None:
        plan.target = float(before.sum(axis=1).mean() * (1 + target_pct / 100))
    try:
        result = optimize_allocation(draws, plan, now)
    except ValueError as err:
        raise ScenarioError(f"budget scenario '{sc['scenario_id']}': {err}") from err
    after = draws.contribution(result.weekly_spend, plan.horizon)
    uplift = after.sum(axis=1) - before.sum(axis=1)
    total_spend = result.weekly_spend.sum() * plan.horizon
    scenario_cols = {
        "scenario_objective": plan.objective,
        "scenario_horizon_weeks": plan.horizon,
        "scenario_weekly_budget": float(result.weekly_spend.sum()),
        "scenario_total_budget": float(total_spend),
        "scenario_target_contribution": plan.target,
        "scenario_objective_value": objective_value(draws, result.weekly_spend, plan),
        **_interval(before.sum(axis=1), "scenario_contribution_before"),
        **_interval(after.sum(axis=1), "scenario_contribution_after"),
        "scenario_roas_mean": float(after.sum(axis=1).mean() / total_spend) if total_spend > 0 else None,
        **_interval(uplift, "scenario_uplift"),
        "scenario_prob_uplift_positive": float((uplift > 0).mean()),
        "binding_constraints": ", ".join(result.binding),
        "optimizer_converged": result.converged,
        "scenario_status": "ok",
        "scenario_message": "",
    }
    geo_cols = _geo_totals(channels, before, after)
    for i, channel in enumerate(channels):
        out.append(
            {
                "scenario_id": sc["scenario_id"],
                "channel": channel,
                "current_weekly_spend": now[i],
                "optimised_weekly_spend": float(result.weekly_spend[i]),
                "optimised_total_spend": float(result.weekly_spend[i] * plan.horizon),
                "lower_bound": float(plan.lower[i]),
                "upper_bound": float(plan.upper[i]),
                **_interval(before[:, i], "contribution_before"),
                **_interval(after[:, i], "contribution_after"),
                **_interval(after[:, i] - before[:, i], "uplift"),
                **scenario_cols,
                **geo_cols[_geo_of(channel)],
            }
        )
    return out


def _geo_of(channel: str) -> str:
    """The geo of a national plan's cell ("<geo>|<channel>"); "" for a plain channel."""
    return channel.split(CELL, 1)[0] if CELL in channel else ""


def _geo_totals(channels: list[str], before: np.ndarray, after: np.ndarray) -> dict[str, dict]:
    """Per geo of the plan, its channels' contributions before and after summed draw by draw,
    then the intervals: a geo's uplift interval is that of its total, never a sum of its cells'
    intervals. A plan over plain channels is one geo, and these equal the scenario's figures."""
    geo = np.array([_geo_of(c) for c in channels])
    out = {}
    for name in dict.fromkeys(geo):
        cols = geo == name
        b, a = before[:, cols].sum(axis=1), after[:, cols].sum(axis=1)
        out[str(name)] = {
            **_interval(b, "geo_contribution_before"),
            **_interval(a, "geo_contribution_after"),
            **_interval(a - b, "geo_uplift"),
            "geo_prob_uplift_positive": float((a - b > 0).mean()),
        }
    return out


def geo_cells(params: pd.DataFrame, spend: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """int_posterior_channel_draws and int_media_spend_weekly of a geo panel as one national set
    of channels, one per geo x channel cell ("<geo>|<channel>"), for a plan that moves budget
    between geos as well as channels. Each geo's KPI scale is folded into its coefficient (the
    response is linear in both), so the cells share one target scale of 1."""
    cells = params.copy()
    cells["saturation_coefficient"] = cells["saturation_coefficient"] * cells["target_scale"]
    cells["target_scale"] = 1.0
    cells["channel"] = cells["geo"] + CELL + cells["channel"]
    cells["geo"] = "total"
    history = spend.assign(channel=spend["geo"] + CELL + spend["channel"], geo="total")
    return cells, history


def cell_rules(rules: pd.DataFrame, groups: pd.DataFrame, current: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rules and groups written for channels, applied to a national plan's cells. A channel (or
    a group) stands for all its cells in share and ratio rules; a channel's spend rule (min,
    max, fixed) is split over its cells in proportion to their current spend; a rule may also
    name one cell, "<geo>|<channel>"."""
    cell_names = current.index.tolist()
    by_channel: dict[str, list[str]] = {}
    for cell in cell_names:
        by_channel.setdefault(cell.split(CELL, 1)[1], []).append(cell)
    group_rows = [{"group_name": ch, "channel": cell} for ch, cells in by_channel.items() for cell in cells]
    for row in groups.itertuples():
        group_rows += [{"group_name": row.group_name, "channel": cell} for cell in by_channel.get(row.channel, [])]
    out = []
    for rule in rules.to_dict("records"):
        name = str(rule["target"])
        if rule["rule"] in ("min_spend", "max_spend", "fixed") and name in by_channel:
            members = by_channel[name]
            total = float(current[members].sum())
            for cell in members:
                value = rule["value"]
                if value is not None and not (isinstance(value, float) and math.isnan(value)):
                    value = float(value) * (float(current[cell]) / total if total else 1 / len(members))
                out.append({**rule, "target": cell, "value": value})
        else:
            out.append(rule)
    columns = ["scenario_id", "rule", "target", "value"]
    return pd.DataFrame(out, columns=columns), pd.DataFrame(group_rows, columns=["group_name", "channel"])
