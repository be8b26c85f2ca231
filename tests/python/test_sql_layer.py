"""The SQL layer on the demo data and on the public case-study file, by configuration alone."""

from __future__ import annotations

import duckdb
import pytest
from conftest import DEMO_SEEDS, SHARED_DATA, SQL_LAYER, SQL_LAYER_FROM_INPUTS, query, run_dbt


def test_demo_panel_shape(sql_layer_db):
    assert query(sql_layer_db, "select count(*) from main.int_weeks") == [(182,)]
    channels = query(sql_layer_db, "select distinct channel from main.int_media_spend_weekly order by 1")
    assert [c for (c,) in channels] == ["display", "print", "search", "social", "tv"]
    lags = query(sql_layer_db, "select min(lag), max(lag), count(*) from main.int_media_adstock_lags")
    assert lags == [(0, 6, 182 * 5 * 7)]


def test_panel_spend_equals_raw_spend_including_monthly_and_daily(sql_layer_db):
    rows = query(
        sql_layer_db,
        """
        select r.channel, r.total, p.total
        from (select channel, sum(spend) as total from main_raw.demo_media_spend group by 1) r
        join (select channel, sum(spend) as total from main.int_media_spend_weekly group by 1) p
          using (channel)
        """,
    )
    assert len(rows) == 5
    for channel, raw, panel in rows:
        assert panel == pytest.approx(raw, rel=1e-9), channel


def test_lag_features_shift_spend(sql_layer_db):
    rows = query(
        sql_layer_db,
        """
        select l.spend_lagged, s.spend
        from main.int_media_adstock_lags l
        join main.int_media_spend_weekly s
          on s.channel = l.channel and s.week_index = 10 - l.lag
        join main.int_weeks w on w.week_start = l.week_start
        where l.channel = 'tv' and w.week_index = 10
        """,
    )
    assert len(rows) == 7
    assert all(a == b for a, b in rows)


CASE_STUDY = SHARED_DATA / "mmm_stan" / "data.csv"
CASE_STUDY_CHANNELS = [
    "mdsp_dm",
    "mdsp_inst",
    "mdsp_nsp",
    "mdsp_audtr",
    "mdsp_vidtr",
    "mdsp_so",
    "mdsp_on",
]


def case_study_vars() -> dict:
    return {
        "mmm_week_start": "sunday",
        "mmm_wide_input": {
            "path": str(CASE_STUDY),
            "date_column": "wk_strt_dt",
            "kpi_column": "sales",
            "spend_columns": CASE_STUDY_CHANNELS,
            "control_columns": ["hldy_*"],
        },
    }


@pytest.mark.skipif(not CASE_STUDY.exists(), reason="../shared/data/mmm_stan/data.csv is absent")
def test_case_study_wide_file_by_configuration_alone(tmp_path):
    db = tmp_path / "case_study.duckdb"
    run_dbt(["build", *SQL_LAYER_FROM_INPUTS], db, case_study_vars())
    assert query(db, "select count(*) from main.int_weeks") == [(209,)]
    channels = [c for (c,) in query(db, "select distinct channel from main.int_media_spend_weekly order by 1")]
    assert channels == sorted(CASE_STUDY_CHANNELS)
    controls = [c for (c,) in query(db, "select distinct control from main.int_controls_weekly")]
    assert len(controls) == 22 and all(c.startswith("hldy_") for c in controls)
    assert query(db, "select min(week_start), max(week_start) from main.int_weeks")[0][0].isoformat() == "2014-08-03"


def test_bundled_budget_rules_apply_to_the_demo_only(tmp_path):
    """The bundled rules and groups name the demo's channels: on the user's own media data they
    are left out (with the scenario that needs them) instead of failing the optimizer."""
    budget = ["--select", "+stg_budget_scenarios", "+stg_budget_scenario_rules", "+stg_channel_groups"]
    budget += ["--indirect-selection", "cautious"]
    demo, own = tmp_path / "demo.duckdb", tmp_path / "own.duckdb"
    run_dbt(["build", *budget], demo)
    run_dbt(["build", *budget], own, case_study_vars())
    scenarios = "select scenario_id from main_build.stg_budget_scenarios order by 1"
    assert "digital_floor" in [s for (s,) in query(demo, scenarios)]
    assert query(demo, "select count(*) from main_build.stg_channel_groups") == [(5,)]
    assert "digital_floor" not in [s for (s,) in query(own, scenarios)]
    assert len(query(own, scenarios)) == len(query(demo, scenarios)) - 1
    assert query(own, "select count(*) from main_build.stg_channel_groups") == [(0,)]
    assert query(own, "select count(*) from main_build.stg_budget_scenario_rules") == [(0,)]


def test_inputs_as_dbt_sources_with_lineage_freshness_and_no_demo_data(tmp_path):
    """Inputs named by `table:` are dbt sources (lineage, freshness); on your own data the demo's
    seeds are not loaded and its controls are never read in place of yours."""
    db = tmp_path / "own.duckdb"
    with duckdb.connect(str(db)) as con:
        con.sql("create schema marketing")
        for name in ("media_spend", "kpi"):
            csv = DEMO_SEEDS / f"demo_{name}.csv"
            con.sql(f"create table marketing.{name}_weekly as select * from read_csv('{csv}')")
    dbt_vars = {
        "mmm_source": {"schema": "marketing", "warn_after_days": 30},
        "mmm_inputs": {
            "media_spend": {"table": "media_spend_weekly"},
            "kpi": {"table": "kpi_weekly", "loaded_at_field": "period_end"},
        },
    }
    lineage = run_dbt(["ls", "--select", "source:mmm_inputs.kpi+", "--resource-type", "model"], db, dbt_vars).output
    assert "stg_kpi" in lineage and "int_weekly_panel" in lineage
    run_dbt(["build", *SQL_LAYER], db, dbt_vars)
    assert query(db, "select count(*) from main_build.int_weekly_panel")[0][0] > 100
    assert query(db, "select count(*) from main_build.stg_controls") == [(0,)]  # not the demo's
    assert query(db, "select table_name from information_schema.tables where table_name like 'demo%'") == []
    # the demo's last week is long past: a warning naming the source, not an error
    fresh = run_dbt(["source", "freshness", "--select", "source:mmm_inputs.kpi"], db, dbt_vars)
    assert "WARN freshness of mmm_inputs.kpi" in fresh.output, fresh.output[-2000:]
    # a table that is not there is named, with how to point at it
    dbt_vars["mmm_inputs"]["kpi"]["table"] = "sales"
    missing = run_dbt(["build", "--select", "stg_kpi"], db, dbt_vars, ok=False).output
    assert "MMM INPUT ERROR in mmm_inputs.kpi: table" in missing and "sales" in missing
