"""One row per candidate adstock x saturation form of each model comparison (var mmm_compare):
PSIS-LOO, holdout CRPS, convergence, rank and the form the run uses. Empty while var
mmm_compare lists no other form. Incremental: earlier comparisons are kept, and the same data,
settings and forms are not fitted again (see python_udfs.model_comparison)."""

from python_udfs.data_review import stop_on_failures
from python_udfs.dbt_io import to_pandas
from python_udfs.fit_node import compare_or_reuse, settings_from_meta


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key=["comparison_id", "form"], on_schema_change="append_new_columns")
    meta = dbt.config.get("meta") or {}  # an assignment: dbt only passes config it sees read this way
    config, compare = settings_from_meta(meta)
    stop_on_failures(to_pandas(dbt.ref("mmm_data_review")))
    stored = to_pandas(session.sql(f"select comparison_id from {dbt.this}")) if dbt.is_incremental else None
    return compare_or_reuse(
        to_pandas(dbt.ref("int_weekly_panel")),
        to_pandas(dbt.ref("int_media_spend_weekly")),
        to_pandas(dbt.ref("int_controls_weekly")),
        config,
        compare,
        stored,
        experiments=to_pandas(dbt.ref("int_lift_tests")),
    )
