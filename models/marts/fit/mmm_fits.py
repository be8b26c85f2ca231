"""One row per Bayesian fit (a real NUTS fit), with its diagnostics and compact posterior.

Incremental: earlier fits are kept as history, and an unchanged panel + config reuses the
stored fit instead of sampling (see python_udfs.fit_node).
"""

import json

from python_udfs.config import FitConfig
from python_udfs.data_review import failures
from python_udfs.dbt_io import to_pandas
from python_udfs.fit_node import fit_or_reuse


def model(dbt, session):
    # append_new_columns: a fits table from an older version gains new columns (null for its rows)
    dbt.config(materialized="incremental", unique_key="run_id", on_schema_change="append_new_columns")
    meta = dbt.config.get("meta") or {}
    settings = json.loads(meta.get("mmm_fit_json") or "{}")
    for key in ("max_lag", "holdout_weeks"):  # one source of truth, shared with the SQL layer
        if key in settings:
            raise ValueError(
                f"MMM CONFIG ERROR in var mmm_fit.{key}: set var mmm_{key} instead; the SQL layer uses it too"
            )
        settings[key] = int(meta.get(f"mmm_{key}") or 0)
    try:
        config = FitConfig.from_mapping(settings)
    except ValueError as err:  # one line naming the setting, not a traceback
        raise ValueError(f"MMM CONFIG ERROR in {err}") from None
    # The data review's test already stops `dbt build`; this stops `dbt run` too.
    failed = failures(to_pandas(dbt.ref("mmm_data_review")))
    if failed:
        raise ValueError("MMM INPUT ERROR in " + "; ".join(failed))
    stored = to_pandas(session.sql(f"select * from {dbt.this}")) if dbt.is_incremental else None
    return fit_or_reuse(
        to_pandas(dbt.ref("int_weekly_panel")),
        to_pandas(dbt.ref("int_media_spend_weekly")),
        to_pandas(dbt.ref("int_controls_weekly")),
        config,
        stored,
        force_refit=str(meta.get("mmm_force_refit")).lower() == "true",
        experiments=to_pandas(dbt.ref("int_lift_tests")),
    )
