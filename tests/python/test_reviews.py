"""The pre-fit data review and the post-fit model review, on frames built here: each fail and
warn path with its message, and the model review on a good and a degenerate fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from python_udfs.data_review import DataReviewThresholds, failures, review_data
from python_udfs.model_review import ModelReviewThresholds, review_model, verdict

WEEKS = pd.date_range("2021-01-03", periods=104, freq="W-SUN")


def _inputs(rng=None, **change):
    rng = rng or np.random.default_rng(0)
    n = len(WEEKS)
    panel = pd.DataFrame({"week_start": WEEKS, "geo": "total", "kpi": 1000 + rng.normal(0, 50, n), "is_holdout": False})
    spend = {"tv": rng.gamma(2, 100, n), "search": rng.gamma(2, 50, n)}
    controls = {"holiday": (np.arange(n) % 52 == 47).astype(float), "price": 1 + rng.normal(0, 0.05, n)}
    spend.update(change.pop("spend", {}))
    controls.update(change.pop("controls", {}))
    if "kpi" in change:
        panel["kpi"] = change.pop("kpi")
    long = lambda wide, name, value: pd.DataFrame(  # noqa: E731
        [{"week_start": w, "geo": "total", name: k, value: v[i]} for k, v in wide.items() for i, w in enumerate(WEEKS)]
    )
    starts = change.pop("kpi_starts", WEEKS)
    kpi_input = pd.DataFrame({"period_start": starts, "period_end": starts + pd.Timedelta(days=6)})
    return panel, long(spend, "channel", "spend"), long(controls, "control", "value"), kpi_input


def _review(week_start="sunday", **change):
    return review_data(*_inputs(**change), week_start=week_start)


def _status(review, check, subject=None):
    rows = review[(review["check_name"] == check) & ((review["subject"] == subject) if subject else True)]
    assert len(rows) == 1, review
    return rows.iloc[0]


def test_clean_data_passes_every_check():
    review = _review()
    assert len(review) == 7 and set(review["status"]) == {"pass"}, review[review["status"] != "pass"]
    assert failures(review) == []


def test_a_constant_kpi_fails_naming_the_column():
    row = _status(_review(kpi=np.full(len(WEEKS), 500.0)), "kpi_variation")
    assert row["status"] == "fail" and row["message"].startswith("int_weekly_panel.kpi: the KPI barely varies")


def test_a_constant_channel_and_a_constant_control_fail():
    review = _review(spend={"radio": np.full(len(WEEKS), 10.0)}, controls={"flat": np.ones(len(WEEKS))})
    assert _status(review, "constant_channel", "radio")["status"] == "fail"
    control = _status(review, "constant_control", "flat")
    assert control["status"] == "fail" and "control 'flat' never changes" in control["message"]


def test_identical_channels_fail_and_correlated_channels_warn():
    rng = np.random.default_rng(3)
    tv = rng.gamma(2, 100, len(WEEKS))
    review = _review(spend={"tv": tv, "tv_copy": tv * 2, "ctv": tv + rng.normal(0, 20, len(WEEKS))})
    same = _status(review, "identical_channels", "tv & tv_copy")
    assert same["status"] == "fail" and "merge them" in same["message"]
    assert _status(review, "correlated_channels", "ctv & tv")["status"] == "warn"


def test_identical_controls_warn_naming_the_kept_one_and_collinear_controls_warn():
    rng = np.random.default_rng(4)
    flag = (np.arange(len(WEEKS)) % 52 == 46).astype(float)
    price = 1 + rng.normal(0, 0.05, len(WEEKS))
    review = _review(controls={"black_friday": flag, "thanksgiving": flag, "price": price, "price2": price * 3 + 0.001})
    row = _status(review, "identical_controls", "black_friday & thanksgiving")
    assert row["status"] == "warn" and "the fit keeps 'black_friday'" in row["message"]
    assert _status(review, "collinear_controls")["status"] == "warn"


def test_rare_spend_warns_and_a_typing_error_fails():
    rare = np.zeros(len(WEEKS))
    rare[[10, 11, 12]] = 500.0
    typo = np.random.default_rng(5).gamma(2, 100, len(WEEKS))
    typo[20] = 1e15
    review = _review(spend={"radio": rare, "tv": typo})
    assert _status(review, "channel_active_weeks", "radio")["status"] == "warn"
    row = _status(review, "spend_outlier", "tv")
    assert row["status"] == "fail" and "week_start=2021-05-23" in row["message"]
    assert any("a unit or typing error" in m for m in failures(review))


def test_a_kpi_spike_warns():
    kpi = 1000 + np.random.default_rng(6).normal(0, 20, len(WEEKS))
    kpi[50] = 9000
    assert _status(_review(kpi=kpi), "kpi_outlier")["status"] == "warn"


def test_a_small_geos_kpi_spike_warns_naming_the_geo():
    """Pooled over a big and a small geo the small one's spike lies inside the big one's range;
    each geo against its own median, it is 40 robust sds out."""
    big, small = _inputs(rng=np.random.default_rng(1)), _inputs(rng=np.random.default_rng(2))
    big[0]["kpi"] *= 1000
    small[0].loc[30, "kpi"] = 3000
    frames = [
        pd.concat([b.assign(geo="big"), s.assign(geo="small")], ignore_index=True)
        for b, s in zip(big, small, strict=True)
    ]
    row = _status(review_data(*frames[:3], big[3], week_start="sunday"), "kpi_outlier")
    assert row["status"] == "warn" and row["value"] > 20
    assert f"geo=small, week_start={WEEKS[30].date()}" in row["message"]


def test_weeks_that_start_on_another_day_fail_naming_the_day():
    row = _status(_review(week_start="monday"), "week_start")
    assert row["status"] == "fail" and row["message"].endswith("set mmm_week_start: sunday")


def test_thresholds_from_vars_refuse_typos():
    assert DataReviewThresholds.from_mapping({"min_active_share": 0.2}).min_active_share == 0.2
    with pytest.raises(ValueError, match="mmm_data_review: unknown setting"):
        DataReviewThresholds.from_mapping({"min_active_shares": 0.2})
    with pytest.raises(ValueError, match="mmm_model_review: unknown setting"):
        ModelReviewThresholds.from_mapping({"roas_maxx": 3})


# The model review, on hand-made posterior summaries -------------------------------------------


def _fit(degenerate: bool):
    """fitted_values, decomposition and per-draw ROAS of a good fit, or of the case study's old
    degenerate one: a baseline far below zero and media worth several times the KPI."""
    rng = np.random.default_rng(7)
    n = len(WEEKS)
    day = WEEKS.day_of_year.to_numpy()
    actual = 1000 + 200 * np.sin(2 * np.pi * day / 365.25) + 100 * rng.normal(size=n)
    media = np.full(n, 150.0)
    if degenerate:
        predicted, baseline = -2000 + media * 0, np.full(n, -2300.0)
        media = np.full(n, 1200.0)
    else:
        predicted = actual - 60 * rng.normal(size=n)
        baseline = predicted - media
    sd = np.full(n, 120.0)
    fitted = pd.DataFrame(
        {
            "week_start": WEEKS,
            "geo": "total",
            "actual": actual,
            "predicted_mean": predicted,
            "predictive_lower": predicted - 1.88 * sd,
            "predictive_upper": predicted + 1.88 * sd,
            "fit_sample": np.where(np.arange(n) < n - 13, "in_sample", "holdout"),
        }
    )
    decomposition = pd.concat(
        [
            pd.DataFrame(
                {
                    "week_start": WEEKS,
                    "geo": "total",
                    "component_type": "baseline",
                    "component": "intercept",
                    "contribution_mean": baseline,
                }
            ),
            pd.DataFrame(
                {
                    "week_start": WEEKS,
                    "geo": "total",
                    "component_type": "channel",
                    "component": "tv",
                    "contribution_mean": media,
                }
            ),
        ]
    )
    draws = 400
    roas_draws = pd.DataFrame(
        {
            "chain": 0,
            "draw": np.tile(np.arange(draws), 2),
            "geo": "total",
            "channel": np.repeat(["tv", "search"], draws),
            "spend": 10_000.0,
            "contribution": np.concatenate([rng.normal(8000, 500, draws), np.abs(rng.normal(0, 100, draws))]),
        }
    )
    train = n - 13
    baseline_totals = pd.DataFrame(
        {
            "chain": 0,
            "draw": np.arange(draws),
            "geo": "total",
            "baseline_total": rng.normal(baseline[:train].sum(), 500, draws),
        }
    )
    prior_posterior = pd.DataFrame(
        {
            "label": ["saturation_beta[tv]", "saturation_lam[search]", "adstock_alpha[tv]", "beta_offset[north, tv]"],
            "prior_var": [1.0, 1.0, 1.0, 1.0],
            "posterior_var": [0.1, 0.97, 1.5, 0.98],
        }
    )
    run = {
        "is_converged": not degenerate,
        "max_r_hat": 1.54 if degenerate else 1.003,
        "min_ess_bulk": 7 if degenerate else 900,
        "divergences": 7 if degenerate else 0,
        "worst_parameters": "intercept_contribution (r_hat=1.54, ess_bulk=7)",
        "gate_max_r_hat": 1.01,
        "yearly_seasonality": 2,
        "max_lag": 6,
    }
    data_review = pd.DataFrame([{"check_name": "correlated_channels", "subject": "search & tv", "status": "warn"}])
    weekly_spend = pd.concat(
        [
            pd.DataFrame({"week_start": WEEKS, "geo": "total", "channel": c, "spend": rng.gamma(2, 100, n)})
            for c in ("tv", "search")
        ]
    )
    return run, fitted, decomposition, roas_draws, baseline_totals, prior_posterior, data_review, weekly_spend


def test_a_good_fit_passes_with_honest_warnings():
    review = review_model(*_fit(degenerate=False))
    status, failed = verdict(review)
    assert status == "warn" and failed == "", review[review["status"] != "pass"]
    by = review.set_index(["check_name", "subject"])["status"]
    assert by["convergence", "fit"] == "pass" and by["in_sample_fit", "fit"] == "pass"
    assert by["baseline", "fit"] == "pass" and by["holdout_vs_naive", "fit"] == "pass"
    assert by["channel_effect", "search"] == "warn" and by["channel_effect", "tv"] == "pass"
    assert by["prior_posterior_shift", "saturation_lam[search]"] == "warn"
    assert by["prior_posterior_shift", "saturation_beta[tv]"] == "pass"
    wider = review[review["subject"] == "adstock_alpha[tv]"].iloc[0]
    assert wider["status"] == "warn" and "wider than the prior" in wider["message"]
    barely = review[review["subject"] == "saturation_lam[search]"].iloc[0]
    assert "barely inform" in barely["message"]
    assert ("roas_tradeoff", "search & tv") in by.index
    assert "beta_offset[north, tv]" not in set(review["subject"])  # a non-centred offset is not reviewed


def test_a_degenerate_fit_fails_on_every_count():
    review = review_model(*_fit(degenerate=True))
    status, failed = verdict(review)
    assert status == "fail"
    failing = set(review.loc[review["status"] == "fail", "check_name"])
    assert {"convergence", "in_sample_fit", "baseline", "intercept", "media_share", "holdout_vs_naive"} <= failing
    assert "convergence (fit)" in failed and "in_sample_fit (fit): in-sample R²" in failed


def test_a_roas_range_is_checked_when_set():
    review = review_model(*_fit(degenerate=False), ModelReviewThresholds(roas_min=0, roas_max=0.5))
    row = review[(review["check_name"] == "roas_range") & (review["subject"] == "tv")].iloc[0]
    assert row["status"] == "fail" and "outside the plausible range" in row["message"]


def test_a_geo_panels_nation_is_checked_on_its_own():
    """Geos that each fit and cover their weeks, and a nation whose prediction is flat and whose
    interval (from noises taken as independent) is far too narrow: averaging the nation in with
    the geos would pass both."""
    run, fitted, *rest = _fit(degenerate=False)
    geos = [fitted.assign(geo=g) for g in ("north", "south", "east")]
    flat = fitted["actual"].mean()
    nation = fitted.assign(predicted_mean=flat, predictive_lower=flat - 1.0, predictive_upper=flat + 1.0)
    review = review_model(run, pd.concat([*geos, nation], ignore_index=True), *rest)
    coverage = review[review["check_name"] == "predictive_coverage"].set_index("subject")
    assert coverage.loc["fit", "status"] == "pass" and "mean over 3 geos" in coverage.loc["fit", "message"]
    assert coverage.loc["total", "status"] == "fail" and coverage.loc["total", "value"] < 0.1
    assert "national training weeks" in coverage.loc["total", "message"]
    r2 = review[review["check_name"] == "in_sample_fit"].set_index("subject")
    assert r2.loc["fit", "status"] == "pass" and "mean over 3 geos" in r2.loc["fit", "message"]
    assert r2.loc["total", "status"] == "fail" and "for the nation" in r2.loc["total", "message"]
    holdout = review[review["check_name"] == "holdout_vs_naive"].set_index("subject")
    assert holdout.loc["fit", "status"] == "pass" and "mean over 3 geos" in holdout.loc["fit", "message"]
    assert holdout.loc["total", "status"] != "pass" and "for the nation" in holdout.loc["total", "message"]
    assert verdict(review)[0] == "fail"


def test_a_weekly_dip_warns_and_a_negative_total_fails_naming_the_geo():
    """Meridian's rule: the baseline's total over the training weeks decides (its posterior
    probability of being negative, per geo and for the nation); one week's dip below zero, as in
    Meridian's geo data, is shown, not failed."""
    run, fitted, decomposition, roas_draws, totals, *rest = _fit(degenerate=False)
    geos = ("north", "south", "east")
    week = fitted.loc[5, "week_start"]
    dipped = fitted.assign(predicted_mean=np.where(fitted["week_start"] == week, 50.0, fitted["predicted_mean"]))
    geo_fitted = pd.concat([fitted.assign(geo="north"), dipped.assign(geo="south"), fitted.assign(geo="east")])
    geo_decomposition = pd.concat([decomposition.assign(geo=g) for g in geos])
    geo_totals = pd.concat([totals.assign(geo=g) for g in geos] + [totals.assign(geo="total")])

    review = review_model(run, geo_fitted, geo_decomposition, roas_draws, geo_totals, *rest)
    by = review.set_index(["check_name", "subject"])
    assert by.loc[("baseline", "fit"), "status"] == "pass" and by.loc[("baseline", "total"), "status"] == "pass"
    dip = by.loc[("baseline_dip", "fit")]
    assert dip["status"] == "warn" and dip["value"] == pytest.approx(-0.1, abs=0.02)
    assert f"(south, week of {week:%Y-%m-%d})" in dip["message"] and "1 of" in dip["message"]
    assert verdict(review)[0] == "warn"

    # east's baseline total below zero in 90% of draws, in 50% for the nation
    east = geo_totals["geo"] == "east"
    geo_totals.loc[east, "baseline_total"] = np.where(np.arange(east.sum()) % 10 == 0, 1.0, -1.0)
    nation = geo_totals["geo"] == "total"
    geo_totals.loc[nation, "baseline_total"] = np.where(np.arange(nation.sum()) % 2 == 0, 1.0, -1.0)
    review = review_model(run, geo_fitted, geo_decomposition, roas_draws, geo_totals, *rest)
    by = review.set_index(["check_name", "subject"])
    worst = by.loc[("baseline", "fit")]
    assert worst["status"] == "fail" and worst["value"] == pytest.approx(0.9)
    assert "highest of 3 geos: east" in worst["message"] and "more than all of the KPI" in worst["message"]
    national = by.loc[("baseline", "total")]
    assert (
        national["status"] == "warn"
        and national["value"] == pytest.approx(0.5)
        and "for the nation" in national["message"]
    )
    status, failed = verdict(review)
    assert status == "fail" and "baseline (fit)" in failed


