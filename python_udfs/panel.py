"""Shape the warehouse's long weekly tables into the one wide frame pymc-marketing fits.

The SQL layer owns cleaning and validation; this module only pivots, checks the few things a
fit cannot survive (so the message names the channel or week), and hashes the data for the
fit cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

TREND = "trend"
# The trend's slope changes are linear terms named TREND_CHANGE + "_1", "_2", ...: the hinge
# max(0, trend - knot), one knot each (ModelFrame.trend_knots, stored with the control scales).
TREND_CHANGE = "trend_change"
# A geo panel's control is centred per geo once some geo's mean sits more than this many of its
# own standard deviations from the panel's mean (intercept-coefficient correlation above 0.71).
GEO_CENTRING_SPREAD = 1.0


@dataclass(frozen=True)
class ModelFrame:
    """The fit's input: one row per week (x geo), channel and control columns, the KPI."""

    frame: pd.DataFrame
    channels: list[str]
    controls: list[str]
    control_scales: dict[str, tuple[float, float]]  # name -> (offset, scale)
    geos: list[str]
    holdout: pd.Series  # bool per row of frame
    # Controls identical to another (after scaling) are left out of the fit: kept -> left out.
    merged_controls: dict[str, list[str]] = field(default_factory=dict)
    # The trend's slope changes: term -> knot, in the units of int_weeks.trend.
    trend_knots: dict[str, float] = field(default_factory=dict)
    # Controls centred on each geo's own mean (geo_offsets): name -> geo -> offset.
    geo_offsets: dict[str, dict[str, float]] = field(default_factory=dict)

    def stored_scales(self) -> dict[str, list[float | dict[str, float]]]:
        """What a run stores per linear term (mmm_fits.control_scales): [offset, scale], the
        offset a map geo -> offset for a control centred per geo, and the knot third for a slope
        change of the trend, so the SQL marts rebuild every feature."""
        stored: dict[str, list[float | dict[str, float]]] = {}
        for name, (offset, scale) in self.control_scales.items():
            knot = [self.trend_knots[name]] if name in self.trend_knots else []
            stored[name] = [self.geo_offsets.get(name, offset), scale, *knot]
        return stored

    @property
    def train(self) -> pd.DataFrame:
        return self.frame.loc[~self.holdout.to_numpy()].reset_index(drop=True)

    def data_hash(self) -> str:
        """Hash of every number the fit sees, so unchanged data reuses the stored posterior.

        Floats are hashed at 10 significant digits: engines sum a week's spend in different
        orders (Spark and DuckDB differ in the last bits), and that noise should not force a
        refit. A value sitting right on a rounding edge can still flip (about one in 1e6 per
        value for noise of 1e-16 relative); that costs one refit, never a wrong reuse that matters.
        """
        frame = self.frame.copy()
        for column in frame.columns[frame.dtypes == "float64"]:
            frame[column] = _significant(frame[column].to_numpy())
        payload = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
        return hashlib.sha256(payload + repr(self.holdout.tolist()).encode()).hexdigest()[:16]


def _significant(values: np.ndarray, digits: int = 10) -> np.ndarray:
    """Round to `digits` significant digits, as exact integers (mantissa and exponent)."""
    finite = np.isfinite(values) & (values != 0)
    exponent = np.zeros(len(values), dtype=np.int64)
    exponent[finite] = np.floor(np.log10(np.abs(values[finite]))).astype(np.int64)
    mantissa = np.zeros(len(values), dtype=np.int64)
    mantissa[finite] = np.round(values[finite] / 10.0 ** exponent[finite] * 10 ** (digits - 1)).astype(np.int64)
    return mantissa * 1000 + exponent  # one int64 per value; |exponent| < 500 keeps it one-to-one


