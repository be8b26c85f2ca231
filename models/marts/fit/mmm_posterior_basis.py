"""Unpacks each stored fit's time-varying baseline basis (phi per week and basis function; no
rows for a fit with a constant intercept). History kept, one pass per new run."""

from python_udfs.dbt_io import existing_run_ids, to_pandas
from python_udfs.fit_node import unpack_new_runs


def model(dbt, session):
    dbt.config(materialized="incremental")
    fits = to_pandas(dbt.ref("mmm_fits"))
    return unpack_new_runs(fits, existing_run_ids(dbt, session), "basis")
