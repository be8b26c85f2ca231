"""The run's convergence diagnostics and the history of fits."""

import streamlit as st

from dashboard import tables
from dashboard.state import current

results, _ = current()
run = results.run
st.header("Diagnostics")
if bool(run["is_converged"]):
    st.success(f"Run {results.run_id} converged.")
else:
    st.error(f"Run {results.run_id} did not converge; worst parameters: {run['worst_parameters']}.")
cols = st.columns(5)
cols[0].metric("Max r-hat", f"{run['max_r_hat']:.3f}")
cols[1].metric("Min bulk ESS", f"{run['min_ess_bulk']:.0f}")
cols[2].metric("Min tail ESS", f"{run['min_ess_tail']:.0f}")
cols[3].metric("Divergences", f"{int(run['divergences'])}")
cols[4].metric("Fit seconds", f"{run['fit_seconds']:.0f}")
st.caption(
    f"Sampler {run['sampler']}: {int(run['chains'])} chains of {int(run['draws'])} draws "
    f"after {int(run['tune'])} tuning steps."
)
st.subheader("Model review")
st.caption(f"Verdict: {run['review_status']}. Each check's number against its threshold (mmm_model_review).")
review = results["mmm_model_review"].drop(columns=["run_id"])
order = {"fail": 0, "warn": 1, "pass": 2}
tables.show(review.sort_values("status", key=lambda s: s.map(order)), default="%.4g")
st.subheader("Data review (before the fit)")
tables.show(results["mmm_data_review"].sort_values("status", key=lambda s: s.map(order)), default="%.4g")
st.subheader("Parameters, worst r-hat first")
parameters = results["mmm_parameter_summary"].drop(columns=["run_id"]).sort_values("r_hat", ascending=False)
tables.show(parameters, default="%.4g")  # model-scale parameters, often < 0.01
st.subheader("Fit history")
tables.show(results["mmm_runs"].sort_values("fitted_at", ascending=False))
