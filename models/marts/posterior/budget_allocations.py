"""Scenario x channel budget allocations optimised over the current run's posterior."""

from python_udfs.dbt_io import to_pandas
from python_udfs.optimizer import ChannelDraws, allocate_scenarios


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta") or {}
    params = to_pandas(dbt.ref("int_posterior_channel_draws"))
    spend = to_pandas(dbt.ref("int_media_spend_weekly"))
    scenarios = to_pandas(dbt.ref("budget_scenarios"))
    draws = ChannelDraws.from_frame(params, int(meta.get("mmm_max_lag") or 6))
    current = spend.groupby("channel")["spend"].mean()
    out = allocate_scenarios(draws, current, scenarios)
    out.insert(0, "run_id", params["run_id"].iloc[0])
    return out
