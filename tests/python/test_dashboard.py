"""The Streamlit dashboard on the demo build: every page through AppTest, then the app in headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from conftest import PROJECT

pytest.importorskip("streamlit", reason="the dashboard extra is not installed (uv sync --all-extras)")
from streamlit.testing.v1 import AppTest

from dashboard import rankings, tables
from dashboard.results import MARTS, OPTIONAL, ResultsStore, ResultsUnavailable, read_results

APP = PROJECT / "dashboard" / "app.py"
# page file -> (its link in the sidebar, its header, number of charts and of tables it draws on the demo)
PAGES = {
    "views/contributions.py": ("Contributions", "Contributions over time", 1, 1),
    "views/roas.py": ("ROAS", "Return on ad spend", 2, 1),
    "views/response_curves.py": ("Response curves", "Response curves", 1, 0),
    "views/budget.py": ("Budget scenarios", "Budget scenarios", 2, 1),
    "views/fit.py": ("Fitted vs actual", "Fitted vs actual", 1, 1),
    "views/diagnostics.py": ("Diagnostics", "Diagnostics", 0, 4),
    "views/validation.py": ("Validation", "Validation", 0, 0),  # nothing to show until vars turn it on
}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep Chromium off the (closed) network and need no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def demo_db(demo_fit) -> Path:
    return demo_fit[0]


@pytest.fixture()
def app(demo_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("MMM_DUCKDB_PATH", str(demo_db))
    return AppTest.from_file(str(APP), default_timeout=60).run()


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def chart_data(at: AppTest) -> list[pd.DataFrame]:
    """Per chart, all the rows it was sent (Streamlit ships each named dataset as Arrow IPC)."""
    frames = []
    for chart in at.get("vega_lite_chart"):
        parts = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
        frames.append(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame())
    return frames


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_demo_results(app, page):
    _, header, n_charts, n_tables = PAGES[page]
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    assert [h.value for h in app.header] == [header]
    assert len(app.dataframe) == n_tables and all(len(t.value) for t in app.dataframe)
    data = chart_data(app)
    assert len(data) == n_charts
    assert all(len(frame) > 0 for frame in data), "a chart has no data"


def test_contributions_page_stacks_channels_on_the_baseline(app, demo_db):
    stacked = chart_data(app)[0]
    channels = set(read_results(demo_db)["channel_roas"]["channel"])
    assert set(stacked["series"]) == {"baseline", *channels}
    # the stack adds up to the prediction: baseline plus channels per week equals the decomposition total
    decomposition = read_results(demo_db)["decomposition"]
    assert stacked["contribution_mean"].sum() == pytest.approx(decomposition["contribution_mean"].sum(), rel=1e-9)


def test_contributions_page_hides_the_baseline_on_request(app, demo_db):
    app.toggle[0].set_value(False).run()
    stacked = chart_data(app)[0]
    decomposition = read_results(demo_db)["decomposition"]
    channels = decomposition.loc[decomposition["component_type"] == "channel"]
    assert set(stacked["series"]) == set(channels["component"])
    assert stacked["contribution_mean"].sum() == pytest.approx(channels["contribution_mean"].sum(), rel=1e-9)


def test_the_best_channel_is_named_only_when_it_ranks_first_in_most_draws():
    roas = pd.DataFrame(
        {"channel": ["tv", "radio", "print"], "prob_highest_roas": [0.3, 0.45, None], "roas_mean": [9.0, 2.0, None]}
    )
    assert rankings.best_channel_note(roas) == (
        "The data do not say which channel returns most: the likeliest, radio, has the highest ROAS in only "
        "45% of the posterior draws."
    )
    roas.loc[1, "prob_highest_roas"] = 0.7
    assert rankings.best_channel_note(roas) == "radio has the highest ROAS in 70% of the posterior draws."
    assert "none is ranked" in rankings.best_channel_note(roas.assign(prob_highest_roas=None))


def test_tables_format_numbers_by_what_the_column_holds():
    frame = pd.DataFrame(
        {
            "channel": ["tv"],
            "spend": [1234567.891],
            "roas_mean": [1.23456],
            "contribution_share_mean": [0.25],
            "prob_uplift_positive": [0.9],
            "max_r_hat": [1.004],
            "min_ess_bulk": [812.4],
            "fit_seconds": [31.26],
            "mape": [0.05],
            "n_weeks": [52],
        }
    )
    assert tables.column_formats(frame) == {
        "spend": "localized",
        "roas_mean": "%.3f",
        "contribution_share_mean": "percent",
        "prob_uplift_positive": "percent",
        "max_r_hat": "%.3f",
        "min_ess_bulk": "%.0f",
        "fit_seconds": "%.1f",
        "mape": "percent",
    }


def test_tables_are_formatted_on_the_page(app):
    app.switch_page("views/roas.py").run()
    columns = app.dataframe[0].proto.columns  # the column config, as JSON
    config = json.loads(columns)
    assert config["roas_mean"]["type_config"]["format"] == "%.3f"
    assert config["spend"]["type_config"]["format"] == "localized"


def test_response_curves_mark_current_spend(app):
    app.switch_page("views/response_curves.py").run()
    spec = chart_specs(app)[0]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["area", "line", "point"]
    app.multiselect[0].set_value(["tv"]).run()
    assert set(chart_data(app)[0]["channel"]) == {"tv"}


def _app_on_edited_copy(demo_db, tmp_path, monkeypatch, *statements: str) -> AppTest:
    """The app over a copy of the demo file changed by `statements` (a failed run, say)."""
    import duckdb

    db = tmp_path / "edited.duckdb"
    shutil.copy(demo_db, db)
    with duckdb.connect(str(db)) as con:
        for statement in statements:
            con.execute(statement)
    monkeypatch.setenv("MMM_DUCKDB_PATH", str(db))
    return AppTest.from_file(str(APP), default_timeout=60).run()


def test_unconverged_run_is_flagged_on_every_page(demo_db, tmp_path, monkeypatch):
    at = _app_on_edited_copy(
        demo_db,
        tmp_path,
        monkeypatch,
        "update main.mmm_runs set is_converged = false, is_usable = false, max_r_hat = 1.2 where is_current",
    )
    assert any("failed the model review" in e.value and "1.200" in e.value for e in at.error)


def test_failed_review_checks_are_listed_in_the_banner(demo_db, tmp_path, monkeypatch):
    at = _app_on_edited_copy(
        demo_db,
        tmp_path,
        monkeypatch,
        "update main.mmm_runs set is_usable = false where is_current",
        "update main.mmm_model_review set status = 'fail', message = 'negative baseline here' "
        "where check_name = 'baseline'",
    )
    assert any("**baseline** (fit): negative baseline here" in e.value for e in at.error)


def test_a_newer_run_that_failed_the_review_is_named_above_the_published_one(demo_db, tmp_path, monkeypatch):
    """A build whose run fails the review publishes nothing; the dashboard keeps showing the
    published run and says, in red, which newer run failed and why (from the build schema)."""
    at = _app_on_edited_copy(
        demo_db,
        tmp_path,
        monkeypatch,
        "update main_build.mmm_runs set is_current = false",
        "insert into main_build.mmm_runs select * replace ('newer' as run_id, false as is_usable, "
        "'fail' as review_status, 'baseline (fit)' as review_failed_checks, true as is_current) "
        "from main.mmm_runs",
    )
    assert any("run newer" in e.value and "baseline (fit)" in e.value and "not published" in e.value for e in at.error)


def test_the_dashboard_shows_the_current_run_only(demo_db, tmp_path):
    """mmm_model_review and mmm_parameter_summary keep every run's rows; a second run in the file
    must not double the tables the dashboard shows."""
    db = tmp_path / "two_runs.duckdb"
    shutil.copy(demo_db, db)
    import duckdb

    with duckdb.connect(str(db)) as con:
        con.execute(
            "insert into main.mmm_parameter_summary "
            "select * replace ('older' as run_id) from main.mmm_parameter_summary"
        )
        con.execute("insert into main.mmm_model_review select * replace ('older' as run_id) from main.mmm_model_review")
    results = read_results(db)
    with duckdb.connect(str(db), read_only=True) as con:
        n_params = con.sql("select count(*) from main.mmm_parameter_summary where run_id = 'older'").fetchall()[0][0]
    assert len(results["mmm_parameter_summary"]) == n_params > 0
    assert set(results["mmm_model_review"]["run_id"]) == {results.run_id}


def test_the_validation_page_shows_the_latest_comparison_and_cross_validation(demo_db, tmp_path, monkeypatch):
    """Rows as the nodes write them (an older validation too): the page shows the latest one's
    folds, its ROAS by fold and the comparison, and nothing of the older."""
    import duckdb

    db = tmp_path / "validated.duckdb"
    shutil.copy(demo_db, db)
    channels = sorted(read_results(demo_db)["channel_roas"]["channel"].unique())
    with duckdb.connect(str(db)) as con:
        for cv_id, at in (("old", "2026-01-01"), ("new", "2026-02-01")):
            for fold in (1, 2):
                roas = {"parameter": "roas", "mean": 1.0 + fold, "lower": 0.5, "upper": 2.5}
                params = json.dumps([{"channel": c, **roas} for c in channels])
                con.execute(
                    "insert into main.mmm_cv_folds (cv_id, validated_at, fold, train_end, test_start, test_end, crps, "
                    "mape, coverage, max_r_hat, min_ess_bulk, is_converged, parameters) values "
                    "(?, ?::timestamptz, ?, '2024-12-23', '2024-12-30', '2025-03-24', "
                    "1000, 0.02, 0.9, 1.0, 500, true, ?)",
                    [cv_id, at, fold, params],
                )
                con.execute(
                    "insert into main.mmm_cv_parameter_stability select cv_id, fold, p.channel, p.parameter, p.mean, "
                    "p.lower, p.upper from (select ? as cv_id, ? as fold, unnest(from_json(?, "
                    '\'[{"channel": "VARCHAR", "parameter": "VARCHAR", "mean": "DOUBLE", '
                    '"lower": "DOUBLE", "upper": "DOUBLE"}]\')) as p)',
                    [cv_id, fold, params],
                )
        con.execute(
            "insert into main.mmm_model_comparison (comparison_id, compared_at, form, rank, elpd_loo, weight, "
            "is_converged, is_selected) values ('c1', now(), 'geometric/logistic', 1, 350, 0.8, true, true), "
            "('c1', now(), 'delayed/hill', 2, 340, 0.2, true, false)"
        )
    monkeypatch.setenv("MMM_DUCKDB_PATH", str(db))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("views/validation.py").run()
    assert not at.exception, [e.value for e in at.exception]
    comparison, folds, wide = (t.value for t in at.dataframe)
    assert list(comparison["form"]) == ["geometric/logistic", "delayed/hill"]
    assert list(folds["fold"]) == [1, 2]
    assert list(wide.columns) == ["channel", "parameter", "fold 1", "fold 2"] and len(wide) == len(channels)
    (roas,) = chart_data(at)
    assert len(roas) == 2 * len(channels)


def test_missing_database_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("MMM_DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "make demo" in at.error[0].value


@pytest.fixture()
def locked(demo_db, tmp_path):
    """A copy of the demo file held open for writing by another process, as `dbt build` holds it."""
    db = tmp_path / "locked.duckdb"
    shutil.copy(demo_db, db)
    code = f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(120)"
    holder = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    yield db
    holder.kill()
    holder.wait()


def test_dashboard_keeps_last_snapshot_while_a_build_holds_the_file(demo_db, locked):
    with pytest.raises(ResultsUnavailable, match="locked"):
        read_results(locked)
    store = ResultsStore(locked, snapshot=read_results(demo_db), mtime=None)
    snapshot, problem = store.get()
    assert snapshot is not None and snapshot.run_id == read_results(demo_db).run_id
    assert "locked" in problem


def test_the_banner_shows_while_a_build_holds_an_unchanged_file(demo_db, locked):
    """A build holds the file before DuckDB's checkpoint changes its modification time: the
    store still says the file is locked instead of presenting the snapshot as current."""
    store = ResultsStore(locked, snapshot=read_results(demo_db), mtime=locked.stat().st_mtime)
    snapshot, problem = store.get()
    assert snapshot is not None and problem is not None and "locked" in problem


def test_dashboard_does_not_block_a_build(demo_db, tmp_path):
    """After a read the file is closed again: a writer can open it at once."""
    import duckdb

    db = tmp_path / "free.duckdb"
    shutil.copy(demo_db, db)
    read_results(db)
    code = f"import duckdb; duckdb.connect({str(db)!r}).execute('create table t as select 1')"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("select count(*) from t").fetchall() == [(1,)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode() == "ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("streamlit did not become healthy")


@pytest.fixture()
def served_app(demo_db):
    port = _free_port()
    env = {**os.environ, "MMM_DUCKDB_PATH": str(demo_db)}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
    ]
    proc = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed here (apt-get install chromium); .ci/run installs it",
)
def test_dashboard_renders_in_headless_chromium(served_app, tmp_path):
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(served_app, wait_until="networkidle")
        for path, (link, header, n_charts, n_tables) in PAGES.items():
            # navigate as a user does: the sidebar link, then wait for the page's own header
            page.get_by_test_id("stSidebarNavLink").filter(has_text=link).first.click()
            page.get_by_role("heading", name=header, exact=True).wait_for(timeout=60_000)
            # vega-embed and the data grid draw into a canvas (or svg): wait until each has a drawn surface
            for test_id, n in (("stVegaLiteChart", n_charts), ("stDataFrame", n_tables)):
                page.wait_for_function(
                    """([id, n]) => { const els = document.querySelectorAll(`[data-testid="${id}"]`);
                             return els.length === n && [...els].every(el => {
                               const s = el.querySelector('canvas, svg.marks');
                               return s && s.getBoundingClientRect().width > 100; }); }""",
                    arg=[test_id, n],
                    timeout=60_000,
                )
            assert page.locator('[data-testid="stVegaLiteChart"]').count() == n_charts
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.get_by_text("Page not found").count() == 0
            shot = tmp_path / f"{Path(path).stem}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        browser.close()
    print(f"screenshots in {tmp_path}")


def test_exposure_declares_every_mart_the_dashboard_reads():
    import yaml

    exposures = yaml.safe_load((PROJECT / "models" / "marts" / "_exposures.yml").read_text())["exposures"]
    dashboard = next(e for e in exposures if e["name"] == "mmm_dashboard")
    declared = {ref.removeprefix("ref('").removesuffix("')") for ref in dashboard["depends_on"]}
    assert declared == set(MARTS) | set(OPTIONAL)


def test_fitted_chart_shades_holdout_weeks_only_when_there_are_some():
    from dashboard.charts import fitted_vs_actual

    weeks = pd.date_range("2025-01-06", periods=10, freq="7D")
    fitted = pd.DataFrame({"week_start": weeks, "actual": 1.0, "predicted_mean": 1.0})
    fitted = fitted.assign(predictive_lower=0.5, predictive_upper=1.5, fit_sample=["in_sample"] * 7 + ["holdout"] * 3)
    shaded = fitted_vs_actual(fitted).to_dict()
    rect = [layer for layer in shaded["layer"] if layer["mark"]["type"] == "rect"]
    assert len(rect) == 1
    (span,) = shaded["datasets"][rect[0]["data"]["name"]]
    assert pd.Timestamp(span["start"]) == weeks[7] and pd.Timestamp(span["end"]) == weeks[9]
    plain = fitted_vs_actual(fitted.assign(fit_sample="in_sample")).to_dict()
    assert not [layer for layer in plain["layer"] if layer["mark"]["type"] == "rect"]
