"""Per cross-validation fold and channel: ROAS and the adstock and saturation parameters with
their intervals, so a reader sees whether a channel's answer holds from one origin to the next.
Unpacked from mmm_cv_folds.parameters (python_udfs.cross_validation.stability_rows)."""

from python_udfs.cross_validation import stability_rows
from python_udfs.dbt_io import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    return stability_rows(to_pandas(dbt.ref("mmm_cv_folds")))
