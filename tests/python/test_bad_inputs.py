"""Bad input fails the build with a message naming table, column and rows, and leaves the
tables an earlier good build made as they were."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import DEMO_SEEDS, SCENARIO_HEADER, SQL_LAYER, SQL_LAYER_FROM_INPUTS, published_tables, query, run_dbt


def _inputs(tmp: Path, edit_spend=None, edit_kpi=None, spend_geo: str | None = None) -> dict:
    """Demo inputs copied to CSV files, optionally edited, as var mmm_inputs; `spend_geo` adds a
    geo column to the spend input only."""
    if spend_geo:
        edit_spend = lambda rows: [{**row, "geo": spend_geo} for row in rows]  # noqa: E731
    paths = {}
    for name, edit in (("media_spend", edit_spend), ("kpi", edit_kpi), ("controls", None)):
        rows = list(csv.DictReader((DEMO_SEEDS / f"demo_{name}.csv").open()))
        header = [*rows[0], *(["geo"] if name == "media_spend" and spend_geo else [])]
        if edit:
            rows = edit(rows)
        path = tmp / f"{name}.csv"
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
        paths[name] = {"path": str(path), **({"has_geo": True} if name == "media_spend" and spend_geo else {})}
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
        ["stg_media_spend.spend: values that are not finite numbers", "spend_raw=12k"],
    ),
    "overlapping_periods": (
        {"edit_spend": lambda rows: [*rows, {**rows[0], "period_start": "2022-01-05", "period_end": "2022-02-04"}]},
        {},
        ["stg_media_spend.period_start: overlapping periods for the same key", "previous_start=2022-01-03"],
    ),
    "names_differing_by_case": (
        {"edit_spend": _set(0, channel="TV ")},
        {},
        ["stg_media_spend.channel: names that differ only by case or surrounding spaces", "other_name=tv"],
    ),
    "nan_spend": (
        {"edit_spend": _set(7, spend="NaN")},
        {},
        ["stg_media_spend.spend: values that are not finite numbers", "spend_raw=NaN"],
    ),
    "infinite_kpi": (
        {"edit_kpi": _set(9, kpi="inf")},
        {},
        ["stg_kpi.kpi: values that are not finite numbers", "kpi_raw=inf"],
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
    "unparseable_date": (
        {"edit_spend": _set(4, period_start="2022-13-45")},
        {},
        # the date as sent, and no duplicate-key error set off by the missing date
        ["stg_media_spend.period_start: periods that are not dates", "period_start_raw=2022-13-45", "!duplicate rows"],
    ),
    "too_few_weeks": (
        {},
        {"mmm_min_weeks": 500},
        ["int_weeks.week_start: too few weeks to fit", "n_weeks=182, min_weeks=500"],
    ),
    "geo_in_one_input_only": (
        {"spend_geo": "north"},
        {},
        [
            "stg_media_spend.geo: geos that the inputs do not share",
            "input=stg_media_spend, geo=north, problem=not in stg_kpi",
        ],
    ),
    "thousands_separators": (
        {"edit_spend": _set(3, spend="5,227.13")},
        {},
        [
            "stg_media_spend.spend: numbers written with thousands separators or a decimal comma; set thousands: ','",
            "spend_raw=5,227.13",
            "!stg_media_spend.spend: missing values",
            "!stg_media_spend.spend: values that are not finite numbers",
        ],
    ),
    "decimal_comma": (
        {"edit_kpi": _set(4, kpi="1234,5")},
        {},
        ["stg_kpi.kpi: numbers written with thousands separators or a decimal comma", "kpi_raw=1234,5"],
    ),
    "header_only_spend": (
        {"edit_spend": lambda rows: []},
        {},
        [
            "stg_media_spend.rows: the input is empty (var mmm_inputs.media_spend points at a file or table "
            "with no rows)",
            "!geos that the inputs do not share",
        ],
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
    before = published_tables(db)
    assert before["int_weekly_panel"][0] > 0 and len(before) >= 5, before
    dbt_vars = {**_inputs(tmp_path, **edits), **extra_vars}
    # the copy has the seeds already; the inputs under test are files
    proc = run_dbt(["build", *SQL_LAYER_FROM_INPUTS], db, dbt_vars, ok=False)
    for message in messages:
        if message.startswith("!"):
            assert message[1:] not in proc.output, f"{message[1:]!r} in dbt output:\n{proc.output[-4000:]}"
        else:
            assert message in proc.output, f"{message!r} not in dbt output:\n{proc.output[-4000:]}"
    # the build failed, so nothing was published: every table users read is the earlier build's
    assert published_tables(db) == before


def test_letters_beyond_ascii_are_names(sql_layer_db, copy_of, tmp_path):
    """A channel called Télé or Поиск is a name like any other; quotes and semicolons are not."""
    db = copy_of(sql_layer_db)

    def rename(rows):
        names = {"tv": "Télé", "search": "Поиск"}
        return [{**row, "channel": names.get(row["channel"], row["channel"])} for row in rows]

    run_dbt(["build", *SQL_LAYER], db, _inputs(tmp_path, edit_spend=rename))
    channels = {c for (c,) in query(db, "select distinct channel from main.int_media_spend_weekly")}
    assert {"Télé", "Поиск"} <= channels and "tv" not in channels


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


def _scenario_inputs(tmp_path: Path, scenarios: list[str], rules: str) -> dict:
    (tmp_path / "scenarios.csv").write_text(SCENARIO_HEADER + "\n" + "\n".join(scenarios) + "\n")
    (tmp_path / "rules.csv").write_text("scenario_id,rule,target,value\n" + (f"{rules}\n" if rules else ""))
    return {
        "mmm_inputs": {
            "budget_scenarios": {"path": str(tmp_path / "scenarios.csv")},
            "budget_scenario_rules": {"path": str(tmp_path / "rules.csv")},
        }
    }


SCENARIO_NODES = ["--select", "stg_budget_scenarios+", "stg_budget_scenario_rules+"]


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_budget_scenario_is_named_and_earlier_allocations_survive(case, demo_fit, copy_of, tmp_path):
    """With var mmm_fail_on_scenario_error a bad scenario fails the build, and the allocation
    tables stay as they were."""
    scenario, rules, message = BAD_SCENARIOS[case]
    db = copy_of(demo_fit[0])
    before = published_tables(db)
    assert before["budget_allocations"][0] > 0 and before["channel_roas"][0] > 0
    inputs = {**_scenario_inputs(tmp_path, [scenario], rules), "mmm_fail_on_scenario_error": True}
    proc = run_dbt(["build", *SCENARIO_NODES], db, inputs, ok=False)
    assert f"MMM SCENARIO ERROR {message}" in proc.output, f"{message!r} not in dbt output:\n{proc.output[-4000:]}"
    if case == "budget_below_minimums":
        assert "is outside the sum of channel bounds" in proc.output
    # every table users read, the budget tables and the fit's marts alike, is the earlier build's
    assert published_tables(db) == before


def test_a_bad_scenario_fails_alone(demo_fit, copy_of, tmp_path):
    """By default the other scenarios are planned and written; the bad one carries its status
    and message, and the build warns."""
    db = copy_of(demo_fit[0])
    scenario, rules, message = BAD_SCENARIOS["unknown_channel"]
    good = "g,,mean,52,0,,50,,,"
    proc = run_dbt(["build", *SCENARIO_NODES], db, _scenario_inputs(tmp_path, [scenario, good], rules))
    assert f"MMM SCENARIO ERROR {message}" in proc.output and "WARN 1 mmm_scenarios_planned" in proc.output
    rows = query(db, "select scenario_id, status, status_message, weekly_budget from main.budget_scenario_summary")
    by_id = {r[0]: r[1:] for r in rows}
    assert by_id["g"][0] == "ok" and by_id["g"][2] > 0
    assert by_id["s"][0] == "error" and message in by_id["s"][1] and by_id["s"][2] is None


def test_data_review_stops_the_build_before_the_fit(sql_layer_db, copy_of):
    """Weekly KPI periods that start on Monday, modelled as Sunday weeks: the data review fails
    with a message naming the table, the column and the setting, and the fit is not run."""
    db = copy_of(sql_layer_db)
    proc = run_dbt(["build", "--select", "+mmm_fits"], db, {"mmm_week_start": "sunday"}, ok=False)
    assert "MMM INPUT ERROR in stg_kpi.period_start: the KPI's weeks start on monday, not on sunday" in proc.output
    assert "set mmm_week_start: monday" in proc.output
    assert "SKIP relation main_build.mmm_fits" in proc.output
    # the failed build published nothing; its data review is in the build schema
    rows = query(db, "select status from main_build.mmm_data_review where check_name = 'week_start'")
    assert rows == [("fail",)]


def test_a_typo_of_a_thousand_times_the_spend_stops_the_build(sql_layer_db, copy_of, tmp_path):
    db = copy_of(sql_layer_db)
    inputs = _inputs(tmp_path, edit_spend=_set(3, spend="1e15"))
    proc = run_dbt(["build", "--select", "+mmm_data_review"], db, inputs, ok=False)
    assert "MMM INPUT ERROR in int_media_spend_weekly.spend: channel" in proc.output
    assert "a unit or typing error?" in proc.output


def test_spend_straddling_the_window_and_channels_left_out_reconcile(sql_layer_db, copy_of, tmp_path):
    """A monthly spend row that runs past the KPI's last week is clipped to the window, and the
    reconciliation test agrees; a channel left out by mmm_channels is ignored by every check."""

    def straddle(rows):
        last = next(r for r in rows if r["channel"] == "print" and r["period_start"] == "2025-06-01")
        last["period_end"] = "2025-07-15"  # the KPI's last week ends on 2025-06-29
        return rows

    db = copy_of(sql_layer_db)
    inputs = _inputs(tmp_path, edit_spend=straddle)
    proc = run_dbt(["build", *SQL_LAYER], db, {**inputs, "mmm_channels": ["tv", "search", "social", "print"]})
    assert "PASS assert_panel_spend_matches_raw" in proc.output
    channels = query(db, "select distinct channel from main.int_media_spend_weekly order by 1")
    assert channels == [("print",), ("search",), ("social",), ("tv",)]


def test_an_unmapped_kpi_column_says_what_the_input_has_and_how_to_map_it(sql_layer_db, copy_of, tmp_path):
    db = copy_of(sql_layer_db)
    (tmp_path / "sales.csv").write_text("period_start,period_end,revenue\n2022-01-03,2022-01-09,100.0\n")
    proc = run_dbt(["build", *SQL_LAYER], db, {"mmm_inputs": {"kpi": {"path": str(tmp_path / "sales.csv")}}}, ok=False)
    assert 'MMM INPUT ERROR in mmm_inputs.kpi: column(s) "kpi" not found' in proc.output
    assert "the input has columns period_start, period_end, revenue; map yours with columns: {kpi: <your column>}" in (
        proc.output
    )


def test_timezone_aware_timestamps_become_utc_dates(sql_layer_db, copy_of, tmp_path, monkeypatch):
    """23:30 in New York on 3 January is 4 January in UTC: profiles.yml pins dbt's DuckDB session
    to UTC, so the weekly panel does not depend on the machine's zone (built here under two).
    The period 4-10 January puts 6/7 of its KPI in the week of 3 January and 1/7 in the next.
    (Staging models are views: read from another session they follow that session's zone.)"""
    import duckdb

    path = tmp_path / "kpi.parquet"
    with duckdb.connect() as con:
        con.sql("set TimeZone = 'UTC'")
        con.sql(
            "copy (select '2022-01-03 23:30:00-05:00'::timestamptz as period_start, "
            f"'2022-01-09 23:30:00-05:00'::timestamptz as period_end, 700.0 as kpi) to '{path}'"
        )
    seen = set()
    for zone in ("Asia/Tokyo", "America/Los_Angeles"):
        monkeypatch.setenv("TZ", zone)
        db = copy_of(sql_layer_db)
        run_dbt(
            ["run", "--select", "stg_kpi", "int_weeks", "int_weekly_panel"],
            db,
            {"mmm_inputs": {"kpi": {"path": str(path)}}},
        )
        seen.add(tuple(query(db, "select cast(week_start as varchar), kpi from main.int_weekly_panel order by 1")))
    assert seen == {(("2022-01-03", 600.0), ("2022-01-10", 100.0))}


def test_a_declared_number_format_is_read(sql_layer_db, copy_of, tmp_path):
    """thousands: ',' on an input reads 5,227.13 as 5227.13 (a spreadsheet's export as it is)."""
    db = copy_of(sql_layer_db)
    inputs = _inputs(tmp_path, edit_spend=_set(3, spend="5,227.13"))
    inputs["mmm_inputs"]["media_spend"]["thousands"] = ","
    run_dbt(["build", *SQL_LAYER_FROM_INPUTS], db, inputs)
    assert query(db, "select spend from main_build.stg_media_spend where spend_raw = '5,227.13'") == [(5227.13,)]


def test_two_columns_with_one_name_are_refused(sql_layer_db, copy_of, tmp_path):
    """A CSV whose header names spend twice: which column DuckDB reads is an accident (it renames
    the second spend_1), so the build stops naming both positions; published tables unchanged."""
    db = copy_of(sql_layer_db)
    before = published_tables(db)
    inputs = _inputs(tmp_path)
    path = Path(inputs["mmm_inputs"]["media_spend"]["path"])
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",spend", *(line + ",1.0" for line in lines[1:])]) + "\n")
    proc = run_dbt(["build", *SQL_LAYER_FROM_INPUTS], db, inputs, ok=False)
    assert f'MMM INPUT ERROR in mmm_inputs.media_spend: {path} has two columns named "spend"' in proc.output, (
        proc.output[-3000:]
    )
    assert published_tables(db) == before