def test_the_review_refuses_a_run_without_baseline_draws():
    run, fitted, decomposition, roas_draws, totals, *rest = _fit(degenerate=False)
    with pytest.raises(ValueError, match="int_baseline_total_draws has no rows"):
        review_model(run, fitted, decomposition, roas_draws, totals.iloc[:0], *rest)


def test_residuals_that_follow_a_channels_spend_fail_naming_it_and_the_lag():
    """A channel whose effect peaks two weeks after its spend, fitted as if it did not: the
    residuals carry its spend two weeks later, and the run is not usable."""
    run, fitted, decomposition, roas_draws, totals, prior_posterior, data_review, weekly_spend = _fit(degenerate=False)
    tv = weekly_spend.loc[weekly_spend["channel"] == "tv", "spend"].to_numpy()
    missed = np.concatenate([np.zeros(2), tv[:-2]])
    fitted = fitted.assign(actual=fitted["actual"] + 0.8 * (missed - missed.mean()))
    review = review_model(run, fitted, decomposition, roas_draws, totals, prior_posterior, data_review, weekly_spend)
    by = review[review["check_name"] == "residual_timing"].set_index("subject")
    assert set(by.index) == {"tv", "search"}
    assert by.loc["tv", "status"] == "fail" and by.loc["tv", "value"] < by.loc["tv", "threshold"]
    assert "spend 2 week(s) earlier" in by.loc["tv", "message"] and "var mmm_compare" in by.loc["tv", "message"]
    assert by.loc["search", "status"] == "pass"
    assert "residual_timing (tv)" in verdict(review)[1]


