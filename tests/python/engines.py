"""Build the SQL layer on DuckDB and on local Spark with the same posterior fixture, then compare.

Used by test_spark_parity.py and bench/bench_spark.py. dbt-spark's session method cannot run the
Python models (they need a Databricks cluster), so the fit's tables (mmm_fits, posterior draws
and scaling) come from python_udfs.synthetic_posterior on both engines, loaded before the SQL
models that read them are built.

Spark runs in this process through dbt's programmatic runner: every dbt invocation and the
fixture loading share one SparkSession (one JVM start, ~25 s) and its Derby metastore, which
only one JVM may open.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

PROJECT = Path(__file__).resolve().parents[2]
SPARK_SCHEMA = "mmm"
# Every SQL model, those downstream of the fit's tables included; no Python model (selectors.yml).
SQL_SELECTION = ["--selector", "sql_models"]


_SPARK_TYPES = {
    "str": "string",
    "string": "string",
    "object": "string",
    "float64": "double",
    "int64": "bigint",
    "datetime64[us]": "timestamp",
}


def duckdb_load(db: Path, tables: dict[str, pd.DataFrame], schema: str = "main_build") -> None:
    """Load fixture tables where the models read them: the build schema (mmm_publish)."""
    with duckdb.connect(str(db)) as con:
        con.sql(f"create schema if not exists {schema}")
        for name, frame in tables.items():
            con.register("fixture", frame)
            con.sql(f"create or replace table {schema}.{name} as select * from fixture")
            con.unregister("fixture")


def duckdb_read(db: Path, model: str, schema: str = "main_build") -> pd.DataFrame:
    """A model as built (views included); `main` holds the published copies of the tables."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(f"select * from {schema}.{model}").df()


@dataclass
class SparkProject:
    """dbt on the `spark` target, in-process, with its warehouse and metastore under `folder`."""

    folder: Path
    dbt_vars: dict | None = None

    def dbt(self, args: list[str]) -> tuple[float, dict]:
        """Run one dbt command; return its wall time and run_results. Raises with the log on failure."""
        from dbt.cli.main import dbtRunner

        os.environ["MMM_SPARK_DIR"] = str(self.folder)
        os.environ.setdefault("MMM_SPARK_SCHEMA", SPARK_SCHEMA)
        target = self.folder / "target"
        cmd = [*args, "--target", "spark", "--profiles-dir", str(PROJECT), "--project-dir", str(PROJECT)]
        cmd += ["--target-path", str(target), "--log-path", str(target / "logs")]
        if self.dbt_vars:
            cmd += ["--vars", json.dumps(self.dbt_vars)]
        results = target / "run_results.json"
        results.unlink(missing_ok=True)
        start = time.perf_counter()
        result = dbtRunner().invoke(cmd)
        wall = time.perf_counter() - start
        if not result.success:
            log_file = target / "logs" / "dbt.log"
            log = log_file.read_text()[-8000:] if log_file.exists() else ""
            raise AssertionError(f"dbt {' '.join(args)} on spark failed: {result.exception}\n{log}")
        return wall, json.loads(results.read_text()) if results.exists() else {}

    def start(self) -> float:
        """Start Spark the way dbt-spark does (the profile's settings) and return the seconds it took."""
        return self.dbt(["show", "--inline", "select 1 as ok"])[0]

    @property
    def spark(self):
        from pyspark.sql import SparkSession

        return SparkSession.builder.getOrCreate()  # the session dbt-spark started

    def stop(self) -> None:
        """Stop Spark and its JVM. Why: left running, the JVM of a finished parity test held 3 GB
        and a fifth of a core in its pytest worker for the rest of the run (CI has two cores)."""
        from pyspark import SparkContext

        self.spark.stop()
        gateway = SparkContext._gateway
        if gateway is not None:
            gateway.shutdown()
            gateway.proc.stdin.close()  # the JVM's gateway server exits when its stdin closes
            gateway.proc.wait(timeout=60)
        SparkContext._gateway = SparkContext._jvm = None

    def load(self, tables: dict[str, pd.DataFrame]) -> None:
        """Into the build schema, where the models read them; `read` reads the published schema."""
        self.spark.sql(f"create schema if not exists {SPARK_SCHEMA}_build")
        for name, frame in tables.items():
            # Spark cannot infer a schema from no rows: an empty table's types come from its dtypes
            ddl = ", ".join(f"`{c}` {_SPARK_TYPES[str(t)]}" for c, t in frame.dtypes.items())
            schema = ddl if frame.empty else None
            self.spark.createDataFrame(frame, schema=schema).write.mode("overwrite").format("parquet").saveAsTable(
                f"{SPARK_SCHEMA}_build.{name}"
            )

    def read(self, model: str) -> pd.DataFrame:
        """A model as built, in the build schema (views included)."""
        return self.spark.table(f"{SPARK_SCHEMA}_build.{model}").toPandas()


