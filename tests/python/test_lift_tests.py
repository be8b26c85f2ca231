"""Lift-test calibration: an experiment moves a channel the panel alone cannot pin down toward
the truth (generated data, short real NUTS fits), and the dbt path records which experiments a
run used, refits when they change and names a test it cannot use."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import query, run_dbt

from python_udfs import lift_tests, roas_priors, transforms
from python_udfs.config import FitConfig
from python_udfs.fit_node import prepare
from python_udfs.mmm_fit import fit_mmm
from python_udfs.panel import build_model_frame

WEEKS = 104
MAX_LAG = 3
# Two channels whose spend moves together (correlation ~0.95): the panel sees their sum well and
# the split badly. "big" does most of the work; "small" almost nothing.
BETA = {"big": 3000.0, "small": 300.0}
LAM = {"big": 1.5, "small": 1.5}
ALPHA = {"big": 0.3, "small": 0.3}
SHORT_FIT = {"chains": 2, "draws": 300, "tune": 300, "max_lag": MAX_LAG, "yearly_seasonality": 0}


def generate(seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float], dict[str, float]]:
    """Panel and spend in the warehouse's long layout, each channel's true ROAS, and the true
    weekly lift of a +30% spend test on `small` (steady state, as pymc-marketing reads a test)."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2022-01-03", periods=WEEKS, freq="W-MON")
    common = rng.gamma(4.0, 250.0, WEEKS)
    spend = {c: common * rng.normal(1.0, 0.1, WEEKS).clip(0.5) for c in BETA}
    kpi = 10_000.0 + rng.normal(0, 150.0, WEEKS)
    roas = {}
    for channel, x in spend.items():
        stock = transforms.adstock(x, transforms.adstock_weights("geometric", MAX_LAG, ALPHA[channel]))
        contribution = BETA[channel] * transforms.saturation("logistic", stock / x.max(), LAM[channel])
        kpi = kpi + contribution
        roas[channel] = float(contribution.sum() / x.sum())
    x0 = float(spend["small"].mean())
    scale = float(spend["small"].max())

    def response(v: float) -> float:
        return float(BETA["small"] * transforms.saturation("logistic", np.array([v / scale]), LAM["small"])[0])

    test = {"x": x0, "delta_x": 0.3 * x0, "delta_y": response(1.3 * x0) - response(x0)}
    panel = pd.DataFrame(
        {"week_start": weeks, "geo": "total", "kpi": kpi, "trend": np.arange(WEEKS), "is_holdout": False}
    )
    long_spend = pd.concat(
        pd.DataFrame({"week_start": weeks, "geo": "total", "channel": c, "spend": x}) for c, x in spend.items()
    )
    return panel, long_spend, roas, test


def _roas(result, mf) -> pd.DataFrame:
    post = result.idata["posterior"].to_dataset()
    scale = result.idata["constant_data"].to_dataset()["target_scale"]
    contribution = (post["channel_contribution"] * scale).sum("date").stack(sample=("chain", "draw"))
    spend = mf.train[mf.channels].sum()
    return pd.DataFrame((contribution.values / spend.to_numpy()[:, None]).T, columns=mf.channels)


@pytest.fixture(scope="module")
def calibrated():
    panel, spend, truth, test = generate()
    mf = build_model_frame(panel, spend, pd.DataFrame(columns=["week_start", "geo", "control", "value"]))
    config = FitConfig.from_mapping(SHORT_FIT).resolved(WEEKS)
    rows = pd.DataFrame(
        [
            {
                "test_id": "small_plus_30",
                "channel": "small",
                "geo": "total",
                **test,
                "sigma": 0.05 * test["delta_y"],
                "problem": None,
            }
        ]
    )
    tests = lift_tests.measurements(rows, mf.geos)
    # a team's belief, 20% off the truth and held loosely (no experiment)
    belief = {"small": {"roas": 1.2 * truth["small"], "sigma": 0.25 * truth["small"]}}
    believing = replace(config, roas_priors=belief)
    out = {}
    for name, cfg, experiments in (
        ("panel alone", config, None),
        ("with the lift test", config, tests),
        ("with a ROAS prior", believing, None),
    ):
        _, result = fit_mmm(mf, cfg, experiments=experiments, keep=("channel_contribution",))
        out[name] = _roas(result, mf)
    return out, truth


def test_a_lift_test_pulls_the_tested_channel_toward_the_truth(calibrated):
    draws, truth = calibrated
    error = {}
    for name, roas in draws.items():
        small = roas["small"]
        lo, hi = small.quantile(0.03), small.quantile(0.97)
        error[name] = abs(small.mean() - truth["small"])
        print(f"{name}: small ROAS {small.mean():.3f} [{lo:.3f}, {hi:.3f}], truth {truth['small']:.3f}")
    assert error["with the lift test"] < 0.5 * error["panel alone"]
    calibrated_small = draws["with the lift test"]["small"]
    assert calibrated_small.quantile(0.03) <= truth["small"] <= calibrated_small.quantile(0.97)
    assert calibrated_small.std() < draws["panel alone"]["small"].std()


def test_a_roas_prior_pulls_the_channel_toward_the_belief(calibrated):
    """Without an experiment, a belief about small's ROAS (20% above the truth, sd 25%) moves
    its posterior from where the panel alone leaves it toward the belief, and narrows it."""
    draws, truth = calibrated
    alone, believed = draws["panel alone"]["small"], draws["with a ROAS prior"]["small"]
    belief = 1.2 * truth["small"]
    print(
        f"small ROAS: panel alone {alone.mean():.3f} [{alone.quantile(0.03):.3f}, {alone.quantile(0.97):.3f}], "
        f"with the prior {believed.mean():.3f} [{believed.quantile(0.03):.3f}, {believed.quantile(0.97):.3f}], "
        f"belief {belief:.3f}, truth {truth['small']:.3f}"
    )
    assert abs(believed.mean() - belief) < 0.5 * abs(alone.mean() - belief)
    assert believed.std() < alone.std()


