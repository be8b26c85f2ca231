"""Geo panels with known truth, in many shapes, for benches and tests of the geo model's defaults.

Why: the geo defaults (the shared weekly effect, its parameterisation, the pooling priors, the
centred intercept) were developed on three real panels (Meridian's 20- and 40-geo files and
pymc-marketing's 2-geo example), and a user's 6-geo regional panel stalled a chain at a step
size of 1e-14 (issue 38). A default has to converge on any reasonable panel, so it is judged on
a grid of them: 2 to 50 geos, 3 to 10 channels, 104 to 208 weeks, media flighted nationally or
per region, geos of very different sizes, with and without shocks every geo shares, low and high
noise. Each panel is drawn from the model's own assumptions (geometric carryover and logistic
saturation shared by geos, each geo's effect log-normal around a national one), so a fit that
samples well must cover the truth, and a miss is the sampler's or the priors', not the form's.

`generate(shape, seed)` returns the panel twice: the frames `python_udfs.panel.build_model_frame`
reads (int_weekly_panel, int_media_spend_weekly, int_controls_weekly) for a fit in Python, and
the long inputs of var mmm_inputs (period_start, period_end, geo, ...) for a run through dbt
(`write_inputs`), with the true ROAS (in-sample contribution / spend, KPI units) per geo x
channel and per channel for the nation. No pytest here: tests and bench scripts both import it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from python_udfs import transforms

FIRST_WEEK = "2021-01-04"  # a Monday
MAX_LAG = 6  # FitConfig's default: the true carryover fits inside the model's window
MEDIA_SHARE = 0.3  # media's share of the KPI at mean spend, all channels together


@dataclass(frozen=True)
class PanelShape:
    """What varies between panels. `flights`: "national" switches a channel on and off in the
    same weeks in every geo (a TV flight), "regional" per geo (a regional test, a local launch).
    `size_spread`: the largest geo's KPI over the smallest's (sizes log-uniform between).
    `shared_shocks`: a weekly series every geo feels (weather, the economy), a share of each
    geo's level; without it geos' noise is independent. `noise`: each geo's own weekly noise,
    2% ("low") or 8% ("high") of its level."""

    geos: int = 6
    channels: int = 5
    weeks: int = 156
    flights: Literal["national", "regional"] = "regional"
    size_spread: float = 20.0
    shared_shocks: bool = True
    noise: Literal["low", "high"] = "low"
    controls: int = 0

    def __post_init__(self) -> None:
        if self.geos < 2:
            raise ValueError("a geo panel has at least 2 geos")
        if self.channels < 1 or self.weeks < 2 * MAX_LAG:
            raise ValueError("at least 1 channel and 12 weeks")
        if self.flights not in ("national", "regional"):
            raise ValueError("flights: national or regional")
        if self.noise not in ("low", "high"):
            raise ValueError("noise: low or high")
        if self.size_spread < 1:
            raise ValueError("size_spread: the largest geo over the smallest, >= 1")

    @property
    def label(self) -> str:
        shocks = "shocks" if self.shared_shocks else "no-shocks"
        return (
            f"{self.geos}g x {self.channels}c x {self.weeks}w {self.flights} "
            f"spread {self.size_spread:g} {shocks} {self.noise}-noise"
        )


NOISE = {"low": 0.02, "high": 0.08}
SHOCK_SD = 0.05  # the shared weekly shock's sd, a share of each geo's level


@dataclass(frozen=True)
class GeneratedPanel:
    """One panel and its truth.

    panel, spend, controls: int_weekly_panel (week_start, geo, kpi, trend, is_holdout),
    int_media_spend_weekly (week_start, geo, channel, spend) and int_controls_weekly
    (week_start, geo, control, value), what build_model_frame takes.
    roas: true ROAS per geo x channel (index geo, columns channel); national_roas: per channel.
    The truth's parameters are kept for diagnosis (alpha, lam per channel; beta per geo x
    channel, the saturation coefficient in KPI units; the shared shock per week)."""

    shape: PanelShape
    seed: int
    panel: pd.DataFrame
    spend: pd.DataFrame
    controls: pd.DataFrame
    roas: pd.DataFrame
    national_roas: pd.Series
    alpha: pd.Series
    lam: pd.Series
    beta: pd.DataFrame
    shock: pd.Series

    @property
    def channels(self) -> list[str]:
        return list(self.roas.columns)

    @property
    def geos(self) -> list[str]:
        return list(self.roas.index)

    def long_inputs(self) -> dict[str, pd.DataFrame]:
        """The long layout of var mmm_inputs: spend (period_start, period_end, geo, channel,
        spend), kpi (period_start, period_end, geo, kpi), controls (..., control, value)."""
        out = {
            "media_spend": self.spend.rename(columns={"week_start": "period_start"}),
            "kpi": self.panel[["week_start", "geo", "kpi"]].rename(columns={"week_start": "period_start"}),
        }
        if len(self.controls):
            out["controls"] = self.controls.rename(columns={"week_start": "period_start"})
        for frame in out.values():
            frame["period_end"] = frame["period_start"] + pd.Timedelta(days=6)
        return out

    def write_inputs(self, folder: Path) -> dict:
        """Write the long inputs as parquet under `folder`; return the dbt vars that read them
        (as bench_geo_fit.generate does)."""
        inputs = {}
        for name, frame in self.long_inputs().items():
            path = folder / f"{name}.parquet"
            frame.to_parquet(path, index=False)
            inputs[name] = {"path": str(path), "has_geo": True}
        return {"mmm_week_start": "monday", "mmm_inputs": inputs}


def _flights(rng: np.random.Generator, weeks: int, on_share: float) -> np.ndarray:
    """An on/off calendar in bursts of 2 to 10 weeks, on about `on_share` of the weeks: how
    campaigns run (a channel on at random in single weeks is not what makes a model hard)."""
    on = np.zeros(weeks, dtype=bool)
    t, state = 0, bool(rng.random() < on_share)
    while t < weeks:
        mean = 6.0 * (on_share if state else 1 - on_share) / 0.5  # 6 weeks at an even split
        length = max(1, int(rng.poisson(mean)))
        on[t : t + length] = state
        t, state = t + length, not state
    if not on.any():  # every cell spends somewhere: a geo's ROAS needs spend
        on[rng.integers(0, weeks - 4) :][:4] = True
    return on


def _shared_shock(rng: np.random.Generator, weeks: int) -> np.ndarray:
    """A weekly series with memory (AR(1), rho 0.6) and a few sharp weeks (a storm, a moved
    holiday), sd about SHOCK_SD."""
    z = np.zeros(weeks)
    eps = rng.normal(0, SHOCK_SD * np.sqrt(1 - 0.36), weeks)
    for t in range(weeks):
        z[t] = (0.6 * z[t - 1] if t else 0.0) + eps[t]
    spikes = rng.random(weeks) < 0.03
    z[spikes] += rng.choice([-1.0, 1.0], spikes.sum()) * 3 * SHOCK_SD
    return z


def generate(shape: PanelShape, seed: int) -> GeneratedPanel:
    """A panel drawn from the geo model's assumptions with this shape and seed (see the module's
    docstring): per geo, KPI = level x (1 + trend + season + shared shock) + media + controls +
    noise, media = beta[g, c] x logistic(adstock(spend) / max spend; lam[c])."""
    rng = np.random.default_rng([seed, shape.geos, shape.channels, shape.weeks])
    weeks = pd.date_range(FIRST_WEEK, periods=shape.weeks, freq="7D")
    t = np.arange(shape.weeks)
    geos = [f"geo_{g:02d}" for g in range(shape.geos)]
    channels = [f"channel_{c:02d}" for c in range(shape.channels)]
    sizes = np.exp(rng.permutation(np.linspace(0.0, np.log(shape.size_spread), shape.geos)))
    levels = 1e4 * sizes
    alpha = rng.uniform(0.1, 0.7, shape.channels)
    lam = rng.uniform(0.5, 3.0, shape.channels)
    share = rng.dirichlet(np.full(shape.channels, 2.0)) * MEDIA_SHARE
    national_beta = share  # the effect at mean spend, a share of the geo's level (before geo deviation)
    deviation = rng.normal(0, 0.25, (shape.geos, shape.channels))  # log-normal geo deviations
    shock = _shared_shock(rng, shape.weeks) if shape.shared_shocks else np.zeros(shape.weeks)
    season_phase = rng.uniform(0, 2 * np.pi)
    season = 0.08 * np.sin(2 * np.pi * t / 52.18 + season_phase) + 0.03 * np.cos(4 * np.pi * t / 52.18)
    national_on = [_flights(rng, shape.weeks, 0.6) for _ in channels]
    control_effect = rng.normal(0, 0.02, shape.controls)

    panel_rows, spend_rows, control_rows = [], [], []
    contribution = np.zeros((shape.geos, shape.channels))
    spend_sum = np.zeros((shape.geos, shape.channels))
    beta = np.zeros((shape.geos, shape.channels))
    for g, geo in enumerate(geos):
        level = levels[g]
        growth = rng.normal(0.0, 0.05) * t / shape.weeks  # up to +-5% over the window per geo
        kpi = level * (1 + growth + season + shock)
        for c, channel in enumerate(channels):
            on = national_on[c] if shape.flights == "national" else _flights(rng, shape.weeks, 0.6)
            x = rng.gamma(4.0, 25.0 * sizes[g], shape.weeks) * on
            stock = transforms.adstock(x, transforms.adstock_weights("geometric", MAX_LAG, alpha[c]))
            curve = transforms.saturation("logistic", stock / x.max(), lam[c])
            beta[g, c] = national_beta[c] * level * np.exp(deviation[g, c]) / max(float(curve.mean()), 1e-9)
            media = beta[g, c] * curve
            kpi = kpi + media
            contribution[g, c], spend_sum[g, c] = float(media.sum()), float(x.sum())
            spend_rows.append(pd.DataFrame({"week_start": weeks, "geo": geo, "channel": channel, "spend": x}))
        for k in range(shape.controls):
            z = rng.normal(0, 1, shape.weeks)
            kpi = kpi + control_effect[k] * level * z
            name = f"control_{k:02d}"
            control_rows.append(pd.DataFrame({"week_start": weeks, "geo": geo, "control": name, "value": z}))
        kpi = kpi + rng.normal(0, NOISE[shape.noise] * level, shape.weeks)
        panel_rows.append(pd.DataFrame({"week_start": weeks, "geo": geo, "kpi": kpi, "trend": t, "is_holdout": False}))

    controls = (
        pd.concat(control_rows, ignore_index=True)
        if control_rows
        else pd.DataFrame({"week_start": pd.Series(dtype="datetime64[ns]"), "geo": [], "control": [], "value": []})
    )
    return GeneratedPanel(
        shape=shape,
        seed=seed,
        panel=pd.concat(panel_rows, ignore_index=True),
        spend=pd.concat(spend_rows, ignore_index=True),
        controls=controls,
        roas=pd.DataFrame(contribution / spend_sum, index=geos, columns=channels),
        national_roas=pd.Series(contribution.sum(axis=0) / spend_sum.sum(axis=0), index=channels),
        alpha=pd.Series(alpha, index=channels),
        lam=pd.Series(lam, index=channels),
        beta=pd.DataFrame(beta, index=geos, columns=channels),
        shock=pd.Series(shock, index=weeks),
    )


# The grid the issue asks the defaults to converge on, smallest first (bench_geo_panels.py).
GRID = [
    PanelShape(geos=2, channels=3, weeks=104, flights="national", size_spread=3.0, noise="low"),
    PanelShape(geos=4, channels=5, weeks=156, flights="regional", size_spread=10.0, noise="high"),
    PanelShape(geos=6, channels=5, weeks=156, flights="regional", size_spread=20.0, shared_shocks=True),
    PanelShape(geos=10, channels=6, weeks=156, flights="national", size_spread=30.0, shared_shocks=False),
    PanelShape(geos=20, channels=5, weeks=208, flights="regional", size_spread=50.0, noise="high"),
]
