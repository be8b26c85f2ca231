"""Geo pooling on generated data with known truth: geos of very different sizes, channel effects
that differ a little from geo to geo around a national one. Partial pooling (the default) must
give national ROAS intervals that cover the truth, and narrow the thinnest geo's intervals
against the unpooled model. Short real NUTS fits (slow lane)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from python_udfs import transforms
from python_udfs.config import FitConfig
from python_udfs.mmm_fit import fit_mmm
from python_udfs.panel import build_model_frame

pytestmark = pytest.mark.slow

CHANNELS = ["search", "social", "tv"]
GEO_SIZES = {"g1": 10.0, "g2": 6.0, "g3": 3.0, "g4": 1.5, "g5": 0.4}  # g5 is the thinnest
ALPHA = {"search": 0.2, "social": 0.4, "tv": 0.6}
LAM = {"search": 2.0, "social": 1.5, "tv": 1.0}
SHARE = {"search": 0.12, "social": 0.08, "tv": 0.15}  # of the geo's KPI at mean spend, roughly
WEEKS = 130
MAX_LAG = 4
SHORT_FIT = {"chains": 2, "draws": 300, "tune": 400, "max_lag": MAX_LAG, "trend": True}


def generate(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """Panel, spend and (no) controls in the warehouse's long layout, and each channel's true
    national ROAS over the weeks."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2022-01-03", periods=WEEKS, freq="W-MON")
    season = np.sin(2 * np.pi * np.arange(WEEKS) / 52.18)
    panel_rows, spend_rows = [], []
    contribution = dict.fromkeys(CHANNELS, 0.0)
    spend_total = dict.fromkeys(CHANNELS, 0.0)
    for geo, size in GEO_SIZES.items():
        base = 1000.0 * size
        kpi = base * (1 + 0.1 * season)
        for channel in CHANNELS:
            x = rng.gamma(3.0, 100.0 * size, WEEKS) * (rng.random(WEEKS) > 0.15)
            weights = transforms.adstock_weights("geometric", MAX_LAG, ALPHA[channel])
            stock = transforms.adstock(x, weights)
            scaled = stock / x.max()
            effect = SHARE[channel] * base * np.exp(rng.normal(0, 0.15))  # geo deviation
            mean_sat = float(transforms.saturation("logistic", scaled, LAM[channel]).mean())
            contrib = effect / mean_sat * transforms.saturation("logistic", scaled, LAM[channel])
            kpi = kpi + contrib
            contribution[channel] += float(contrib.sum())
            spend_total[channel] += float(x.sum())
            spend_rows += [
                {"week_start": w, "geo": geo, "channel": channel, "spend": s} for w, s in zip(weeks, x, strict=True)
            ]
        kpi = kpi + rng.normal(0, 0.04 * base, WEEKS)
        panel_rows += [
            {"week_start": w, "geo": geo, "kpi": k, "trend": i, "is_holdout": False}
            for i, (w, k) in enumerate(zip(weeks, kpi, strict=True))
        ]
    controls = pd.DataFrame(columns=["week_start", "geo", "control", "value"])
    truth = {c: contribution[c] / spend_total[c] for c in CHANNELS}
    return pd.DataFrame(panel_rows), pd.DataFrame(spend_rows), controls, truth


def roas_draws(mmm, result, mf) -> pd.DataFrame:
    """Per draw, geo (and 'total') and channel: in-sample contribution / spend, KPI units."""
    post = result.idata["posterior"].to_dataset()
    scale = result.idata["constant_data"].to_dataset()["target_scale"]
    contribution = (post["channel_contribution"] * scale).sum("date")  # chain, draw, geo, channel
    spend = mf.train.groupby("geo")[mf.channels].sum()
    frames = []
    for geo in mf.geos:
        c = contribution.sel(geo=geo).stack(sample=("chain", "draw")).values  # channel x sample
        frames.append(pd.DataFrame((c / spend.loc[geo].to_numpy()[:, None]).T, columns=mf.channels).assign(geo=geo))
    national = contribution.sum("geo").stack(sample=("chain", "draw")).values
    frames.append(pd.DataFrame((national / spend.sum().to_numpy()[:, None]).T, columns=mf.channels).assign(geo="total"))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def fits():
    panel, spend, controls, truth = generate()
    mf = build_model_frame(panel, spend, controls)
    out = {}
    for pooling in ("partial", "none"):
        config = FitConfig.from_mapping({**SHORT_FIT, "geo_pooling": pooling}).resolved(WEEKS, len(mf.geos))
        mmm, result = fit_mmm(mf, config, keep=("channel_contribution",))
        out[pooling] = roas_draws(mmm, result, mf)
    return out, truth


def _interval(draws: pd.Series) -> tuple[float, float]:
    return float(draws.quantile(0.03)), float(draws.quantile(0.97))


def test_national_roas_covers_the_truth(fits):
    draws, truth = fits
    national = draws["partial"][draws["partial"]["geo"] == "total"]
    missed = []
    for channel in CHANNELS:
        lo, hi = _interval(national[channel])
        print(f"{channel}: true {truth[channel]:.3f}, 94% [{lo:.3f}, {hi:.3f}]")
        if not lo <= truth[channel] <= hi:
            missed.append(channel)
    assert len(missed) <= 1, missed


def test_pooling_narrows_the_thinnest_geo(fits):
    draws, _ = fits
    widths = {}
    for pooling in ("partial", "none"):
        thin = draws[pooling][draws[pooling]["geo"] == "g5"]
        widths[pooling] = np.mean([np.subtract(*_interval(thin[c])[::-1]) for c in CHANNELS])
    print(widths)
    assert widths["partial"] < widths["none"]
