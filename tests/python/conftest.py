"""Shared fixtures: run the real dbt project against throwaway DuckDB files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

PROJECT = Path(__file__).resolve().parents[2]
SHARED_DATA = PROJECT.parent / "shared" / "data"
DEMO_SEEDS = PROJECT / "seeds" / "demo"
DBT = str(Path(sys.executable).with_name("dbt"))
# Named selections (selectors.yml): the inputs through the panel and lags, and the same without
# the seeds (a copy whose seeds are loaded and whose input files changed).
SQL_LAYER = ["--selector", "sql_layer"]
SQL_LAYER_FROM_INPUTS = ["--selector", "sql_layer_from_inputs"]

# The posterior marts BI reads: each has a row per geo and for the nation (mmm_covers_geos).
GEO_MARTS = [
    "channel_contributions",
    "decomposition",
    "fitted_values",
    "fit_metrics",
    "channel_roas",
    "response_curves",
]
PUBLISHED_MARTS = [*GEO_MARTS, "budget_allocations", "budget_scenario_summary", "budget_geo_summary"]
# The columns of a budget scenarios input (the seed budget_scenarios).
SCENARIO_HEADER = (
    "scenario_id,description,objective,horizon_weeks,budget_change_pct,total_budget,bound_pct,"
    "risk_quantile,target_change_pct,target_contribution"
)


def run_dbt(args: list[str], db: Path, dbt_vars: dict | None = None, *, ok: bool = True) -> subprocess.CompletedProcess:
    """Run dbt in the project with its own DuckDB file and target folder; check the outcome."""
    target = db.parent / f"target_{db.stem}"
    cmd = [
        DBT,
        *args,
        "--profiles-dir",
        str(PROJECT),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
    ]
    if dbt_vars:
        cmd += ["--vars", json.dumps(dbt_vars)]
    env = {**os.environ, "MMM_DUCKDB_PATH": str(db)}
    proc = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=1200)
    output = proc.stdout + proc.stderr
    if ok and proc.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{output[-6000:]}")
    if not ok and proc.returncode == 0:
        raise AssertionError(f"dbt {' '.join(args)} should have failed:\n{output[-3000:]}")
    proc.output = output  # type: ignore[attr-defined]
    return proc


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


def published_tables(db: Path) -> dict[str, tuple]:
    """Every table users read (schema main, where mmm_publish swaps in a successful build) with
    its row count and a checksum of its rows, to show a failed build changed none of them."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            name
            for (name,) in con.sql(
                "select table_name from information_schema.tables "
                "where table_schema = 'main' and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        return {name: con.sql(f'select count(*), sum(hash(t)) from main."{name}" as t').fetchall()[0] for name in names}


@pytest.fixture(scope="session")
def sql_layer_db(tmp_path_factory) -> Path:
    """The demo's SQL layer (seeds, staging, panel, lags) built once, tests passing."""
    db = tmp_path_factory.mktemp("sql") / "sql_layer.duckdb"
    run_dbt(["build", *SQL_LAYER], db)
    return db


@pytest.fixture()
def copy_of(tmp_path):
    def _copy(db: Path) -> Path:
        target = tmp_path / db.name
        shutil.copy(db, target)
        return target

    return _copy


@pytest.fixture(scope="session")
def demo_fit(tmp_path_factory):
    """`dbt build` on the demo with the default fit settings, then again with nothing changed."""
    db = tmp_path_factory.mktemp("fit") / "demo.duckdb"
    first = run_dbt(["build"], db)
    start = time.perf_counter()
    second = run_dbt(["build"], db)
    return db, first.output, second.output, time.perf_counter() - start


# Too short to converge, which is the point: the review fails it, and the setting that lets a
# user proceed anyway is what makes the budget tables build from it.
TINY = {"chains": 2, "draws": 30, "tune": 30, "prior_predictive_draws": 20}


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory):
    """The whole demo built once with a tiny fit (every table published, the review failed and
    allowed): for tests of the project end to end and of faults against published tables."""
    db = tmp_path_factory.mktemp("smoke") / "smoke.duckdb"
    out = run_dbt(["build"], db, {"mmm_fit": TINY, "mmm_allow_failed_review": True})
    return db, out.output


def _module_fixture(item: pytest.Item) -> bool:
    """Whether the test uses a fixture built once per module (a geo fit, a Spark build)."""
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.values() if info is not None else ()
    return any(d.scope == "module" for chain in defs for d in chain)


def _group(item: pytest.Item, name: str) -> None:
    """Send the test to the worker of its group. pytest-xdist 3.8 reads the `xdist_group` mark
    and appends `@name` to the node id, which its scheduler splits on; it writes `item._nodeid`,
    which pytest 9 no longer reads (ids live in `item._id`), so without this every worker took
    any test and each sampled the demo's fit. The id is set here the way xdist sets it."""
    item.add_marker(pytest.mark.xdist_group(name))
    if getattr(item.config.option, "loadgroup", False) and "@" not in item.nodeid and hasattr(item, "_id"):
        from _pytest.nodeid import NodeId

        item._id = NodeId.parse(f"{item.nodeid}@{name}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Lanes by what a test costs. `fit`: needs the demo's full default fit; `dbt`: runs dbt
    (every module that imports run_dbt). The quick lane (`make test-quick`) is what is left
    plus the dbt modules marked `quick` (the form parity harness, one tiny end-to-end build);
    the fast lane (`make test-fast`) adds the other dbt builds: the SQL layer, bad inputs, tiny fits.

    With pytest-xdist (make test) a fixture is built once per worker, so the tests on the
    demo's fit run in one worker, and so do the tests of a module that share a module fixture."""
    for item in items:
        if "demo_fit" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.fit)
            _group(item, "demo_fit")
        elif "tiny_build" in getattr(item, "fixturenames", ()):
            _group(item, "tiny_build")
        elif _module_fixture(item):
            _group(item, item.nodeid.split("::")[0])
        module = getattr(item, "module", None)
        if module is not None and getattr(module, "run_dbt", None) is run_dbt:
            item.add_marker(pytest.mark.dbt)
