"""The pre-fit data review: checks on the weekly panel that decide whether a fit is worth running.

Why before sampling: a constant KPI, two identical channels or weeks that start on the wrong
day produce a fit that converges and means nothing. Each check is a row (check, subject,
status, value, threshold, message), in the spirit of Meridian's model reviewer, so a table can
hold them, the dashboard can show them and a dbt test can gate on them. A `fail` stops the
build before the fit; a `warn` is recorded and shown.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from python_udfs.panel import identical_groups, pivot_weekly, week_starts

COLUMNS = ["check_name", "subject", "status", "value", "threshold", "message"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@dataclass(frozen=True)
class DataReviewThresholds:
    """Thresholds of the data review; each can be set in var `mmm_data_review`."""

    min_kpi_cv: float = 1e-3  # KPI sd / mean below this: nothing to explain (fail)
    min_active_share: float = 0.1  # share of weeks with spend below this (warn)
    max_control_correlation: float = 0.95  # |r| between two controls above this (warn)
    max_channel_correlation: float = 0.8  # |r| between two channels' spend above this (warn)
    identical_channel_correlation: float = 0.999  # above this two channels are one (fail)
    spend_outlier_warn: float = 50.0  # a week's spend over the channel's median active week (warn)
    spend_outlier_fail: float = 1000.0  # ... above this it is a typing or unit error (fail)
    kpi_outlier_z: float = 8.0  # robust z-score of a KPI week (warn)
    min_week_start_share: float = 0.5  # share of weekly KPI periods starting on mmm_week_start (fail below)

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> DataReviewThresholds:
        return thresholds_from_var(cls, values, "mmm_data_review")


def thresholds_from_var[T](cls: type[T], values: dict[str, Any] | None, var: str) -> T:
    """A thresholds dataclass from its dbt var: numbers (or null), unknown keys refused by name so
    a typo does not pass silently."""
    values = dict(values or {})
    unknown = sorted(set(values) - {f.name for f in fields(cls)})  # type: ignore[arg-type]
    if unknown:
        raise ValueError(f"var {var}: unknown setting(s) {', '.join(unknown)}")
    return cls(**{k: (None if v is None else float(v)) for k, v in values.items()})


def check_row(check: str, subject: str, status: str, value: float, threshold: float, message: str) -> dict:
    return {
        "check_name": check,
        "subject": subject,
        "status": status,
        "value": float(value),
        "threshold": float(threshold),
        "message": message,
    }


def _wide(long: pd.DataFrame, name: str, value: str, index: pd.MultiIndex) -> pd.DataFrame:
    """The training weeks of a long weekly table, one column per name (zero where absent)."""
    if not len(long):
        return pd.DataFrame(index=index)
    return pivot_weekly(long, name, value, ["geo", "week_start"]).reindex(index).fillna(0.0)


def review_data(
    panel: pd.DataFrame,
    spend: pd.DataFrame,
    controls: pd.DataFrame,
    kpi_input: pd.DataFrame,
    week_start: str,
    thresholds: DataReviewThresholds | None = None,
) -> pd.DataFrame:
    """Every check over the training weeks of the panel (int_weekly_panel, int_media_spend_weekly,
    int_controls_weekly) and the KPI input's periods (stg_kpi), as rows with COLUMNS."""
    t = thresholds or DataReviewThresholds()
    panel = panel.rename(columns=str.lower)
    panel = panel.loc[~panel["is_holdout"].astype(bool)].assign(week_start=lambda f: week_starts(f["week_start"]))
    index = pd.MultiIndex.from_frame(panel[["geo", "week_start"]])
    kpi = panel.set_index(["geo", "week_start"])["kpi"].astype(float)
    channels = _wide(spend, "channel", "spend", index)
    ctrl = _wide(controls, "control", "value", index)
    rows: list[dict] = []
    rows += _kpi_checks(kpi, t)
    rows += _channel_checks(channels, t)
    rows += _control_checks(ctrl, t)
    rows += _week_start_check(kpi_input, week_start, t)
    return pd.DataFrame(rows, columns=COLUMNS)


