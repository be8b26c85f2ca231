"""Benchmark: the case-study fit end to end in dbt against plain pymc-marketing.

(a) `dbt build` of the whole project on ../shared/data/mmm_stan/data.csv: channels mdsp_dm,
    mdsp_inst, mdsp_nsp, mdsp_audtr, mdsp_vidtr, mdsp_so, mdsp_on; hldy_* controls; KPI sales;
    geometric adstock with lags 0..6; logistic saturation; 5 yearly Fourier modes; 4 chains x
    1000 tune + 1000 draws with nutpie; fitted on weeks up to 2018-02-01 (26 holdout weeks).
(b) plain pymc-marketing fitting the same model (same priors, same scaled controls, nutpie)
    from a pandas frame read straight from the CSV, as its own Python process (as (a) is), with
    PyMC's defaults; (b') the same on every core, which is what (a) does by default.
All run one after the other in this venv; prints the wall times and the ratios.
Run: `uv run python bench/bench_fit_case_study.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from dbt_runner import PROJECT, run_dbt

DATA = PROJECT.parent / "shared" / "data" / "mmm_stan" / "data.csv"
CHANNELS = ["mdsp_dm", "mdsp_inst", "mdsp_nsp", "mdsp_audtr", "mdsp_vidtr", "mdsp_so", "mdsp_on"]
FIT = {"yearly_seasonality": 5, "chains": 4, "draws": 1000, "tune": 1000, "sampler": "nutpie"}


MARTS = [
    "mmm_current_run",
    "int_posterior_scales",
    "int_posterior_draws_current",
    "int_linear_features",
    "int_seasonality_draws",
    "int_posterior_channel_draws",
    "int_channel_contribution_draws",
    "int_component_draws",
    "channel_contributions",
    "decomposition",
    "fitted_values",
    "fit_metrics",
    "channel_roas",
    "response_curves",
]


Timed = tuple[float, dict[str, float], tuple[float, float]]


def dbt_build(db: Path, command: tuple[str, ...] = ("build",), data: Path = DATA) -> Timed:
    """Wall time, each node's execution time, and the seconds before the first node (start-up
    and parse) and after the last one."""
    dbt_vars = {
        "mmm_week_start": "sunday",
        "mmm_holdout_weeks": 26,
        "mmm_max_lag": 6,
        "mmm_fit": FIT,
        "mmm_wide_input": {
            "path": str(data),
            "date_column": "wk_strt_dt",
            "kpi_column": "sales",
            "spend_columns": CHANNELS,
            "control_columns": ["hldy_*"],
        },
    }
    started_at = time.time()
    _, seconds = run_dbt([*command, "--quiet"], db, dbt_vars, target=db.parent / "target")
    results = json.loads((db.parent / "target" / "run_results.json").read_text())["results"]
    failed = [r["unique_id"] for r in results if r["status"] in ("error", "fail", "skipped")]
    if failed:  # a timing of a failed build would flatter it
        sys.exit(f"dbt {' '.join(command)} failed on the case study: {failed}")
    timings = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results}
    stamps = [datetime.fromisoformat(t[k]).timestamp() for r in results for t in r["timing"] for k in t if k != "name"]
    return seconds, timings, (min(stamps) - started_at, started_at + seconds - max(stamps))


def plain_pymc_marketing(cores: int | None = None) -> None:
    """The plain script (b): what a data scientist would write, PyMC's defaults included."""
    from pymc_extras.prior import Prior
    from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation

    df = pd.read_csv(DATA, parse_dates=["wk_strt_dt"])
    controls = [c for c in df.columns if c.startswith("hldy_")]
    df["trend"] = np.linspace(0, 1, len(df))
    train = df[df["wk_strt_dt"] <= "2018-02-01"]
    for c in [*controls, "trend"]:  # the same min-max scaling the project applies
        lo, hi = df[c].min(), df[c].max()
        train = train.assign(**{c: (train[c] - lo) / (hi - lo if hi > lo else 1.0)})
    controls = [c for c in [*controls, "trend"] if train[c].nunique() > 1]
    share = train[CHANNELS].sum() / train[CHANNELS].sum().sum()
    sigma = np.maximum(len(CHANNELS) * share.to_numpy() / np.sqrt(1 - 2 / np.pi), 0.05)
    mmm = MMM(
        date_column="wk_strt_dt",
        channel_columns=CHANNELS,
        control_columns=controls,
        target_column="sales",
        adstock=GeometricAdstock(l_max=7),
        saturation=LogisticSaturation(),
        yearly_seasonality=5,
        model_config={
            "saturation_beta": Prior("HalfNormal", sigma=sigma, dims="channel"),
            "likelihood": Prior("TruncatedNormal", lower=0, sigma=Prior("HalfNormal", sigma=2), dims="date"),
        },
    )
    X = train[["wk_strt_dt", *CHANNELS, *controls]]
    mmm.fit(
        X,
        train["sales"],
        chains=4,
        draws=1000,
        tune=1000,
        target_accept=0.95,
        nuts_sampler="nutpie",
        random_seed=42,
        progressbar=False,
        **({"cores": cores} if cores else {}),
    )


