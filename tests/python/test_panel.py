"""The fit's model frame: its data hash keys the fit cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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


def test_the_trend_bends_at_knots_inside_the_training_weeks():
    """Slope changes are hinges max(0, trend - knot) with knots evenly spaced over the training
    weeks (the holdout extends the last slope), stored with the scales for the SQL marts."""
    panel, spend, controls = frames()
    panel["is_holdout"] = np.arange(60) >= 45
    mf = build_model_frame(panel, spend, controls, trend_changepoints=2)
    in_fit_end = panel.loc[44, "trend"]
    assert mf.trend_knots == pytest.approx({"trend_change_1": in_fit_end / 3, "trend_change_2": 2 * in_fit_end / 3})
    assert mf.controls == ["price", "trend", "trend_change_1", "trend_change_2"]
    offset, scale = mf.control_scales["trend_change_2"]
    hinge = mf.frame["trend_change_2"].to_numpy() * scale + offset
    np.testing.assert_allclose(hinge, np.maximum(panel["trend"].to_numpy() - 2 * in_fit_end / 3, 0), atol=1e-12)
    stored = mf.stored_scales()
    assert stored["trend_change_1"][2] == mf.trend_knots["trend_change_1"] and len(stored["price"]) == 2
    assert build_model_frame(panel, spend, controls).trend_knots == {}


@pytest.mark.parametrize(("name", "trend"), [("trend", True), ("trend", False), ("trend_change_1", True)])
def test_a_control_named_like_the_trend_is_refused_by_name(name, trend):
    panel, spend, controls = frames()
    controls["control"] = name
    with pytest.raises(ValueError, match=rf"reserved for the model's trend: \(control={name}\)"):
        build_model_frame(panel, spend, controls, trend=trend)
