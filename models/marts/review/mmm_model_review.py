"""The post-fit model review of the current run (python_udfs.model_review): one row per check
and subject. Incremental by run: the current run's rows are replaced on every build, earlier
runs' rows are kept, so mmm_runs can say why any run was or was not usable."""

import json

from python_udfs import model_review, posterior_tables
from python_udfs.dbt_io import to_pandas


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="run_id", incremental_strategy="delete+insert")
    meta = dbt.config.get("meta") or {}
    current = to_pandas(dbt.ref("mmm_current_run"))["run_id"].iloc[0]
    fits = dbt.ref("mmm_fits")
    # the current fit only (a filter the engine runs): every stored fit carries its posterior
    run = to_pandas(fits.filter(f"run_id = '{current}'")).iloc[0].to_dict()
    settings = json.loads(run["model_config"])
    run |= {
        "gate_max_r_hat": settings["max_r_hat"],
        "yearly_seasonality": settings.get("yearly_seasonality"),
        "max_lag": settings.get("max_lag"),
    }
    weekly_spend = to_pandas(dbt.ref("channel_contributions"))
    review = model_review.review_model(
        run,
        to_pandas(dbt.ref("fitted_values")),
        to_pandas(dbt.ref("decomposition")),
        to_pandas(dbt.ref("int_channel_roas_draws")),
        to_pandas(dbt.ref("int_baseline_total_draws")),
        posterior_tables.prior_posterior_variance(run["posterior_netcdf"]),
        to_pandas(dbt.ref("mmm_data_review")),
        weekly_spend,
        model_review.ModelReviewThresholds.from_mapping(json.loads(meta.get("mmm_model_review_json") or "{}")),
        negligible_share=float(meta.get("mmm_negligible_share") or 0.05),
    )
    review.insert(0, "run_id", current)
    return review
