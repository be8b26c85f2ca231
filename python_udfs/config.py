"""The fit specification: one frozen, validated dataclass built from dbt vars.

Why a dataclass: bad config should fail before any sampling starts, with a message that names
the setting, and the spec's canonical JSON is hashed into the fit cache key.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import typing
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from python_udfs.forms import ADSTOCK_FORMS, SATURATION_FORMS
from python_udfs.nutpie_settings import NUTS_RS_UPDATE_EVERY

# The forms of the registry (forms.py), each with its SQL twin, so every accepted form builds;
# pymc-marketing's Weibull adstock is not offered until its SQL twin exists.
ADSTOCKS = tuple(ADSTOCK_FORMS)
SATURATIONS = tuple(SATURATION_FORMS)
MAX_FOURIER_MODES = 10
MAX_TREND_CHANGEPOINTS = 20
# Raise when the model a config builds changes (default priors, likelihood, components): it is
# part of the fit cache key.
MODEL_VERSION = 9
# Warm-up draws between low-rank recomputations for a centred geo model (mass_matrix_update_every_for).
GEO_UPDATE_EVERY = 50
ADAPTATIONS = ("diag", "low_rank")
# How a geo panel shares channel effects across geos (priors.py says what each does).
GEO_POOLINGS = ("partial", "none", "full")
SAMPLERS = ("nutpie", "pymc", "numpyro")
# What each sampler needs beyond PyMC; numpyro and jax are not in the lock file.
SAMPLER_PACKAGES = {"nutpie": ("nutpie",), "pymc": (), "numpyro": ("numpyro", "jax")}


_TYPE_WORDS = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a name",
    dict: "a mapping",
    type(None): "null (left to the data)",
}


def _expected_types(hint: Any) -> tuple[type, ...]:
    """The plain types a field's annotation admits (int | None -> (int, NoneType))."""
    args = typing.get_args(hint)
    if args and typing.get_origin(hint) is not dict:
        return tuple(typing.get_origin(a) or a for a in args)
    return (typing.get_origin(hint) or hint,)


def _is_instance(value: Any, expected: tuple[type, ...]) -> bool:
    """YAML's types against a field's: a bool is not a number, a whole number is a float."""
    if isinstance(value, bool):
        return bool in expected
    if isinstance(value, int) and float in expected:
        return True
    if isinstance(value, float) and int in expected and float not in expected:
        return value.is_integer()
    return isinstance(value, expected)


