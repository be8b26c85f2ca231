"""Benchmark: the default fit on generated national data with known truth, when the truth is the
model's own form and when it is not.

`delayed_hill`: each channel's effect peaks two weeks after its spend (delayed adstock) and
follows a Hill S-curve, which the default geometric/logistic form cannot follow. `own_form`:
geometric/logistic, as fitted, with one channel that does nothing. `correlated`: own form, with
social's spend moving with TV's flights. 156 weeks (13 held out), TV flighted, a price control
and yearly seasonality; media about 20% of sales; noise 3% of the level.

Printed per build: convergence, review verdict with every check that did not pass, R², each
channel's ROAS against the truth, and the share of weeks whose true contribution lies in the
94% interval. What to look for: on `delayed_hill` the default fit's TV ROAS is about twice the
truth with a narrow interval, and `residual_timing` is what says so.

Run: `uv run python bench/bench_wrong_form.py [delayed_hill|own_form|correlated ...] [--seeds 3 4 5]
[--fit '{"adstock": "delayed", "saturation": "hill"}']`. Builds run one after another.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from dbt_runner import PROJECT, run_dbt

sys.path.insert(0, str(PROJECT))
from python_udfs import transforms

WEEKS = 156
HOLDOUT = 13
MAX_LAG = 6
SHARES = {"tv": 0.12, "search": 0.08, "social": 0.05, "display": 0.03}  # of the KPI's level
KINDS = ("delayed_hill", "own_form", "correlated")


def generate(kind: str, seed: int) -> tuple[pd.DataFrame, dict[str, float], pd.DataFrame]:
    """(the wide weekly file, each spend column's true in-sample ROAS, the true weekly contributions)."""
    rng = np.random.default_rng(seed)
    t = np.arange(WEEKS)
    weeks = pd.date_range("2022-01-03", periods=WEEKS, freq="7D")
    level = 100_000.0
    price = rng.normal(0, 1, WEEKS).round(3)
    kpi = (
        level * (1 + 0.08 * np.sin(2 * np.pi * t / 52.18) + 0.04 * np.cos(2 * np.pi * t / 52.18)) - 0.02 * level * price
    )
    frame: dict[str, object] = {"week": weeks.strftime("%Y-%m-%d"), "price": price}
    contributions = {}
    tv = np.zeros(WEEKS)
    for channel, share in SHARES.items():
        if channel == "tv":  # flighted: on for about half of a nine-week cycle
            tv = (np.sin(2 * np.pi * t / 9 + rng.uniform(0, 6)) > 0) * rng.gamma(4.0, 5_000.0, WEEKS)
            spend = tv
        elif kind == "correlated" and channel == "social":
            spend = 0.35 * tv + rng.gamma(2.0, 3_000.0, WEEKS) * (rng.random(WEEKS) > 0.1)
        else:
            spend = rng.gamma(3.0, 2_000.0, WEEKS) * (rng.random(WEEKS) > 0.15)
        spend = spend.round(2)
        if kind == "delayed_hill":
            stock = transforms.adstock(spend, transforms.adstock_weights("delayed", MAX_LAG, 0.6, theta=2.0))
            response = transforms.saturation("hill", stock / stock.max(), 2.5, 0.45)
        else:
            stock = transforms.adstock(spend, transforms.adstock_weights("geometric", MAX_LAG, 0.5))
            response = transforms.saturation("logistic", stock / spend.max(), 2.0)
        if kind == "own_form" and channel == "display":
            share = 0.0
        contribution = share * level * response / max(response.mean(), 1e-12)
        kpi = kpi + contribution
        frame[f"spend_{channel}"] = spend
        contributions[f"spend_{channel}"] = contribution
    frame["sales"] = (kpi + rng.normal(0, 0.03 * level, WEEKS)).round(2)
    data = pd.DataFrame(frame)
    train = slice(0, WEEKS - HOLDOUT)
    roas = {c: float(v[train].sum() / data[c].to_numpy()[train].sum()) for c, v in contributions.items()}
    return data, roas, pd.DataFrame(contributions, index=weeks.date)


def dbt_vars(csv: Path, fit: dict | None = None) -> dict:
    return {
        "mmm_wide_input": {
            "path": str(csv),
            "date_column": "week",
            "kpi_column": "sales",
            "spend_columns": [f"spend_{c}" for c in SHARES],
            "control_columns": ["price"],
        },
        "mmm_holdout_weeks": HOLDOUT,
        **({"mmm_fit": fit} if fit else {}),
    }


def report(db: Path, roas: dict[str, float], weekly: pd.DataFrame) -> None:
    """Figures from the build schema (a run the review stops is not published, but is measured)."""
    with duckdb.connect(str(db), read_only=True) as con:
        con.sql("use main_build")
        run = con.sql("select * from mmm_runs order by fitted_at desc limit 1").df().iloc[0]
        review = con.sql(
            "select check_name, subject, status, value, message from mmm_model_review where status <> 'pass'"
        ).df()
        r2 = con.sql("select r_squared from fit_metrics where geo = 'total' and fit_sample = 'in_sample'").fetchall()
        channels = con.sql("select channel, roas_mean, roas_lower, roas_upper from channel_roas").df()
        weeks = con.sql(
            "select week_start, channel, contribution_lower, contribution_upper from channel_contributions"
            " where geo = 'total'"
        ).df()
    print(
        f"  r-hat {run.max_r_hat:.3f}, ESS {run.min_ess_bulk:.0f}, divergences {run.divergences}; "
        f"R² {r2[0][0] if r2 else float('nan'):.3f}; review {run.review_status}"
    )
    for row in review.itertuples():
        if row.check_name != "prior_posterior_shift":
            print(f"    {row.status} {row.check_name} {row.subject} ({row.value:.3g}): {row.message[:140]}")
    weeks["week_start"] = pd.to_datetime(weeks["week_start"]).dt.date
    true = [weekly.loc[w, c] for w, c in zip(weeks["week_start"], weeks["channel"], strict=True)]
    weeks["inside"] = (weeks["contribution_lower"] <= true) & (np.asarray(true) <= weeks["contribution_upper"])
    inside = weeks.groupby("channel")["inside"].mean()
    for row in channels.sort_values("channel").itertuples():
        truth = roas[row.channel]
        mark = "" if row.roas_lower <= truth <= row.roas_upper else "  (misses the truth)"
        print(
            f"    {row.channel:15s} ROAS {row.roas_mean:.3f} [{row.roas_lower:.3f}, {row.roas_upper:.3f}]"
            f" true {truth:.3f}; weeks covered {inside[row.channel]:.0%}{mark}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kinds", nargs="*", default=list(KINDS), choices=KINDS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[3])
    parser.add_argument("--fit", type=json.loads, default=None, help="var mmm_fit, as JSON")
    args = parser.parse_args()
    for kind in args.kinds:
        for seed in args.seeds:
            folder = Path(tempfile.mkdtemp(prefix="mmm_wrong_form_"))
            data, roas, weekly = generate(kind, seed)
            csv = folder / f"{kind}_{seed}.csv"
            data.to_csv(csv, index=False)
            proc, seconds = run_dbt(["build"], folder / "build.duckdb", dbt_vars(csv, args.fit))
            print(
                f"=== {kind}, seed {seed}, mmm_fit {args.fit or 'default'}: "
                f"dbt build exit {proc.returncode} in {seconds:.0f} s"
            )
            report(folder / "build.duckdb", roas, weekly)


if __name__ == "__main__":
    main()
