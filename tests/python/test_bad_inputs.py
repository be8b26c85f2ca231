"""Bad input fails the build with a message naming table, column and rows, and leaves the
tables an earlier good build made as they were."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import PROJECT, SQL_LAYER, query, run_dbt

SEEDS = PROJECT / "seeds"


def _inputs(tmp: Path, edit_spend=None, edit_kpi=None) -> dict:
    """Demo inputs copied to CSV files, optionally edited, as var mmm_inputs."""
    paths = {}
    for name, edit in (("media_spend", edit_spend), ("kpi", edit_kpi), ("controls", None)):
        rows = list(csv.DictReader((SEEDS / f"demo_{name}.csv").open()))
        if edit:
            rows = edit(rows)
        path = tmp / f"{name}.csv"
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        paths[name] = {"path": str(path)}
    return {"mmm_inputs": paths}


def _set(index: int, **values):
    def edit(rows):
        rows[index].update(values)
        return rows

    return edit


CASES = {
    "negative_spend": (
        {"edit_spend": _set(3, spend="-250.0")},
        {},
        ["stg_media_spend.spend: negative values", "spend=-250.0"],
    ),
    "missing_spend": (
        {"edit_spend": _set(5, spend="")},
        {},
        ["stg_media_spend.spend: missing values", "channel=display"],
    ),
    "non_numeric_spend": (
        {"edit_spend": _set(7, spend="12k")},
        {},
        ["stg_media_spend.spend: values that are not numbers", "spend_raw=12k"],
    ),
    "duplicate_week": (
        {"edit_spend": lambda rows: [*rows, dict(rows[0])]},
        {},
        ["duplicate rows for the same key", "channel=display, period_start=2022-01-03"],
    ),
    "hostile_channel_name": (
        {"edit_spend": _set(0, channel="tv'); drop table main.int_weeks; --")},
        {},
        ["stg_media_spend.channel: names must be", "drop table"],
    ),
    "kpi_gap": (
        {"edit_kpi": lambda rows: rows[:50] + rows[51:]},
        {},
        ["int_weekly_panel.kpi: missing values", "week_start=2022-12-19"],
    ),
    "end_before_start": (
        {"edit_spend": _set(2, period_end="2021-01-01")},
        {},
        ["stg_media_spend.period_start: periods that are not dates, end before they start"],
    ),
    "too_few_weeks": (
        {},
        {"mmm_min_weeks": 500},
        ["int_weeks.week_start: too few weeks to fit", "n_weeks=182, min_weeks=500"],
    ),
    "channel_without_spend": (
        {},
        {"mmm_channels": ["tv", "search", "social", "display", "print", "radio"]},
        ["int_media_spend_weekly.spend: channels with no spend", "channel=radio"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_named_and_earlier_tables_survive(case, sql_layer_db, copy_of, tmp_path):
    edits, extra_vars, messages = CASES[case]
    db = copy_of(sql_layer_db)
    before = query(db, "select count(*), sum(spend) from main.int_media_spend_weekly")
    proc = run_dbt(["build", *SQL_LAYER], db, {**_inputs(tmp_path, **edits), **extra_vars}, ok=False)
    for message in messages:
        assert message in proc.output, f"{message!r} not in dbt output:\n{proc.output[-4000:]}"
    if case not in ("too_few_weeks", "channel_without_spend", "kpi_gap"):
        # staging failed, so no table downstream of it was rebuilt
        assert query(db, "select count(*), sum(spend) from main.int_media_spend_weekly") == before
    assert query(db, "select count(*) from main.int_weeks")[0][0] > 0


SCENARIO_HEADER = (
    "scenario_id,description,objective,horizon_weeks,budget_change_pct,total_budget,bound_pct,"
    "risk_quantile,target_change_pct,target_contribution"
)
BAD_SCENARIOS = {
    "infeasible_bounds": (
        "s,,mean,52,0,,50,,,",
        "s,min_spend,tv,5000\ns,max_spend,tv,1000",
        "budget scenario 's': infeasible bounds: minimum above maximum for tv",
    ),
    "budget_below_minimums": (
        "s,,mean,52,-70,,50,,,",
        "",
        "budget scenario 's': infeasible scenario: weekly budget",
    ),
    "unknown_channel": (
        "s,,mean,52,0,,50,,,",
        "s,fixed,radio,",
        "budget scenario 's': rule fixed: unknown channel 'radio'",
    ),
    "negative_budget": ("s,,mean,52,,-100,50,,,", "", "budget scenario 's': budget must be >= 0"),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_budget_scenario_is_named_and_earlier_allocations_survive(case, demo_fit, copy_of, tmp_path):
    scenario, rules, message = BAD_SCENARIOS[case]
    db = copy_of(demo_fit[0])
    before = query(db, "select * from main.budget_allocations order by scenario_id, channel")
    summary = query(db, "select * from main.budget_scenario_summary order by scenario_id")
    (tmp_path / "scenarios.csv").write_text(f"{SCENARIO_HEADER}\n{scenario}\n")
    (tmp_path / "rules.csv").write_text("scenario_id,rule,target,value\n" + (f"{rules}\n" if rules else ""))
    inputs = {
        "budget_scenarios": {"path": str(tmp_path / "scenarios.csv")},
        "budget_scenario_rules": {"path": str(tmp_path / "rules.csv")},
    }
    select = ["--select", "stg_budget_scenarios+", "stg_budget_scenario_rules+"]
    proc = run_dbt(["build", *select], db, {"mmm_inputs": inputs}, ok=False)
    assert message in proc.output, f"{message!r} not in dbt output:\n{proc.output[-4000:]}"
    if case == "budget_below_minimums":
        assert "is outside the sum of channel bounds" in proc.output
    assert query(db, "select * from main.budget_allocations order by scenario_id, channel") == before
    assert query(db, "select * from main.budget_scenario_summary order by scenario_id") == summary
