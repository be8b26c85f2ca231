"""Default priors, derived from the data the model is fitted on; priors set from vars.

Why derived from the data: pymc-marketing scales the KPI by its maximum (per geo), so its stock
priors (intercept Normal(0, 2), controls Normal(0, 2), noise HalfNormal(2), Fourier Laplace(0, 1))
are wide on a target that lives in [0, 1]. On real data that width lets the model fall into modes
no analyst would accept: on the case study, a Normal likelihood truncated at zero with the stock
intercept sampled a second mode with the baseline at -3.5 times the KPI's maximum, R² of -292,
and ROAS ten times too high. Each default below is set from a statistic of the scaled KPI or the
spend, so the same rule holds for sales in dollars and conversions in millions.

Every default and its reason, in one place (y is the KPI divided by its maximum, per geo, over
the training weeks; ȳ its mean, s its standard deviation, r = max(y) - min(y) its range):

- intercept: Normal(ȳ (1 - m), ȳ / 2), truncated at 0 when the KPI is never negative. The
  baseline is most of the KPI; m is the prior media share below. With the intercept at the mean
  media level (centred_media.py, geo panels): Normal(ȳ, ȳ / 2), since that level is the KPI's
  own mean when controls and seasonality sit at theirs.
- likelihood: Normal, sigma ~ HalfNormal(s). A KPI with no negative weeks is far from zero once
  scaled, so a truncated likelihood only adds a second mode; noise above the KPI's own spread
  is implausible.
- gamma_control (controls, the trend and its slope changes, all min-max scaled): Normal(0, r).
  A control moving from its lowest to its highest level can shift the KPI by up to its whole
  observed range: rare flags such as a holiday are what make a KPI's spikes. A slope change
  (config.trend_changepoints_for) is the hinge max(0, trend - knot): the same rule bounds what
  it adds by the end of the window.
- gamma_fourier: Laplace(0, s / 2). Seasonality explains part of the KPI's spread, not more
  than all of it; Laplace keeps unneeded modes near zero.
- channel coefficient (saturation_beta; Michaelis-Menten's saturation_alpha):
  HalfNormal(m ȳ share_c / f_c). A priori paid media drives a share m of the KPI, split by
  spend share; f_c is the channel's saturation at its mean spend under the shape priors, so
  the scale is the coefficient that gives that contribution. HalfNormal has its mode at zero,
  so a channel the data cannot separate from zero gets an interval that reaches it.

Geo panels (the KPI and each channel's spend are scaled by their maximum per geo, so a small
and a large geo share one scale and their effects can be pooled); var mmm_fit.geo_pooling:

- partial (default): adstock and saturation shapes are one per channel, shared by every geo;
  the coefficient is log-normal around a national mean per channel, with geo deviations,
  non-centred (log beta[g, c] = mu[c] + tau[c] z[g, c]) so that NUTS does not meet the funnel
  of a centred hierarchy, with the offsets z[., c] summing to zero over geos (a ZeroSumNormal):
  mu[c] is then the geos' mean log coefficient, and no ridge runs between mu and the offsets'
  mean (geo_zero_sum_prior). mu[c] ~ Normal(log(S_c) - 0.4, 1), with S_c the channel's HalfNormal
  scale above averaged over geos (the 0.4 puts the median at the HalfNormal's), and
  tau[c] ~ Gamma(2, 5): geos typically differ by tens of percent (prior mean 0.4), not by
  factors of ten, and never by exactly nothing. Why not HalfNormal(0.5), the same mean: its
  density is highest at tau = 0, where the geo deviations collapse into a funnel; on Meridian's
  geo data one chain sank into that neck for Channel3 (r-hat 1.037). A Gamma with shape 2 has
  no mass at 0 (a boundary-avoiding prior for a group-level scale) and leaves the rest to the
  data.
  Intercept, noise, controls and seasonality stay per geo (baselines differ most).
- none: every geo has its own shapes and coefficient (pymc-marketing's default dims).
- full: one coefficient and one shape per channel for every geo (HalfNormal(S_c)).

m = PRIOR_MEDIA_SHARE (0.5): the HalfNormal's mean is 0.8 of its scale, so the prior mean of
media's share of the KPI is 0.4, and each channel's 94% prior interval runs from 3% to 200% of
its expected contribution: wide enough that the data decide (on the case study the posterior
media share is 0.33), narrow enough that media cannot silently absorb the baseline.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from python_udfs.forms import SATURATION_FORMS, saturation_form

PRIOR_MEDIA_SHARE = 0.5
# Partial pooling over geos: the prior mean of the sd of a geo's log coefficient around the
# channel's national one, tau ~ Gamma(GEO_DEVIATION_SHAPE, GEO_DEVIATION_SHAPE / GEO_DEVIATION_MEAN).
GEO_DEVIATION_MEAN = 0.4
GEO_DEVIATION_SHAPE = 2.0
# The coefficient-like parameter of each saturation form (its maximum effect, in scaled KPI).
COEFFICIENT = {name: f"saturation_{form.coefficient}" for name, form in SATURATION_FORMS.items()}


def scaled_kpi_stats(train: pd.DataFrame, geos: list[str]) -> pd.DataFrame:
    """Per geo: mean, sd, min and range of the KPI divided by its maximum (pymc-marketing's target
    scaling), over the training rows."""
    frame = train if "geo" in train else train.assign(geo=geos[0])
    rows = []
    for geo in geos:
        y = frame.loc[frame["geo"] == geo, "kpi"].to_numpy(dtype=float)
        top = np.abs(y).max() or 1.0
        ys = y / top
        rows.append(
            {
                "geo": geo,
                "mean": ys.mean(),
                "sd": ys.std(ddof=1) if len(ys) > 1 else 0.0,
                "min": ys.min(),
                "range": ys.max() - ys.min(),
            }
        )
    return pd.DataFrame(rows).set_index("geo")


def _prior_median(prior: Any, draws: int = 2000) -> float:
    sample = prior.sample_prior(draws=draws, random_seed=0)
    values = sample[next(iter(sample.data_vars))].values
    return float(np.median(values))


def typical_saturation(saturation: Any, kind: str, mean_scaled_spend: np.ndarray) -> np.ndarray:
    """f_c: the saturation of each channel at its mean scaled spend, with the shape parameters
    at their prior medians and the coefficient at 1 (adstock weights sum to one, so adstock
    keeps the mean)."""
    priors = saturation.function_priors
    form = saturation_form(kind)
    f = form.curve(np.asarray(mean_scaled_spend, dtype=float), *(_prior_median(priors[p]) for p in form.shape))
    return np.clip(f, 0.05, 1.0)  # a channel far below its half-saturation point gets a wide prior, not an infinite one


def weekly_sd(stats: pd.DataFrame) -> float:
    """The scaled KPI's typical weekly sd (mean over geos): the scale of the noise's prior and of
    the shared weekly effect's (week_effect.py). A flat KPI gets a tenth of its level."""
    sd = float(stats["sd"].mean())
    return sd if sd > 0 else max(float(stats["mean"].mean()), 1e-3) * 0.1


