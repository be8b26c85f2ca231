"""The whole project once, end to end, with a tiny fit: the quick lane's proof that every node,
staging to budget tables, and every Python module behind them still builds and writes rows."""

from __future__ import annotations

import pytest
from conftest import PUBLISHED_MARTS, published_tables, run_dbt

pytestmark = pytest.mark.quick

# Too short to converge, which is the point: the review fails it, and the setting that lets a
# user proceed anyway is what makes the budget tables build from it.
TINY = {"chains": 2, "draws": 30, "tune": 30, "prior_predictive_draws": 20}
RUN_TABLES = ["mmm_runs", "mmm_fits", "mmm_posterior_draws", "mmm_parameter_summary", "mmm_sample_stats"]
REVIEWS = ["mmm_data_review", "mmm_model_review", "mmm_prior_predictive_check"]


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory):
    db = tmp_path_factory.mktemp("smoke") / "smoke.duckdb"
    out = run_dbt(["build"], db, {"mmm_fit": TINY, "mmm_allow_failed_review": True})
    return db, out.output


def test_every_result_table_is_published_with_rows(tiny_build):
    db, output = tiny_build
    tables = published_tables(db)
    empty = [t for t in [*PUBLISHED_MARTS, *RUN_TABLES, *REVIEWS] if tables.get(t, (0,))[0] == 0]
    assert not empty, f"published without rows: {empty}"
    assert " ERROR=0 " in output and "WARN 1 mmm_run_usable" in output  # the tiny fit is flagged
    assert not [t for t in tables if "__dbt_tmp" in t]
