"""Benchmark: build the weekly panel and adstock lag features for 100 geos x 260 weeks x 30
channels in DuckDB with the project's own dbt models, and print the timings.

Run: `uv run python bench/bench_panel.py [--geos 100 --weeks 260 --channels 30]`.
Generates long-format parquet inputs in a temp folder, points var mmm_inputs at them, and runs
`dbt build` of the SQL layer (tests excluded from the timing, then run separately).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from dbt_runner import run_dbt


def generate(folder: Path, geos: int, weeks: int, channels: int, controls: int = 1) -> dict:
    """Random weekly spend, KPI and controls per geo as parquet inputs (var mmm_inputs)."""
    rng = np.random.default_rng(0)
    starts = pd.date_range("2020-01-06", periods=weeks, freq="7D")
    g = np.repeat([f"geo_{i:03d}" for i in range(geos)], weeks)
    w = np.tile(starts, geos)
    spend = pd.concat(
        [
            pd.DataFrame(
                {
                    "geo": g,
                    "period_start": w,
                    "period_end": w + pd.Timedelta(days=6),
                    "channel": f"channel_{c:02d}",
                    "spend": rng.gamma(2.0, 500.0, geos * weeks),
                }
            )
            for c in range(channels)
        ]
    )
    kpi = pd.DataFrame(
        {"geo": g, "period_start": w, "period_end": w + pd.Timedelta(days=6), "kpi": rng.normal(1e5, 1e4, geos * weeks)}
    )
    control_frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "geo": g,
                    "period_start": w,
                    "period_end": w + pd.Timedelta(days=6),
                    "control": "price_index" if k == 0 else f"control_{k:02d}",
                    "value": rng.normal(1, 0.05, geos * weeks),
                }
            )
            for k in range(controls)
        ]
    )
    out = {}
    for name, df in (("media_spend", spend), ("kpi", kpi), ("controls", control_frame)):
        path = folder / f"{name}.parquet"
        df.to_parquet(path, index=False)
        out[name] = {"path": str(path), "has_geo": True}
    return out


def dbt(args: list[str], db: Path, dbt_vars: dict) -> float:
    """Wall seconds of one dbt command; a failure stops the benchmark."""
    return run_dbt(args, db, dbt_vars, target=db.parent / "target", check=True)[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--geos", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--channels", type=int, default=30)
    parser.add_argument("--controls", type=int, default=1)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = generate(folder, a.geos, a.weeks, a.channels, a.controls)
        db = folder / "bench.duckdb"
        dbt_vars = {"mmm_inputs": inputs}
        sql_layer = ["--selector", "sql_layer_from_inputs"]  # selectors.yml: inputs through the lags
        dbt(["parse"], db, dbt_vars)  # parse once, so the timing below is the SQL work
        seconds = dbt(["run", *sql_layer], db, dbt_vars)
        results = json.loads((db.parent / "target" / "run_results.json").read_text())
        sql_seconds = results["elapsed_time"]
        per_model = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results["results"]}
        import duckdb

        with duckdb.connect(str(db), read_only=True) as con:
            panel = con.sql("select count(*) from main.int_media_spend_weekly").fetchall()[0][0]
            lags = con.sql("select count(*) from main.int_media_adstock_lags").fetchall()[0][0]
        test_seconds = dbt(["test", *sql_layer], db, dbt_vars)
    size = f"{a.geos} geos x {a.weeks} weeks x {a.channels} channels x {a.controls} controls"
    print(f"inputs: {size} = {panel:,} panel rows, {lags:,} lag rows")
    print(f"SQL layer in DuckDB (dbt's elapsed time for staging, panel, lags): {sql_seconds:.2f} s")
    print("  per model: " + ", ".join(f"{k} {v:.2f} s" for k, v in per_model.items()))
    print(f"wall time of the whole `dbt run` process (start-up included): {seconds:.2f} s")
    print(f"dbt test of the SQL layer (input validation): {test_seconds:.2f} s")


if __name__ == "__main__":
    main()
