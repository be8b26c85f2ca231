"""What app.py hands to each page: the results snapshot and the geo picked in the sidebar."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.results import Results


def current() -> tuple[Results, str]:
    """The snapshot and geo that app.py put in session state before running the page."""
    return st.session_state["mmm_results"], st.session_state["mmm_geo"]


def for_geo(results: Results, mart: str, geo: str) -> pd.DataFrame:
    """The mart's rows for one geo (every mart the pages chart has a geo column)."""
    frame = results[mart]
    return frame.loc[frame["geo"] == geo].reset_index(drop=True)
