"""ROAS and marginal ROAS per channel, with their intervals."""

import streamlit as st

from dashboard import charts, rankings, tables
from dashboard.state import current, for_geo

results, geo = current()
st.header("Return on ad spend")
roas = for_geo(results, "channel_roas", geo)
left, right = st.columns(2)
left.altair_chart(charts.roas_intervals(roas, "roas"), width="stretch")
right.altair_chart(charts.roas_intervals(roas, "marginal_roas"), width="stretch")
tables.show(roas.drop(columns="geo").sort_values("roas_mean", ascending=False))
st.caption(
    f"Dashed line: break-even (1 KPI unit per unit of spend); {charts.INTERVAL_NOTE}. "
    "prob_roas_below_1: the probability the channel returned less than it cost (when the KPI is money). "
    "prob_negligible: the probability its contribution is below the negligible share of the KPI; near 100%, "
    "the data cannot tell its effect from zero. "
    "roas_rank_mean and prob_highest_roas: the channel's rank (1 = highest ROAS) and its chance of ranking "
    "first, ranked in each posterior draw."
)
negligible = roas.loc[roas["prob_negligible"] > 0.5, "channel"].tolist()
if negligible:
    st.warning(f"The data cannot tell these channels' effect from zero: {', '.join(negligible)}.")
st.info(rankings.best_channel_note(roas))
