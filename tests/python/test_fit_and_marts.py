"""The real NUTS fit inside `dbt build` and the posterior marts computed from its draws."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pandas as pd
import pytest
from conftest import PUBLISHED_MARTS, SCENARIO_HEADER, published_tables, query, run_dbt

from python_udfs.config import FitConfig
from python_udfs.fit_node import model_frame
from python_udfs.mmm_fit import build_mmm, from_bytes


def test_runs_table_records_diagnostics_and_default_fit_converges(demo_fit):
    db, first, _, _ = demo_fit
    assert "mmm: sampled in" in first
    ((n, n_ids),) = query(db, "select count(*), count(distinct run_id) from main.mmm_runs")
    assert n == n_ids == 1
    ((r_hat, ess_bulk, ess_tail, divergences, converged, chains, draws),) = query(
        db,
        "select max_r_hat, min_ess_bulk, min_ess_tail, divergences, is_converged, chains, draws from main.mmm_runs",
    )
    assert (chains, draws) == (4, 1500)
    assert 1.0 <= r_hat <= 1.01 and ess_bulk >= 400 and ess_tail > 0
    assert divergences == 0 and converged
    n_draws = query(db, "select count(distinct chain * 10000 + draw) from main.mmm_posterior_draws")
    assert n_draws == [(6000,)]
    assert query(db, "select count(*) from main.mmm_parameter_summary where r_hat is null") == [(0,)]


def test_second_build_with_nothing_changed_does_not_sample(demo_fit):
    db, _, second, seconds = demo_fit
    assert "reusing fit" in second and "mmm: sampled in" not in second
    assert query(db, "select count(*) from main.mmm_runs") == [(1,)]
    # the second build ran the incremental Python models' merge; what dbt-duckdb left behind
    # was dropped (macros/publish/mmm_drop_leftover_temp_tables.sql)
    assert "MMM: dropped " in second
    assert query(db, "select count(*) from information_schema.tables where table_name like '%dbt_tmp%'") == [(0,)]
    print(f"second dbt build (cached fit) took {seconds:.1f} s")


def test_true_roas_recovered_within_94_interval(demo_fit):
    db, *_ = demo_fit
    rows = query(
        db,
        """
        select r.channel, t.roas, r.roas_lower, r.roas_upper
        from main.channel_roas r join main_raw.demo_true_parameters t using (channel)
        """,
    )
    assert len(rows) == 5
    missed = [ch for ch, true, lo, hi in rows if not lo <= true <= hi]
    assert len(missed) <= 1, f"true ROAS outside the 94% interval for {missed}: {rows}"


def test_true_weekly_contributions_mostly_covered(demo_fit):
    db, *_ = demo_fit
    coverage = dict(
        query(
            db,
            """
            select c.channel, avg(case when t.true_contribution_kpi
                   between c.contribution_lower and c.contribution_upper then 1.0 else 0.0 end)
            from main.channel_contributions c
            join main_raw.demo_true_contributions t using (week_start, channel)
            group by 1
            """,
        )
    )
    print(f"weekly contribution coverage of the 94% interval: {coverage}")
    assert len(coverage) == 5 and np.mean(list(coverage.values())) >= 0.7


def test_sql_marts_equal_pymc_marketing_on_the_same_posterior(demo_fit):
    """Parity: channel contributions and the fitted mean computed in SQL from the draws equal
    pymc-marketing's own deterministics recomputed from the same posterior."""
    import pymc as pm

    db, *_ = demo_fit
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        fit = con.sql("select * from main.mmm_fits").df().iloc[0]
        panel = con.sql("select * from main.int_weekly_panel").df()
        spend = con.sql("select * from main.int_media_spend_weekly").df()
        controls = con.sql("select * from main.int_controls_weekly").df()
        sql_contrib = con.sql("select week_start, channel, contribution_mean from main.channel_contributions").df()
        sql_fitted = con.sql("select week_start, predicted_mean from main.fitted_values").df()
    config = FitConfig.from_stored(fit["model_config"])
    mf = model_frame(panel, spend, controls, config)
    mmm = build_mmm(mf, config)
    train = mf.train
    mmm.build_model(train.drop(columns=["kpi"]), train["kpi"])
    tree = from_bytes(fit["posterior_netcdf"])
    posterior = tree["posterior"].to_dataset()
    with mmm.model:
        pp = pm.sample_posterior_predictive(posterior, var_names=["channel_contribution", "mu"], progressbar=False)
    pp = pp["posterior_predictive"].to_dataset() if "posterior_predictive" in pp else pp
    target_scale = float(tree["constant_data"].to_dataset()["target_scale"])
    ours = sql_contrib.pivot(index="week_start", columns="channel", values="contribution_mean")
    theirs = (pp["channel_contribution"].mean(("chain", "draw")) * target_scale).to_pandas()
    theirs.index = pd.to_datetime(theirs.index)
    ours.index = pd.to_datetime(ours.index)
    np.testing.assert_allclose(ours.loc[theirs.index, theirs.columns], theirs, rtol=1e-6)
    mu = (pp["mu"].mean(("chain", "draw")) * target_scale).to_pandas()
    fitted = sql_fitted.set_index(pd.to_datetime(sql_fitted["week_start"]))["predicted_mean"]
    np.testing.assert_allclose(fitted.loc[pd.to_datetime(mu.index)], mu, rtol=1e-6)


