"""The pre-fit data review (python_udfs.data_review): one row per check and subject, rebuilt on
every build. Its test `mmm_review_passes` stops the build before the fit when a check fails."""

import json

from python_udfs.data_review import DataReviewThresholds, review_data
from python_udfs.dbt_io import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta") or {}
    return review_data(
        to_pandas(dbt.ref("int_weekly_panel")),
        to_pandas(dbt.ref("int_media_spend_weekly")),
        to_pandas(dbt.ref("int_controls_weekly")),
        to_pandas(dbt.ref("stg_kpi")),
        week_start=str(meta.get("mmm_week_start") or "monday"),
        thresholds=DataReviewThresholds.from_mapping(json.loads(meta.get("mmm_data_review_json") or "{}")),
    )
