"""The whole project once, end to end, with a tiny fit: the quick lane's proof that every node,
staging to budget tables, and every Python module behind them still builds and writes rows."""

from __future__ import annotations

import pytest
from conftest import PUBLISHED_MARTS, published_tables, run_dbt  # noqa: F401 (run_dbt marks the module dbt)

pytestmark = pytest.mark.quick

RUN_TABLES = ["mmm_runs", "mmm_fits", "mmm_posterior_draws", "mmm_parameter_summary", "mmm_sample_stats"]
REVIEWS = ["mmm_data_review", "mmm_model_review", "mmm_prior_predictive_check"]


def test_every_result_table_is_published_with_rows(tiny_build):
    db, output = tiny_build
    tables = published_tables(db)
    empty = [t for t in [*PUBLISHED_MARTS, *RUN_TABLES, *REVIEWS] if tables.get(t, (0,))[0] == 0]
    assert not empty, f"published without rows: {empty}"
    assert " ERROR=0 " in output and "WARN 1 mmm_run_usable" in output  # the tiny fit is flagged
    assert not [t for t in tables if "__dbt_tmp" in t]