def build_model_frame(
    panel: pd.DataFrame,
    spend: pd.DataFrame,
    controls: pd.DataFrame,
    *,
    trend: bool = True,
    trend_changepoints: int = 0,
) -> ModelFrame:
    """Pivot int_weekly_panel, int_media_spend_weekly and int_controls_weekly into a frame.

    Controls are divided by their range (offset and scale recorded, control_scale) so one prior
    suits a 0/1 flag and a price alike, and a level such as a price index near 1.0 does not
    become a second intercept (which stalls NUTS); pymc-marketing leaves controls unscaled. A
    flag's contribution is measured against its off state, a continuous control's (and the
    trend's) against its average level. `trend_changepoints` bend the trend: hinge terms
    max(0, trend - knot) with knots evenly spaced inside the training weeks, so each slope change
    is seen in the fit and the holdout extends the last slope. In a geo panel a continuous
    control whose geos sit at different levels is centred on each geo's own mean (geo_offsets).
    """
    panel = panel.rename(columns=str.lower)
    panel["week_start"] = week_starts(panel["week_start"])
    keys = ["week_start", "geo"]
    wide_spend = pivot_weekly(spend, "channel", "spend", keys)
    channels = sorted(wide_spend.columns)
    if not channels:
        raise ValueError("MMM INPUT ERROR in int_media_spend_weekly.channel: no channels to fit")

    frame = panel[[*keys, "kpi", "trend", "is_holdout"]].merge(wide_spend.reset_index(), on=keys, how="left")
    control_names: list[str] = []
    scales: dict[str, tuple[float, float]] = {}
    if len(controls):
        wide_controls = pivot_weekly(controls, "control", "value", keys)
        control_names = sorted(wide_controls.columns)
        reserved = [c for c in control_names if c == TREND or c.startswith(f"{TREND_CHANGE}_")]
        if reserved:
            raise ValueError(
                "MMM INPUT ERROR in int_controls_weekly.control: the names 'trend' and 'trend_change_*' are "
                f"reserved for the model's trend: (control={', '.join(reserved)}); rename the control"
            )
        frame = frame.merge(wide_controls.reset_index(), on=keys, how="left")
    knots: dict[str, float] = {}
    if trend:
        control_names.append(TREND)
        in_fit = frame.loc[~frame["is_holdout"].astype(bool), TREND]
        low, high = float(in_fit.min()), float(in_fit.max())
        for m in range(1, trend_changepoints + 1):
            name = f"{TREND_CHANGE}_{m}"
            knots[name] = low + (high - low) * m / (trend_changepoints + 1)
            frame[name] = np.maximum(frame[TREND] - knots[name], 0.0)
            control_names.append(name)
    # sorted before any statistic: a mean summed in the order the warehouse returned rows differs
    # in its last bits between runs, and NUTS turns that into different draws
    frame = frame.sort_values(keys).reset_index(drop=True)
    offsets: dict[str, dict[str, float]] = {}
    for name in control_names:
        scales[name] = control_scale(frame[name])
        centre: pd.Series | float = scales[name][0]
        by_geo = geo_offsets(frame, name)
        if by_geo:
            offsets[name] = by_geo
            centre = frame["geo"].map(by_geo)
        frame[name] = (frame[name] - centre) / scales[name][1]

    _check_finite(frame, [*channels, *control_names, "kpi"])
    merged = {group[0]: group[1:] for group in identical_groups(frame, control_names)}
    for dropped in merged.values():
        frame = frame.drop(columns=dropped)
        control_names = [c for c in control_names if c not in dropped]
        for name in dropped:
            scales.pop(name)
            offsets.pop(name, None)
    constant = [c for c in control_names if frame[c].nunique() <= 1]
    if constant:
        raise ValueError(
            "MMM INPUT ERROR in int_controls_weekly.value: controls that never change over the window "
            "(in a geo panel: within any geo), so their effect cannot be told from the intercept "
            f"(drop them): (control={', '.join(constant)})"
        )
    holdout = frame.pop("is_holdout").astype(bool)
    frame = frame.drop(columns=["trend"]) if not trend else frame
    frame = frame.rename(columns={"week_start": "date"})
    geos = sorted(frame["geo"].unique())
    if len(geos) == 1:
        frame = frame.drop(columns=["geo"])
    return ModelFrame(frame, channels, control_names, scales, geos, holdout, merged, knots, offsets)


