"""The time-varying baseline (fit setting time_varying_intercept): pymc-marketing's SoftPlusHSGP
intercept, fitted for real on the demo panel and reproduced draw by draw by the SQL marts."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import run_dbt

from python_udfs.config import FitConfig
from python_udfs.fit_node import model_frame
from python_udfs.mmm_fit import build_mmm, from_bytes

TINY = {"time_varying_intercept": True, "trend": False, "chains": 1, "draws": 40, "tune": 40}
NODES = [
    "run",
    "--select",
    "stg_lift_tests",
    "int_lift_tests",
    "mmm_data_review",
    "mmm_fits",
    "mmm_posterior_draws",
    "mmm_posterior_scaling",
    "mmm_posterior_basis",
    "mmm_current_run",
    "+decomposition",
    "+fitted_values",
]


@pytest.fixture(scope="module")
def varying_fit(sql_layer_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("tvi") / "tvi.duckdb"
    db.write_bytes(sql_layer_db.read_bytes())
    run_dbt(NODES, db, {"mmm_fit": {**TINY, "prior_predictive_draws": 20}})
    return db


def test_sql_baseline_equals_pymc_marketing_draw_by_draw(varying_fit):
    """Parity to 1e-6: int_baseline_draws against pymc-marketing's intercept_contribution
    recomputed from the stored posterior, every draw and training week; holdout weeks get the
    process's extrapolation, as pymc-marketing's out-of-sample prediction does."""
    import pymc as pm

    with duckdb.connect(str(varying_fit), read_only=True) as con:
        fit = con.sql("select f.* from main.mmm_fits f join main.mmm_current_run using (run_id)").df().iloc[0]
        panel = con.sql("select * from main.int_weekly_panel").df()
        spend = con.sql("select * from main.int_media_spend_weekly").df()
        controls = con.sql("select * from main.int_controls_weekly").df()
        ours = con.sql("select chain, draw, week_start, contribution from main.int_baseline_draws").df()
        n_basis = con.sql("select count(distinct term) from main.mmm_posterior_basis").fetchall()[0][0]
    config = FitConfig.from_stored(fit["model_config"])
    assert config.time_varying_intercept and n_basis > 10
    mf = model_frame(panel, spend, controls, config)
    mmm = build_mmm(mf, config)
    mmm.build_model(mf.train.drop(columns=["kpi"]), mf.train["kpi"])
    tree = from_bytes(fit["posterior_netcdf"])
    with mmm.model:
        pp = pm.sample_posterior_predictive(
            tree["posterior"].to_dataset(), var_names=["intercept_contribution"], progressbar=False
        )
    pp = pp["posterior_predictive"].to_dataset() if "posterior_predictive" in pp else pp
    target_scale = float(tree["constant_data"].to_dataset()["target_scale"])
    theirs = (pp["intercept_contribution"] * target_scale).to_dataframe(name="theirs").reset_index()
    theirs["week_start"] = pd.to_datetime(theirs["date"])
    ours["week_start"] = pd.to_datetime(ours["week_start"])
    both = theirs.merge(ours, on=["chain", "draw", "week_start"], how="left")
    assert len(both) == 40 * mf.train["date"].nunique() and both["contribution"].notna().all()
    np.testing.assert_allclose(both["contribution"], both["theirs"], rtol=1e-6)
    # the baseline varies: a constant intercept would be one value per draw
    assert both.groupby(["chain", "draw"])["theirs"].std().min() > 0
    assert len(ours) == 40 * panel["week_start"].nunique()  # holdout weeks too


def test_decomposition_and_fitted_values_carry_the_varying_baseline(varying_fit):
    with duckdb.connect(str(varying_fit), read_only=True) as con:
        baseline = con.sql(
            "select week_start, contribution_mean, contribution_lower, contribution_upper from main.decomposition "
            "where component_type = 'baseline' order by week_start"
        ).df()
        weeks = con.sql("select count(distinct week_start) from main.int_weekly_panel").fetchall()[0][0]
        fitted = con.sql("select count(*), count(predicted_mean) from main.fitted_values").fetchall()[0]
    assert len(baseline) == weeks and baseline["contribution_mean"].nunique() > weeks // 2
    assert (baseline["contribution_lower"] <= baseline["contribution_mean"]).all()
    assert (baseline["contribution_mean"] <= baseline["contribution_upper"]).all()
    assert fitted[0] >= weeks and fitted[0] == fitted[1]
