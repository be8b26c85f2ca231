"""Geo panels end to end on Meridian's public geo dataset (20 geos x 156 weeks x 4 channels),
configured by vars alone: every mart has rows for each geo and for the nation, national
figures are sums over geos per draw, and the budget tables plan every geo x channel cell in
one national plan per scenario.
A short fit (the figures of the full default fit are the bench's: bench/bench_public_data.py
meridian_geo). Skipped when ../shared/data is absent."""

from __future__ import annotations

import sys

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import GEO_MARTS, PROJECT, query, run_dbt

from python_udfs.panel import build_model_frame

sys.path.insert(0, str(PROJECT / "bench"))
from public_datasets import DATASETS, available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not available(), reason="../shared/data is not beside the checkout"),
]

SHORT_FIT = {"chains": 2, "draws": 100, "tune": 200}  # wiring, not convergence


@pytest.fixture(scope="module")
def geo_build(tmp_path_factory):
    db = tmp_path_factory.mktemp("geo") / "meridian_geo.duckdb"
    # one geo's lift test (made up: only its path through the geo model is checked)
    lift = db.parent / "lift_tests.csv"
    lift.write_text(
        "test_id,channel,geo,period_start,period_end,spend_change,lift,lift_se\n"
        "geo0_ch0,Channel0_spend,Geo0,2022-03-07,2022-04-24,5226,261300,50000\n"
    )
    # Meridian's file with one control that sits at each geo's own level (foot traffic scales
    # with a geo's population, as branded query volume does on Meridian's funnel file): the path
    # of controls centred per geo, beside the file's own controls, centred on the panel's mean
    source = DATASETS["meridian_geo"]["mmm_wide_input"]
    data = pd.read_csv(source["path"])
    data["foot_traffic_control"] = data["population"] / 1e4 + data["sentiment_score_control"]
    data.to_csv(db.parent / "geo_media.csv", index=False)
    # a short fit need not pass the review; the budget tables are built from it all the same
    dbt_vars = {
        **DATASETS["meridian_geo"],
        "mmm_wide_input": {**source, "path": str(db.parent / "geo_media.csv")},
        "mmm_inputs": {"lift_tests": {"path": str(lift), "has_geo": True}},
        "mmm_fit": SHORT_FIT,
        "mmm_allow_failed_review": True,
    }
    proc = run_dbt(["build"], db, dbt_vars)
    return db, proc.output


def test_every_mart_has_each_geo_and_the_nation(geo_build):
    db, output = geo_build
    geos = {g for (g,) in query(db, "select distinct geo from main.int_weekly_panel")}
    assert len(geos) == 20
    for mart in GEO_MARTS:
        found = {g for (g,) in query(db, f"select distinct geo from main.{mart}")}
        assert found == geos | {"total"}, mart
    # the shared adstock and saturation shapes reach every geo
    assert query(db, "select count(distinct geo) from main_build.int_posterior_channel_draws") == [(20,)]
    assert "mmm: fitting 4 channels" in output
    assert "calibrating with 1 lift test(s): geo0_ch0" in output
    ((used,),) = query(db, "select lift_tests from main.mmm_runs where is_current")
    assert '"geo": "Geo0"' in used


def test_national_figures_are_sums_over_geos_per_draw(geo_build):
    db, _ = geo_build
    # means add up; intervals do not (the nation's interval is narrower than a sum of intervals)
    rows = query(
        db,
        """
        select n.channel, n.spend, sum(g.spend), n.contribution_mean, sum(g.contribution_mean),
               n.contribution_upper - n.contribution_lower, sum(g.contribution_upper - g.contribution_lower)
        from main.channel_roas n join main.channel_roas g on g.channel = n.channel and g.geo <> 'total'
        where n.geo = 'total' group by all
        """,
    )
    assert len(rows) == 4
    for channel, spend, spend_sum, mean, mean_sum, width, width_sum in rows:
        assert spend == pytest.approx(spend_sum, rel=1e-9), channel
        assert mean == pytest.approx(mean_sum, rel=1e-6), channel
        assert 0 < width < width_sum, channel
    actual = query(
        db,
        "select sum(case when geo = 'total' then actual end), sum(case when geo <> 'total' then actual end) "
        "from main.fitted_values",
    )[0]
    assert actual[0] == pytest.approx(actual[1], rel=1e-9)
    metrics = query(db, "select geo, r_squared from main.fit_metrics where fit_sample = 'in_sample' and geo = 'total'")
    assert len(metrics) == 1 and metrics[0][1] is not None


def test_one_weekly_effect_is_shared_by_every_geo(geo_build):
    db, _ = geo_build
    ((weeks, draws_weeks),) = query(
        db,
        "select (select count(*) from main.int_weeks), count(distinct d.term) from main.mmm_posterior_draws d "
        "join main.mmm_runs r on r.run_id = d.run_id and r.is_current where d.parameter = 'week_effect'",
    )
    assert weeks == 156 and draws_weeks == weeks  # one effect per training week (no holdout here)
    # per week, the effect in each geo divided by the geo's KPI scale is one number
    spread = query(
        db,
        """
        select d.week_start, max(d.contribution_mean / s.target_scale) - min(d.contribution_mean / s.target_scale),
               max(abs(d.contribution_mean / s.target_scale)), count(*)
        from main.decomposition d join main_build.int_posterior_scales s on s.geo = d.geo
        where d.component = 'shared_week_effect' group by d.week_start
        """,
    )
    assert len(spread) == 156
    assert all(n == 20 and gap < 1e-9 * max(top, 1e-12) + 1e-12 for _, gap, top, n in spread)
    assert max(top for _, _, top, _ in spread) > 0
    national = query(
        db,
        "select sum(case when geo = 'total' then contribution_mean end), "
        "sum(case when geo <> 'total' then contribution_mean end) from main.decomposition "
        "where component = 'shared_week_effect'",
    )[0]
    assert national[0] == pytest.approx(national[1], rel=1e-6, abs=1e-6)


