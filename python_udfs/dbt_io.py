"""Warehouse-agnostic reading for dbt Python models.

`dbt.ref()` returns a DuckDB relation, a Spark/Databricks DataFrame or a Snowpark DataFrame
depending on the adapter; the models only ever need pandas.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def to_pandas(relation: Any) -> pd.DataFrame:
    """pandas from whatever `dbt.ref()` or `session.sql()` returned."""
    if isinstance(relation, pd.DataFrame):
        return relation
    for method in ("df", "toPandas", "to_pandas"):  # DuckDB, Spark, Snowpark
        if hasattr(relation, method):
            frame = getattr(relation, method)()
            frame.columns = [str(c).lower() for c in frame.columns]
            return frame
    raise TypeError(f"cannot turn {type(relation).__name__} into pandas")


def existing_run_ids(dbt: Any, session: Any) -> set[str]:
    """run_ids already in this incremental model's table (empty on a first or full build)."""
    if not dbt.is_incremental:
        return set()
    return set(to_pandas(session.sql(f"select distinct run_id from {dbt.this}"))["run_id"])
