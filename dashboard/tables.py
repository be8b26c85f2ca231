"""Number formats for the dashboard's tables, chosen from the column names of the marts.

Why by name: the marts name their columns by what they hold (`*_roas_*`, `*_share_*`, `r_hat`,
`ess_*`), so one rule set formats every table, and a new column gets a sensible format without
touching the pages. Raw floats such as 1234567.891234 are hard to read on a screen.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

# (pattern on the column name, Streamlit number format); the first match wins.
RULES: list[tuple[str, str]] = [
    (r"(^|_)(share|prob|coverage|mape)(_|$)", "percent"),
    (r"roas|r_hat|r_squared", "%.3f"),
    (r"(^|_)ess(_|$)", "%.0f"),
    (r"seconds", "%.1f"),
]


def column_formats(frame: pd.DataFrame, default: str = "localized") -> dict[str, str]:
    """Format per float column: the first matching rule, else `default` (thousands separated)."""
    formats = {}
    for column in frame.columns:
        if frame[column].dtype.kind != "f":
            continue
        formats[column] = next((fmt for pattern, fmt in RULES if re.search(pattern, column)), default)
    return formats


def show(frame: pd.DataFrame, default: str = "localized") -> None:
    """st.dataframe with the formats above and no index."""
    config = {c: st.column_config.NumberColumn(format=f) for c, f in column_formats(frame, default).items()}
    st.dataframe(frame, hide_index=True, column_config=config)
