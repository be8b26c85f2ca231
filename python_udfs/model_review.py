"""The post-fit model review: is this run fit to show and to plan a budget on?

In the spirit of Meridian's model reviewer (convergence, baseline, goodness of fit, prior-posterior
shift, ROI consistency), each check is a row with its number, threshold and verdict. A `fail`
marks the run not usable: `mmm_runs` says why, the budget tables are not rebuilt from it and the
dashboard shows a red banner. A `warn` is shown, not acted on.

Why these checks: on the case study the old defaults converged badly but also produced an R²
of -292 and a baseline of -3.5 times the KPI's maximum; any one of the fit, baseline or
naive-model checks below would have stopped that run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from python_udfs import intervals, transforms
from python_udfs.data_review import COLUMNS, check_row, thresholds_from_var

STATUS_ORDER = {"pass": 0, "warn": 1, "fail": 2}


@dataclass(frozen=True)
class ModelReviewThresholds:
    """Thresholds of the model review; each can be set in var `mmm_model_review`."""

    min_coverage_warn: float = 0.8  # in-sample share of weeks in the 94% predictive interval
    min_coverage_fail: float = 0.5
    max_media_share_warn: float = 0.7  # media's share of the predicted KPI
    max_media_share_fail: float = 0.95
    negative_baseline_prob_warn: float = 0.2  # P(KPI without media over the training weeks < 0), Meridian's
    negative_baseline_prob_fail: float = 0.8
    min_baseline_share: float = -0.05  # lowest weekly KPI-without-media, as a share of its geo's mean KPI (warn)
    holdout_naive_fail: float = 1.5  # holdout MAE over the naive forecast's MAE: fail above
    min_prior_contraction: float = 0.1  # 1 - posterior var / prior var below this: barely moved (warn)
    min_roas_correlation: float = -0.5  # ROAS correlation of two correlated channels below this (warn)
    # residuals following a channel's spend at lags 0..max_lag: family-wise false-alarm rates of
    # the joint tests over every channel (and geo), so a correct model warns in 5% of runs and
    # fails in 1% whatever the number of tests
    timing_alpha_warn: float = 0.05
    timing_alpha_fail: float = 0.01
    roas_min: float | None = None  # plausible ROAS range, when the user sets one
    roas_max: float | None = None

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> ModelReviewThresholds:
        return thresholds_from_var(cls, values, "mmm_model_review")


def naive_fit(kpi: np.ndarray, week_start: pd.Series, train: np.ndarray, modes: int) -> np.ndarray:
    """Intercept plus yearly Fourier seasonality (the model's own number of modes, at least 2),
    least squares on the training weeks, predicted for every week: the bar an MMM must clear."""
    day = pd.to_datetime(week_start).dt.day_of_year.to_numpy(dtype=float)
    basis = np.column_stack([np.ones_like(day), transforms.yearly_fourier(day, max(modes, 2))])
    coef, *_ = np.linalg.lstsq(basis[train], kpi[train], rcond=None)
    return basis @ coef


def _r2(actual: np.ndarray, predicted: np.ndarray) -> float:
    total = float(((actual - actual.mean()) ** 2).sum())
    return 1 - float(((actual - predicted) ** 2).sum()) / total if total > 0 else float("nan")


def review_model(
    run: dict[str, Any],
    fitted: pd.DataFrame,
    decomposition: pd.DataFrame,
    roas_draws: pd.DataFrame,
    baseline_totals: pd.DataFrame,
    prior_posterior: pd.DataFrame,
    data_review: pd.DataFrame,
    weekly_spend: pd.DataFrame,
    thresholds: ModelReviewThresholds | None = None,
    *,
    negligible_share: float = 0.05,
) -> pd.DataFrame:
    """Rows (COLUMNS) for one run.

    run: the mmm_fits row (convergence fields, model_config); fitted: fitted_values (all geos);
    decomposition: per week, geo, component_type and component the posterior mean contribution;
    roas_draws: per chain, draw, geo and channel the in-sample spend and contribution;
    baseline_totals: per chain, draw and geo the in-sample KPI without media (int_baseline_total_draws);
    prior_posterior: per parameter element its prior and posterior variance; data_review: the
    pre-fit review, for the pairs of correlated channels; weekly_spend: per week, geo and
    channel the spend (channel_contributions), for the residuals' timing; negligible_share: var
    mmm_negligible_share: a ROAS below this share of the KPI's average return (KPI / spend, in
    sample) counts as no effect.
    """
    t = thresholds or ModelReviewThresholds()
    rows = [_convergence(run)]
    rows += _fit_checks(run, fitted, t)
    rows += _baseline_checks(fitted, decomposition, baseline_totals, t)
    rows += _prior_checks(prior_posterior, t)
    rows += _channel_checks(fitted, roas_draws, data_review, t, negligible_share)
    rows += _timing_checks(fitted, weekly_spend, int(run.get("max_lag") or 0), t)
    return pd.DataFrame(rows, columns=COLUMNS)


def _convergence(run: dict[str, Any]) -> dict:
    ok = bool(run["is_converged"])
    return check_row(
        "convergence",
        "fit",
        "pass" if ok else "fail",
        run["max_r_hat"],
        run["gate_max_r_hat"],
        f"max r-hat {run['max_r_hat']:.3f}, min bulk ESS {run['min_ess_bulk']:.0f}, {run['divergences']} divergences"
        + ("" if ok else f"; NOT converged, worst: {run['worst_parameters']}; raise draws/tune or simplify the model"),
    )


def _levels[T](per_geo: dict[str, T]) -> list[tuple[str, str, list[T]]]:
    """(subject, what, values): a national panel's one row as `fit`; a geo panel's geos as `fit`
    (their mean) and its nation on its own as `total`. Why apart: geos that share weekly shocks
    the model takes for independent noise each fit and cover well while the nation does not
    (Meridian's geo data: coverage about 95% per geo, 44% for the nation; R² 0.85 and 0.38), and
    one average over geos and nation hides it."""
    geos = [v for g, v in per_geo.items() if g != "total"]
    if not geos:
        return [("fit", "training weeks", list(per_geo.values()))]
    levels = [("fit", "training weeks", geos)]
    if "total" in per_geo:
        levels.append(("total", "national training weeks", [per_geo["total"]]))
    return levels


def _fit_checks(run: dict[str, Any], fitted: pd.DataFrame, t: ModelReviewThresholds) -> list[dict]:
    rows = []
    modes = int(run.get("yearly_seasonality") or 0)
    r2_model: dict[str, float] = {}
    r2_naive: dict[str, float] = {}
    coverage: dict[str, float] = {}
    holdout: dict[str, tuple[float, float]] = {}
    for geo, geo_rows in fitted.sort_values("week_start").groupby("geo"):
        kpi = geo_rows["actual"].to_numpy(dtype=float)
        train = (geo_rows["fit_sample"] == "in_sample").to_numpy()
        naive = naive_fit(kpi, geo_rows["week_start"], train, modes)
        predicted = geo_rows["predicted_mean"].to_numpy(dtype=float)
        r2_model[str(geo)] = _r2(kpi[train], predicted[train])
        r2_naive[str(geo)] = _r2(kpi[train], naive[train])
        inside = (kpi >= geo_rows["predictive_lower"].to_numpy()) & (kpi <= geo_rows["predictive_upper"].to_numpy())
        coverage[str(geo)] = float(inside[train].mean())
        if (~train).any():
            holdout[str(geo)] = (np.abs(kpi - predicted)[~train].mean(), np.abs(kpi - naive)[~train].mean())
    naive_levels = {subject: values for subject, _, values in _levels(r2_naive)}
    for subject, _, values in _levels(r2_model):
        r2m, r2n = float(np.nanmean(values)), float(np.nanmean(naive_levels[subject]))
        where = f" (mean over {len(values)} geos)" if len(values) > 1 else ""
        where = " for the nation" if subject == "total" else where
        rows.append(
            check_row(
                "in_sample_fit",
                subject,
                "pass" if r2m >= r2n else "fail",
                r2m,
                r2n,
                f"in-sample R² {r2m:.3f}{where} against {r2n:.3f} for intercept plus seasonality alone"
                + ("" if r2m >= r2n else ": the model explains less than a model without media or controls"),
            )
        )
    for subject, label, values in _levels(coverage):
        cov = float(np.mean(values))
        status = "fail" if cov < t.min_coverage_fail else ("warn" if cov < t.min_coverage_warn else "pass")
        hint = ""
        if status != "pass":
            hint = "; the model's uncertainty does not describe the data"
            if subject == "total":
                hint += " (often weekly shocks the geos share, which the model treats as independent noise)"
        rows.append(
            check_row(
                "predictive_coverage",
                subject,
                status,
                cov,
                t.min_coverage_fail if status == "fail" else t.min_coverage_warn,
                f"{cov:.0%} of {label} inside the 94% predictive interval"
                + (f" (mean over {len(values)} geos)" if len(values) > 1 else "")
                + hint,
            )
        )
    # geos and the nation apart: the nation's error is in KPI units many times a geo's, and in
    # one average it decided the verdict alone
    for subject, _, pairs in _levels(holdout) if holdout else []:
        mae, naive_mae = (float(np.mean(v)) for v in zip(*pairs, strict=True))
        ratio = mae / naive_mae if naive_mae > 0 else float("inf")
        status = "fail" if ratio > t.holdout_naive_fail else ("warn" if ratio > 1 else "pass")
        rows.append(
            check_row(
                "holdout_vs_naive",
                subject,
                status,
                ratio,
                t.holdout_naive_fail if status == "fail" else 1.0,
                f"holdout mean absolute error {mae:.6g}"
                + (f" (mean over {len(pairs)} geos)" if len(pairs) > 1 else "")
                + (" for the nation" if subject == "total" else "")
                + f" is {ratio:.2f}x that of the intercept-plus-seasonality forecast",
            )
        )
    return rows


def _baseline_checks(
    fitted: pd.DataFrame, decomposition: pd.DataFrame, baseline_totals: pd.DataFrame, t: ModelReviewThresholds
) -> list[dict]:
    """Meridian's negative-baseline check and a weekly dip. A verdict on the baseline's total over
    the training weeks, per draw, since that is what over-crediting media does (the case study's
    old fit: below zero in every week and every draw); a week's dip is noted, not failed, as
    Meridian advises, since one extreme week of an additive model can dip below zero while the
    fit is sound (Meridian's geo data: Geo4's KPI falls 85% in one week with both controls at
    their most extreme; the linear controls overshoot there, KPI without media -0.19 of Geo4's
    mean, while the baseline's total is above zero in every draw for every geo and the nation)."""
    if not len(baseline_totals):
        raise ValueError("model review: int_baseline_total_draws has no rows for this run")
    rows = []
    probability = baseline_totals.groupby("geo")["baseline_total"].apply(lambda v: float((v < 0).mean()))
    for subject, _, values in _levels({str(g): (str(g), float(p)) for g, p in probability.items()}):
        worst, p = max(values, key=lambda pair: pair[1])
        status = (
            "fail" if p > t.negative_baseline_prob_fail else ("warn" if p > t.negative_baseline_prob_warn else "pass")
        )
        where = f" (highest of {len(values)} geos: {worst})" if len(values) > 1 else ""
        where = " for the nation" if subject == "total" else where
        rows.append(
            check_row(
                "baseline",
                subject,
                status,
                p,
                t.negative_baseline_prob_fail if status == "fail" else t.negative_baseline_prob_warn,
                f"posterior probability that the KPI without media, summed over the training weeks, is negative:"
                f" {p:.2f}{where}" + ("" if status == "pass" else "; media is credited with more than all of the KPI"),
            )
        )
    media = decomposition[decomposition["component_type"] == "channel"]
    media_week = media.groupby(["geo", "week_start"])["contribution_mean"].sum()
    in_sample = fitted[fitted["fit_sample"] == "in_sample"]
    if len(fitted["geo"].unique()) > 1:
        in_sample = in_sample[in_sample["geo"] != "total"]
    predicted = in_sample.set_index(["geo", "week_start"])["predicted_mean"]
    without_media = predicted - media_week.reindex(predicted.index).fillna(0.0)
    geo_mean = in_sample.groupby("geo")["actual"].apply(lambda v: float(v.abs().mean()) or 1.0)
    dip = without_media / geo_mean.reindex(without_media.index.get_level_values("geo")).to_numpy()
    geo, week = dip.idxmin()
    lowest = float(dip.min())
    dips = int((dip < t.min_baseline_share).sum())
    rows.append(
        check_row(
            "baseline_dip",
            "fit",
            "pass" if lowest >= t.min_baseline_share else "warn",
            lowest,
            t.min_baseline_share,
            f"lowest weekly KPI without media: {lowest:.2f} of its mean KPI"
            + (
                f" ({geo}, week of {pd.Timestamp(week):%Y-%m-%d})"
                if geo != "total"
                else f" (week of {pd.Timestamp(week):%Y-%m-%d})"
            )
            + (
                ""
                if lowest >= t.min_baseline_share
                else f"; {dips} of {len(dip)} weeks below {t.min_baseline_share:.2f}: look at their controls and data"
            ),
        )
    )
    mean_kpi = float(in_sample["actual"].abs().mean()) or 1.0
    intercept = decomposition.loc[decomposition["component"] == "intercept", "contribution_mean"]
    if len(intercept) and float(intercept.mean()) < 0:
        rows.append(
            check_row(
                "intercept",
                "fit",
                "fail",
                float(intercept.mean()) / mean_kpi,
                0.0,
                "the intercept is negative: the model's baseline sales are below zero",
            )
        )
    actual = float(fitted["actual"].sum())
    share = float(media_week.sum()) / actual if actual else 0.0
    status = "fail" if share > t.max_media_share_fail else ("warn" if share > t.max_media_share_warn else "pass")
    rows.append(
        check_row(
            "media_share",
            "fit",
            status,
            share,
            t.max_media_share_fail if status == "fail" else t.max_media_share_warn,
            f"media is credited with {share:.0%} of the KPI"
            + ("" if status == "pass" else "; implausibly high: media may be absorbing the baseline"),
        )
    )
    return rows


NON_CENTRED_SUFFIX = "_offset"


def _prior_checks(prior_posterior: pd.DataFrame, t: ModelReviewThresholds) -> list[dict]:
    rows = []
    for rec in prior_posterior.itertuples():
        # A non-centred hierarchy's standard-normal offsets (pymc-extras names them <name>_offset)
        # are a device of the sampler, not a quantity anyone reads: their prior and posterior
        # widths say nothing about the data (Meridian's geo data: 50 of 80 "barely informed"
        # while each geo's coefficient was well informed). The spread and mean above them are
        # reviewed in their place.
        if not rec.prior_var > 0 or str(rec.label).split("[")[0].endswith(NON_CENTRED_SUFFIX):
            continue
        contraction = 1 - rec.posterior_var / rec.prior_var
        status = "warn" if contraction < t.min_prior_contraction else "pass"
        if status == "pass":
            why = ""
        elif contraction < 0:  # wider than the prior: the likelihood pulls it into the prior's tail
            why = "; the posterior is wider than the prior: the data pull this parameter away from its prior"
        else:
            why = "; the data barely inform this parameter, so its value is the prior's"
        rows.append(
            check_row(
                "prior_posterior_shift",
                rec.label,
                status,
                contraction,
                t.min_prior_contraction,
                f"posterior variance is {1 - contraction:.0%} of the prior's{why}",
            )
        )
    return rows


def _channel_checks(
    fitted: pd.DataFrame,
    roas_draws: pd.DataFrame,
    data_review: pd.DataFrame,
    t: ModelReviewThresholds,
    negligible_share: float,
) -> list[dict]:
    rows = []
    kpi = fitted[fitted["fit_sample"] == "in_sample"].groupby("geo")["actual"].sum()
    spend = roas_draws.groupby(["geo", "channel"])["spend"].first().groupby("geo").sum()
    for (geo, channel), d in roas_draws.groupby(["geo", "channel"]):
        roas_all = d["contribution"].to_numpy() / d["spend"].to_numpy()
        yardstick = negligible_share * float(kpi.get(geo, np.nan)) / float(spend.get(geo, np.nan))
        low = float(np.quantile(roas_all, intervals.LOWER))
        subject = channel if geo == "total" else f"{geo}/{channel}"
        negligible = low < yardstick
        rows.append(
            check_row(
                "channel_effect",
                subject,
                "warn" if negligible else "pass",
                low,
                yardstick,
                f"the 94% interval of the channel's ROAS starts at {low:.3g}"
                + ("; below the negligible return, so the data cannot tell its effect from zero" if negligible else ""),
            )
        )
        roas = d["contribution"].to_numpy() / d["spend"].to_numpy()
        mean = float(np.mean(roas))
        if t.roas_min is not None or t.roas_max is not None:
            lo, hi = t.roas_min if t.roas_min is not None else -np.inf, t.roas_max if t.roas_max is not None else np.inf
            ok = lo <= mean <= hi
            rows.append(
                check_row(
                    "roas_range",
                    subject,
                    "pass" if ok else "fail",
                    mean,
                    hi if mean > hi else lo,
                    f"mean ROAS {mean:.3g}" + ("" if ok else f" outside the plausible range [{lo}, {hi}]"),
                )
            )
    pairs = data_review.loc[data_review["check_name"] == "correlated_channels", "subject"].tolist()
    roas_by_geo = (
        {
            geo: g.assign(roas=g["contribution"] / g["spend"]).pivot_table(
                index=["chain", "draw"], columns="channel", values="roas"
            )
            for geo, g in roas_draws.groupby("geo")
        }
        if pairs
        else {}
    )
    for pair in pairs:
        a, b = pair.split(" & ")
        for geo, wide in roas_by_geo.items():
            if a not in wide or b not in wide:
                continue
            r = float(np.corrcoef(wide[a], wide[b])[0, 1])
            status = "warn" if r < t.min_roas_correlation else "pass"
            rows.append(
                check_row(
                    "roas_tradeoff",
                    pair if geo == "total" else f"{geo}/{pair}",
                    status,
                    r,
                    t.min_roas_correlation,
                    f"posterior correlation of the two channels' ROAS: {r:.2f}"
                    + ("; the data credit one or the other, not both: read their sum" if status == "warn" else ""),
                )
            )
    return rows


def _autocorrelations(x: np.ndarray, lags: int) -> np.ndarray:
    """Lags 1..lags of x's autocorrelation (arviz-stats' FFT estimator, the one its ESS uses)."""
    from arviz_stats.base import array_stats

    return np.asarray(array_stats.autocorr(np.asarray(x, dtype=float)))[1 : lags + 1]


def lagged_correlation_z(residual: np.ndarray, spend: np.ndarray, lag: int) -> tuple[float, float]:
    """(r, z): the correlation of residual[t] with spend[t - lag], and r as a z-score under "no
    relation". Both series are autocorrelated (spend is flighted, a KPI's misfit lasts weeks),
    which makes chance correlations larger than 1/sqrt(n); Bartlett's variance for the
    cross-correlation of two independent autocorrelated series, (1 + 2 sum_k acf_r(k) acf_x(k)) / n,
    accounts for it (never taken below 1/n)."""
    a, b = residual[lag:], spend[: len(spend) - lag]
    n = len(a)
    if n < 8 or a.std() == 0 or b.std() == 0:
        return 0.0, 0.0
    r = float(np.corrcoef(a, b)[0, 1])
    lags = min(10, n // 4)
    variance = max((1 + 2 * float(_autocorrelations(a, lags) @ _autocorrelations(b, lags))) / n, 1 / n)
    return r, r / float(np.sqrt(variance))


def timing_test(residual: np.ndarray, spend: np.ndarray, max_lag: int) -> tuple[float, float, int]:
    """(p, r, lag): one joint test of "the residuals do not follow this spend" over lags
    0..max_lag, and the strongest lag's correlation. W = z' R^-1 z over the lags' Bartlett
    z-scores, R the spend's own autocorrelation between lags (z at lags l and m correlate as the
    spend at l - m does), read as chi-squared with max_lag + 1 degrees of freedom.

    Why joint and not the largest z: a wrong carryover shows at several neighbouring lags at
    once. On delayed/Hill data fitted with the default form, TV's largest z was 3.2 in one of
    three seeds (a warning) while W's p was 1.4e-5; without a relation (simulated autocorrelated
    series, 130 weeks, lags 0..6) p < 0.01 in 0.3-1.0% of runs."""
    from scipy.stats import chi2

    tests = [lagged_correlation_z(residual, spend, lag) for lag in range(max_lag + 1)]
    z = np.array([zl for _, zl in tests])
    if not np.any(z):
        return 1.0, 0.0, 0
    acf = np.concatenate([[1.0], _autocorrelations(spend, max_lag)])
    lags = np.arange(max_lag + 1)
    between = acf[np.abs(lags[:, None] - lags[None, :])]
    w = float(z @ np.linalg.lstsq(between, z, rcond=None)[0])
    strongest = int(np.argmax(np.abs(z)))
    return float(chi2.sf(max(w, 0.0), max_lag + 1)), tests[strongest][0], strongest


def _timing_checks(
    fitted: pd.DataFrame, weekly_spend: pd.DataFrame, max_lag: int, t: ModelReviewThresholds
) -> list[dict]:
    """Do the in-sample residuals follow a channel's spend some weeks later? A model whose
    carryover or saturation matches the channel leaves residuals unrelated to its spend; one
    that does not (an effect that peaks weeks after the spend, fitted with a geometric decay)
    leaves the channel's timing in the residuals, and its ROAS is then biased however narrow
    its interval (generated data, delayed adstock with a Hill curve fitted with the defaults:
    TV's ROAS 2.47 [2.02, 2.99] against a true 1.04, residuals following TV's spend two weeks
    later). One joint test per channel and geo (timing_test; a geo panel: its geos, the nation
    apart, as the other fit checks), judged at a family-wise rate (Bonferroni over the channel
    tests) so the number of tests does not make a correct model fail."""
    in_sample = fitted[fitted["fit_sample"] == "in_sample"].sort_values("week_start")
    spend = weekly_spend.pivot_table(index=["geo", "week_start"], columns="channel", values="spend", aggfunc="sum")
    per_geo: dict[str, dict[str, tuple[float, float, int]]] = {}
    for geo, rows in in_sample.groupby("geo"):
        residual = (rows["actual"] - rows["predicted_mean"]).to_numpy(dtype=float)
        index = pd.MultiIndex.from_arrays([rows["geo"], rows["week_start"]])
        x = spend.reindex(index).fillna(0.0)
        per_geo[str(geo)] = {
            str(channel): timing_test(residual, x[channel].to_numpy(dtype=float), max_lag) for channel in x.columns
        }
    rows_out = []
    for subject, _, values in _levels({g: (g, v) for g, v in per_geo.items()}):
        n_tests = max(sum(len(v) for _, v in values), 1)
        p_warn, p_fail = t.timing_alpha_warn / n_tests, t.timing_alpha_fail / n_tests
        for channel in sorted({c for _, v in values for c in v}):
            geo, (p, r, lag) = min(((g, v[channel]) for g, v in values if channel in v), key=lambda pair: pair[1][0])
            status = "fail" if p < p_fail else ("warn" if p < p_warn else "pass")
            national = subject == "total" or len(values) == 1
            message = (
                f"the residuals{'' if national else f' in {geo}'} against the spend 0..{max_lag} weeks earlier:"
                f" p = {p:.2g}, strongest with the spend {lag} week(s) earlier (r = {r:.2f}); over {n_tests}"
                f" channel tests a correct model goes below {p_warn:.2g} in {t.timing_alpha_warn:.0%} of runs"
                f" and below {p_fail:.2g} in {t.timing_alpha_fail:.0%}"
            )
            if status != "pass":
                message += (
                    ": the model's carryover or saturation does not follow this channel's timing, so its ROAS is"
                    " biased; compare forms (var mmm_compare, e.g. delayed/hill) or raise max_lag"
                )
            rows_out.append(
                check_row(
                    "residual_timing",
                    channel if national else f"{geo}/{channel}",
                    status,
                    p,
                    p_fail if status == "fail" else p_warn,
                    message,
                )
            )
    return rows_out


def verdict(review: pd.DataFrame) -> tuple[str, str]:
    """The run's status (worst of its rows) and the messages of its failed checks."""
    if not len(review):
        return "pass", ""
    worst = max(review["status"], key=STATUS_ORDER.__getitem__)
    failed = review.loc[review["status"] == "fail"]
    return worst, "; ".join(f"{r.check_name} ({r.subject}): {r.message}" for r in failed.itertuples())