def _kpi_checks(kpi: pd.Series, t: DataReviewThresholds) -> list[dict]:
    rows = []
    mean, sd = float(kpi.mean()), float(kpi.std(ddof=1))
    cv = sd / abs(mean) if mean else 0.0
    ok = cv >= t.min_kpi_cv
    rows.append(
        check_row(
            "kpi_variation",
            "kpi",
            "pass" if ok else "fail",
            cv,
            t.min_kpi_cv,
            f"KPI varies by {cv:.3g} of its mean (sd/mean)"
            if ok
            else f"int_weekly_panel.kpi: the KPI barely varies (sd/mean {cv:.3g} < {t.min_kpi_cv}): "
            "there is nothing for "
            "media to explain; check the KPI column (columns: {kpi: ...})",
        )
    )
    # against each geo's own median and spread: pooled over geos of different sizes, a small
    # geo's extreme week sits inside the big geos' range and is never seen
    by_geo = kpi.groupby(level="geo")
    median = by_geo.transform("median")
    mad = (kpi - median).abs().groupby(level="geo").transform("median") * 1.4826
    z = ((kpi - median).abs() / mad).where(mad > 0)
    if z.notna().any():
        worst = z.idxmax()
        zmax = float(z.max())
        status = "warn" if zmax > t.kpi_outlier_z else "pass"
        rows.append(
            check_row(
                "kpi_outlier",
                "kpi",
                status,
                zmax,
                t.kpi_outlier_z,
                f"largest robust z-score of a KPI week against its geo's median: {zmax:.1f} "
                f"(geo={worst[0]}, week_start={pd.Timestamp(worst[1]).date()}, "
                f"kpi={kpi[worst]:.6g}); "
                + (
                    "check the week is real; a control flag for it (a holiday) lets the model explain it"
                    if status == "warn"
                    else "no extreme week"
                ),
            )
        )
    return rows


def _channel_checks(channels: pd.DataFrame, t: DataReviewThresholds) -> list[dict]:
    rows = []
    for name in channels.columns:
        x = channels[name]
        active = x > 0
        share = float(active.mean())
        if x.std(ddof=0) == 0:
            rows.append(
                check_row(
                    "constant_channel",
                    name,
                    "fail",
                    0.0,
                    0.0,
                    f"int_media_spend_weekly.spend: channel '{name}' spends the same every week, "
                    "so its effect cannot be "
                    "told from the intercept; drop it (var mmm_channels)",
                )
            )
            continue
        rows.append(
            check_row(
                "channel_active_weeks",
                name,
                "warn" if share < t.min_active_share else "pass",
                share,
                t.min_active_share,
                f"channel '{name}' spends in {share:.0%} of the training weeks"
                + (
                    "; too few to estimate its effect well, expect a wide interval"
                    if share < t.min_active_share
                    else ""
                ),
            )
        )
        typical = float(x[active].median())
        ratio = float(x.max() / typical) if typical > 0 else 0.0
        worst = x.idxmax()
        status = "fail" if ratio > t.spend_outlier_fail else ("warn" if ratio > t.spend_outlier_warn else "pass")
        where = f"(geo={worst[0]}, week_start={pd.Timestamp(worst[1]).date()}, spend={x[worst]:.6g})"
        rows.append(
            check_row(
                "spend_outlier",
                name,
                status,
                ratio,
                t.spend_outlier_fail if status == "fail" else t.spend_outlier_warn,
                (
                    f"int_media_spend_weekly.spend: channel '{name}' spends {ratio:.3g}x its median active week "
                    "in one week "
                    f"{where}: a unit or typing error?"
                    if status == "fail"
                    else f"channel '{name}': largest week is {ratio:.3g}x its median active week {where}"
                ),
            )
        )
    names = list(channels.columns)
    for a, b in combinations(names, 2):
        if channels[a].std() == 0 or channels[b].std() == 0:
            continue
        r = float(np.corrcoef(channels[a], channels[b])[0, 1])
        if abs(r) >= t.identical_channel_correlation:
            rows.append(
                check_row(
                    "identical_channels",
                    f"{a} & {b}",
                    "fail",
                    r,
                    t.identical_channel_correlation,
                    f"int_media_spend_weekly.spend: channels '{a}' and '{b}' move together (r={r:.4f}): "
                    "the data cannot "
                    "tell their effects apart; merge them into one channel in the input",
                )
            )
        elif abs(r) >= t.max_channel_correlation:
            rows.append(
                check_row(
                    "correlated_channels",
                    f"{a} & {b}",
                    "warn",
                    r,
                    t.max_channel_correlation,
                    f"channels '{a}' and '{b}' spend together (r={r:.2f}): their effects trade off; consider grouping "
                    "them; mmm_model_review reports the correlation of their ROAS",
                )
            )
    return rows


