"""Benchmark: the SQL layer on local Spark (dbt-spark, session method) against DuckDB.

Two cases, each built on both engines with the same dbt selection:
- demo: the bundled seeds, staging → panel → lags, then every SQL posterior mart from a
  posterior fixture (python_udfs.synthetic_posterior, 4 chains x --draws);
- generated: --geos x --weeks x --channels of generated parquet inputs (as bench_panel.py),
  staging → panel → lags.

Prints dbt's elapsed time per engine (Spark's JVM start is reported apart: it happens once per
process) and the sum of model times. Needs the `spark` extra and Java 17.

Run: `uv run python bench/bench_spark.py [--geos 100 --weeks 260 --channels 30 --draws 250]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

from bench_panel import dbt as duckdb_dbt
from bench_panel import generate
from engines import SQL_SELECTION, SparkProject, duckdb_load

from python_udfs.synthetic_posterior import synthetic_posterior

PANEL = ["--select", "+int_media_adstock_lags", "+int_controls_weekly", "+int_weekly_panel"]
PANEL += ["--exclude", "resource_type:seed"]
DEMO_CHANNELS = ["display", "print", "search", "social", "tv"]


def duckdb_case(folder: Path, args: list[str], dbt_vars: dict, fixture: dict | None) -> tuple[float, float]:
    db = folder / "bench.duckdb"
    if fixture is not None:
        duckdb_dbt(["seed"], db, dbt_vars)
        duckdb_load(db, fixture)
    duckdb_dbt(["run", *args], db, dbt_vars)
    results = json.loads((folder / "target" / "run_results.json").read_text())
    return results["elapsed_time"], sum(r["execution_time"] for r in results["results"])


def spark_case(project: SparkProject, args: list[str], fixture: dict | None) -> tuple[float, float]:
    if fixture is not None:
        project.dbt(["seed"])
        project.load(fixture)
    _, results = project.dbt(["run", *args])
    return results["elapsed_time"], sum(r["execution_time"] for r in results["results"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--geos", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--channels", type=int, default=30)
    parser.add_argument("--draws", type=int, default=250, help="per chain, 4 chains, for the demo's marts")
    a = parser.parse_args()
    fixture = synthetic_posterior(
        ["total"], DEMO_CHANNELS, ["holiday", "price_index"], draws=a.draws, channel_scale=2000.0, target_scale=8e4
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        spark = SparkProject(tmp / "spark")
        jvm = spark.start()

        (tmp / "duck_demo").mkdir()
        rows.append(("demo, SQL layer + marts", "duckdb", *duckdb_case(tmp / "duck_demo", SQL_SELECTION, {}, fixture)))
        rows.append(("demo, SQL layer + marts", "spark", *spark_case(spark, SQL_SELECTION, fixture)))

        (tmp / "gen").mkdir()
        inputs = {"mmm_inputs": generate(tmp / "gen", a.geos, a.weeks, a.channels)}
        (tmp / "duck_gen").mkdir()
        label = f"{a.geos} geos x {a.weeks} weeks x {a.channels} channels, SQL layer"
        rows.append((label, "duckdb", *duckdb_case(tmp / "duck_gen", PANEL, inputs, None)))
        spark.dbt_vars = inputs
        rows.append((label, "spark", *spark_case(spark, PANEL, None)))

    print(f"Spark JVM and session start (once per process): {jvm:.1f} s")
    print(f"{'case':<55} {'engine':<7} {'dbt elapsed':>12} {'sum of models':>14}")
    for case, engine, elapsed, models in rows:
        print(f"{case:<55} {engine:<7} {elapsed:>10.1f} s {models:>12.1f} s")


if __name__ == "__main__":
    main()
