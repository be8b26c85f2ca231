"""One row per fold of each time-slice cross-validation (var mmm_cv): the fold's windows, its
out-of-time CRPS, MAPE and coverage, and its convergence. Empty while mmm_cv has no folds.
Incremental: earlier validations are kept, and the same data, settings and folds are not fitted
again (see python_udfs.cross_validation)."""

from python_udfs.data_review import stop_on_failures
from python_udfs.dbt_io import to_pandas
from python_udfs.fit_node import cv_from_meta, cv_or_reuse, settings_from_meta


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key=["cv_id", "fold"])
    meta = dbt.config.get("meta") or {}  # an assignment: dbt only passes config it sees read this way
    config, _ = settings_from_meta(meta)
    cv = cv_from_meta(meta)
    stop_on_failures(to_pandas(dbt.ref("mmm_data_review")))
    stored = to_pandas(session.sql(f"select cv_id from {dbt.this}")) if dbt.is_incremental else None
    return cv_or_reuse(
        to_pandas(dbt.ref("int_weekly_panel")),
        to_pandas(dbt.ref("int_media_spend_weekly")),
        to_pandas(dbt.ref("int_controls_weekly")),
        config,
        cv,
        stored,
        experiments=to_pandas(dbt.ref("int_lift_tests")),
    )
