"""Response curves per channel with the current weekly spend marked."""

import streamlit as st

from dashboard import charts
from dashboard.state import current, for_geo

results, geo = current()
st.header("Response curves")
curves = for_geo(results, "response_curves", geo)
channels = sorted(curves["channel"].unique())
picked = st.multiselect("Channels", channels, default=channels)
st.altair_chart(charts.response_curve(curves.loc[curves["channel"].isin(picked)]), width="stretch")
st.caption(f"Steady-state weekly contribution at a constant weekly spend; {charts.INTERVAL_NOTE}.")