def test_roas_priors_are_checked():
    with pytest.raises(ValueError, match=r"mmm_fit\.roas_priors: tv: give exactly roas and sigma"):
        FitConfig.from_mapping({"roas_priors": {"tv": {"roas": 2.0}}})
    with pytest.raises(ValueError, match=r"mmm_fit\.roas_priors: tv: roas must be >= 0 and sigma > 0"):
        FitConfig.from_mapping({"roas_priors": {"tv": {"roas": 2.0, "sigma": 0}}})
    with pytest.raises(ValueError, match=r"radio not among the fitted channels \(search, tv\)"):
        roas_priors.beliefs({"radio": {"roas": 1.0, "sigma": 0.5}}, ["search", "tv"], ["total"])
    # none set: the cache key of every fit stored before the setting
    assert "roas_priors" not in FitConfig().model_dict()
    assert FitConfig(roas_priors={"tv": {"roas": 2.0, "sigma": 0.5}}).config_hash() != FitConfig().config_hash()


def test_unusable_tests_are_named():
    rows = pd.DataFrame(
        [
            {
                "test_id": "t1",
                "channel": "radio",
                "geo": "total",
                "x": 1.0,
                "delta_x": 1.0,
                "delta_y": 1.0,
                "sigma": 1.0,
                "problem": "channel is not one the model fits",
            }
        ]
    )
    with pytest.raises(ValueError, match=r"int_lift_tests\.problem: .*test_id=t1, channel is not one"):
        lift_tests.measurements(rows, ["total"])
    assert lift_tests.measurements(None, ["total"]).empty


def _lift_csv(path, rows: list[dict]) -> str:
    pd.DataFrame(rows).to_csv(path, index=False)
    return str(path)


TV_TEST = {
    "test_id": "tv_spring_2023",
    "channel": "tv",
    "period_start": "2023-03-06",
    "period_end": "2023-04-30",
    "spend_change": 7336.0,
    "lift": 7832.0,
    "lift_se": 783.0,
}


def test_runs_record_their_experiments_and_refit_when_they_change(sql_layer_db, copy_of, tmp_path):
    """Tiny fits on the demo panel: the run names the test it used; the same test reuses the fit;
    a changed test is new data and samples again."""
    db = copy_of(sql_layer_db)
    fit = {"chains": 1, "draws": 30, "tune": 30, "prior_predictive_draws": 20}
    nodes = ["run", "--select", "stg_lift_tests", "int_lift_tests", "mmm_data_review", "mmm_fits"]

    def build(test: dict) -> str:
        inputs = {"mmm_inputs": {"lift_tests": {"path": _lift_csv(tmp_path / "lift.csv", [test])}}}
        return run_dbt(nodes, db, {"mmm_fit": fit, **inputs}).output

    first = build(TV_TEST)
    assert "calibrating with 1 lift test(s): tv_spring_2023" in first
    ((recorded,),) = query(db, "select lift_tests from main.mmm_fits")
    (test,) = json.loads(recorded)
    assert test["test_id"] == "tv_spring_2023" and test["channel"] == "tv"
    # 8 weeks: the totals per week, and the spend before the change is what was recorded less it
    assert test["delta_x"] == pytest.approx(7336.0 / 8) and test["sigma"] == pytest.approx(783.0 / 8)
    ((recorded_tv,),) = query(
        db,
        "select avg(spend) from main_build.int_media_spend_weekly where channel = 'tv' "
        "and week_start between '2023-03-06' and '2023-04-24'",
    )
    assert test["x"] == pytest.approx(recorded_tv - 7336.0 / 8)
    assert "reusing fit" in build(TV_TEST)
    assert query(db, "select count(*) from main.mmm_fits") == [(1,)]


def test_a_changed_test_is_new_data():
    """The tests' figures join the data hash (so a changed test refits); none leaves it as it was."""
    panel, spend, _, test = generate()
    controls = pd.DataFrame(columns=["week_start", "geo", "control", "value"])
    config = FitConfig.from_mapping(SHORT_FIT)
    row = {"test_id": "t", "channel": "small", "geo": "total", **test, "sigma": 1.0}
    hashes = [
        prepare(panel, spend, controls, config, rows).data_hash
        for rows in (None, pd.DataFrame([row]), pd.DataFrame([{**row, "sigma": 2.0}]))
    ]
    assert len(set(hashes)) == 3
    assert hashes[0] == prepare(panel, spend, controls, config, None).mf.data_hash()


def test_tests_that_cannot_be_used_stop_the_build_naming_each(sql_layer_db, copy_of, tmp_path):
    db = copy_of(sql_layer_db)
    bad = {
        "unknown_channel": ({"channel": "radio"}, "channel is not one the model fits"),
        "outside_panel": ({"period_start": "2030-01-07", "period_end": "2030-02-03"}, "overlaps no week of the panel"),
        "too_large": ({"spend_change": 1e9}, "spend before the change would be negative"),
    }
    rows = [{**TV_TEST, "test_id": name, **edit} for name, (edit, _) in bad.items()]
    inputs = {"mmm_inputs": {"lift_tests": {"path": _lift_csv(tmp_path / "lift.csv", rows)}}}
    out = run_dbt(["build", "--select", "stg_lift_tests", "int_lift_tests"], db, inputs, ok=False).output
    assert "MMM INPUT ERROR in int_lift_tests.problem" in out
    for name, (_, message) in bad.items():
        assert f"test_id={name}, channel=" in out and message in out, name
