"""Build and fit the pymc-marketing MMM from a ModelFrame, and pack the result for storage.

Why pack: a dbt Python model returns one table, but a fit yields draws, sample stats and
metadata. The fit node stores one row per fit with a compact NetCDF of the posterior; thin
downstream nodes unpack it into tidy tables. Only free parameters are kept (deterministics
such as mu are recomputed in SQL), which keeps a 4 x 1000 fit well under a megabyte; the
fit keeps no deterministic over dates (`stored_deterministics`).
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import xarray as xr

from python_udfs import (
    baseline,
    centred_media,
    forms,
    jax_settings,
    lift_tests,
    nutpie_settings,
    priors,
    progress,
    roas_priors,
    week_effect,
)
from python_udfs.config import FitConfig
from python_udfs.panel import ModelFrame


@dataclass(frozen=True)
class FitResult:
    idata: xr.DataTree
    seconds: float
    # what happened while sampling beyond the plan (a hopeless chain and the restart); "" if nothing
    notes: str = ""


# Restarts from new starting points after a hopeless chain (progress.ChainWatch) before the fit
# stops with its reason: one, since a second stuck chain says the geometry, not the start, is bad.
MAX_RESTARTS = 1


def sample_with_restarts[T](sample: Callable[[int], T], seed: int, log: Callable[[str], Any] = print) -> tuple[T, str]:
    """`sample(seed)`, started again with seed + 1 when a chain is hopeless; returns the result
    and what happened (empty when nothing did). Why: a chain that lands in a funnel's neck is
    often a bad start, and new starting points cost less than the minutes it would sample on."""
    reasons: list[str] = []
    last = ""
    for attempt in range(MAX_RESTARTS + 1):
        try:
            return sample(seed + attempt), "; ".join(reasons)
        except progress.HopelessChain as stuck:
            last = stuck.reason
            reasons.append(f"random_seed {seed + attempt}: {last}, stopped")
            if attempt < MAX_RESTARTS:
                log(f"mmm: WARNING {last}; sampling again from new starting points (random_seed {seed + attempt + 1})")
    raise ValueError(
        f"MMM FIT STOPPED: {last}, again after a restart from new starting points, so the "
        "posterior has a funnel or ridge these settings cannot cross; raise var mmm_fit.target_accept to 0.99, "
        "give the model's scales tighter priors (var mmm_fit.priors), or read the data review's warnings"
    )


def _components(config: FitConfig):
    # pymc-marketing's l_max counts lag 0
    return forms.components(config.adstock, config.saturation, l_max=config.max_lag + 1)


def build_mmm(mf: ModelFrame, config: FitConfig):
    """The pymc-marketing MMM for this frame and config (not yet fitted)."""
    from pymc_marketing.mmm import MMM

    adstock, saturation = _components(config)
    defaults = priors.default_priors(
        mf.train,
        mf.channels,
        mf.geos,
        saturation,
        config.saturation,
        adstock=adstock,
        pooling=config.geo_pooling,
        centred=bool(config.centred_media),
    )
    known = {*defaults, *adstock.variable_mapping.values(), *saturation.variable_mapping.values()}
    model_config = {**defaults, **priors.priors_from_vars(config.priors, known)}
    dims = ("geo",) if len(mf.geos) > 1 else ()
    n_train_weeks = int(pd.to_datetime(mf.train["date"]).nunique())
    mmm = MMM(
        date_column="date",
        channel_columns=mf.channels,
        control_columns=mf.controls or None,
        target_column="kpi",
        dims=dims or None,
        adstock=adstock,
        saturation=saturation,
        yearly_seasonality=config.yearly_seasonality or None,
        time_varying_intercept=baseline.latent_process(n_train_weeks, dims) if config.time_varying_intercept else False,
        model_config=model_config,
        scaling=per_geo_scaling() if len(mf.geos) > 1 else None,
    )
    if len(mf.geos) > 1 and config.geo_week_effect:
        scale = priors.weekly_sd(priors.scaled_kpi_stats(mf.train, mf.geos))
        basis = week_effect.national_basis(mf.train, mf.controls, config.yearly_seasonality or 0)
        centred = week_effect.weeks_are_determined(
            mf.train, basis, mf.controls, media=mf.channels, max_lag=config.max_lag
        )
        mmm.add_mu_effect(week_effect.shared_week_effect(mf.train["date"], scale, basis, centred))
    if config.centred_media:
        mmm.add_mu_effect(centred_media.effect())
    return mmm


def per_geo_scaling():
    """KPI and spend divided by their maximum over the weeks of each geo (pymc-marketing's
    default pools the maximum over geos too). Why: one scale shared by a big and a small geo
    makes the small geo's coefficients tiny and its noise prior wrong, and leaves nothing to pool;
    per geo, every geo's KPI lives in [0, 1] and a channel's effect reads the same everywhere."""
    from pymc_marketing.mmm.scaling import DataDerivedScaling

    return {
        "target": DataDerivedScaling(method="max", dims=()),
        "channel": DataDerivedScaling(method="max", dims=()),
    }


def stored_deterministics(model: Any, keep: tuple[str, ...] = ()) -> list[str]:
    """The deterministics a fit keeps: those without a date dimension, and the date-dimensioned
    ones named in `keep`.

    Why: a deterministic over dates (channel_contribution, mu, each component's contribution)
    is draws x weeks x geos x channels floats that nothing downstream reads (the marts rebuild
    contributions in SQL from the free parameters, and posterior predictive draws recompute
    what they need): 187 million floats for channel_contribution alone on a 40-geo, 5-channel
    panel, 1.9 billion at 50 geos x 30 channels x 208 weeks. pymc-marketing 1.3 samples the
    free parameters and then recomputes every deterministic over all draws at once (its
    `_recompute_deterministics`); `_sample` recomputes these only."""
    dims = model.named_vars_to_dims
    return [d.name for d in model.deterministics if "date" not in dims.get(d.name, ()) or d.name in keep]


def fit_mmm(
    mf: ModelFrame,
    config: FitConfig,
    log=print,
    experiments: pd.DataFrame | None = None,
    keep: tuple[str, ...] = (),
) -> tuple[Any, FitResult]:
    """Fit with NUTS and add a prior predictive sample. Returns the model and the result.
    `experiments` (lift_tests.measurements) calibrate the channels they tested; `keep`: the
    deterministics over dates a caller reads from the posterior (stored_deterministics)."""
    train = mf.train
    mmm = build_mmm(mf, config)
    X, y = train.drop(columns=["kpi"]), train["kpi"]
    has_tests = experiments is not None and len(experiments) > 0
    beliefs = roas_priors.beliefs(config.roas_priors, mf.channels, mf.geos)
    if has_tests or len(beliefs):
        mmm.build_model(X, y)  # fit() reuses a built model, calibration terms included
    if experiments is not None and has_tests:
        lift_tests.calibrate(mmm, experiments)
        log(f"mmm: calibrating with {len(experiments)} lift test(s): {', '.join(experiments['test_id'])}")
    if len(beliefs):
        roas_priors.calibrate(mmm, X, beliefs)
        log(f"mmm: ROAS priors on {', '.join(beliefs['channel'])}")
    cores = config.sampler_cores()
    log(
        f"mmm: fitting {len(mf.channels)} channels on {len(train)} rows with "
        f"{config.sampler}, {config.chains} chains x {config.draws} draws (+{config.tune} tune), "
        f"cores={cores}"
    )
    start = time.perf_counter()
    reporting = progress.nutpie_progress(log) if config.sampler == "nutpie" else contextlib.nullcontext()
    with reporting:
        idata, notes = sample_with_restarts(
            lambda seed: _sample(mmm, X, y, replace(config, random_seed=seed), cores, keep), config.random_seed, log
        )
    seconds = time.perf_counter() - start
    # y (the prior predictive check) and the free parameters (the review's prior-to-posterior
    # shift) only; PyMC's default graph optimisation costs more than 500 forward draws (case
    # study: 4.1 s against 1.5 s with FAST_COMPILE).
    free = [rv.name for rv in mmm.model.free_RVs]
    mmm.sample_prior_predictive(
        X,
        y,
        samples=config.prior_predictive_draws,
        random_seed=config.random_seed,
        var_names=["y", *free, *([centred_media.PARAMETER] if config.centred_media else [])],
        compile_kwargs={"mode": "FAST_COMPILE"},
    )
    # pymc-marketing adds the prior draws to mmm.idata: y for the prior predictive check, the free
    # parameters for the model review's prior-to-posterior comparison.
    for group, names in (("prior_predictive", ["y"]), ("prior", [*free, centred_media.PARAMETER])):
        part = mmm.idata[group].to_dataset()
        idata[group] = xr.DataTree(part[[n for n in names if n in part.data_vars]])
    if config.time_varying_intercept:  # phi per week of the panel, for the SQL marts
        first_week = pd.to_datetime(train["date"]).min()
        phi = baseline.basis(mmm.time_varying_intercept, mf.frame["date"], first_week)
        idata["constant_data"] = xr.DataTree(idata["constant_data"].to_dataset().assign({baseline.BASIS: phi}))
    log(f"mmm: sampled in {seconds:.1f} s")
    return mmm, FitResult(idata=idata, seconds=seconds, notes=notes)


def _sample(mmm: Any, X: Any, y: Any, config: FitConfig, cores: int, keep: tuple[str, ...]) -> xr.DataTree:
    """NUTS on the model. Compiled without fast-math: with it, LLVM may reorder sums differently
    when the log-density is compiled whole (a fresh machine, as in CI) than when it is assembled
    from cached pieces, and the same data and seed gave different draws (Meridian national: r-hat
    1.0088 fresh against 1.0056 cached); without it both give the same draws."""
    import pymc as pm
    import pytensor

    if config.target_accept is None or config.mass_matrix_update_every is None:
        raise ValueError("mmm_fit: resolve the config from the panel first (FitConfig.resolved)")
    updates: Any = contextlib.nullcontext()
    low_rank = config.sampler == "nutpie" and config.adaptation == "low_rank"
    if low_rank and config.mass_matrix_update_every != nutpie_settings.NUTS_RS_UPDATE_EVERY:
        updates = nutpie_settings.low_rank_updates(config.mass_matrix_update_every)
    nuts: dict[str, Any] = {"target_accept": config.target_accept}
    if config.sampler == "nutpie":
        nuts["adaptation"] = config.adaptation
    if config.sampler == "numpyro":
        nuts["chain_method"] = jax_settings.local_chain_method(config.chains)
    if not hasattr(mmm, "model"):
        mmm.build_model(X, y)  # fit() reuses a built model; the kept deterministics are the model's
    # pymc-marketing would recompute every deterministic after sampling (model_builder's switch)
    mmm._recompute_deterministics = False
    with pytensor.config.change_flags(numba__fastmath=False), updates:
        idata = mmm.fit(
            X,
            y,
            chains=config.chains,
            cores=cores,
            draws=config.draws,
            tune=config.tune,
            nuts_sampler=config.sampler,
            nuts=nuts,
            random_seed=config.random_seed,
            progressbar=False,
            var_names=[rv.name for rv in mmm.model.free_RVs],
        )
    kept = stored_deterministics(mmm.model, keep)
    if kept:
        pm.compute_deterministics(idata, var_names=kept, model=mmm.model, extend_dataset=True, progressbar=False)
    return idata


def packed(idata: xr.DataTree) -> xr.DataTree:
    """What a fit stores (mmm_fits.posterior_netcdf): the free parameters without their
    original-scale copies and lift-test likelihood terms, compacted."""
    posterior = idata["posterior"].to_dataset()
    free = [str(v) for v in posterior.data_vars if posterior[v].ndim <= 4 and "date" not in posterior[v].dims]
    free = [v for v in free if not v.endswith("_original_scale") and not v.startswith(lift_tests.LIKELIHOOD)]
    return compact(idata, free)


def compact(idata: xr.DataTree, free: list[str]) -> xr.DataTree:
    """Keep what the tables need: free parameters, sample stats, scales, prior predictive; the
    intercept as the baseline (centred_media.baseline_draws)."""
    stats_keep = [
        v
        for v in (
            "diverging",
            "tree_depth",
            "depth",
            "energy",
            "step_size",
            "acceptance_rate",
            "mean_tree_accept",
            "lp",
            "logp",
        )
        if v in idata["sample_stats"].data_vars
    ]
    const = idata["constant_data"].to_dataset()
    groups = {
        "posterior": centred_media.baseline_draws(idata["posterior"].to_dataset()[free]),
        "sample_stats": idata["sample_stats"].to_dataset()[stats_keep],
        "constant_data": const[[v for v in ("target_scale", "channel_scale", baseline.BASIS) if v in const]],
    }
    for group in ("prior_predictive", "prior"):
        if group in idata.children:
            groups[group] = centred_media.baseline_draws(idata[group].to_dataset())
    if "observed_data" in idata.children:
        groups["observed_data"] = idata["observed_data"].to_dataset()
    return xr.DataTree.from_dict(groups)


def to_bytes(tree: xr.DataTree) -> bytes:
    return bytes(tree.to_netcdf(engine="h5netcdf"))


def from_bytes(payload: bytes) -> xr.DataTree:
    return xr.open_datatree(io.BytesIO(bytes(payload)), engine="h5netcdf").load()