def test_budget_allocations_plan_every_geo_and_channel_in_one_national_plan(geo_build):
    db, _ = geo_build
    cells = query(
        db,
        "select scenario_id, count(distinct geo), count(distinct channel), count(*) from main.budget_allocations "
        "where scenario_status = 'ok' group by scenario_id",
    )
    assert cells and all(row[1:] == (20, 4, 80) for row in cells), cells
    # one national plan per scenario (budget moves between geos too), its totals in the summary
    plans = query(
        db,
        "select s.scenario_id, s.geo, s.weekly_budget, sum(a.optimised_weekly_spend), s.uplift_lower, s.uplift_upper "
        "from main.budget_scenario_summary s join main.budget_allocations a using (run_id, scenario_id) "
        "where s.status = 'ok' group by all",
    )
    assert plans and {row[1] for row in plans} == {"total"}
    for _, _, budget, spent, lower, upper in plans:
        assert spent == pytest.approx(budget, rel=1e-6) and lower <= upper
    # and what it does in each geo, each geo's interval from its per-draw total
    geos = query(
        db,
        "select g.scenario_id, count(*), sum(g.uplift_mean), max(s.uplift_mean), "
        "bool_and(g.uplift_lower <= g.uplift_mean and g.uplift_mean <= g.uplift_upper) "
        "from main.budget_geo_summary g join main.budget_scenario_summary s using (run_id, scenario_id) "
        "where g.status = 'ok' group by g.scenario_id",
    )
    assert geos and len(geos) == len(plans), geos
    for _, n, summed, national, ordered in geos:
        assert n == 20 and summed == pytest.approx(national, rel=1e-6, abs=1e-6) and ordered


def test_the_dashboard_shows_a_geos_part_of_the_national_plan(geo_build, monkeypatch):
    """A geo picked in the sidebar under the default national plan: the budget page shows that
    geo's planned spend and uplift interval (budget_geo_summary), not "no scenarios"."""
    pytest.importorskip("streamlit", reason="the dashboard extra is not installed (uv sync --all-extras)")
    from streamlit.testing.v1 import AppTest

    db, _ = geo_build
    monkeypatch.setenv("MMM_DUCKDB_PATH", str(db))
    at = AppTest.from_file(str(PROJECT / "dashboard" / "app.py"), default_timeout=60).run()
    at.selectbox(key="geo_select").set_value("Geo4").run()
    at.switch_page("views/budget.py").run()
    assert not at.exception, [e.value for e in at.exception]  # (the short fit's red review banner is expected)
    assert any("Geo4's part of each plan" in info.value for info in at.info)
    scenario = next(box for box in at.selectbox if box.label == "Scenario").value
    uplift, planned = query(
        db,
        "select uplift_mean, planned_weekly_spend from main.budget_geo_summary "
        f"where geo = 'Geo4' and scenario_id = '{scenario}'",
    )[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Expected uplift"] == f"{uplift:,.0f}" and metrics["Weekly budget"] == f"{planned:,.0f}"
    assert len(at.dataframe) == 1 and set(at.dataframe[0].value["channel"]) == {
        "Channel0_spend",
        "Channel1_spend",
        "Channel2_spend",
        "Channel3_spend",
    }


def test_the_marts_rebuild_each_control_as_the_fit_saw_it(geo_build):
    """The fit centres a control whose geos sit at their own levels (foot traffic) on each
    geo's mean, and the file's own controls, which vary about one level, on the panel's mean;
    int_linear_features must rebuild both (offsets per geo or one 'total' offset from
    mmm_posterior_scaling), or a control's contribution in decomposition is shifted by a geo's
    constant."""
    db, _ = geo_build
    with duckdb.connect(str(db), read_only=True) as con:
        inputs = ("int_weekly_panel", "int_media_spend_weekly", "int_controls_weekly")
        tables = [con.sql(f"select * from main_build.{t}").df() for t in inputs]
        sql = con.sql(
            "select f.week_start, f.geo, f.term, f.feature / s.target_scale as feature "
            "from main_build.int_linear_features f join main_build.int_posterior_scales s on s.geo = f.geo "
            "where f.component_type = 'control'"
        ).df()
        offsets = con.sql(
            "select p.term, count(*) from main.mmm_posterior_scaling p join main.mmm_runs r on r.run_id = p.run_id "
            "and r.is_current where p.parameter = 'control_offset' group by p.term order by p.term"
        ).fetchall()
    mf = build_model_frame(*tables)
    controls = ["competitor_activity_score_control", "foot_traffic_control", "sentiment_score_control"]
    assert list(mf.geo_offsets) == ["foot_traffic_control"]
    assert len(mf.geo_offsets["foot_traffic_control"]) == 20
    assert offsets == [(controls[0], 1), (controls[1], 20), (controls[2], 1), ("trend", 1)]
    fit = mf.frame.melt(id_vars=["date", "geo"], value_vars=controls, var_name="term", value_name="fit")
    fit["week_start"] = fit.pop("date")
    sql["week_start"] = pd.to_datetime(sql["week_start"]).astype("datetime64[us]")
    both = fit.merge(sql, on=["week_start", "geo", "term"], how="left")
    assert len(both) == 3 * 20 * 156 and both["feature"].notna().all()
    np.testing.assert_allclose(both["feature"], both["fit"], atol=1e-9)
    # centred per geo: every geo's foot traffic averages zero in the fit
    traffic = mf.frame.groupby("geo")["foot_traffic_control"].mean()
    np.testing.assert_allclose(traffic.to_numpy(), 0.0, atol=1e-12)
