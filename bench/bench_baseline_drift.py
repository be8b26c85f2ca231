"""Benchmark: a drifting baseline, fitted with the straight trend and with the time-varying one.

Generated weekly sales (182 weeks, the last 26 held out) with three channels (geometric adstock,
logistic saturation), a price control, yearly seasonality and a baseline that drifts in one of
two ways: `step` (a store network that grows by a third around week 100 and then holds) and
`hump` (a competitor that enters around week 60 and leaves around week 120). Each is built twice
with `dbt build`: the default model (`trend: true`) and `time_varying_intercept: true` with
`trend: false`. Printed per run: convergence, holdout CRPS and MAPE, in-sample R², how far the
fitted baseline (intercept, trend and the varying part) is from the true one over the training
weeks, and each channel's ROAS against the truth.

Run: `uv run python bench/bench_baseline_drift.py [step|hump ...]` (both by default; four fits,
one after another).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from dbt_runner import PROJECT, run_dbt

sys.path.insert(0, str(PROJECT))
from python_udfs import transforms

WEEKS = 182
HOLDOUT = 26
CHANNELS = {"tv": (0.6, 2.0, 0.09), "search": (0.2, 3.0, 0.06), "social": (0.4, 1.5, 0.04)}  # alpha, lam, share


def drift(kind: str, t: np.ndarray) -> np.ndarray:
    """The baseline's multiplier over weeks t."""
    if kind == "step":
        return 1 + 0.35 / (1 + np.exp(-(t - 100) / 6))
    if kind == "hump":
        return 1 - 0.25 / (1 + np.exp(-(t - 60) / 5)) + 0.25 / (1 + np.exp(-(t - 120) / 5))
    raise ValueError(kind)


def generate(kind: str, seed: int = 11) -> tuple[pd.DataFrame, pd.Series, dict[str, float]]:
    """(the wide weekly file, the true baseline per week, each channel's true ROAS)."""
    rng = np.random.default_rng(seed)
    t = np.arange(WEEKS)
    weeks = pd.date_range("2022-01-03", periods=WEEKS, freq="7D")
    level = 50_000.0
    baseline = level * drift(kind, t)
    season = 0.06 * level * np.sin(2 * np.pi * t / 52.18) + 0.03 * level * np.cos(4 * np.pi * t / 52.18)
    price = rng.normal(0, 1, WEEKS).round(3)
    frame = {"week": weeks.strftime("%Y-%m-%d"), "price": price}
    kpi = baseline + season - 0.02 * level * price
    roas = {}
    for channel, (alpha, lam, share) in CHANNELS.items():
        on = rng.random(WEEKS) < 0.7
        spend = np.where(on, rng.gamma(3.0, 2_000.0, WEEKS), 0.0).round(2)
        stock = transforms.adstock(spend, transforms.adstock_weights("geometric", 6, alpha))
        response = transforms.saturation("logistic", stock / spend.max(), lam)
        contribution = share * level * response / response.mean()
        frame[f"spend_{channel}"] = spend
        kpi = kpi + contribution
        # the wide input names each channel after its column
        roas[f"spend_{channel}"] = float(contribution[: WEEKS - HOLDOUT].sum() / spend[: WEEKS - HOLDOUT].sum())
    frame["sales"] = (kpi + rng.normal(0, 0.015 * level, WEEKS)).round(2)
    return pd.DataFrame(frame), pd.Series(baseline, index=weeks.date), roas


def build(db: Path, csv: Path, fit: dict) -> tuple[int, float, str]:
    dbt_vars = {
        "mmm_wide_input": {
            "path": str(csv),
            "date_column": "week",
            "kpi_column": "sales",
            "spend_columns": [f"spend_{c}" for c in CHANNELS],
            "control_columns": ["price"],
        },
        "mmm_holdout_weeks": HOLDOUT,
        "mmm_fit": fit,
    }
    proc, seconds = run_dbt(["build"], db, dbt_vars)
    return proc.returncode, seconds, proc.stdout + proc.stderr


def report(db: Path, truth: pd.Series, roas: dict[str, float]) -> dict:
    """Figures from the build schema (a run the gate stops is not published, but is measured)."""
    with duckdb.connect(str(db), read_only=True) as con:
        con.sql("use main_build")
        run = con.sql("select * from mmm_runs order by fitted_at desc limit 1").df().iloc[0]
        metrics = con.sql("select * from fit_metrics where geo = 'total'").df().set_index("fit_sample")
        base = con.sql(
            "select week_start, sum(contribution_mean) as baseline from decomposition "
            "where component_type in ('baseline', 'trend') and geo = 'total' group by week_start"
        ).df()
        channel_roas = con.sql("select channel, roas_mean, roas_lower, roas_upper from channel_roas").df()
    base = base.set_index(pd.to_datetime(base["week_start"]).dt.date)["baseline"]
    train = truth.index[: WEEKS - HOLDOUT]
    err = base.reindex(train) - truth.reindex(train)
    return {
        "r_hat": float(run["max_r_hat"]),
        "ess": float(run["min_ess_bulk"]),
        "divergences": int(run["divergences"]),
        "review": str(run["review_status"]),
        "r2": float(metrics.loc["in_sample", "r_squared"]),
        "holdout_crps": float(metrics.loc["holdout", "crps"]),
        "holdout_mape": float(metrics.loc["holdout", "mape"]),
        "baseline_rmse_pct": float(np.sqrt((err**2).mean()) / truth.mean() * 100),
        "roas": {
            r.channel: (
                round(r.roas_mean, 3),
                round(r.roas_lower, 3),
                round(r.roas_upper, 3),
                round(roas[r.channel], 3),
            )
            for r in channel_roas.itertuples()
        },
    }


def main() -> None:
    kinds = sys.argv[1:] or ["step", "hump"]
    models = {
        "straight trend": {"trend": True},
        "time-varying": {"time_varying_intercept": True, "trend": False},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            frame, truth, roas = generate(kind)
            csv = Path(tmp) / f"{kind}.csv"
            frame.to_csv(csv, index=False)
            for label, fit in models.items():
                db = Path(tmp) / f"{kind}_{'tv' if fit.get('time_varying_intercept') else 'trend'}.duckdb"
                rc, seconds, log = build(db, csv, fit)
                try:
                    fig = report(db, truth, roas)
                except Exception as exc:  # a build that failed before the marts: show why
                    print(f"{kind} / {label}: build failed (rc {rc}): {exc}\n{log[-3000:]}")
                    continue
                print(f"{kind} / {label}: dbt build rc {rc} in {seconds:.0f} s")
                print("  " + ", ".join(f"{k} {v:.4g}" for k, v in fig.items() if not isinstance(v, (dict, str))))
                print(f"  review {fig['review']}; ROAS mean [lower, upper] truth: {fig['roas']}")


if __name__ == "__main__":
    main()
