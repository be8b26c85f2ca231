"""Time-slice cross-validation: rolling-origin folds, each a real fit scored on weeks it did not see.

Why: one fit's holdout is one out-of-time check; a model that forecasts well from one origin and
badly from the next, or whose ROAS for a channel jumps from fold to fold, should not set a
budget. pymc-marketing's `TimeSliceCrossValidator` defines the folds (its `split`: an initial
window, a step and a horizon); each fold is fitted here with the run's own model (the same
priors derived from the fold's training weeks, per-geo scaling and the experiments that ended
before the fold's origin), because the validator's own `run` rebuilds the model from a YAML file
or a bare MMM and would drop them. The configured holdout weeks stay out of every fold.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from python_udfs import holdout, intervals, lift_tests, mmm_fit, posterior_tables
from python_udfs.config import FitConfig
from python_udfs.panel import ModelFrame

# A fold's training window must show each season once (the seasonality and the trend are
# otherwise confounded with the fold's end).
MIN_TRAIN_WEEKS = 52


@dataclass(frozen=True)
class CVConfig:
    """var mmm_cv: `folds` (0: off), `step_weeks` between fold origins, `horizon_weeks` scored
    after each origin; `draws`, `tune`, `chains` override mmm_fit's for the fold fits (each fold
    is a full fit, so CV costs `folds` fits). The last fold's horizon ends at the last training
    week."""

    folds: int = 0
    step_weeks: int = 13
    horizon_weeks: int = 13
    draws: int | None = None
    tune: int | None = None
    chains: int | None = None

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> CVConfig:
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"var mmm_cv: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        for name, value in values.items():
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"var mmm_cv.{name}: must be a whole number >= 0 (got {value!r})")
        config = cls(**values)
        for name in ("step_weeks", "horizon_weeks", "draws", "tune", "chains"):
            if getattr(config, name) == 0:
                raise ValueError(f"var mmm_cv.{name}: must be >= 1")
        return config

    @property
    def enabled(self) -> bool:
        return self.folds > 0

    def fold_fit(self, config: FitConfig) -> FitConfig:
        """The run's settings with the CV's sampler overrides."""
        overrides = {k: getattr(self, k) for k in ("draws", "tune", "chains") if getattr(self, k)}
        return replace(config, **overrides)


def cv_id(data_hash: str, config: FitConfig, cv: CVConfig) -> str:
    """Key of one cross-validation: the data, the fit settings and the folds."""
    payload = json.dumps([data_hash, config.config_hash(), sorted(vars(cv).items())])
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def fold_windows(dates: pd.Series, cv: CVConfig) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """(origin, last test week) per fold, from pymc-marketing's split over the training weeks:
    fold k trains on the weeks before its origin and is scored on `horizon_weeks` from it."""
    from pymc_marketing.mmm.time_slice_cross_validation import TimeSliceCrossValidator

    weeks = pd.Series(np.unique(pd.to_datetime(dates)))
    n_init = len(weeks) - cv.horizon_weeks - (cv.folds - 1) * cv.step_weeks
    if n_init < MIN_TRAIN_WEEKS:
        raise ValueError(
            f"MMM CONFIG ERROR in var mmm_cv: {cv.folds} folds of {cv.horizon_weeks} weeks, {cv.step_weeks} apart, "
            f"leave the first fold {n_init} training weeks of {len(weeks)}; it needs at least {MIN_TRAIN_WEEKS} "
            "(fewer folds, a shorter step or horizon)"
        )
    splitter = TimeSliceCrossValidator(
        n_init=int(n_init), forecast_horizon=cv.horizon_weeks, date_column="date", step_size=cv.step_weeks
    )
    frame = pd.DataFrame({"date": weeks})
    return [(weeks.iloc[test[0]], weeks.iloc[test[-1]]) for _, test in splitter.split(frame)]


def fold_frame(mf: ModelFrame, origin: pd.Timestamp, last: pd.Timestamp) -> ModelFrame:
    """The training weeks before `origin` and the fold's test weeks (flagged as holdout). A slope
    change of the trend whose knot the fold's training weeks do not reach is left out: its slope
    would be the prior's alone, a guess the full fit does not make."""
    dates = pd.to_datetime(mf.frame["date"])
    keep = ((dates <= last) & ~mf.holdout).to_numpy()
    frame = mf.frame.loc[keep].reset_index(drop=True)
    flags = pd.Series((pd.to_datetime(frame["date"]) >= origin).to_numpy())
    unseen = [name for name in mf.trend_knots if frame.loc[~flags.to_numpy(), name].nunique() <= 1]
    return replace(
        mf,
        frame=frame.drop(columns=unseen),
        holdout=flags,
        controls=[c for c in mf.controls if c not in unseen],
        control_scales={k: v for k, v in mf.control_scales.items() if k not in unseen},
        trend_knots={k: v for k, v in mf.trend_knots.items() if k not in unseen},
    )