@pytest.fixture(scope="module")
def tiny_fits(tmp_path_factory):
    """Two tiny fits (too short to converge) with the same seed: the first on every core, which
    the review gate stops before the budget; the second forced, on one core, with the gate
    relaxed by var mmm_allow_failed_review."""
    db = tmp_path_factory.mktemp("tiny") / "tiny.duckdb"
    tiny = {"chains": 2, "draws": 30, "tune": 30, "prior_predictive_draws": 20}
    gated = run_dbt(["build"], db, {"mmm_fit": tiny}, ok=False)
    second = {"mmm_fit": {**tiny, "cores": 1}, "mmm_force_refit": True, "mmm_allow_failed_review": True}
    allowed = run_dbt(["build"], db, second)
    return db, gated.output, allowed.output


def test_unconverged_fit_is_recorded_and_flagged(tiny_fits):
    db, _, allowed = tiny_fits
    assert "MMM MODEL REVIEW FAILED" in allowed and "WARN 1 mmm_run_usable" in allowed
    assert query(db, "select count(*) from main.mmm_runs where not is_converged and not is_usable") == [(2,)]
    ((status, failed),) = query(db, "select review_status, review_failed_checks from main.mmm_runs where is_current")
    assert status == "fail" and "convergence (fit)" in failed
    assert query(db, "select count(*) from main.budget_allocations") != [(0,)]


def test_unusable_run_stops_the_budget_naming_the_checks(tiny_fits):
    _, gated, _ = tiny_fits
    assert "MMM MODEL REVIEW FAILED" in gated and "convergence (fit)" in gated
    assert "FAIL 1 mmm_run_usable" in gated
    assert "SKIP relation main_build.budget_allocations" in gated
    assert "OK created sql table model main_build.channel_roas" in gated  # built, not published
    # a first build has no previous run to keep: the message says where this run's tables are
    assert "this is the first build, so schema main has no results yet" in gated
    assert "this run's tables are in schema main_build" in gated and "See main_build.mmm_model_review" in gated


def test_same_data_config_and_seed_give_identical_draws(tiny_fits):
    """Also on a different number of cores, which is why `cores` is not in the cache key."""
    db, first, second = tiny_fits
    assert "cores=1" in second and ("cores=1" not in first or len(os.sched_getaffinity(0)) == 1)
    runs = [r for (r,) in query(db, "select run_id from main.mmm_fits order by fitted_at")]
    assert len(runs) == 2
    a, b = (
        query(
            db,
            f"select chain, draw, parameter, term, value from main.mmm_posterior_draws "
            f"where run_id = '{r}' order by all",
        )
        for r in runs
    )
    assert len(a) > 2 * 30 * 20 and a == b


def test_pymc_sampler_runs_inside_dbt_on_every_core(sql_layer_db, copy_of):
    """PyMC's own NUTS instead of nutpie: on more than one core it samples in worker processes
    started from inside dbt's process."""
    db = copy_of(sql_layer_db)
    fit = {"sampler": "pymc", "chains": 2, "draws": 30, "tune": 30, "prior_predictive_draws": 20}
    out = run_dbt(["run", "--select", "mmm_data_review", "mmm_fits"], db, {"mmm_fit": fit}).output
    assert f"with pymc, 2 chains x 30 draws (+30 tune), cores={min(2, len(os.sched_getaffinity(0)))}" in out
    assert query(db, "select sampler, chains, draws from main.mmm_fits") == [("pymc", 2, 30)]


def test_a_sampler_that_is_not_installed_is_named_before_the_fit():
    if importlib.util.find_spec("numpyro") and importlib.util.find_spec("jax"):
        pytest.skip("numpyro and jax are installed here")
    with pytest.raises(ValueError, match=r"mmm_fit\.sampler: numpyro needs .*(numpyro|jax)"):
        FitConfig.from_mapping({"sampler": "numpyro"}).check_sampler_installed()
    FitConfig.from_mapping({"sampler": "pymc"}).check_sampler_installed()
    FitConfig.from_mapping({}).check_sampler_installed()


def test_cores_are_not_part_of_the_cache_key():
    one, every = FitConfig.from_mapping({"cores": 1}), FitConfig.from_mapping({})
    assert one.config_hash() == every.config_hash() and one.sampler_cores() == 1
    assert FitConfig.from_mapping({"cores": 64, "chains": 4}).sampler_cores() == 4
    assert FitConfig.from_mapping({"draws": 999}).config_hash() != every.config_hash()
    with pytest.raises(ValueError, match=r"mmm_fit\.cores"):
        FitConfig.from_mapping({"cores": -1})


