"""Read the current run's marts out of the DuckDB file for the dashboard.

The file is opened read-only and closed again as soon as the tables are read, so the dashboard
never holds a lock that would stop the next `dbt build`. DuckDB lets one process write *or* many
read: while a build holds the file, opening fails, and the dashboard keeps showing the last
snapshot it read (see `ResultsStore`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

SCHEMA = "main"  # where mmm_publish puts the tables of the last build that fully succeeded
BUILD_SCHEMA = "main_build"  # where dbt builds them

# mart -> the columns the dashboard reads; a missing column is an error that names the mart.
MARTS: dict[str, tuple[str, ...]] = {
    "mmm_runs": (
        "run_id",
        "fitted_at",
        "sampler",
        "chains",
        "draws",
        "tune",
        "fit_seconds",
        "divergences",
        "max_r_hat",
        "min_ess_bulk",
        "min_ess_tail",
        "is_converged",
        "worst_parameters",
        "n_weeks_train",
        "n_weeks_holdout",
        "review_status",
        "review_failed_checks",
        "is_usable",
        "is_current",
    ),
    "mmm_model_review": ("run_id", "check_name", "subject", "status", "value", "threshold", "message"),
    "mmm_data_review": ("check_name", "subject", "status", "value", "threshold", "message"),
    "decomposition": ("week_start", "geo", "component_type", "component", "contribution_mean"),
    "channel_roas": (
        "geo",
        "channel",
        "spend",
        "roas_mean",
        "roas_lower",
        "roas_upper",
        "marginal_roas_mean",
        "marginal_roas_lower",
        "marginal_roas_upper",
        "contribution_share_mean",
        "prob_roas_below_1",
        "prob_negligible",
        "roas_rank_mean",
        "prob_highest_roas",
    ),
    "response_curves": (
        "geo",
        "channel",
        "weekly_spend",
        "contribution_mean",
        "contribution_lower",
        "contribution_upper",
        "is_current_level",
    ),
    "budget_allocations": (
        "geo",
        "scenario_id",
        "channel",
        "current_weekly_spend",
        "optimised_weekly_spend",
        "uplift_mean",
        "uplift_lower",
        "uplift_upper",
    ),
    "budget_scenario_summary": (
        "run_id",
        "geo",
        "scenario_id",
        "objective",
        "horizon_weeks",
        "current_weekly_spend",
        "weekly_budget",
        "uplift_mean",
        "uplift_lower",
        "uplift_upper",
        "prob_uplift_positive",
        "binding_constraints",
        "optimizer_converged",
        "status",
        "status_message",
    ),
    "budget_geo_summary": (
        "run_id",
        "geo",
        "scenario_id",
        "current_weekly_spend",
        "planned_weekly_spend",
        "uplift_mean",
        "uplift_lower",
        "uplift_upper",
        "prob_uplift_positive",
    ),
    "fitted_values": (
        "week_start",
        "geo",
        "actual",
        "predicted_mean",
        "predicted_lower",
        "predicted_upper",
        "predictive_lower",
        "predictive_upper",
        "fit_sample",
    ),
    "fit_metrics": ("geo", "fit_sample", "n_weeks", "r_squared", "mape", "crps", "predictive_coverage"),
    "mmm_parameter_summary": (
        "run_id",
        "parameter",
        "geo",
        "term",
        "mean",
        "lower",
        "upper",
        "r_hat",
        "ess_bulk",
        "ess_tail",
    ),
}


# Validation tables, empty unless vars mmm_compare / mmm_cv turn them on; absent in files built
# before they existed. Each keeps every comparison or validation: the latest is shown.
OPTIONAL: dict[str, tuple[str, ...]] = {
    "mmm_model_comparison": (
        "comparison_id",
        "compared_at",
        "form",
        "rank",
        "elpd_loo",
        "elpd_se",
        "elpd_diff",
        "elpd_diff_se",
        "weight",
        "n_pareto_k_bad",
        "holdout_crps",
        "is_converged",
        "is_selected",
    ),
    "mmm_cv_folds": (
        "cv_id",
        "validated_at",
        "fold",
        "train_end",
        "test_start",
        "test_end",
        "crps",
        "mape",
        "coverage",
        "max_r_hat",
        "min_ess_bulk",
        "is_converged",
    ),
    "mmm_cv_parameter_stability": ("cv_id", "fold", "channel", "parameter", "mean", "lower", "upper"),
}

# Marts that keep rows for every run (the others hold the current run only).
RUN_KEYED = ("mmm_model_review", "mmm_parameter_summary")


class ResultsUnavailable(RuntimeError):
    """The file cannot be read now: missing, locked by a running build, or not built yet."""


@dataclass(frozen=True)
class Results:
    """One consistent read of the marts for the current run."""

    path: Path
    read_at: float
    run_id: str
    tables: dict[str, pd.DataFrame] = field(repr=False)
    # The latest build's run when it failed the review and so was not published (mmm_publish):
    # its id and failed checks, from the build schema; None otherwise.
    unpublished: dict | None = None

    def __getitem__(self, mart: str) -> pd.DataFrame:
        return self.tables[mart]

    @property
    def run(self) -> pd.Series:
        runs = self.tables["mmm_runs"]
        return runs.loc[runs["run_id"] == self.run_id].iloc[0]

    @property
    def failed_checks(self) -> pd.DataFrame:
        review = self.tables["mmm_model_review"]
        return review.loc[review["status"] == "fail"]

    @property
    def data_warnings(self) -> pd.DataFrame:
        review = self.tables["mmm_data_review"]
        return review.loc[review["status"] != "pass"]

    @property
    def geos(self) -> list[str]:
        """The nation ('total') first, then each geo of a geo panel."""
        return sorted(self.tables["channel_roas"]["geo"].unique().tolist(), key=lambda g: (g != "total", g))


def database_path() -> Path:
    """The DuckDB file dbt builds into: the same env var and default as profiles.yml."""
    return Path(os.environ.get("MMM_DUCKDB_PATH", "mmm.duckdb")).resolve()


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:  # another process (dbt build) holds the write lock
        raise ResultsUnavailable(f"{path} is locked, most likely by a running dbt build: {exc}") from exc


def read_results(path: Path) -> Results:
    """Read every mart the dashboard shows, for the run `mmm_runs` marks current."""
    if not path.exists():
        raise ResultsUnavailable(f"{path} does not exist yet: run `make demo` (dbt build) first")
    con = _connect(path)
    try:
        tables = {mart: _read_mart(con, mart, columns) for mart, columns in MARTS.items()}
        tables.update(_read_validation(con))
        failed_build = _failed_build_run(con)
    finally:
        con.close()
    current = tables["mmm_runs"].loc[tables["mmm_runs"]["is_current"].astype(bool), "run_id"]
    if current.empty:
        raise ResultsUnavailable(f"{path}: mmm_runs has no current run; the fit has not been built")
    run_id = str(current.iloc[0])
    unpublished = failed_build if failed_build and failed_build["run_id"] != run_id else None
    for mart in RUN_KEYED:  # tables that hold every run's rows: keep the current run's
        tables[mart] = tables[mart].loc[tables[mart]["run_id"] == run_id].reset_index(drop=True)
    return Results(path=path, read_at=time.time(), run_id=run_id, tables=tables, unpublished=unpublished)


def _failed_build_run(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The build schema's current run when it failed the review (a build publishes nothing then),
    read in the same short read-only visit as the marts."""
    if not _exists(con, "mmm_runs", BUILD_SCHEMA):
        return None
    rows = con.execute(
        f"select run_id, fitted_at, review_failed_checks, worst_parameters from {BUILD_SCHEMA}.mmm_runs "
        "where is_current and not is_usable"
    ).fetchall()
    if not rows:
        return None
    run_id, fitted_at, failed, worst = rows[0]
    return {"run_id": run_id, "fitted_at": fitted_at, "failed_checks": failed or f"convergence: {worst}"}