def geo_offsets(frame: pd.DataFrame, name: str) -> dict[str, float]:
    """Each geo's mean of a continuous control whose geos sit apart (GEO_CENTRING_SPREAD); empty
    for a national series (one value per week: the nation's mean serves every geo alike, and
    the shared weekly effect must see it as national), a flag, a national panel, or a control
    whose geos all vary about the panel's mean.

    Why: each geo has its own intercept and coefficient. In a regression on x the two are
    correlated by -d / sqrt(1 + d^2), d being x's mean over its spread. Centred on the panel's
    mean, a geo whose control sits d of its own spreads away puts that pair on a ridge: on
    Meridian's geo funnel data branded query volume sits up to 34 spreads off in one geo, and
    Geo17's pair was the fit's worst (r-hat 1.024); from the geo's own mean they are
    uncorrelated. Where no geo sits more than one spread off (|correlation| below 0.71: every
    control of Meridian's geo_media.csv, 0.2 at most) the panel's mean is kept: centring those
    per geo fixed nothing there, and on one seed each its fit was slower (ESS/s 1.41 against 3.36).
    """
    if "geo" not in frame or frame["geo"].nunique() <= 1 or frame[name].dropna().nunique() <= 2:
        return {}
    # a national series has every geo's mean at the panel's mean, so it is never apart
    by_geo = frame.groupby("geo", sort=True)[name]
    means, spreads = by_geo.mean(), by_geo.std(ddof=0)
    apart = (means - frame[name].mean()).abs() > GEO_CENTRING_SPREAD * spreads
    if not apart.any():
        return {}
    return {str(geo): float(mean) for geo, mean in means.items()}


def control_scale(values: pd.Series) -> tuple[float, float]:
    """(offset, scale) of one control: divided by its range; a flag (two levels) measured from
    its lower level, anything else (a price, a score, the trend) from its mean.

    Why the mean: the intercept is the KPI where every control sits at its offset. Measured
    from a continuous control's minimum, the intercept and that control's coefficient are
    strongly correlated (-0.87 for a control spread evenly over its range), once per geo in a
    geo panel, and NUTS crawls along those ridges; from its mean they are uncorrelated. A flag's
    lower level is its usual state (no holiday), so its contribution stays the holiday's effect.
    """
    low, high = float(values.min()), float(values.max())
    scale = high - low if high > low else 1.0
    levels = values.dropna().unique()
    return (low if len(levels) <= 2 else float(values.mean()), scale)


def identical_groups(frame: pd.DataFrame, columns: list[str]) -> list[list[str]]:
    """Groups (sorted, two or more names) of columns whose values are identical in every row.

    Why: two identical controls (the case study's Black Friday, Pre Thanksgiving and
    Thanksgiving flags) leave only their sum identified; NUTS then wanders along the ridge
    (r-hat 1.02, bulk ESS 187 on the case study). The fit keeps the first name of each group and
    the data review says which names it stands for.
    """
    seen: dict[bytes, list[str]] = {}
    for name in sorted(columns):
        key = pd.util.hash_pandas_object(frame[name].round(12), index=False).to_numpy().tobytes()
        seen.setdefault(key, []).append(name)
    return [group for group in seen.values() if len(group) > 1]


def pivot_weekly(long: pd.DataFrame, name: str, value: str, keys: list[str]) -> pd.DataFrame:
    """A long weekly table (week_start, geo, name, value) as one column per name, summed."""
    long = long.rename(columns=str.lower).copy()
    long["week_start"] = week_starts(long["week_start"])
    return long.pivot_table(index=keys, columns=name, values=value, aggfunc="sum", dropna=False)


def week_starts(values: pd.Series) -> pd.Series:
    """Week starts at one resolution whatever the engine returns (DuckDB: datetime64[us]; Spark:
    date objects), so the data hash, and with it the fit cache, does not depend on the engine."""
    return pd.to_datetime(values).astype("datetime64[us]")


def _check_finite(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        bad = frame.loc[~np.isfinite(frame[column].astype(float)), "week_start"]
        if len(bad):
            weeks = ", ".join(str(w.date()) for w in bad.head(5))
            raise ValueError(
                f"MMM INPUT ERROR in int_weekly_panel.{column}: no value in some weeks: (week_start={weeks})"
            )
