"""Model comparison across forms and time-slice cross-validation, when vars turn them on."""

import streamlit as st

from dashboard import charts, tables
from dashboard.state import current

results, _ = current()
st.header("Validation")
comparison = results["mmm_model_comparison"]
folds = results["mmm_cv_folds"]
stability = results["mmm_cv_parameter_stability"]
st.subheader("Model comparison across forms")
if len(comparison):
    selected = comparison.loc[comparison["is_selected"].astype(bool), "form"]
    st.caption(
        f"Comparison {comparison['comparison_id'].iloc[0]}: each form fitted on the same panel, ranked by PSIS-LOO "
        f"(higher elpd_loo is better); the run uses {', '.join(selected) or 'the configured form'}. "
        "n_pareto_k_bad counts weeks whose LOO estimate is unreliable."
    )
    tables.show(comparison.drop(columns=["comparison_id", "compared_at"]).sort_values("rank"), default="%.4g")
else:
    st.info("No model comparison: list candidate forms in var mmm_compare (docs/model.md) to compare them.")
st.subheader("Time-slice cross-validation")
if len(folds):
    st.caption(
        f"Validation {folds['cv_id'].iloc[0]}: each fold is a full fit on the weeks before its origin, scored on "
        "the weeks after it (CRPS and MAPE: lower is better; coverage: share of weeks inside the 94% predictive "
        f"interval). {charts.INTERVAL_NOTE}."
    )
    tables.show(folds.drop(columns=["cv_id", "validated_at"]), default="%.4g")
    st.altair_chart(charts.roas_by_fold(stability), width="stretch")
    wide = stability.pivot_table(index=["channel", "parameter"], columns="fold", values="mean").reset_index()
    wide.columns = [c if isinstance(c, str) else f"fold {c}" for c in wide.columns]
    tables.show(wide, default="%.4g")
else:
    st.info("No cross-validation: set var mmm_cv (folds, step_weeks, horizon_weeks; docs/model.md) to run one.")
