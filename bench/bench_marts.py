"""Benchmark: build the posterior marts from generated draws for many geos.

Default: 50 geos x 156 weeks x 10 channels, 4 chains x 1000 draws. Generates the inputs (as
bench_panel does), builds the SQL layer with dbt, writes a synthetic posterior in the fit's
table layout (python_udfs.synthetic_posterior) into the DuckDB file, then times
`dbt run` of every model between the draws and the marts (budget_allocations and its summary excluded: it
optimises one geo). The case-study figure comes from bench_fit_case_study.py.

Run: `uv run python bench/bench_marts.py [--geos 50 --weeks 156 --channels 10 --draws 1000 --thin 1]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

from bench_panel import dbt, generate
from engines import duckdb_load

from python_udfs.synthetic_posterior import synthetic_posterior

MARTS = ["mmm_current_run+", "--exclude", "budget_allocations+", "mmm_model_review+"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--geos", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--draws", type=int, default=1000, help="per chain; 4 chains")
    parser.add_argument("--thin", default="1", help="var mmm_mart_thin: k (every k-th draw) or auto")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary one)")
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "bench.duckdb"
        dbt_vars = {"mmm_inputs": generate(folder, a.geos, a.weeks, a.channels), "mmm_mart_thin": a.thin}
        dbt(["run", "--selector", "sql_layer_from_inputs"], db, dbt_vars)
        with duckdb.connect(str(db)) as con:
            geos = [r[0] for r in con.sql("select distinct geo from main.int_weekly_panel order by 1").fetchall()]
            channels = [r[0] for r in con.sql("select distinct channel from main.int_media_spend_weekly").fetchall()]
            tables = synthetic_posterior(
                geos,
                sorted(channels),
                ["price_index"],
                draws=a.draws,
                channel_scale=3000.0,
                target_scale=1e5,
                control_range=(0.8, 1.2),
            )
            n_draws = len(tables["mmm_posterior_draws"])
        duckdb_load(db, tables)
        wall = dbt(["run", "--select", *MARTS], db, dbt_vars)
        results = json.loads((folder / "target" / "run_results.json").read_text())
        per_model = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results["results"]}
        with duckdb.connect(str(db), read_only=True) as con:
            rows = {
                m: con.sql(f"select count(*) from main.{m}").fetchall()[0][0]
                for m in ("channel_contributions", "decomposition")
            }
    print(
        f"{a.geos} geos x {a.weeks} weeks x {a.channels} channels, 4 chains x {a.draws} draws "
        f"(thin {a.thin}): {n_draws:,} posterior draw rows"
    )
    print(f"posterior marts in DuckDB (dbt's elapsed time): {results['elapsed_time']:.2f} s")
    print(f"  sum of model times: {sum(per_model.values()):.2f} s")
    print("  per model: " + ", ".join(f"{k} {v:.2f} s" for k, v in per_model.items()))
    print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    print(f"wall time of the whole `dbt run` process (start-up included): {wall:.2f} s")


if __name__ == "__main__":
    main()
