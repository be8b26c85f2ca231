"""Every compiled SQL model transpiles to Snowflake, BigQuery and Databricks SQL with sqlglot.

The project is compiled for DuckDB with var mmm_portable_sql, which makes the DuckDB-only
speed-ups (list quantiles) fall back to their default__ forms, so the SQL checked is what the
other warehouses run, in DuckDB's spelling. sqlglot then transpiles it with unsupported
constructs raised as errors, and parses the result back in the target dialect.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from conftest import DBT, PROJECT

from python_udfs import intervals

sqlglot = pytest.importorskip("sqlglot")
from sqlglot.errors import ErrorLevel  # noqa: E402

DIALECTS = ("snowflake", "bigquery", "databricks")


@pytest.fixture(scope="module")
def compiled_models(tmp_path_factory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("dialects")
    cmd = [
        DBT, "compile", "--profiles-dir", str(PROJECT), "--target-path", str(tmp / "target"),
        "--select", "resource_type:model", "--indirect-selection", "empty",
        "--vars", '{"mmm_portable_sql": true}',
    ]  # fmt: skip
    env = {**os.environ, "MMM_DUCKDB_PATH": str(tmp / "compile.duckdb")}
    proc = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    root = tmp / "target" / "compiled" / "warehouse_mmm" / "models"
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.sql"))}


def test_every_sql_model_was_compiled(compiled_models):
    sql_models = {str(p.relative_to(PROJECT / "models")) for p in (PROJECT / "models").rglob("*.sql")}
    assert set(compiled_models) == sql_models


@pytest.mark.parametrize("dialect", DIALECTS)
def test_compiled_sql_transpiles_without_unsupported_constructs(compiled_models, dialect):
    failures = {}
    for name, sql in compiled_models.items():
        try:
            out = sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=ErrorLevel.RAISE)
            for statement in out:
                sqlglot.parse_one(statement, read=dialect)
        except Exception as err:
            failures[name] = f"{type(err).__name__}: {str(err)[:300]}"
    assert not failures, f"{len(failures)} model(s) do not transpile to {dialect}: {failures}"


def test_the_sql_reports_the_interval_python_does(compiled_models):
    """One interval (python_udfs/intervals.py, twinned by the macro mmm_interval_bounds): the
    marts' quantiles and fitted_values' predictive band use its numbers."""
    roas = compiled_models["marts/posterior/channel_roas.sql"]
    assert f"(roas, {intervals.LOWER}) as roas_lower" in roas and f"(roas, {intervals.UPPER}) as roas_upper" in roas
    fitted = compiled_models["marts/posterior/fitted_values.sql"]
    z = re.search(r"predicted_mean - ([0-9.]+) \* predicted\.predictive_sd", fitted)
    assert z is not None and abs(float(z.group(1)) - intervals.Z) < 1e-12