def test_the_residual_timing_check_keeps_its_false_alarm_rate_on_autocorrelated_series():
    """A correct model's residuals are often autocorrelated, and so is flighted spend; two such
    series correlate by chance far more than 1/sqrt(n) says (on that yardstick a third of these
    runs would warn, a fifth fail). Bartlett's variance keeps the family-wise rates within their
    nominal 5% and 1%."""
    from python_udfs.model_review import STATUS_ORDER, _timing_checks

    rng = np.random.default_rng(1)
    weeks = pd.date_range("2021-01-03", periods=130, freq="W-SUN")

    def ar(phi: float) -> np.ndarray:
        x = np.zeros(len(weeks))
        for i, e in enumerate(rng.normal(size=len(weeks))):
            x[i] = (phi * x[i - 1] if i else 0.0) + e
        return x

    worst = []
    for _ in range(200):
        fitted = pd.DataFrame(
            {
                "week_start": weeks,
                "geo": "total",
                "actual": 100 + ar(0.7),
                "predicted_mean": 100.0,
                "fit_sample": "in_sample",
            }
        )
        spend = pd.concat(
            [
                pd.DataFrame({"week_start": weeks, "geo": "total", "channel": f"c{k}", "spend": np.exp(ar(0.8))})
                for k in range(5)
            ]
        )
        rows = _timing_checks(fitted, spend, 6, ModelReviewThresholds())
        assert len(rows) == 5
        worst.append(max((r["status"] for r in rows), key=STATUS_ORDER.__getitem__))
    assert sum(s == "fail" for s in worst) <= 4  # 1% of 200, with room for chance
    assert sum(s != "pass" for s in worst) <= 16  # 5%
