"""Budget scenarios: each optimised allocation against the current plan, with the uplift interval."""

import streamlit as st

from dashboard import charts, tables
from dashboard.state import current, for_geo

results, geo = current()
st.header("Budget scenarios")
summary = for_geo(results, "budget_scenario_summary", geo)
national = for_geo(results, "budget_scenario_summary", "total")
share = for_geo(results, "budget_geo_summary", geo)
if summary.empty and geo != "total" and not national.empty and not share.empty:
    # a national plan: this geo's part of it, its uplift from the geo's own per-draw total
    st.info(f"Budgets are planned nationally, moving spend between geos: {geo}'s part of each plan.")
    figures = ["current_weekly_spend", "uplift_mean", "uplift_lower", "uplift_upper", "prob_uplift_positive"]
    summary = national.drop(columns=[*figures, "weekly_budget"]).merge(
        share[["run_id", "scenario_id", *figures, "planned_weekly_spend"]].rename(
            columns={"planned_weekly_spend": "weekly_budget"}
        ),
        on=["run_id", "scenario_id"],
    )
if summary.empty:
    if geo == "total" and len(results.geos) > 1:
        st.info("Budgets are planned geo by geo: pick a geo in the sidebar.")
    else:
        st.info("No budget scenarios were built for this geo (seed budget_scenarios is empty).")
    st.stop()
failed = summary.loc[summary["status"] != "ok"]
for bad in failed.itertuples():
    st.warning(f"Scenario {bad.scenario_id} could not be planned: {bad.status_message}")
summary = summary.loc[summary["status"] == "ok"]
if summary.empty:
    st.stop()
if str(summary["run_id"].iloc[0]) != results.run_id:
    st.warning(
        f"These plans were optimised on run {summary['run_id'].iloc[0]}, not on the run the other pages show "
        f"({results.run_id}): the current run is not usable, so the budget tables were not rebuilt from it."
    )
st.altair_chart(charts.scenario_uplift(summary), width="stretch")
scenario = st.selectbox("Scenario", summary["scenario_id"].tolist())
row = summary.loc[summary["scenario_id"] == scenario].iloc[0]
cols = st.columns(5)
change = row["weekly_budget"] - row["current_weekly_spend"]
cols[0].metric("Weekly budget", f"{row['weekly_budget']:,.0f}", f"{change:+,.0f} vs current" if round(change) else None)
cols[1].metric("Expected uplift", f"{row['uplift_mean']:,.0f}")
cols[2].metric("Uplift, 3% quantile", f"{row['uplift_lower']:,.0f}")
cols[3].metric("Uplift, 97% quantile", f"{row['uplift_upper']:,.0f}")
cols[4].metric("P(uplift > 0)", f"{row['prob_uplift_positive']:.0%}")
if not bool(row["optimizer_converged"]):
    st.error(f"The optimizer did not converge for scenario {scenario}.")
allocations = for_geo(results, "budget_allocations", geo)
allocations = allocations.loc[allocations["scenario_id"] == scenario]
st.altair_chart(charts.allocation_vs_current(allocations), width="stretch")
tables.show(allocations.drop(columns=["geo", "scenario_id"]))
st.caption(
    f"Objective {row['objective']} over {int(row['horizon_weeks'])} weeks; "
    f"binding constraints: {row['binding_constraints'] or 'none'}. "
    f"{charts.INTERVAL_NOTE.capitalize()}."
)