def built_models(run_results: dict) -> list[str]:
    """The models a dbt run built (not its tests or seeds)."""
    return [r["unique_id"].split(".")[-1] for r in run_results["results"] if r["unique_id"].startswith("model.")]


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Engine-neutral form: dates and timestamps as UTC timestamps, integers as Int64, other numbers
    as float, and rows sorted by keys.

    Rows are sorted by every non-float column (the grain of each model is made of strings,
    dates, integers and flags), so float noise never reorders them.
    """
    out = pd.DataFrame(index=frame.index)
    for column in sorted(frame.columns):
        values = frame[column]
        is_temporal = values.dtype == object and values.notna().any()
        is_temporal = is_temporal and values.dropna().map(lambda v: hasattr(v, "isoformat")).all()
        if is_temporal or pd.api.types.is_datetime64_any_dtype(values):
            values = pd.to_datetime(values, utc=True).astype("datetime64[ns, UTC]")
        elif pd.api.types.is_bool_dtype(values):
            values = values.astype(bool)
        elif pd.api.types.is_integer_dtype(values):
            values = values.astype("Int64")
        elif pd.api.types.is_numeric_dtype(values):
            values = values.astype(float)
        else:
            values = values.astype("string")
        out[column] = values
    keys = [c for c in out.columns if not pd.api.types.is_float_dtype(out[c])]
    return out.sort_values(keys, kind="stable", na_position="first").reset_index(drop=True)


def _kind(values: pd.Series) -> str:
    """The type family of a column as an engine returns it (Spark hands back DECIMAL as Decimal objects)."""
    sample = values.dropna()
    if values.dtype == object and len(sample):
        name = type(sample.iloc[0]).__name__.lower()  # date, datetime, decimal, str
        return "datetime" if name in ("date", "datetime", "timestamp") else name
    for kind, check in (
        ("bool", pd.api.types.is_bool_dtype),
        ("integer", pd.api.types.is_integer_dtype),
        ("float", pd.api.types.is_float_dtype),
        ("datetime", pd.api.types.is_datetime64_any_dtype),
    ):
        if check(values):
            return kind
    return "str"


def differences(duck: pd.DataFrame, spark: pd.DataFrame, rtol: float = 1e-9) -> list[str]:
    """What differs between two builds of one model; empty when they agree.

    Floats must agree to `rtol` relative to the larger magnitude of the pair, with an absolute
    floor of `rtol` times the column's largest magnitude (for values that should be 0).
    """
    problems = []
    if sorted(duck.columns) != sorted(spark.columns):
        return [f"columns differ: duckdb only {set(duck) - set(spark)}, spark only {set(spark) - set(duck)}"]
    if len(duck) != len(spark):
        return [f"{len(duck)} rows on duckdb, {len(spark)} on spark"]
    kinds = {c: (_kind(duck[c]), _kind(spark[c])) for c in duck.columns}
    wrong = {c: k for c, k in kinds.items() if k[0] != k[1]}
    if wrong:
        return [f"{c}: {k[0]} on duckdb, {k[1]} on spark" for c, k in wrong.items()]
    a, b = normalise(duck), normalise(spark)
    for column in a.columns:
        x, y = a[column], b[column]
        if pd.api.types.is_float_dtype(x):
            xs, ys = x.to_numpy(float), y.to_numpy(float)
            scale = np.nanmax(np.abs(np.concatenate([xs, ys]))) if len(xs) and not np.isnan(xs).all() else 0.0
            ok = np.isclose(xs, ys, rtol=rtol, atol=rtol * scale, equal_nan=True)
            if not ok.all():
                i = int(np.argmin(ok))
                problems.append(f"{column}: {int((~ok).sum())} values differ, e.g. row {i}: {xs[i]!r} vs {ys[i]!r}")
        elif not x.equals(y):
            i = int(np.argmax((x != y).fillna(True).to_numpy()))
            problems.append(f"{column}: values differ, e.g. row {i}: {x.iloc[i]!r} vs {y.iloc[i]!r}")
    return problems
