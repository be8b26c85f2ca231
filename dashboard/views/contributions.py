"""Contributions over time: each channel stacked on the baseline."""

import streamlit as st

from dashboard import charts
from dashboard.state import current, for_geo

results, geo = current()
st.header("Contributions over time")
decomposition = for_geo(results, "decomposition", geo)
st.altair_chart(charts.contributions_over_time(decomposition), width="stretch")
totals = (
    decomposition.groupby(["component_type", "component"], as_index=False)["contribution_mean"]
    .sum()
    .sort_values("contribution_mean", ascending=False)
)
st.subheader("Total contribution by component")
st.dataframe(totals, hide_index=True)
st.caption("Baseline = intercept, trend, seasonality and controls. Figures are posterior means in KPI units.")