def test_crps_equals_the_closed_form_for_the_predictive_normal(demo_fit):
    """fitted_values.crps (SQL, polynomial erf) against scipy's normal CDF in the closed form."""
    from scipy.stats import norm

    db, *_ = demo_fit
    rows = np.array(query(db, "select actual, predicted_mean, predictive_sd, crps from main.fitted_values"))
    y, m, s, sql_crps = rows.T
    z = (y - m) / s
    expected = s * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / np.sqrt(np.pi))
    np.testing.assert_allclose(sql_crps, expected, rtol=1e-5)
    ((mean_crps, sql_mean),) = query(
        db,
        "select avg(f.crps), max(m.crps) from main.fitted_values f join main.fit_metrics m using (run_id, fit_sample)",
    )
    assert sql_mean == pytest.approx(mean_crps) and 0 < sql_mean < np.mean(np.abs(y - m)) * 2


def test_linear_components_interval_equals_the_draws_quantiles(demo_fit):
    """decomposition scales a one-term component's coefficient interval by its weekly feature
    instead of expanding every draw, and sums a several-term one (the demo's trend and its slope
    changes) per draw; both must equal quantiles of each draw's component total."""
    db, *_ = demo_fit
    assert query(db, "select count(*) from main.mmm_posterior_scaling where parameter = 'trend_knot'")[0][0] > 0
    rows = query(
        db,
        """
        with per_draw as (
            select chain, draw, week_start, component, sum(contribution) as contribution
            from main_build.int_component_draws
            where component_type in ('baseline', 'trend', 'control')
            group by chain, draw, week_start, component
        ),
        brute as (
            select week_start, component, avg(contribution) as m,
                   quantile_cont(contribution, 0.03) as lo, quantile_cont(contribution, 0.97) as hi
            from per_draw
            group by week_start, component
        )
        select d.contribution_mean, b.m, d.contribution_lower, b.lo, d.contribution_upper, b.hi
        from main.decomposition d join brute b using (week_start, component)
        """,
    )
    assert len(rows) > 100
    got = np.array(rows)
    np.testing.assert_allclose(got[:, [0, 2, 4]], got[:, [1, 3, 5]], rtol=1e-9, atol=1e-9)


def test_marts_export_to_parquet_when_a_folder_is_set(demo_fit, copy_of, tmp_path):
    import pyarrow.parquet as pq

    db = copy_of(demo_fit[0])
    out = tmp_path / "export"
    out.mkdir()
    run_dbt(["run", "--select", "channel_roas", "budget_scenario_summary"], db, {"mmm_export_path": str(out)})
    for name in ("channel_roas", "budget_scenario_summary"):
        exported = pq.read_table(out / f"{name}.parquet")
        assert exported.num_rows == query(db, f"select count(*) from main.{name}")[0][0] > 0
    assert sorted(p.name for p in out.iterdir()) == ["budget_scenario_summary.parquet", "channel_roas.parquet"]


@pytest.mark.parametrize(
    ("why", "extra"),
    [
        ("a SQL mart fails after the fit", {"mmm_allow_failed_review": True, "mmm_negligible_share": "oops"}),
        ("the review's data test fails", {}),
        ("a Python node fails after the fit", {"mmm_allow_failed_review": True, "mmm_fail_on_scenario_error": True}),
    ],
)
def test_a_failure_after_the_fit_leaves_every_table_on_the_previous_run(demo_fit, copy_of, tmp_path, why, extra):
    """All or nothing: a build that fails after a new fit publishes nothing, so marts, mmm_runs
    and the budget tables all stay on the demo's run (the new fit is kept in the build schema)."""
    if "Python node" in why:  # budget_allocations fails on a scenario with a negative budget
        (tmp_path / "scenarios.csv").write_text(SCENARIO_HEADER + "\ns,,mean,52,,-100,50,,,\n")
        (tmp_path / "rules.csv").write_text("scenario_id,rule,target,value\n")
        extra = {**extra, "mmm_inputs": {
            "budget_scenarios": {"path": str(tmp_path / "scenarios.csv")},
            "budget_scenario_rules": {"path": str(tmp_path / "rules.csv")},
        }}  # fmt: skip
    db = copy_of(demo_fit[0])
    before = published_tables(db)
    assert all(before[mart][0] > 0 for mart in PUBLISHED_MARTS)
    (run_id,) = {r[0] for r in query(db, "select run_id from main.mmm_runs")}
    tiny = {"chains": 2, "draws": 30, "tune": 30, "prior_predictive_draws": 20}
    proc = run_dbt(["build"], db, {"mmm_fit": tiny, "mmm_force_refit": True, **extra}, ok=False)
    assert "MMM NOT PUBLISHED" in proc.output, why
    if "Python node" in why:
        assert "MMM SCENARIO ERROR budget scenario 's': budget must be >= 0" in proc.output
    assert published_tables(db) == before
    for mart in PUBLISHED_MARTS:
        assert query(db, f"select distinct run_id from main.{mart}") == [(run_id,)], mart
    assert query(db, "select count(*) from main_build.mmm_fits") == [(2,)]  # the new fit is not lost
