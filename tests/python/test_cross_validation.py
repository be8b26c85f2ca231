"""Time-slice cross-validation: fold windows, settings, and the dbt nodes with tiny real fits."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import query, run_dbt

from python_udfs.cross_validation import MIN_TRAIN_WEEKS, CVConfig, fold_experiments, fold_frame, fold_windows
from python_udfs.panel import build_model_frame


def test_folds_roll_forward_and_the_last_ends_at_the_last_training_week():
    weeks = pd.Series(pd.date_range("2022-01-03", periods=156, freq="7D"))
    windows = fold_windows(weeks, CVConfig(folds=3, step_weeks=13, horizon_weeks=8))
    assert [(o, last) for o, last in windows] == [
        (weeks[156 - 8 - 26], weeks[156 - 26 - 1]),
        (weeks[156 - 8 - 13], weeks[156 - 13 - 1]),
        (weeks[156 - 8], weeks[155]),
    ]


def test_folds_that_leave_too_little_training_data_name_the_setting():
    weeks = pd.Series(pd.date_range("2022-01-03", periods=80, freq="7D"))
    message = rf"mmm_cv: 3 folds .* leave the first fold 41 training weeks of 80; it needs at least {MIN_TRAIN_WEEKS}"
    with pytest.raises(ValueError, match=message):
        fold_windows(weeks, CVConfig(folds=3, step_weeks=13, horizon_weeks=13))


def test_bad_settings_name_the_setting():
    with pytest.raises(ValueError, match=r"var mmm_cv: unknown setting\(s\) fold;"):
        CVConfig.from_mapping({"fold": 3})
    with pytest.raises(ValueError, match=r"var mmm_cv\.horizon_weeks: must be >= 1"):
        CVConfig.from_mapping({"folds": 2, "horizon_weeks": 0})
    with pytest.raises(ValueError, match=r"var mmm_cv\.folds: must be a whole number"):
        CVConfig.from_mapping({"folds": "three"})
    assert not CVConfig.from_mapping({}).enabled


def test_a_fold_sees_only_experiments_that_ended_before_its_origin():
    tests = pd.DataFrame({"test_id": ["a", "b"], "period_end": ["2024-06-30", "2024-12-29"]})
    kept = fold_experiments(tests, pd.Timestamp("2024-12-30"))
    assert list(kept["test_id"]) == ["a", "b"]
    assert list(fold_experiments(tests, pd.Timestamp("2024-12-29"))["test_id"]) == ["a"]


def test_a_fold_leaves_out_the_slope_changes_its_training_weeks_do_not_reach():
    """Knots at a quarter, a half and three quarters of 156 weeks; a fold trained to week 90
    keeps the first two slope changes, and its frame, controls and scales agree."""
    weeks = pd.date_range("2022-01-03", periods=156, freq="7D")
    panel = pd.DataFrame({"week_start": weeks, "geo": "total", "kpi": np.linspace(100, 200, 156)})
    panel["trend"] = np.linspace(0, 1, 156)
    panel["is_holdout"] = False
    spend = pd.DataFrame({"week_start": weeks, "geo": "total", "channel": "tv", "spend": np.arange(156.0) % 7})
    controls = pd.DataFrame(columns=["week_start", "geo", "control", "value"])
    mf = build_model_frame(panel, spend, controls, trend_changepoints=3)
    fold = fold_frame(mf, weeks[90], weeks[102])
    kept = ["trend", "trend_change_1", "trend_change_2"]
    assert fold.controls == kept and list(fold.trend_knots) == kept[1:] and list(fold.control_scales) == kept
    assert "trend_change_3" not in fold.frame and len(fold.frame) == 103 and int(fold.holdout.sum()) == 13


def test_cross_validation_nodes_write_one_row_per_fold_and_channel(sql_layer_db, copy_of):
    """Two folds of tiny real fits on the demo panel: windows, scores and per-channel parameters
    written; a rebuild with nothing changed fits nothing again."""
    db = copy_of(sql_layer_db)
    nodes = ["run", "--select", "stg_lift_tests", "int_lift_tests", "mmm_data_review", "mmm_cv_folds+"]
    dbt_vars = {
        "mmm_fit": {"prior_predictive_draws": 20},
        "mmm_cv": {"folds": 2, "step_weeks": 13, "horizon_weeks": 13, "chains": 1, "draws": 40, "tune": 40},
    }
    first = run_dbt(nodes, db, dbt_vars).output
    assert "mmm cv: fold 1 of 2" in first and "mmm cv: fold 2 of 2" in first
    folds = query(
        db,
        "select fold, train_end, test_start, test_end, n_weeks_train, n_weeks_test, crps, mape, coverage "
        "from main.mmm_cv_folds order by fold",
    )
    (n_weeks,) = query(db, "select count(distinct week_start) from main.int_weekly_panel")[0]
    assert [f[0] for f in folds] == [1, 2]
    assert [f[4] for f in folds] == [n_weeks - 26, n_weeks - 13] and [f[5] for f in folds] == [13, 13]
    assert all(f[1] < f[2] <= f[3] for f in folds) and folds[1][2] > folds[0][2]
    assert all(np.isfinite(f[6]) and f[6] > 0 and 0 < f[7] < 1 and 0 <= f[8] <= 1 for f in folds)
    channels = {r[0] for r in query(db, "select distinct channel from main.int_media_spend_weekly")}
    roas = query(
        db,
        "select fold, channel, mean, lower, upper from main.mmm_cv_parameter_stability where parameter = 'roas'",
    )
    assert len(roas) == 2 * len(channels) and {r[1] for r in roas} == channels
    assert all(0 <= r[3] <= r[2] <= r[4] for r in roas)
    params = {r[0] for r in query(db, "select distinct parameter from main.mmm_cv_parameter_stability")}
    assert params == {"roas", "adstock_alpha", "saturation_lam", "saturation_beta"}
    again = run_dbt(nodes, db, dbt_vars).output
    assert "reusing cross-validation" in again and "mmm cv: fold" not in again
    assert query(db, "select count(*) from main.mmm_cv_folds") == [(2,)]
    stored = json.loads(query(db, "select parameters from main.mmm_cv_folds where fold = 1")[0][0])
    assert len(stored) == 4 * len(channels)