def default_priors(
    train: pd.DataFrame,
    channels: list[str],
    geos: list[str],
    saturation: Any,
    kind: str,
    adstock: Any = None,
    pooling: str = "partial",
    centred: bool = False,
) -> dict[str, Any]:
    """The data-derived defaults documented in this module's table, as pymc-marketing priors.
    `centred`: the intercept is the level at the mean media contribution (centred_media.py)."""
    import xarray as xr
    from pymc_extras.prior import Prior

    stats = scaled_kpi_stats(train, geos)
    multi = len(geos) > 1
    frame = train if "geo" in train else train.assign(geo=geos[0])
    # Pooled over geos for shapes shared by all geos; per geo for levels.
    sd, spread = weekly_sd(stats), float(stats["range"].mean())
    spread = spread if spread > 0 else sd
    spend = frame.groupby("geo")[channels].sum()
    share = spend.div(spend.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    peak = frame.groupby("geo")[channels].max().replace(0, np.nan)
    mean_scaled = (frame.groupby("geo")[channels].mean() / peak).fillna(0.0)
    f = typical_saturation(saturation, kind, mean_scaled.to_numpy())
    sigma = PRIOR_MEDIA_SHARE * stats["mean"].to_numpy()[:, None] * share.to_numpy() / f
    sigma = np.maximum(sigma, 1e-3)

    def by_geo(values: np.ndarray, dims: tuple[str, ...]) -> Any:
        if not multi:
            values = values[0]
        coords = {d: (geos if d == "geo" else channels) for d in dims}
        return xr.DataArray(values, dims=dims, coords=coords)

    channel_dims = (*(("geo",) if multi else ()), "channel")
    level_dims = ("geo",) if multi else ()
    intercept_mu = stats["mean"].to_numpy() * (1.0 if centred else 1 - PRIOR_MEDIA_SHARE)
    intercept_sigma = stats["mean"].to_numpy() / 2
    intercept_args: dict[str, Any] = {
        "mu": by_geo(intercept_mu, level_dims) if multi else float(intercept_mu[0]),
        "sigma": by_geo(intercept_sigma, level_dims) if multi else float(intercept_sigma[0]),
        "dims": level_dims,
    }
    intercept = (
        Prior("TruncatedNormal", lower=0, **intercept_args)
        if float(stats["min"].min()) >= 0
        else Prior("Normal", **intercept_args)
    )
    coefficient = Prior("HalfNormal", sigma=by_geo(sigma, channel_dims), dims=channel_dims)
    shapes: dict[str, Any] = {}
    if multi and pooling != "none":
        national = xr.DataArray(sigma.mean(axis=0), dims=("channel",), coords={"channel": channels})
        if pooling == "full":
            coefficient = Prior("HalfNormal", sigma=national, dims=("channel",))
        else:
            coefficient = geo_zero_sum_prior()(
                "Normal",
                mu=Prior("Normal", mu=np.log(national) - 0.4, sigma=1, dims=("channel",)),
                sigma=Prior(
                    "Gamma",
                    alpha=GEO_DEVIATION_SHAPE,
                    beta=GEO_DEVIATION_SHAPE / GEO_DEVIATION_MEAN,
                    dims=("channel",),
                ),
                dims=("geo", "channel"),
                centered=False,
                transform="exp",
            )
        shapes = shared_shape_priors([adstock, saturation], skip={COEFFICIENT[kind]})
    return {
        **shapes,
        "intercept": intercept,
        "likelihood": Prior("Normal", sigma=Prior("HalfNormal", sigma=sd, dims=level_dims), dims=("date", *level_dims)),
        "gamma_control": Prior("Normal", mu=0, sigma=spread, dims=(*level_dims, "control")),
        "gamma_fourier": Prior("Laplace", mu=0, b=sd / 2, dims=(*level_dims, "fourier_mode")),
        COEFFICIENT[kind]: coefficient,
    }


@functools.cache
def geo_zero_sum_prior() -> type:
    """pymc-extras' Prior, but non-centred over geos with offsets that sum to zero, so that mu is
    exactly the geos' mean log coefficient.

    Why: with the plain non-centred form, mu and the mean of the N(0, 1) offsets move together
    along a ridge (mu up, every geo's offset down) that only the offsets' prior bounds, and NUTS
    crosses it slowly when the data pin each geo's coefficient (Meridian geo: mu was the default
    fit's slowest parameter, r-hat 1.028). Zero-sum offsets remove that direction. With G geos a
    zero-sum offset's sd is sqrt((G - 1) / G), so tau is the geos' spread up to that factor (0.97
    at 20 geos). Built on first use: pymc is imported only when a model is built.
    """
    import pymc.dims as pmd
    from pymc_extras.prior import Prior

    class GeoZeroSumPrior(Prior):
        def __deepcopy__(self, memo: dict) -> Prior:  # Prior's own copy returns a plain Prior
            copied = GeoZeroSumPrior(
                self.distribution,
                dims=copy.copy(self.dims),
                centered=self.centered,
                transform=self.transform,
                **copy.deepcopy(self.parameters, memo),
            )
            memo[id(self)] = copied
            return copied

        def _create_non_centered_variable(self, name: str, xdist: bool = False) -> Any:
            if not xdist or "geo" not in (self.dims or ()):
                return super()._create_non_centered_variable(name, xdist=xdist)

            def parameter(key: str) -> Any:
                value = self.parameters[key]
                if hasattr(value, "create_variable"):
                    return value.create_variable(f"{name}_{key}", xdist=True)
                return value

            offset = pmd.ZeroSumNormal(f"{name}_offset", sigma=1, dims=self.dims, core_dims="geo")
            return pmd.Deterministic(name, parameter("mu") + parameter("sigma") * offset, dims=self.dims)

    return GeoZeroSumPrior


def shared_shape_priors(components: list[Any], skip: set[str]) -> dict[str, Any]:
    """The components' own shape priors with dims ("channel",): one adstock and saturation shape
    per channel for every geo. Pooled shapes are what let thin geos borrow from thick ones; a
    geo's carryover and saturation are rarely identified from its own series."""
    from pymc_extras.prior import Prior

    out: dict[str, Any] = {}
    for component in components:
        if component is None:
            continue
        for parameter, name in component.variable_mapping.items():
            prior = component.function_priors[parameter]
            if name in skip or not isinstance(prior, Prior):
                continue
            out[name] = Prior(prior.distribution, **prior.parameters, dims=("channel",))
    return out


def priors_from_vars(values: Mapping[str, Any], known: set[str]) -> dict[str, Any]:
    """`mmm_fit.priors` as pymc-marketing priors, read with pymc-marketing's own YAML factory
    (the `distribution:` form of its model builder, or pymc-extras' `dist`/`kwargs` form), so a
    pymc-marketing user's config carries over. Nested priors are mappings inside mappings.

    >>> priors_from_vars({"intercept": {"distribution": "Normal", "mu": 0.5, "sigma": 0.1}}, {"intercept"})
    {'intercept': Prior("Normal", mu=0.5, sigma=0.1)}
    """
    from pymc_marketing.mmm.builders.factories import naming, resolve

    out: dict[str, Any] = {}
    for key, value in values.items():
        where = f"var mmm_fit.priors.{key}"
        if key not in known:
            raise ValueError(f"{where}: unknown parameter; this model's parameters are {', '.join(sorted(known))}")
        if not isinstance(value, Mapping) or not ("distribution" in value or "dist" in value):
            raise ValueError(
                f"{where}: a prior is a mapping with a distribution, e.g. "
                "{distribution: HalfNormal, sigma: 1, dims: [channel]}"
            )
        try:
            with naming(key):
                out[key] = resolve(_tuple_dims(value))
        except Exception as err:  # pymc-marketing raises several types; the setting is what matters
            raise ValueError(f"{where}: {err}") from err
        check_support(where, out[key])
    return out


def check_support(where: str, prior: Any) -> None:
    """Fail, naming the setting, when a prior has no density at its own starting point: a scale
    that is zero or negative, a shape outside its range, in the prior or in one nested in it.

    Why: PyMC accepts such a prior and the sampler fails later with "All initialization points
    failed", after compiling and trying for half a minute, naming neither prior nor setting."""
    import numpy as np
    import pymc as pm

    if not hasattr(prior, "create_variable"):
        return
    coords = {dim: [0, 1] for dim in _dims(prior)}
    try:
        with pm.Model(coords=coords) as model:
            prior.create_variable("prior")
        logps = model.point_logps(model.initial_point())
    except Exception as err:  # PyMC raises several types for parameters of the wrong shape or type
        raise ValueError(f"{where}: {err}") from err
    bad = [name for name, value in logps.items() if not np.isfinite(value)]
    if bad:
        parts = ", ".join("this prior" if n == "prior" else f"its {n.removeprefix('prior_')}" for n in bad)
        raise ValueError(
            f"{where}: {prior} has no density ({parts}); scales such as sigma must be > 0 and shapes inside their range"
        )


def _dims(prior: Any) -> set[str]:
    """Every dimension a prior or a prior nested in its parameters names."""
    dims = set(getattr(prior, "dims", None) or ())
    for value in getattr(prior, "parameters", {}).values():
        dims |= _dims(value)
    return dims


def _tuple_dims(value: Any) -> Any:
    """YAML has lists, Prior wants tuples for dims; recurse into nested priors."""
    if isinstance(value, Mapping):
        return {k: (tuple(v) if k == "dims" and isinstance(v, list) else _tuple_dims(v)) for k, v in value.items()}
    return value