@dataclass(frozen=True)
class FitConfig:
    """How to fit the MMM. Every field can be set from var ``mmm_fit`` in dbt_project.yml.

    >>> FitConfig.from_mapping({"draws": 200}).draws
    200
    """

    adstock: str = "geometric"
    max_lag: int = 6
    saturation: str = "logistic"
    # Fourier modes of the yearly seasonality; None: from the data (fourier_modes_for).
    yearly_seasonality: int | None = None
    trend: bool = True
    # Slope changes of the trend (a piecewise-linear trend, knots evenly spaced over the training
    # weeks); 0: a straight line. None: from the data (trend_changepoints_for).
    trend_changepoints: int | None = None
    # A baseline that drifts: the intercept times a smooth positive multiplier (pymc-marketing's
    # SoftPlusHSGP; python_udfs/baseline.py). With it, trend: false is usually what you want.
    time_varying_intercept: bool = False
    priors: dict[str, Any] = field(default_factory=dict)
    # A belief about a channel's ROAS without an experiment: {channel: {roas: 2.5, sigma: 0.5}}
    # (python_udfs/roas_priors.py); the fit is pulled toward it through pymc-marketing's ROAS
    # calibration. Contribution per unit of spend over the training weeks, in KPI units.
    roas_priors: dict[str, Any] = field(default_factory=dict)
    # Geo panels only: partial (a national effect per channel with geo deviations), none (every
    # geo on its own) or full (one effect per channel for every geo).
    geo_pooling: str = "partial"
    # Geo panels only: one effect per week that every geo shares (python_udfs/week_effect.py),
    # with a scale learned from the data; false: geos' weekly noise independent.
    geo_week_effect: bool = True
    # The intercept parameterised at the training weeks' mean media level (python_udfs/
    # centred_media.py); the stored intercept is the baseline either way. None: from the panel
    # (centred_media_for). Not with time_varying_intercept.
    centred_media: bool | None = None
    holdout_weeks: int = 0
    sampler: str = "nutpie"
    chains: int = 4
    draws: int = 1500
    tune: int = 1500
    # None: from the panel (target_accept_for).
    target_accept: float | None = None
    # nutpie's mass-matrix adaptation: diag (per parameter) or low_rank (also learns the few
    # strongest correlations, e.g. intercept against an always-on channel). pymc: diag only.
    adaptation: str = "low_rank"
    # low_rank only: warm-up draws between recomputations of the mass matrix. Fewer is faster on
    # a panel with hundreds of parameters but adapts worse (python_udfs/nutpie_settings.py).
    # None: from the panel (mass_matrix_update_every_for).
    mass_matrix_update_every: int | None = None
    random_seed: int = 42
    max_r_hat: float = 1.01
    min_ess_bulk: float = 400.0
    max_divergences: int = 0
    prior_predictive_draws: int = 500
    # CPU cores the sampler may use; 0: every core this process may run on. PyMC's own default
    # assumes half the CPUs are hyperthreads, which leaves a core idle on small machines.
    cores: int = 0

    def __post_init__(self) -> None:
        def bad(name: str, why: str) -> ValueError:
            return ValueError(f"var mmm_fit.{name}: {why} (got {getattr(self, name)!r})")

        if self.adstock not in ADSTOCKS:
            raise bad("adstock", f"must be one of {', '.join(ADSTOCKS)}")
        if self.saturation not in SATURATIONS:
            raise bad("saturation", f"must be one of {', '.join(SATURATIONS)}")
        if self.adaptation not in ADAPTATIONS:
            raise bad("adaptation", f"must be one of {', '.join(ADAPTATIONS)}")
        if self.geo_pooling not in GEO_POOLINGS:
            raise bad("geo_pooling", f"must be one of {', '.join(GEO_POOLINGS)}")
        if self.sampler not in SAMPLERS:
            raise bad("sampler", f"must be one of {', '.join(SAMPLERS)}")
        for name in ("max_lag", "holdout_weeks", "max_divergences", "random_seed", "cores"):
            if int(getattr(self, name)) < 0:
                raise bad(name, "must be >= 0")
        for name in ("chains", "draws", "tune", "prior_predictive_draws", "mass_matrix_update_every"):
            if getattr(self, name) is not None and int(getattr(self, name)) < 1:
                raise bad(name, "must be >= 1")
        if self.yearly_seasonality is not None and not 0 <= self.yearly_seasonality <= MAX_FOURIER_MODES:
            raise bad("yearly_seasonality", f"must be 0..{MAX_FOURIER_MODES} (0 switches seasonality off)")
        if self.trend_changepoints is not None and not 0 <= self.trend_changepoints <= MAX_TREND_CHANGEPOINTS:
            raise bad("trend_changepoints", f"must be 0..{MAX_TREND_CHANGEPOINTS} (0: a straight trend)")
        if self.trend_changepoints and not self.trend:
            raise bad("trend_changepoints", "needs trend: true (the changepoints bend the trend)")
        if self.target_accept is not None and not 0.5 <= self.target_accept < 1:
            raise bad("target_accept", "must be in [0.5, 1)")
        if self.centred_media and self.time_varying_intercept:
            raise bad("centred_media", "cannot be combined with time_varying_intercept (its intercept is a process)")
        if not isinstance(self.priors, dict):
            raise bad("priors", "must be a mapping of parameter name to prior")
        if not isinstance(self.roas_priors, dict):
            raise bad("roas_priors", "must be a mapping of channel to {roas, sigma}")
        for channel, belief in self.roas_priors.items():
            if not isinstance(belief, dict) or set(belief) != {"roas", "sigma"}:
                raise bad("roas_priors", f"{channel}: give exactly roas and sigma, e.g. {{roas: 2.5, sigma: 0.5}}")
            if not float(belief["roas"]) >= 0 or not float(belief["sigma"]) > 0:
                raise bad("roas_priors", f"{channel}: roas must be >= 0 and sigma > 0")

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> FitConfig:
        """Build from a dbt var, refusing unknown keys so typos do not pass silently."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"var mmm_fit: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        hints = typing.get_type_hints(cls)
        for name, value in values.items():
            expected = _expected_types(hints[name])
            if value is None and type(None) in expected:
                continue
            if not _is_instance(value, expected):
                wanted = " or ".join(_TYPE_WORDS[t] for t in expected)
                raise ValueError(f"var mmm_fit.{name}: must be {wanted} (got {value!r})")
            if isinstance(value, float) and float not in expected:  # 4.0 chains: 4
                values[name] = int(value)
        return cls(**values)

    @classmethod
    def from_stored(cls, model_config: str) -> FitConfig:
        """The config a run stored (mmm_runs.model_config), for nodes that must use the run's
        own settings rather than the current vars."""
        values = json.loads(model_config)
        values.pop("model_version", None)
        # left out of the stored key at these values (model_dict), so absent means them
        values.setdefault("centred_media", False)
        values.setdefault("mass_matrix_update_every", NUTS_RS_UPDATE_EVERY)
        values.setdefault("trend_changepoints", 0)
        return cls.from_mapping(values)

    def resolved(self, n_train_weeks: int, n_geos: int = 1) -> FitConfig:
        """The settings left to the data, fixed from it: the run stores (and the SQL marts read)
        the resolved values."""
        config = self
        if config.yearly_seasonality is None:
            config = replace(config, yearly_seasonality=fourier_modes_for(n_train_weeks))
        if config.trend_changepoints is None:
            changepoints = trend_changepoints_for(n_train_weeks, n_geos) if config.trend else 0
            config = replace(config, trend_changepoints=changepoints)
        if config.target_accept is None:
            config = replace(config, target_accept=target_accept_for(n_geos))
        if config.centred_media is None:
            config = replace(config, centred_media=centred_media_for(n_geos, config.time_varying_intercept))
        if config.mass_matrix_update_every is None:
            every = mass_matrix_update_every_for(bool(config.centred_media))
            config = replace(config, mass_matrix_update_every=every)
        return config

    def model_dict(self) -> dict[str, Any]:
        """Every setting that shapes the draws, sampler, seed and gate thresholds included: a
        change to any of them is a different fit, so all are hashed into the cache key. `cores`
        is left out: the draws are the same on any number of cores (tested), and
        `time_varying_intercept` when off and `roas_priors` when empty, so fits stored before they
        existed are reused. `model_version`
        changes whenever the model's code does (its default priors, say), so a stored fit of an
        older model is not reused for a new one."""
        settings = {k: v for k, v in asdict(self).items() if k != "cores"}
        if not self.time_varying_intercept:  # off: the key of every fit stored before the option
            settings.pop("time_varying_intercept")
        if not self.roas_priors:  # none: likewise
            settings.pop("roas_priors")
        if self.geo_week_effect:  # the default since model version 4
            settings.pop("geo_week_effect")
        if not self.centred_media:  # off (every national panel): the key of fits stored before
            settings.pop("centred_media")
        if self.mass_matrix_update_every == NUTS_RS_UPDATE_EVERY:  # nutpie's own: fits stored before
            settings.pop("mass_matrix_update_every")
        if not self.trend_changepoints:  # a straight trend: the key of fits stored before
            settings.pop("trend_changepoints")
        return {**settings, "model_version": MODEL_VERSION}

    def to_json(self) -> str:
        return json.dumps(self.model_dict(), sort_keys=True, default=str)

    def config_hash(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]

    def check_sampler_installed(self) -> None:
        """Fail before the model is built (pymc-marketing's import alone takes 10 s) and with a
        message naming the setting, instead of a ModuleNotFoundError deep inside PyMC."""
        missing = [p for p in SAMPLER_PACKAGES[self.sampler] if importlib.util.find_spec(p) is None]
        if missing:
            raise ValueError(
                f"var mmm_fit.sampler: {self.sampler} needs {' and '.join(missing)}, which this environment "
                f"lacks; install them (uv add {' '.join(missing)}) or use sampler nutpie or pymc"
            )

    def sampler_cores(self) -> int:
        """Cores for the sampler: the setting, or every core this process may use; never more
        than there are chains."""
        available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return max(1, min(self.cores or available, self.chains))


def fourier_modes_for(n_train_weeks: int) -> int:
    """Yearly Fourier modes when the setting is left to the data: two per full year of training
    data, at most six. A year of data shows each season once, so only a smooth curve (2 modes,
    pymc-marketing's usual choice) can be told from noise; with three years, peaks a few weeks
    wide (a December rush) become identifiable. The Laplace prior keeps unneeded modes near zero.

    >>> [fourier_modes_for(w) for w in (52, 104, 183, 520)]
    [2, 4, 6, 6]
    """
    return int(min(6, max(2, 2 * (n_train_weeks // 52))))


def trend_changepoints_for(n_train_weeks: int, n_geos: int) -> int:
    """Slope changes of the trend when the setting is left to the data: on a national panel, one
    per year of training data after the first (knots about a year apart); none on a geo panel.

    Why: a baseline that grows fast and then levels off (a launch, a store network filling in)
    bent around a straight line leaves a slow misfit that an uncorrelated channel's level absorbs.
    On pymc-marketing's ROAS data (131 weeks, a concave true trend) the straight trend gave x2 a
    ROAS of 206 [181, 234] for a true 171; with two slope changes 177 [156, 201]. Knots a year
    apart bend the trend over years, never within one: a season is the Fourier terms' to follow
    and a flight the media's, and neither can hide in a slope that holds for a year. A geo panel's
    shared weekly effect (week_effect.py) already follows the nation's drift week by week.

    >>> [trend_changepoints_for(w, 1) for w in (52, 78, 131, 156, 183, 208)], trend_changepoints_for(156, 20)
    ([0, 1, 2, 2, 3, 3], 0)
    """
    if n_geos > 1:
        return 0
    return int(min(MAX_TREND_CHANGEPOINTS, max(0, int(n_train_weeks / 52 + 0.5) - 1)))


def target_accept_for(n_geos: int) -> float:
    """NUTS' target acceptance when the setting is left to the data. A national panel needs 0.99:
    a channel whose effect may be zero has a banana-shaped posterior between its coefficient and
    its saturation, and at 0.95 the case study had 2 divergences and Meridian national 7 (none at
    0.99). A geo panel pools each channel's shapes over geos, which the geos' data pin: Meridian
    geo had no divergence at 0.95 on two seeds, with trees half as deep (63 leapfrog steps per
    draw against 127) and better mixing (r-hat 1.010 against 1.017 at 0.99).

    >>> [target_accept_for(g) for g in (1, 20)]
    [0.99, 0.95]
    """
    return 0.99 if n_geos <= 1 else 0.95


def centred_media_for(n_geos: int, time_varying_intercept: bool) -> bool:
    """Whether the intercept is parameterised at the mean media level when the setting is left to
    the data: on a geo panel, where a shared shape moves every geo's level at once (Meridian geo:
    ESS per draw six times higher, python_udfs/centred_media.py); off on a national panel, whose
    fits converge without it and were checked on public data as they are; off with a
    time-varying intercept, which is a process rather than a level.

    >>> [centred_media_for(g, False) for g in (1, 20)], centred_media_for(20, True)
    ([False, True], False)
    """
    return n_geos > 1 and not time_varying_intercept


def mass_matrix_update_every_for(centred_media: bool) -> int:
    """Warm-up draws between nutpie's low-rank mass-matrix recomputations when left to the data:
    nuts-rs' own 20, or GEO_UPDATE_EVERY once the intercept sits at the mean media level. Each
    recomputation costs in proportion to the parameters, so on a geo panel with hundreds of them
    they cost as much as the gradients; the one direction that needed them often (every geo's
    level against the shared shapes) is gone from the centred model (Meridian geo: at 20, 659 s
    of sampling; at 50, 315 s with r-hat 1.009 and bulk ESS 1,106; at 100, 232 s and r-hat 1.011).

    >>> [mass_matrix_update_every_for(c) for c in (False, True)]
    [20, 50]
    """
    return GEO_UPDATE_EVERY if centred_media else NUTS_RS_UPDATE_EVERY
