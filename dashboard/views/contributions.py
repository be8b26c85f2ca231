"""Contributions over time: each channel stacked on the baseline."""

import streamlit as st

from dashboard import charts, tables
from dashboard.state import current, for_geo

results, geo = current()
st.header("Contributions over time")
decomposition = for_geo(results, "decomposition", geo)
baseline = st.toggle("Show the baseline", value=True, help="Intercept, trend, seasonality and controls")
st.altair_chart(charts.contributions_over_time(decomposition, include_baseline=baseline), width="stretch")
totals = (
    decomposition.groupby(["component_type", "component"], as_index=False)["contribution_mean"]
    .sum()
    .sort_values("contribution_mean", ascending=False)
)
st.subheader("Total contribution by component")
tables.show(totals)
st.caption("Baseline = intercept, trend, seasonality and controls. Figures are posterior means in KPI units.")
