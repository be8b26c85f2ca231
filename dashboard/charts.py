"""Altair charts over the marts: pure functions of DataFrames, so tests can build them without a server."""

from __future__ import annotations

import altair as alt
import pandas as pd

from python_udfs import intervals

INTERVAL_NOTE = f"bands and error bars are {intervals.LABEL}"


def contributions_over_time(decomposition: pd.DataFrame, include_baseline: bool = True) -> alt.Chart:
    """Weekly KPI stacked by channel on top of the baseline (intercept, trend, seasonality, controls).
    Without the baseline, which usually dwarfs media, the channels fill the chart's height."""
    frame = decomposition.assign(
        series=decomposition["component"].where(decomposition["component_type"] == "channel", "baseline")
    )
    if not include_baseline:
        frame = frame.loc[frame["series"] != "baseline"]
    weekly = frame.groupby(["week_start", "series"], as_index=False)["contribution_mean"].sum()
    order = ["baseline", *sorted(s for s in weekly["series"].unique() if s != "baseline")]
    return (
        alt.Chart(weekly, title="Contribution to the KPI by week (posterior mean)")
        .mark_area()
        .encode(
            x=alt.X("week_start:T", title="week"),
            y=alt.Y("contribution_mean:Q", stack="zero", title="KPI"),
            color=alt.Color("series:N", sort=order, title="component"),
            order=alt.Order("series_order:Q"),
            tooltip=["week_start:T", "series:N", alt.Tooltip("contribution_mean:Q", format=",.0f")],
        )
        .transform_calculate(series_order=f"indexof({order!r}, datum.series)")
    )


def roas_intervals(roas: pd.DataFrame, measure: str) -> alt.LayerChart:
    """ROAS or marginal ROAS per channel: a point at the mean and a rule over the interval."""
    label = {"roas": "ROAS (KPI per unit of spend)", "marginal_roas": "marginal ROAS (next unit of spend)"}[measure]
    base = alt.Chart(roas, title=label).encode(y=alt.Y("channel:N", sort="-x", title=None))
    rule = base.mark_rule(strokeWidth=3).encode(x=alt.X(f"{measure}_lower:Q", title=label), x2=f"{measure}_upper:Q")
    point = base.mark_point(filled=True, size=90).encode(
        x=f"{measure}_mean:Q",
        tooltip=[
            "channel:N",
            alt.Tooltip(f"{measure}_mean:Q", format=".3f", title="mean"),
            alt.Tooltip(f"{measure}_lower:Q", format=".3f", title="lower"),
            alt.Tooltip(f"{measure}_upper:Q", format=".3f", title="upper"),
        ],
    )
    breakeven = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4], color="grey").encode(x="x:Q")
    return rule + point + breakeven


def response_curve(curves: pd.DataFrame) -> alt.LayerChart:
    """Expected weekly contribution against weekly spend, with its band and today's spend marked."""
    base = alt.Chart(curves).encode(x=alt.X("weekly_spend:Q", title="weekly spend"))
    band = base.mark_area(opacity=0.2).encode(
        y=alt.Y("contribution_lower:Q", title="weekly contribution (KPI)"), y2="contribution_upper:Q", color="channel:N"
    )
    line = base.mark_line().encode(y="contribution_mean:Q", color=alt.Color("channel:N", title="channel"))
    current = (
        alt.Chart(curves.loc[curves["is_current_level"].astype(bool)])
        .mark_point(filled=True, size=120, shape="diamond", color="black")
        .encode(
            x="weekly_spend:Q",
            y="contribution_mean:Q",
            tooltip=["channel:N", alt.Tooltip("weekly_spend:Q", format=",.0f", title="current weekly spend")],
        )
    )
    return (band + line + current).properties(title="Response curves (diamond: current spend)")


def allocation_vs_current(allocations: pd.DataFrame) -> alt.Chart:
    """Current and optimised weekly spend per channel, side by side."""
    long = allocations.melt(
        id_vars=["channel"],
        value_vars=["current_weekly_spend", "optimised_weekly_spend"],
        var_name="plan",
        value_name="weekly_spend",
    )
    long["plan"] = long["plan"].map({"current_weekly_spend": "current", "optimised_weekly_spend": "optimised"})
    return (
        alt.Chart(long, title="Weekly spend: current against optimised")
        .mark_bar()
        .encode(
            y=alt.Y("channel:N", title=None),
            yOffset="plan:N",
            x=alt.X("weekly_spend:Q", title="weekly spend"),
            color=alt.Color("plan:N", title="plan"),
            tooltip=["channel:N", "plan:N", alt.Tooltip("weekly_spend:Q", format=",.0f")],
        )
    )


def scenario_uplift(summary: pd.DataFrame) -> alt.LayerChart:
    """Each scenario's expected uplift over the current plan, with its interval; zero marked."""
    base = alt.Chart(summary, title="Uplift over the current plan (KPI over the horizon)").encode(
        y=alt.Y("scenario_id:N", title=None)
    )
    rule = base.mark_rule(strokeWidth=3).encode(x=alt.X("uplift_lower:Q", title="uplift (KPI)"), x2="uplift_upper:Q")
    point = base.mark_point(filled=True, size=90).encode(
        x="uplift_mean:Q",
        tooltip=[
            "scenario_id:N",
            alt.Tooltip("uplift_mean:Q", format=",.0f"),
            alt.Tooltip("prob_uplift_positive:Q", format=".0%", title="P(uplift > 0)"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 4], color="grey").encode(x="x:Q")
    return rule + point + zero


def fitted_vs_actual(fitted: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Actual KPI against the predicted mean and its predictive band; holdout weeks shaded."""
    base = alt.Chart(fitted).encode(x=alt.X("week_start:T", title="week"))
    band = base.mark_area(opacity=0.25, color="steelblue").encode(
        y=alt.Y("predictive_lower:Q", title="KPI"), y2="predictive_upper:Q"
    )
    predicted = base.mark_line(color="steelblue").encode(y="predicted_mean:Q")
    actual = base.mark_line(color="black", strokeDash=[2, 2]).encode(
        y="actual:Q", tooltip=["week_start:T", alt.Tooltip("actual:Q", format=",.0f"), "fit_sample:N"]
    )
    layers = [band, predicted, actual]
    holdout = fitted.loc[fitted["fit_sample"] == "holdout"]
    if not holdout.empty:
        span = pd.DataFrame({"start": [holdout["week_start"].min()], "end": [holdout["week_start"].max()]})
        layers.insert(0, alt.Chart(span).mark_rect(opacity=0.12, color="orange").encode(x="start:T", x2="end:T"))
    return alt.layer(*layers).properties(
        title=f"Fitted (blue, {intervals.PROB:.0%} predictive band) against actual (black)"
    )


def roas_by_fold(stability: pd.DataFrame) -> alt.LayerChart:
    """Each channel's ROAS in each cross-validation fold, with its interval: a channel whose
    intervals do not overlap from fold to fold is one the data does not pin down."""
    roas = stability.loc[stability["parameter"] == "roas"].assign(fold=lambda f: f["fold"].astype(str))
    base = alt.Chart(roas, title="ROAS by cross-validation fold").encode(
        y=alt.Y("channel:N", title=None), yOffset=alt.YOffset("fold:N"), color=alt.Color("fold:N", title="fold")
    )
    rule = base.mark_rule(strokeWidth=3).encode(x=alt.X("lower:Q", title="ROAS"), x2="upper:Q")
    point = base.mark_point(filled=True, size=60).encode(
        x="mean:Q", tooltip=["channel:N", "fold:N", alt.Tooltip("mean:Q", format=".2f")]
    )
    return rule + point