def time_plain(cores: int | None = None) -> float:
    """Wall time of (b) as its own Python process, as (a) is timed: interpreter start and every
    import included."""
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--plain", str(cores or 0)], check=True)
    return time.perf_counter() - start


def main() -> None:
    if not DATA.exists():
        sys.exit(f"{DATA} is absent")
    with tempfile.TemporaryDirectory() as tmp:
        db, data = Path(tmp) / "case_study.duckdb", Path(tmp) / "data.csv"
        shutil.copy(DATA, data)
        a, timings, (before, after) = dbt_build(db, data=data)
        # The marts alone, rebuilt on the stored posterior (what a refresh without refit costs).
        _, rebuild, _ = dbt_build(db, ("run", "--select", *MARTS), data=data)
        elapsed = json.loads((Path(tmp) / "target" / "run_results.json").read_text())["elapsed_time"]
        # The weekly refresh: the data changed, the project did not (dbt parses only what changed).
        df = pd.read_csv(data)
        df.loc[0, CHANNELS[0]] *= 1.01
        df.to_csv(data, index=False)
        refresh, _, (refresh_before, _) = dbt_build(db, data=data)
        with duckdb.connect(str(db), read_only=True) as con:
            if con.sql("select count(*) from main.mmm_runs").fetchall() != [(2,)]:
                sys.exit("the refresh did not fit again")
    b = time_plain()
    b_all_cores = time_plain(len(os.sched_getaffinity(0)))
    marts = sum(timings.get(m, 0.0) for m in MARTS)
    print(f"posterior marts from 4 x 1000 draws, within the build (sum of model times): {marts:.2f} s")
    print("  " + ", ".join(f"{m} {timings.get(m, float('nan')):.2f} s" for m in MARTS))
    print(
        f"posterior marts rebuilt alone (dbt run): sum of model times {sum(rebuild.values()):.2f} s, "
        f"dbt elapsed {elapsed:.2f} s"
    )
    print(f"  mmm_fits node (fit incl. compile and prior predictive): {timings.get('mmm_fits', float('nan')):.1f} s")
    print(f"  dbt start-up and parse before the first node {before:.1f} s, after the last node {after:.1f} s")
    slowest = sorted(timings.items(), key=lambda kv: -kv[1])[:8]
    print(f"  slowest nodes of (a): {', '.join(f'{k} {v:.1f} s' for k, v in slowest)}")
    print(f"  all {len(timings)} nodes of (a) together: {sum(timings.values()):.1f} s")
    print(f"(a) dbt build end to end (SQL layer + fit + marts): {a:.1f} s")
    print(
        f"(a2) the weekly refresh (new data, so a new fit; same project, so partial parsing): {refresh:.1f} s, "
        f"of which {refresh_before:.1f} s before the first node"
    )
    print(f"(b) plain pymc-marketing fit from pandas:           {b:.1f} s")
    print(f"(b') the same on every core ({len(os.sched_getaffinity(0))}), as (a) samples:  {b_all_cores:.1f} s")
    print(f"ratio a/b: {a / b:.2f}, a/b': {a / b_all_cores:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--plain"]:
        plain_pymc_marketing(int(sys.argv[2]) or None)
    else:
        main()
