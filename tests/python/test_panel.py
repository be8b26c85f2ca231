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


def geo_frames():
    """Three geos: 'price' differs between geos (each geo's own level), 'holiday' is a national
    series (one value per week for all geos)."""
    weeks = pd.date_range("2024-01-01", periods=40, freq="7D")
    geos = ["a", "b", "c"]
    rng = np.random.default_rng(1)
    grid = pd.DataFrame([(w, g) for g in geos for w in weeks], columns=["week_start", "geo"])
    panel = grid.assign(kpi=rng.normal(1e4, 1e2, len(grid)), trend=np.tile(np.linspace(0, 1, 40), 3), is_holdout=False)
    spend = grid.assign(channel="tv", spend=rng.gamma(2.0, 100.0, len(grid)))
    level = grid["geo"].map({"a": 10.0, "b": 50.0, "c": 90.0})
    price = grid.assign(control="price", value=level + rng.normal(0, 1, len(grid)))
    holiday = grid.assign(control="index", value=np.tile(rng.normal(5, 1, 40), 3))
    return panel, spend, pd.concat([price, holiday], ignore_index=True)


def test_a_control_that_differs_between_geos_is_centred_on_each_geos_mean():
    """Centred on the panel's mean, geo c's price sits far off centre with little spread of its
    own, and its intercept and coefficient form a ridge; centred on its own mean they do not. A
    national series keeps one offset, so the shared weekly effect still sees it as national."""
    panel, spend, controls = geo_frames()
    mf = build_model_frame(panel, spend, controls)
    means = controls[controls["control"] == "price"].groupby("geo")["value"].mean()
    assert mf.geo_offsets["price"] == pytest.approx(means.to_dict(), rel=1e-12)
    assert list(mf.geo_offsets) == ["price"]  # not the national index, not the trend
    by_geo = mf.frame.groupby("geo")["price"].mean()
    np.testing.assert_allclose(by_geo.to_numpy(), 0.0, atol=1e-12)
    assert mf.frame.groupby("date")["index"].nunique().max() == 1
    stored = mf.stored_scales()
    assert stored["price"][0] == mf.geo_offsets["price"] and isinstance(stored["index"][0], float)
    # the stored offset and scale rebuild the raw value, as int_linear_features does in SQL
    raw = mf.frame["price"] * stored["price"][1] + mf.frame["geo"].map(stored["price"][0])
    expect = controls[controls["control"] == "price"].sort_values(["week_start", "geo"])["value"].to_numpy()
    np.testing.assert_allclose(raw.to_numpy(), expect, rtol=1e-12)


def test_a_control_whose_geos_vary_about_one_level_keeps_one_offset():
    """A score that differs between geos week by week but whose geos' means all sit within one
    of their own standard deviations of the panel's mean (Meridian's geo_media controls) has no
    ridge to remove: it keeps the panel's mean as its one offset. Shifted so one geo sits five
    spreads off, the same control is centred per geo."""
    panel, spend, controls = geo_frames()
    rng = np.random.default_rng(2)
    score = controls["control"] == "price"
    level = controls["geo"].map({"a": -0.5, "b": 0.0, "c": 0.5})
    controls = controls.assign(value=np.where(score, 3.0 + level + rng.normal(0, 1, len(controls)), controls["value"]))
    mf = build_model_frame(panel, spend, controls)
    assert mf.geo_offsets == {}
    assert mf.stored_scales()["price"][0] == pytest.approx(controls.loc[score, "value"].mean(), rel=1e-12)
    shifted = controls.assign(value=controls["value"] + np.where(score & (controls["geo"] == "c"), 5.0, 0.0))
    assert sorted(build_model_frame(panel, spend, shifted).geo_offsets["price"]) == ["a", "b", "c"]


def test_a_control_constant_within_every_geo_is_refused():
    """A geo-level constant (a region's size) only moves the geos' intercepts; the fit cannot
    tell it from them, so it is refused by name rather than fitted as noise."""
    panel, spend, controls = geo_frames()
    size = controls["geo"].map({"a": 1.0, "b": 2.0, "c": 4.0})
    controls = controls.assign(value=np.where(controls["control"] == "price", size, controls["value"]))
    with pytest.raises(ValueError, match=r"within any geo.*\(control=price\)"):
        build_model_frame(panel, spend, controls)