def _control_checks(ctrl: pd.DataFrame, t: DataReviewThresholds) -> list[dict]:
    rows = []
    names = list(ctrl.columns)
    for name in names:
        if ctrl[name].nunique() <= 1:
            rows.append(
                check_row(
                    "constant_control",
                    name,
                    "fail",
                    0.0,
                    0.0,
                    f"int_controls_weekly.value: control '{name}' never changes over the training weeks, so its effect "
                    "cannot be told from the intercept; drop it from the input",
                )
            )
    varying = [n for n in names if ctrl[n].nunique() > 1]
    groups = identical_groups(ctrl.reset_index(drop=True), varying)
    in_group = {n for g in groups for n in g}
    for group in groups:
        rows.append(
            check_row(
                "identical_controls",
                " & ".join(group),
                "warn",
                1.0,
                1.0,
                f"controls {', '.join(repr(g) for g in group)} are identical in every week: "
                f"the fit keeps '{group[0]}', "
                f"whose effect stands for all {len(group)}",
            )
        )
    kept = sorted([n for n in varying if n not in in_group] + [g[0] for g in groups])
    for a, b in combinations(kept, 2):
        r = float(np.corrcoef(ctrl[a], ctrl[b])[0, 1])
        if abs(r) >= t.max_control_correlation:
            rows.append(
                check_row(
                    "collinear_controls",
                    f"{a} & {b}",
                    "warn",
                    r,
                    t.max_control_correlation,
                    f"controls '{a}' and '{b}' are nearly collinear (r={r:.3f}): only their joint effect is estimated "
                    "well; consider dropping one",
                )
            )
    return rows


def _week_start_check(kpi_input: pd.DataFrame, week_start: str, t: DataReviewThresholds) -> list[dict]:
    """Weekly KPI periods that start on another day than mmm_week_start are split across two
    modelling weeks, which smears every week and leaves partial first and last weeks."""
    frame = kpi_input.rename(columns=str.lower)
    starts = pd.to_datetime(frame["period_start"])
    days = (pd.to_datetime(frame["period_end"]) - starts).dt.days + 1
    weekly = starts[days == 7]
    if not len(weekly):
        return []
    names = weekly.dt.day_name().str.lower()
    share = float((names == week_start.lower()).mean())
    common = names.value_counts().idxmax()
    ok = share >= t.min_week_start_share
    return [
        check_row(
            "week_start",
            "kpi",
            "pass" if ok else "fail",
            share,
            t.min_week_start_share,
            f"{share:.0%} of the weekly KPI periods start on {week_start}"
            if ok
            else f"stg_kpi.period_start: the KPI's weeks start on {common}, not on {week_start} "
            "(var mmm_week_start), so "
            f"each input week is split across two modelling weeks; set mmm_week_start: {common}",
        )
    ]


def failures(review: pd.DataFrame) -> list[str]:
    """Messages of the failed checks."""
    return review.loc[review["status"] == "fail", "message"].tolist()


def stop_on_failures(review: pd.DataFrame) -> None:
    """Raise naming every failed check, so a node that samples never starts on data the review
    failed (its dbt test already stops `dbt build`; this stops `dbt run` too)."""
    failed = failures(review)
    if failed:
        raise ValueError("MMM INPUT ERROR in " + "; ".join(failed))