def _wide_file(tmp_path: Path, header_extra: str = "", row_extra: str = "") -> Path:
    """The demo's spend and KPI as one wide CSV (a column per channel)."""
    spend = list(csv.DictReader((DEMO_SEEDS / "demo_media_spend.csv").open()))
    kpi = list(csv.DictReader((DEMO_SEEDS / "demo_kpi.csv").open()))
    channels = sorted({r["channel"] for r in spend})
    by_week = {(r["period_start"], r["channel"]): r["spend"] for r in spend}
    rows = [",".join(["week", "sales", *channels]) + header_extra]
    for r in kpi:
        cells = [by_week.get((r["period_start"], c), "0") for c in channels]
        rows.append(",".join([r["period_start"], r["kpi"], *cells]) + row_extra)
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


WIDE_CASES = {
    "duplicate_header": (",tv", ",5.0", ["tv"], 'MMM INPUT ERROR in mmm_wide_input: {path} has two columns named "tv"'),
    "missing_spend_column": (
        "",
        "",
        ["tv", "tvv"],
        'MMM INPUT ERROR in mmm_wide_input.spend_columns: column "tvv" not found in {path}; the input has columns week',
    ),
}


@pytest.mark.parametrize("case", sorted(WIDE_CASES))
def test_wide_columns_missing_or_twice_are_named(case, sql_layer_db, copy_of, tmp_path):
    header_extra, row_extra, channels, message = WIDE_CASES[case]
    db = copy_of(sql_layer_db)
    before = published_tables(db)
    path = _wide_file(tmp_path, header_extra, row_extra)
    wide = {"path": str(path), "date_column": "week", "kpi_column": "sales", "spend_columns": channels}
    proc = run_dbt(["build", *SQL_LAYER_FROM_INPUTS], db, {"mmm_wide_input": wide}, ok=False)
    assert message.format(path=path) in proc.output, proc.output[-3000:]
    assert published_tables(db) == before
