"""The fit's model frame: its data hash keys the fit cache."""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_udfs.panel import build_model_frame


def frames(spend_noise: float = 0.0, spend_change: float = 0.0):
    weeks = pd.date_range("2024-01-01", periods=60, freq="7D")
    rng = np.random.default_rng(0)
    panel = pd.DataFrame({"week_start": weeks, "geo": "total", "kpi": rng.normal(1e5, 1e3, 60)})
    panel["trend"] = np.linspace(0, 1, 60)
    panel["is_holdout"] = False
    spend = pd.DataFrame({"week_start": np.tile(weeks, 2), "geo": "total", "channel": np.repeat(["tv", "search"], 60)})
    spend["spend"] = rng.gamma(2.0, 700.0, 120) * (1 + spend_noise) + spend_change
    controls = pd.DataFrame({"week_start": weeks, "geo": "total", "control": "price", "value": rng.normal(1, 0.1, 60)})
    return panel, spend, controls


def test_hash_ignores_float_noise_from_summation_order():
    assert build_model_frame(*frames()).data_hash() == build_model_frame(*frames(spend_noise=1e-15)).data_hash()


def test_hash_changes_when_the_data_changes():
    assert build_model_frame(*frames()).data_hash() != build_model_frame(*frames(spend_change=0.01)).data_hash()


def test_hash_does_not_depend_on_date_type():
    """Spark hands back dates as objects, DuckDB as datetime64[us]."""
    panel, spend, controls = frames()
    as_dates = [f.assign(week_start=f["week_start"].dt.date) for f in (panel, spend, controls)]
    assert build_model_frame(*as_dates).data_hash() == build_model_frame(panel, spend, controls).data_hash()


def test_a_flag_is_measured_from_off_and_a_continuous_control_from_its_mean():
    from python_udfs.panel import control_scale

    assert control_scale(pd.Series([0.0, 1.0, 0.0, 0.0])) == (0.0, 1.0)
    offset, scale = control_scale(pd.Series([1.0, 2.0, 3.0, 6.0]))
    assert offset == 3.0 and scale == 5.0
    assert control_scale(pd.Series([4.0, 4.0])) == (4.0, 1.0)  # constant: rejected later, not divided by 0


def test_the_frame_does_not_depend_on_the_order_the_warehouse_returns_rows():
    """DuckDB returns a table's rows in any order; a control's mean summed in that order differed
    in its last bits between two builds of the same data, and NUTS made different draws of it."""
    reference = build_model_frame(*frames())
    for seed in range(5):
        shuffled = [f.sample(frac=1.0, random_state=seed) for f in frames()]
        other = build_model_frame(*shuffled)
        assert other.frame.equals(reference.frame) and other.control_scales == reference.control_scales
