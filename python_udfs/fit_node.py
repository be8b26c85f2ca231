"""The procedure behind the `mmm_fits` dbt node: fit, or reuse a stored fit.

Fit cache: a fit is keyed by the hash of the data it saw and of its config. When both match a
stored fit, that row is returned again with a fresh `last_used_at` and nothing is sampled, so a
`dbt build` with nothing changed costs seconds. `force_refit` samples anyway.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from python_udfs import baseline, cross_validation, lift_tests, mmm_fit, model_comparison, posterior_tables, priors
from python_udfs.config import FitConfig
from python_udfs.cross_validation import CVConfig
from python_udfs.model_comparison import CompareConfig
from python_udfs.panel import ModelFrame, build_model_frame

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
        ("sampling_notes", pa.string()),
    ]
)


def settings_from_meta(meta: dict) -> tuple[FitConfig, CompareConfig]:
    """The fit settings (var mmm_fit, with max_lag and holdout_weeks from their own vars, which
    the SQL layer reads too) and the comparison settings (var mmm_compare), from a fit node's
    meta; a bad setting is one line naming it."""
    settings = json.loads(meta.get("mmm_fit_json") or "{}")
    for key in ("max_lag", "holdout_weeks"):  # one source of truth, shared with the SQL layer
        if key in settings:
            raise ValueError(
                f"MMM CONFIG ERROR in var mmm_fit.{key}: set var mmm_{key} instead; the SQL layer uses it too"
            )
        settings[key] = int(meta.get(f"mmm_{key}") or 0)
    try:
        config = FitConfig.from_mapping(settings)
        if config.priors:  # their support, before any data is read or any fit is looked up
            priors.priors_from_vars(config.priors, set(config.priors))
        compare = CompareConfig.from_mapping(
            json.loads(meta.get("mmm_compare_json") or "{}"), (config.adstock, config.saturation)
        )
    except ValueError as err:  # one line naming the setting, not a traceback
        raise ValueError(f"MMM CONFIG ERROR in {err}") from None
    return config, compare


COMPARISON_SCHEMA = pa.schema(
    [
        ("comparison_id", pa.string()),
        ("compared_at", pa.timestamp("us", tz="UTC")),
        ("data_hash", pa.string()),
        ("form", pa.string()),
        ("adstock", pa.string()),
        ("saturation", pa.string()),
        ("rank", pa.int64()),
        ("elpd_loo", pa.float64()),
        ("elpd_se", pa.float64()),
        ("p_loo", pa.float64()),
        ("elpd_diff", pa.float64()),
        ("elpd_diff_se", pa.float64()),
        ("weight", pa.float64()),
        ("n_pareto_k_bad", pa.int64()),
        ("holdout_crps", pa.float64()),
        ("max_r_hat", pa.float64()),
        ("min_ess_bulk", pa.float64()),
        ("divergences", pa.int64()),
        ("is_converged", pa.bool_()),
        ("fit_seconds", pa.float64()),
        ("select_rule", pa.string()),
        ("is_selected", pa.bool_()),
        ("selection_reason", pa.string()),
        ("target_accept", pa.float64()),
        ("tune", pa.int64()),
        ("refitted", pa.bool_()),
        # the candidate's fit, as mmm_fits stores one: the run reuses the selected form's
        ("config_hash", pa.string()),
        ("posterior_netcdf", pa.binary()),
        ("sampling_notes", pa.string()),
    ]
)


def compare_or_reuse(
    panel: pd.DataFrame,
    spend: pd.DataFrame,
    controls: pd.DataFrame,
    config: FitConfig,
    compare: CompareConfig,
    stored: pd.DataFrame | None,
    *,
    experiments: pd.DataFrame | None = None,
    log=print,
) -> pa.Table:
    """New rows for mmm_model_comparison: one per candidate form, or none when the comparison is
    off or this data, these settings and forms were compared already (each candidate is a
    full fit, so a rebuild with nothing changed must not repeat them)."""
    if not compare.enabled:
        return COMPARISON_SCHEMA.empty_table()
    prepared = prepare(panel, spend, controls, config, experiments)
    key = model_comparison.comparison_id(prepared.data_hash, prepared.config, compare)
    if stored is not None and len(stored) and (stored["comparison_id"] == key).any():
        log(f"mmm compare: data, settings and forms unchanged; reusing comparison {key}")
        return COMPARISON_SCHEMA.empty_table()
    prepared.config.check_sampler_installed()

    def keep(candidate: FitConfig, result: mmm_fit.FitResult) -> dict:
        return {
            "config_hash": candidate.config_hash(),
            "posterior_netcdf": mmm_fit.to_bytes(mmm_fit.packed(result.idata)),
            "sampling_notes": result.notes or None,
        }

    table = model_comparison.compare_forms(prepared.mf, prepared.config, compare, prepared.tests, log=log, keep=keep)
    table.insert(0, "comparison_id", key)
    table.insert(1, "compared_at", datetime.now(UTC))
    table.insert(2, "data_hash", prepared.data_hash)
    table["select_rule"] = compare.select
    return pa.Table.from_pandas(table[COMPARISON_SCHEMA.names], schema=COMPARISON_SCHEMA, preserve_index=False)


def cv_from_meta(meta: dict) -> CVConfig:
    """The cross-validation settings (var mmm_cv) from a fit node's meta, one line naming a bad one."""
    try:
        return CVConfig.from_mapping(json.loads(meta.get("mmm_cv_json") or "{}"))
    except ValueError as err:
        raise ValueError(f"MMM CONFIG ERROR in {err}") from None


