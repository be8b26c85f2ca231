"""Dated events become weekly flag controls without the user building dummy columns (SQL layer
on the demo; the fit reads them as any control)."""

from __future__ import annotations

from conftest import query, run_dbt

EVENTS = (
    "event,period_start,period_end\n"
    "launch,2022-05-10,2022-05-12\n"
    "launch,2023-05-09,2023-05-09\n"
    "strike,2023-09-01,2023-09-20\n"
)
NODES = ["build", "--select", "stg_events", "int_controls_weekly"]


def test_events_are_flags_in_the_weeks_they_touch(sql_layer_db, copy_of, tmp_path):
    db = copy_of(sql_layer_db)
    (tmp_path / "events.csv").write_text(EVENTS)
    run_dbt(NODES, db, {"mmm_inputs": {"events": {"path": str(tmp_path / "events.csv")}}})
    flagged = query(
        db,
        "select control, cast(week_start as varchar) from main.int_controls_weekly "
        "where control in ('launch', 'strike') and value = 1 order by all",
    )
    assert flagged == [
        ("launch", "2022-05-09"),
        ("launch", "2023-05-08"),
        ("strike", "2023-08-28"),
        ("strike", "2023-09-04"),
        ("strike", "2023-09-11"),
        ("strike", "2023-09-18"),
    ]
    # every other week is 0, so the flag is a complete control
    counts = query(
        db,
        "select control, count(*), sum(value) from main.int_controls_weekly "
        "where control in ('launch', 'strike') group by all order by all",
    )
    ((n_weeks,),) = query(db, "select count(*) from main.int_weeks")
    assert counts == [("launch", n_weeks, 2.0), ("strike", n_weeks, 4.0)]


def test_an_event_named_like_a_control_is_refused(sql_layer_db, copy_of, tmp_path):
    db = copy_of(sql_layer_db)
    (tmp_path / "events.csv").write_text("event,period_start,period_end\nHoliday,2022-12-24,2022-12-26\n")
    out = run_dbt(NODES, db, {"mmm_inputs": {"events": {"path": str(tmp_path / "events.csv")}}}, ok=False).output
    assert "MMM INPUT ERROR in stg_events.event: names already used by stg_controls.control" in out
    assert "event=Holiday" in out
