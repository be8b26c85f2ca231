"""The procedure behind the `mmm_fits` dbt node: fit, or reuse a stored fit.

Fit cache: a fit is keyed by the hash of the data it saw and of its config. When both match a
stored fit, that row is returned again with a fresh `last_used_at` and nothing is sampled, so a
`dbt build` with nothing changed costs seconds. `force_refit` samples anyway.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa

from python_udfs import lift_tests, mmm_fit, posterior_tables
from python_udfs.config import FitConfig
from python_udfs.panel import build_model_frame

FITS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("fitted_at", pa.timestamp("us", tz="UTC")),
        ("last_used_at", pa.timestamp("us", tz="UTC")),
        ("data_hash", pa.string()),
        ("config_hash", pa.string()),
        ("model_config", pa.string()),
        ("channels", pa.string()),
        ("controls", pa.string()),
        ("control_scales", pa.string()),
        ("sampler", pa.string()),
        ("chains", pa.int64()),
        ("draws", pa.int64()),
        ("tune", pa.int64()),
        ("n_weeks_train", pa.int64()),
        ("n_weeks_holdout", pa.int64()),
        ("fit_seconds", pa.float64()),
        ("divergences", pa.int64()),
        ("max_r_hat", pa.float64()),
        ("min_ess_bulk", pa.float64()),
        ("min_ess_tail", pa.float64()),
        ("is_converged", pa.bool_()),
        ("worst_parameters", pa.string()),
        ("pymc_marketing_version", pa.string()),
        ("lift_tests", pa.string()),
        ("posterior_netcdf", pa.binary()),
    ]
)


def fit_or_reuse(
    panel: pd.DataFrame,
    spend: pd.DataFrame,
    controls: pd.DataFrame,
    config: FitConfig,
    stored: pd.DataFrame | None,
    *,
    force_refit: bool = False,
    log=print,
    experiments: pd.DataFrame | None = None,
) -> pa.Table:
    """One row for the fits table: a new fit, or the stored fit for the same data and config.
    `experiments` are int_lift_tests' rows; they are part of the data the fit saw."""
    mf = build_model_frame(panel, spend, controls, trend=config.trend)
    tests = lift_tests.measurements(experiments, mf.geos)
    if config.holdout_weeks and int(mf.holdout.sum()) != config.holdout_weeks * len(mf.geos):
        raise ValueError(
            f"var mmm_fit.holdout_weeks ({config.holdout_weeks}) must equal var "
            f"mmm_holdout_weeks, which flags the weeks in int_weeks"
        )
    config = config.resolved(int((~mf.holdout).sum() // len(mf.geos)))
    data_hash, config_hash = mf.data_hash(), config.config_hash()
    if len(tests):  # without tests the hash is the panel's alone, so older fits are still reused
        data_hash = hashlib.sha256(f"{data_hash}{lift_tests.fingerprint(tests)}".encode()).hexdigest()[:16]
    now = datetime.now(UTC)
    if stored is not None and len(stored) and not force_refit:
        hit = stored[(stored["data_hash"] == data_hash) & (stored["config_hash"] == config_hash)]
        if len(hit):
            row = hit.sort_values("fitted_at").iloc[-1].to_dict()
            log(f"mmm: data and config unchanged; reusing fit {row['run_id']} (no sampling)")
            row["last_used_at"] = now
            return pa.Table.from_pylist([row], schema=FITS_SCHEMA)

    config.check_sampler_installed()
    import pymc_marketing

    _, result = mmm_fit.fit_mmm(mf, config, log=log, experiments=tests)
    posterior = result.idata["posterior"].to_dataset()
    free = [str(v) for v in posterior.data_vars if posterior[v].ndim <= 4 and "date" not in posterior[v].dims]
    free = [v for v in free if not v.endswith("_original_scale") and not v.startswith(lift_tests.LIKELIHOOD)]
    tree = mmm_fit.compact(result.idata, free)
    diag = posterior_tables.convergence(
        tree["posterior"].to_dataset(),
        tree["sample_stats"].to_dataset(),
        config.max_r_hat,
        config.min_ess_bulk,
        config.max_divergences,
    )
    verdict = "converged" if diag["is_converged"] else "NOT converged"
    log(
        f"mmm: fit {verdict}: max r_hat {diag['max_r_hat']:.3f}, min ess_bulk "
        f"{diag['min_ess_bulk']:.0f}, divergences {diag['divergences']}"
    )
    run_id = hashlib.sha256(f"{data_hash}{config_hash}{now.isoformat()}".encode()).hexdigest()[:16]
    row = {
        "run_id": run_id,
        "fitted_at": now,
        "last_used_at": now,
        "data_hash": data_hash,
        "config_hash": config_hash,
        "model_config": config.to_json(),
        "channels": json.dumps(mf.channels),
        "controls": json.dumps(mf.controls),
        "control_scales": json.dumps(mf.control_scales),
        "sampler": config.sampler,
        "chains": config.chains,
        "draws": config.draws,
        "tune": config.tune,
        "n_weeks_train": int((~mf.holdout).sum() // len(mf.geos)),
        "n_weeks_holdout": int(mf.holdout.sum() // len(mf.geos)),
        "fit_seconds": result.seconds,
        **diag,
        "pymc_marketing_version": pymc_marketing.__version__,
        "lift_tests": lift_tests.describe(tests),
        "posterior_netcdf": mmm_fit.to_bytes(tree),
    }
    return pa.Table.from_pylist([row], schema=FITS_SCHEMA)


_F, _I, _S = pa.float64(), pa.int64(), pa.string()
UNPACKED_SCHEMAS = {
    "draws": [
        ("chain", _I),
        ("draw", _I),
        ("parameter", _S),
        ("geo", _S),
        ("term", _S),
        ("value", _F),
    ],
    "sample_stats": [
        ("chain", _I),
        ("draw", _I),
        ("diverging", pa.bool_()),
        ("tree_depth", _F),
        ("step_size", _F),
        ("energy", _F),
        ("acceptance_rate", _F),
    ],
    "summary": [
        ("parameter", _S),
        ("geo", _S),
        ("term", _S),
        ("mean", _F),
        ("sd", _F),
        ("median", _F),
        ("lower", _F),
        ("upper", _F),
        ("r_hat", _F),
        ("ess_bulk", _F),
        ("ess_tail", _F),
        ("mcse_mean", _F),
        ("mcse_sd", _F),
    ],
    "scaling": [("parameter", _S), ("geo", _S), ("term", _S), ("value", _F)],
    "prior_check": [
        (c, _F)
        for c in (
            "prior_kpi_p03",
            "prior_kpi_median",
            "prior_kpi_p97",
            "observed_kpi_min",
            "observed_kpi_mean",
            "observed_kpi_max",
            "share_observed_in_prior_94",
        )
    ],
}


def unpack_new_runs(fits: pd.DataFrame, done_run_ids: set[str], table: str) -> pa.Table:
    """Long table `table` (draws, sample_stats, summary, scaling, prior_check) for each stored
    fit not yet unpacked, typed by UNPACKED_SCHEMAS; empty when there is nothing new."""
    schema = pa.schema([("run_id", pa.string()), *UNPACKED_SCHEMAS[table]])
    frames = []
    for row in fits.itertuples():
        if row.run_id in done_run_ids:
            continue
        tree = mmm_fit.from_bytes(row.posterior_netcdf)
        posterior = tree["posterior"].to_dataset()
        if table == "draws":
            df = posterior_tables.draws_long(posterior)
        elif table == "sample_stats":
            df = posterior_tables.sample_stats_long(tree["sample_stats"].to_dataset())
        elif table == "summary":
            df = posterior_tables.parameter_summary(posterior)
        elif table == "scaling":
            df = posterior_tables.scaling_long(tree, json.loads(row.control_scales))
        elif table == "prior_check":
            df = posterior_tables.prior_predictive_check(tree)
        df.insert(0, "run_id", row.run_id)
        frames.append(pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False))
    return pa.concat_tables(frames) if frames else schema.empty_table()