CV_SCHEMA = pa.schema(
    [
        ("cv_id", pa.string()),
        ("validated_at", pa.timestamp("us", tz="UTC")),
        ("data_hash", pa.string()),
        ("fold", pa.int64()),
        ("train_start", pa.timestamp("us")),
        ("train_end", pa.timestamp("us")),
        ("test_start", pa.timestamp("us")),
        ("test_end", pa.timestamp("us")),
        ("n_weeks_train", pa.int64()),
        ("n_weeks_test", pa.int64()),
        ("crps", pa.float64()),
        ("mape", pa.float64()),
        ("coverage", pa.float64()),
        ("max_r_hat", pa.float64()),
        ("min_ess_bulk", pa.float64()),
        ("divergences", pa.int64()),
        ("is_converged", pa.bool_()),
        ("fit_seconds", pa.float64()),
        ("lift_tests", pa.string()),
        ("parameters", pa.string()),
    ]
)


def cv_or_reuse(
    panel: pd.DataFrame,
    spend: pd.DataFrame,
    controls: pd.DataFrame,
    config: FitConfig,
    cv: CVConfig,
    stored: pd.DataFrame | None,
    *,
    experiments: pd.DataFrame | None = None,
    log=print,
) -> pa.Table:
    """New rows for mmm_cv_folds: one per fold, or none when CV is off or this data, these
    settings and folds were validated already (each fold is a full fit)."""
    if not cv.enabled:
        return CV_SCHEMA.empty_table()
    prepared = prepare(panel, spend, controls, config, experiments)
    key = cross_validation.cv_id(prepared.data_hash, prepared.config, cv)
    if stored is not None and len(stored) and (stored["cv_id"] == key).any():
        log(f"mmm cv: data, settings and folds unchanged; reusing cross-validation {key}")
        return CV_SCHEMA.empty_table()
    prepared.config.check_sampler_installed()
    table = cross_validation.run_folds(prepared.mf, prepared.config, cv, experiments, log=log)
    table.insert(0, "cv_id", key)
    table.insert(1, "validated_at", datetime.now(UTC))
    table.insert(2, "data_hash", prepared.data_hash)
    return pa.Table.from_pandas(table[CV_SCHEMA.names], schema=CV_SCHEMA, preserve_index=False)


@dataclass(frozen=True)
class Prepared:
    """What a fit sees: the model frame, the experiments, the settings resolved from the data,
    and the hash of the data (panel and experiments) that keys the fit cache."""

    mf: ModelFrame
    tests: pd.DataFrame
    config: FitConfig
    data_hash: str


def model_frame(panel: pd.DataFrame, spend: pd.DataFrame, controls: pd.DataFrame, config: FitConfig) -> ModelFrame:
    """The model frame a (resolved or stored) config fits: its trend and the trend's slope changes."""
    return build_model_frame(
        panel, spend, controls, trend=config.trend, trend_changepoints=int(config.trend_changepoints or 0)
    )