def _read_mart(con: duckdb.DuckDBPyConnection, mart: str, columns: tuple[str, ...]) -> pd.DataFrame:
    found = {row[0] for row in con.sql(f"describe {SCHEMA}.{mart}").fetchall()} if _exists(con, mart) else set()
    if not found:
        raise ResultsUnavailable(f"mart {SCHEMA}.{mart} is missing: run `dbt build` to create it")
    missing = [c for c in columns if c not in found]
    if missing:
        raise ResultsUnavailable(f"mart {SCHEMA}.{mart} lacks column(s) {missing}; rebuild with this version")
    select = ", ".join(f'"{c}"' for c in columns)
    return con.sql(f"select {select} from {SCHEMA}.{mart}").df()


def _read_validation(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The latest model comparison and cross-validation (empty frames when there are none)."""
    out = {
        mart: _read_mart(con, mart, columns) if _exists(con, mart) else pd.DataFrame(columns=list(columns))
        for mart, columns in OPTIONAL.items()
    }
    latest_by = {"mmm_model_comparison": ("comparison_id", "compared_at"), "mmm_cv_folds": ("cv_id", "validated_at")}
    for mart, (key, at) in latest_by.items():
        frame = out[mart]
        if len(frame):
            latest = frame.loc[frame[at] == frame[at].max(), key].iloc[0]
            out[mart] = frame.loc[frame[key] == latest].reset_index(drop=True)
    folds = out["mmm_cv_folds"]
    stability = out["mmm_cv_parameter_stability"]
    out["mmm_cv_parameter_stability"] = stability.loc[stability["cv_id"].isin(folds["cv_id"])].reset_index(drop=True)
    return out


def _exists(con: duckdb.DuckDBPyConnection, mart: str, schema: str = SCHEMA) -> bool:
    rows = con.execute(
        "select 1 from information_schema.tables where table_schema = ? and table_name = ?", [schema, mart]
    ).fetchall()
    return bool(rows)


@dataclass
class ResultsStore:
    """Keeps the last good read, so a build that locks the file does not blank the dashboard.

    `get()` rereads when the file changed since the last read (its mtime) and falls back to the
    last snapshot, with the reason, when the file cannot be opened. An unchanged mtime does not
    mean no build is running (DuckDB updates the file only at its checkpoint), so the file is
    also opened and closed again (a few ms) to find out whether a build holds it.
    """

    path: Path
    snapshot: Results | None = None
    mtime: float | None = None

    def get(self) -> tuple[Results | None, str | None]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            mtime = None
        if self.snapshot is not None and mtime == self.mtime:
            try:
                _connect(self.path).close()
            except ResultsUnavailable as exc:
                return self.snapshot, str(exc)
            return self.snapshot, None
        try:
            self.snapshot, self.mtime = read_results(self.path), mtime
            return self.snapshot, None
        except ResultsUnavailable as exc:
            return self.snapshot, str(exc)
