"""Scenario x geo x channel budget allocations optimised over the current run's posterior.

A geo panel gets one national plan per scenario over its geo x channel cells (budget moves
between geos as well as channels; var mmm_budget_geo_scope: geo plans each geo on its own).

A child of mmm_runs, whose test mmm_run_usable stops this node when the current run failed its
review; the forms (saturation) are the run's own, not the vars'. A scenario that cannot be
planned gets scenario_status 'error' and its message, and the others are still written; the
test mmm_scenarios_planned warns. With var mmm_fail_on_scenario_error the first bad scenario
stops this node instead, so the allocation tables stay on the previous build."""

import pandas as pd

from python_udfs.config import FitConfig
from python_udfs.dbt_io import to_pandas
from python_udfs.optimizer import ChannelDraws
from python_udfs.scenarios import CELL, GEO_SCOPES, ScenarioError, allocate_scenarios, cell_rules, geo_cells


def model(dbt, session):
    dbt.config(materialized="table")
    runs = to_pandas(dbt.ref("mmm_runs"))
    current = runs[runs["is_current"]].iloc[0]
    meta = dbt.config.get("meta") or {}
    allow = str(meta.get("mmm_allow_failed_review")).lower() == "true"
    on_error = "raise" if str(meta.get("mmm_fail_on_scenario_error")).lower() == "true" else "record"
    if not current["is_usable"] and not allow:
        raise ValueError(
            f"MMM MODEL REVIEW FAILED: run {current['run_id']} is not usable: {current['review_failed_checks']}"
        )
    config = FitConfig.from_stored(current["model_config"])
    params = to_pandas(dbt.ref("int_posterior_channel_draws"))
    spend = to_pandas(dbt.ref("int_media_spend_weekly"))
    scenarios = to_pandas(dbt.ref("stg_budget_scenarios"))
    rules = to_pandas(dbt.ref("stg_budget_scenario_rules"))
    groups = to_pandas(dbt.ref("stg_channel_groups"))
    scope = str(meta.get("mmm_budget_geo_scope") or "national")
    if scope not in GEO_SCOPES:
        raise ValueError(f"MMM CONFIG ERROR in var mmm_budget_geo_scope: must be one of {', '.join(GEO_SCOPES)}")
    if scope == "national" and params["geo"].nunique() > 1:
        params, spend = geo_cells(params, spend)
        rules, groups = cell_rules(rules, groups, spend.groupby("channel")["spend"].mean())
    frames = []
    for geo, geo_params in params.groupby("geo"):
        geo_spend = spend[spend["geo"] == geo]
        draws = ChannelDraws.from_frame(geo_params, config.saturation, history=geo_spend)
        current = geo_spend.groupby("channel")["spend"].mean()
        try:
            out = allocate_scenarios(draws, current, scenarios, rules, groups, on_error=on_error)
        except ScenarioError as err:  # only with mmm_fail_on_scenario_error: the tables stay as they were
            raise ScenarioError(f"MMM SCENARIO ERROR {err}") from None
        out.insert(0, "geo", geo)
        frames.append(out)
    result = pd.concat(frames, ignore_index=True)
    cells = result["channel"].str.contains(CELL, regex=False)
    if cells.any():  # a national plan's cells back to geo and channel
        result.loc[cells, "geo"] = result.loc[cells, "channel"].str.split(CELL, n=1).str[0]
        result.loc[cells, "channel"] = result.loc[cells, "channel"].str.split(CELL, n=1).str[1]
    result["scenario_horizon_weeks"] = result["scenario_horizon_weeks"].astype("Int64")  # null for failed scenarios
    result.insert(0, "run_id", params["run_id"].iloc[0])
    return result