def prepare(
    panel: pd.DataFrame,
    spend: pd.DataFrame,
    controls: pd.DataFrame,
    config: FitConfig,
    experiments: pd.DataFrame | None = None,
) -> Prepared:
    """The model frame, experiments, resolved settings and data hash, the same for the fit and
    the model comparison (so the comparison's key is the fit's)."""
    lower = panel.rename(columns=str.lower)
    n_geos = max(int(lower["geo"].nunique()), 1)
    config = config.resolved(int((~lower["is_holdout"].astype(bool)).sum()) // n_geos, n_geos)
    mf = model_frame(panel, spend, controls, config)
    tests = lift_tests.measurements(experiments, mf.geos)
    if config.holdout_weeks and int(mf.holdout.sum()) != config.holdout_weeks * len(mf.geos):
        raise ValueError(
            f"MMM INPUT ERROR in int_weekly_panel.is_holdout: {int(mf.holdout.sum())} holdout rows for "
            f"{len(mf.geos)} geo(s), not var mmm_holdout_weeks ({config.holdout_weeks}) per geo"
        )
    data_hash = mf.data_hash()
    if len(tests):  # without tests the hash is the panel's alone, so older fits are still reused
        data_hash = hashlib.sha256(f"{data_hash}{lift_tests.fingerprint(tests)}".encode()).hexdigest()[:16]
    return Prepared(mf, tests, config, data_hash)


def select_form(prepared: Prepared, compare: CompareConfig, comparisons: pd.DataFrame | None) -> FitConfig:
    """The run's config with the form var mmm_compare selects; the configured form when the
    comparison only reports. The comparison must be the current one (same data and settings)."""
    config = prepared.config
    if not compare.enabled or compare.select == "configured":
        return config
    key = model_comparison.comparison_id(prepared.data_hash, config, compare)
    rows = comparisons[comparisons["comparison_id"] == key] if comparisons is not None and len(comparisons) else None
    if rows is None or not len(rows):
        raise ValueError(
            "MMM CONFIG ERROR in var mmm_compare.select: no model comparison for this data and these settings; "
            "build mmm_model_comparison first (dbt build selects it)"
        )
    chosen = rows[rows["is_selected"].astype(bool)].iloc[0]
    selected = replace(config, adstock=str(chosen["adstock"]), saturation=str(chosen["saturation"]))
    if "refitted" in chosen and bool(chosen["refitted"]):  # the careful refit's settings are the ones it passed with
        selected = model_comparison.careful(selected)
    return selected


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
    compare: CompareConfig | None = None,
    comparisons: pd.DataFrame | None = None,
) -> pa.Table:
    """One row for the fits table: a new fit, or the stored fit for the same data and config.
    `experiments` are int_lift_tests' rows; they are part of the data the fit saw. With var
    mmm_compare selecting a form, `comparisons` (mmm_model_comparison) says which."""
    prepared = prepare(panel, spend, controls, config, experiments)
    mf, tests, data_hash = prepared.mf, prepared.tests, prepared.data_hash
    config = select_form(prepared, compare or CompareConfig(), comparisons)
    config_hash = config.config_hash()
    now = datetime.now(UTC)
    if stored is not None and len(stored) and not force_refit:
        hit = stored[(stored["data_hash"] == data_hash) & (stored["config_hash"] == config_hash)]
        for row in hit.sort_values("fitted_at", ascending=False).to_dict("records"):
            problem = unreadable(row)
            if problem:
                log(f"mmm: WARNING {problem}; fitting again")
                continue
            log(f"mmm: data and config unchanged; reusing fit {row['run_id']} (no sampling)")
            row["last_used_at"] = now
            return pa.Table.from_pylist([row], schema=FITS_SCHEMA)

    compared = _compared_fit(comparisons, config_hash)
    if compared is not None:
        log("mmm: the model comparison fitted this form with these settings; reusing its fit (no sampling)")
        row, tree = compared
        seconds, notes = float(row["fit_seconds"]), row.get("sampling_notes")
    else:
        config.check_sampler_installed()
        _, result = mmm_fit.fit_mmm(mf, config, log=log, experiments=tests)
        tree, seconds, notes = mmm_fit.packed(result.idata), result.seconds, result.notes
    return pa.Table.from_pylist([_fit_row(prepared, config, tree, seconds, notes, now, log)], schema=FITS_SCHEMA)


