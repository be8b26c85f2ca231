"""MMM results dashboard: `make dashboard`, or `uv run streamlit run dashboard/app.py`.

Reads the DuckDB file dbt builds (MMM_DUCKDB_PATH, default ./mmm.duckdb) read-only, and only
for the moment it takes to read the marts, so it never blocks the next `dbt build`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from dashboard.results import ResultsStore, database_path

st.set_page_config(page_title="Marketing mix model", layout="wide")


@st.cache_resource
def _store(path: str) -> ResultsStore:
    """One store per database file, shared by the app's sessions (its snapshot survives reruns)."""
    return ResultsStore(Path(path))


results, problem = _store(str(database_path())).get()
if results is None:
    st.title("Marketing mix model")
    st.error(f"No results to show: {problem}")
    st.stop()
if problem:
    read_at = datetime.fromtimestamp(results.read_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    st.warning(f"Showing the results read at {read_at}; the file cannot be read now. {problem}")

run = results.run
with st.sidebar:
    st.caption(f"Run `{results.run_id}`, fitted {run['fitted_at']:%Y-%m-%d %H:%M}")
    st.caption(f"Database: `{results.path}`")
    geo = st.selectbox("Geo", results.geos, key="geo_select")
if not bool(run["is_usable"]):
    failed = results.failed_checks
    listed = "\n".join(f"- **{r.check_name}** ({r.subject}): {r.message}" for r in failed.itertuples())
    st.error(
        "This run failed the model review and is not usable: the budget tables were not rebuilt from it. "
        "Treat every figure with care.\n\n"
        + (
            listed
            or f"Not converged: max r-hat {run['max_r_hat']:.3f}, min bulk ESS {run['min_ess_bulk']:.0f}, "
            f"{int(run['divergences'])} divergences; worst: {run['worst_parameters']}."
        )
    )
if results.unpublished:
    latest = results.unpublished
    st.error(
        f"The latest fit (run {latest['run_id']}, fitted {latest['fitted_at']:%Y-%m-%d %H:%M}) failed the "
        f"model review, so that build was not published: {latest['failed_checks']}. The figures below are "
        f"from the previous run {results.run_id}. See main_build.mmm_model_review for every check."
    )
if len(results.data_warnings):
    st.info(f"The data review raised {len(results.data_warnings)} warning(s): see Diagnostics.")

st.session_state["mmm_results"] = results
st.session_state["mmm_geo"] = geo

pages = st.navigation(
    [
        st.Page("views/contributions.py", title="Contributions", default=True),
        st.Page("views/roas.py", title="ROAS"),
        st.Page("views/response_curves.py", title="Response curves"),
        st.Page("views/budget.py", title="Budget scenarios"),
        st.Page("views/fit.py", title="Fitted vs actual"),
        st.Page("views/diagnostics.py", title="Diagnostics"),
        st.Page("views/validation.py", title="Validation"),
    ]
)
pages.run()