def fold_experiments(experiments: pd.DataFrame | None, origin: pd.Timestamp) -> pd.DataFrame | None:
    """The experiments that ended before the fold's origin: a fold must not learn from a test
    run in the weeks it is scored on."""
    if experiments is None or experiments.empty:
        return experiments
    df = experiments.rename(columns=str.lower)
    return df[pd.to_datetime(df["period_end"]) < origin]


def run_folds(
    mf: ModelFrame,
    config: FitConfig,
    cv: CVConfig,
    experiments: pd.DataFrame | None = None,
    log=print,
) -> pd.DataFrame:
    """One row per fold: its windows, out-of-time CRPS, MAPE and coverage, convergence, and
    `parameters` (JSON: per channel, ROAS over the fold's training weeks and the adstock and
    saturation parameters, each with mean and 94% interval)."""
    fit_config = cv.fold_fit(config)
    rows = []
    train_dates = mf.frame.loc[~mf.holdout.to_numpy(), "date"]
    for fold, (origin, last) in enumerate(fold_windows(train_dates, cv)):
        fmf = fold_frame(mf, origin, last)
        tests = lift_tests.measurements(fold_experiments(experiments, origin), mf.geos)
        log(f"mmm cv: fold {fold + 1} of {cv.folds}: training to {origin.date()}, scoring to {last.date()}")
        model, result = mmm_fit.fit_mmm(fmf, fit_config, log=log, experiments=tests, keep=("channel_contribution",))
        idata = result.idata
        free = [rv.name for rv in model.model.free_RVs]
        diag = posterior_tables.convergence(
            idata["posterior"].to_dataset()[free],
            idata["sample_stats"].to_dataset(),
            config.max_r_hat,
            config.min_ess_bulk,
            config.max_divergences,
        )
        score = holdout.scores(*holdout.predictive(model, fmf, config.random_seed))
        train_weeks = pd.to_datetime(fmf.train["date"])
        rows.append(
            {
                "fold": fold + 1,
                "train_start": train_weeks.min(),
                "train_end": train_weeks.max(),
                "test_start": origin,
                "test_end": last,
                "n_weeks_train": int(train_weeks.nunique()),
                "n_weeks_test": int(pd.to_datetime(fmf.frame.loc[fmf.holdout.to_numpy(), "date"]).nunique()),
                "crps": score.crps,
                "mape": score.mape,
                "coverage": score.coverage,
                "max_r_hat": diag["max_r_hat"],
                "min_ess_bulk": diag["min_ess_bulk"],
                "divergences": diag["divergences"],
                "is_converged": diag["is_converged"],
                "fit_seconds": result.seconds,
                "lift_tests": ",".join(tests["test_id"]) if len(tests) else "",
                "parameters": json.dumps(channel_parameters(model, idata, fmf)),
            }
        )
    return pd.DataFrame(rows)


def channel_parameters(model: Any, idata: Any, mf: ModelFrame) -> list[dict[str, Any]]:
    """Per channel and parameter (roas, then the adstock and saturation parameters by their
    pymc-marketing names): mean, lower and upper of the 94% equal-tailed interval. ROAS is
    the contribution over the fold's training weeks (all geos) per unit of their spend; a
    parameter with geo deviations is averaged over geos."""
    posterior = idata["posterior"].to_dataset()
    scale = idata["constant_data"].to_dataset()["target_scale"]
    contribution = posterior["channel_contribution"] * scale
    contribution = contribution.sum([d for d in ("date", "geo") if d in contribution.dims])
    spend = mf.train[mf.channels].sum()
    names = [*model.adstock.variable_mapping.values(), *model.saturation.variable_mapping.values()]
    out = []
    for channel in mf.channels:
        series = {"roas": contribution.sel(channel=channel) / spend[channel] if spend[channel] else None}
        for name in names:
            if name in posterior:
                da = posterior[name]
                if "channel" in da.dims:
                    da = da.sel(channel=channel)
                series[name] = da.mean([d for d in da.dims if d not in posterior_tables.SAMPLE_DIMS])
        for parameter, da in series.items():
            if da is None:
                continue
            values = np.asarray(da).ravel()
            low, high = np.quantile(values, [intervals.LOWER, intervals.UPPER])
            out.append(
                {
                    "channel": channel,
                    "parameter": parameter,
                    "mean": float(values.mean()),
                    "lower": float(low),
                    "upper": float(high),
                }
            )
    return out


STABILITY_SCHEMA = pa.schema(
    [
        ("cv_id", pa.string()),
        ("fold", pa.int64()),
        ("channel", pa.string()),
        ("parameter", pa.string()),
        ("mean", pa.float64()),
        ("lower", pa.float64()),
        ("upper", pa.float64()),
    ]
)


def stability_rows(folds: pd.DataFrame) -> pa.Table:
    """mmm_cv_parameter_stability's rows: one per cv_id x fold x channel x parameter."""
    records = [
        {"cv_id": row.cv_id, "fold": int(row.fold), **item}
        for row in folds.itertuples()
        for item in json.loads(row.parameters)
    ]
    return pa.Table.from_pylist(records, schema=STABILITY_SCHEMA)
