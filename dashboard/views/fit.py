"""Fitted against actual, with the holdout weeks shaded, and the fit metrics."""

import streamlit as st

from dashboard import charts, tables
from dashboard.state import current, for_geo

results, geo = current()
st.header("Fitted vs actual")
fitted = for_geo(results, "fitted_values", geo)
st.altair_chart(charts.fitted_vs_actual(fitted), width="stretch")
if (fitted["fit_sample"] == "holdout").any():
    st.caption("Orange: holdout weeks, not used by the fit.")
else:
    st.caption("No holdout weeks in this run (var mmm_holdout_weeks).")
st.subheader("Fit metrics")
tables.show(for_geo(results, "fit_metrics", geo))
