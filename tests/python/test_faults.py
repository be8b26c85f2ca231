"""Faults a user can cause by hand or by accident, each met with one message naming the setting,
table or run and the way out, and with every published table left as it was (or, for a damaged
fit in the cache, recovered from by fitting again). Runs against the tiny demo build."""

from __future__ import annotations

import duckdb
import pytest
from conftest import TINY, published_tables, query, run_dbt

UP_TO_FIT = ["build", "--select", "+mmm_fits", "--exclude", "resource_type:seed"]


def _fails_naming(db, dbt_vars: dict, message: str) -> str:
    before = published_tables(db)
    proc = run_dbt(UP_TO_FIT, db, dbt_vars, ok=False)
    assert message in proc.output, f"{message!r} not in dbt output:\n{proc.output[-4000:]}"
    assert published_tables(db) == before  # nothing published by the failed build
    return proc.output


@pytest.mark.parametrize(
    ("fit", "message"),
    [
        (
            {"priors": {"intercept": {"distribution": "Normal", "mu": 0.3, "sigma": -0.1}}},
            'MMM CONFIG ERROR in var mmm_fit.priors.intercept: Prior("Normal", mu=0.3, sigma=-0.1) has no density',
        ),
        (
            {
                "priors": {
                    "intercept": {
                        "distribution": "Normal",
                        "mu": 0,
                        "sigma": {"distribution": "HalfNormal", "sigma": 0},
                    }
                }
            },
            "MMM CONFIG ERROR in var mmm_fit.priors.intercept: "
            'Prior("Normal", mu=0, sigma=Prior("HalfNormal", sigma=0)) has no density (its sigma',
        ),
        ({"chains": "four"}, "MMM CONFIG ERROR in var mmm_fit.chains: must be a whole number (got 'four')"),
        ({"trend": "yes"}, "MMM CONFIG ERROR in var mmm_fit.trend: must be true or false (got 'yes')"),
    ],
    ids=["negative_sigma", "nested_zero_sigma", "chains_as_text", "flag_as_text"],
)
def test_a_bad_fit_setting_is_named_before_sampling(fit, message, tiny_build, copy_of):
    db = copy_of(tiny_build[0])
    output = _fails_naming(db, {"mmm_fit": {**TINY, **fit}}, message)
    assert "mmm: fitting" not in output  # refused before the model was built or sampled


def test_a_damaged_fit_in_the_cache_is_named_and_fitted_again(tiny_build, copy_of):
    """The stored posterior of the current run overwritten with garbage: the next build names
    the run and the table, fits again and publishes; the damaged row is never unpacked again."""
    db = copy_of(tiny_build[0])
    ((damaged,),) = query(db, "select run_id from main.mmm_runs where is_current")
    with duckdb.connect(str(db)) as con:
        for schema in ("main", "main_build"):
            con.execute(f"update {schema}.mmm_fits set posterior_netcdf = 'not a netCDF file'::blob")
    dbt_vars = {"mmm_fit": TINY, "mmm_allow_failed_review": True}
    proc = run_dbt(["build", "--exclude", "resource_type:seed"], db, dbt_vars)
    assert f"mmm: WARNING stored fit {damaged} in mmm_fits cannot be read" in proc.output, proc.output[-4000:]
    assert "fitting again" in proc.output and "MMM PUBLISHED" in proc.output
    ((current,),) = query(db, "select run_id from main.mmm_runs where is_current")
    assert current != damaged
    assert query(db, f"select count(*) > 0 from main.channel_roas where run_id = '{current}'") == [(True,)]


def test_a_damaged_older_fit_is_skipped_when_unpacking(capsys):
    """An older run whose posterior cannot be read is named and left out of the unpacked tables,
    instead of stopping every later build."""
    import pandas as pd

    from python_udfs.fit_node import unpack_new_runs

    fits = pd.DataFrame({"run_id": ["r_damaged"], "posterior_netcdf": [b"not a netCDF file"], "control_scales": ["{}"]})
    table = unpack_new_runs(fits, set(), "draws")
    assert table.num_rows == 0 and "run_id" in table.schema.names
    assert "stored fit r_damaged in mmm_fits cannot be read" in capsys.readouterr().out