def _compared_fit(comparisons: pd.DataFrame | None, config_hash: str) -> tuple[dict, Any] | None:
    """The model comparison's stored fit with exactly these settings and its posterior, when
    one can be read."""
    if comparisons is None or not len(comparisons) or "config_hash" not in comparisons:
        return None
    rows = comparisons[(comparisons["config_hash"] == config_hash) & comparisons["posterior_netcdf"].notna()]
    for row in rows.sort_values("compared_at", ascending=False).to_dict("records"):
        try:
            return row, mmm_fit.from_bytes(row["posterior_netcdf"])
        except Exception as err:  # damaged: fit instead, as for a damaged cache entry
            print(f"mmm: WARNING {unreadable_message(f'comparison {row["comparison_id"]} ({row["form"]})', err)}")
    return None


def _fit_row(
    prepared: Prepared, config: FitConfig, tree, seconds: float, notes: str | None, now: datetime, log
) -> dict:
    """The fits table's row for a packed posterior of `config` on the prepared data."""
    import pymc_marketing

    mf, data_hash, config_hash = prepared.mf, prepared.data_hash, config.config_hash()
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
    return {
        "run_id": run_id,
        "fitted_at": now,
        "last_used_at": now,
        "data_hash": data_hash,
        "config_hash": config_hash,
        "model_config": config.to_json(),
        "channels": json.dumps(mf.channels),
        "controls": json.dumps(mf.controls),
        "control_scales": json.dumps(mf.stored_scales()),
        "sampler": config.sampler,
        "chains": config.chains,
        "draws": config.draws,
        "tune": config.tune,
        "n_weeks_train": int((~mf.holdout).sum() // len(mf.geos)),
        "n_weeks_holdout": int(mf.holdout.sum() // len(mf.geos)),
        "fit_seconds": seconds,
        **diag,
        "pymc_marketing_version": pymc_marketing.__version__,
        "lift_tests": lift_tests.describe(prepared.tests),
        "posterior_netcdf": mmm_fit.to_bytes(tree),
        "sampling_notes": notes or None,
    }


def unreadable_message(run_id: str, err: BaseException) -> str:
    """One line naming the stored fit that cannot be read and the error's first line."""
    first_line = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return (
        f"stored fit {run_id} in mmm_fits cannot be read ({type(err).__name__}: {first_line[:200]}); "
        "its posterior_netcdf is damaged"
    )


def unreadable(row: dict) -> str | None:
    """Why a stored fit's posterior cannot be used, or None when it opens.

    Why: a cache entry damaged on disk or by hand would otherwise be reused and every later
    build would end in a netCDF traceback downstream; unreadable, it is refitted instead."""
    try:
        mmm_fit.from_bytes(row["posterior_netcdf"])
    except Exception as err:  # h5py, xarray and netCDF raise several types on a damaged file
        return unreadable_message(str(row["run_id"]), err)
    return None


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
    "basis": [("week_start", pa.date32()), ("term", _S), ("value", _F)],
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
    """Long table `table` (draws, sample_stats, summary, scaling, basis, prior_check) for each stored
    fit not yet unpacked, typed by UNPACKED_SCHEMAS; empty when there is nothing new."""
    schema = pa.schema([("run_id", pa.string()), *UNPACKED_SCHEMAS[table]])
    frames = []
    for row in fits.itertuples():
        if row.run_id in done_run_ids:
            continue
        try:
            tree = mmm_fit.from_bytes(row.posterior_netcdf)
        except Exception as err:  # a damaged blob of an older run: the current run is checked on reuse
            print(f"mmm: WARNING {unreadable_message(row.run_id, err)}; not unpacked into its {table}")
            continue
        posterior = tree["posterior"].to_dataset()
        if table == "draws":
            df = posterior_tables.draws_long(posterior)
        elif table == "sample_stats":
            df = posterior_tables.sample_stats_long(tree["sample_stats"].to_dataset())
        elif table == "summary":
            df = posterior_tables.parameter_summary(posterior)
        elif table == "scaling":
            df = posterior_tables.scaling_long(tree, json.loads(row.control_scales))
        elif table == "basis":
            df = baseline.basis_long(tree)
        elif table == "prior_check":
            df = posterior_tables.prior_predictive_check(tree)
        df.insert(0, "run_id", row.run_id)
        frames.append(pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False))
    return pa.concat_tables(frames) if frames else schema.empty_table()
