"""One row per Bayesian fit (a real NUTS fit), with its diagnostics and compact posterior.

Incremental: earlier fits are kept as history, and an unchanged panel + config reuses the
stored fit instead of sampling (see python_udfs.fit_node).
"""

from python_udfs.data_review import stop_on_failures
from python_udfs.dbt_io import to_pandas
from python_udfs.fit_node import fit_or_reuse, settings_from_meta


def model(dbt, session):
    # append_new_columns: a fits table from an older version gains new columns (null for its rows)
    dbt.config(materialized="incremental", unique_key="run_id", on_schema_change="append_new_columns")
    meta = dbt.config.get("meta") or {}
    config, compare = settings_from_meta(meta)
    stop_on_failures(to_pandas(dbt.ref("mmm_data_review")))
    stored = to_pandas(session.sql(f"select * from {dbt.this}")) if dbt.is_incremental else None
    # read only when it picks the form, so `dbt run -s mmm_fits` works without the comparison
    selects = compare.enabled and compare.select != "configured"
    comparisons = to_pandas(dbt.ref("mmm_model_comparison")) if selects else None
    return fit_or_reuse(
        to_pandas(dbt.ref("int_weekly_panel")),
        to_pandas(dbt.ref("int_media_spend_weekly")),
        to_pandas(dbt.ref("int_controls_weekly")),
        config,
        stored,
        force_refit=str(meta.get("mmm_force_refit")).lower() == "true",
        experiments=to_pandas(dbt.ref("int_lift_tests")),
        compare=compare,
        comparisons=comparisons,
    )
