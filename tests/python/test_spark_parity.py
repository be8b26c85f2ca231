"""The SQL layer on Apache Spark (dbt-spark, session method) equals the same build on DuckDB.

Staging, the weekly panel, the lag features and every SQL posterior mart are built on both
engines from the demo seeds and one posterior fixture (python_udfs.synthetic_posterior); the dbt
data and unit tests of those models run on both. Every model is then compared row for row,
numbers to 1e-9 relative.
"""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
from conftest import run_dbt
from engines import SPARK_SCHEMA, SQL_SELECTION, SparkProject, built_models, differences, duckdb_load, duckdb_read

from python_udfs.dbt_io import to_pandas
from python_udfs.panel import build_model_frame
from python_udfs.synthetic_posterior import synthetic_posterior

IN_CI = bool(os.environ.get("CI"))
if not IN_CI:
    pytest.importorskip("pyspark", reason="the spark extra is not installed (uv sync --all-extras)")
    if shutil.which("java") is None:
        pytest.skip("Java 17 is not installed (apt-get install openjdk-17-jre-headless)", allow_module_level=True)

CHANNELS = ["display", "print", "search", "social", "tv"]
CONTROLS = ["holiday", "price_index"]


@pytest.fixture(scope="module")
def posterior():
    return synthetic_posterior(
        ["total"], CHANNELS, CONTROLS, chains=2, draws=60, channel_scale=2000.0, target_scale=8e4, seed=7
    )


@pytest.fixture(scope="module")
def optional_inputs(tmp_path_factory) -> dict:
    """An event and a lift test (parquet: Spark reads no CSV path), so their models have rows."""
    folder = tmp_path_factory.mktemp("optional_inputs")
    events = pd.DataFrame({"event": ["launch"], "period_start": ["2022-05-10"], "period_end": ["2022-05-12"]})
    lift = pd.DataFrame(
        {"test_id": ["tv_spring"], "channel": ["tv"], "period_start": ["2023-03-06"], "period_end": ["2023-04-30"]}
        | {"spend_change": [7336.0], "lift": [7832.0], "lift_se": [783.0]}
    )
    events.to_parquet(folder / "events.parquet")
    lift.to_parquet(folder / "lift_tests.parquet")
    paths = {name: {"path": str(folder / f"{name}.parquet")} for name in ("events", "lift_tests")}
    return {"mmm_inputs": paths}


@pytest.fixture(scope="module")
def duckdb_build(tmp_path_factory, posterior, optional_inputs):
    db = tmp_path_factory.mktemp("parity_duckdb") / "parity.duckdb"
    run_dbt(["seed"], db)
    duckdb_load(db, posterior)
    run_dbt(["build", *SQL_SELECTION], db, optional_inputs)
    return db


@pytest.fixture(scope="module")
def spark_build(tmp_path_factory, posterior, optional_inputs):
    project = SparkProject(tmp_path_factory.mktemp("parity_spark"), dbt_vars=optional_inputs)
    project.dbt(["seed"])
    project.load(posterior)
    _, results = project.dbt(["build", *SQL_SELECTION])
    failed = [r["unique_id"] for r in results["results"] if r["status"] not in ("success", "pass")]
    assert not failed, failed
    yield project, built_models(results)
    project.stop()


def test_spark_builds_every_sql_model_of_the_layer(spark_build):
    _, models = spark_build
    expected = {
        "stg_media_spend", "stg_kpi", "stg_controls", "int_weekly_panel", "int_media_adstock_lags",
        "channel_contributions", "channel_roas", "decomposition", "fitted_values", "fit_metrics", "response_curves",
    }  # fmt: skip
    assert expected <= set(models)


# Models with rows only under a fit setting the generated posterior (the default model) lacks:
# built on both engines, empty on both.
EMPTY_BY_DEFAULT = {"int_baseline_draws"}  # fit setting time_varying_intercept


def test_every_model_equals_the_duckdb_build(spark_build, duckdb_build):
    project, models = spark_build
    mismatches = {}
    assert set(models) >= EMPTY_BY_DEFAULT
    for model in models:
        duck, spark = duckdb_read(duckdb_build, model), project.read(model)
        if model in EMPTY_BY_DEFAULT:
            assert len(duck) == len(spark) == 0, model
            continue
        assert len(duck) > 0, f"{model} is empty on duckdb"
        problems = differences(duck, spark)
        if problems:
            mismatches[model] = problems
    assert not mismatches, "\n".join(f"{m}: {'; '.join(p)}" for m, p in mismatches.items())


def test_fit_inputs_read_from_spark_equal_duckdb(spark_build, duckdb_build):
    """The Python models' reader takes Spark DataFrames: the fit's model frame built from the
    Spark tables hashes the same as from DuckDB, so the fit would see identical data. Both are
    read from the published schemas, which also checks that publishing works on Spark."""
    import duckdb

    project, _ = spark_build
    inputs = ("int_weekly_panel", "int_media_spend_weekly", "int_controls_weekly")
    from_spark = [to_pandas(project.spark.table(f"{SPARK_SCHEMA}.{name}")) for name in inputs]
    with duckdb.connect(str(duckdb_build), read_only=True) as con:
        from_duckdb = [to_pandas(con.sql(f"select * from main.{name}")) for name in inputs]
    assert build_model_frame(*from_spark).data_hash() == build_model_frame(*from_duckdb).data_hash()
