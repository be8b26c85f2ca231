"""The adstock and saturation forms the project offers: one registry entry each.

Why one place: a form is a pymc-marketing class for the fit, the names of its parameters for the
priors and the posterior tables, a numpy function (and, for saturation, its derivative) for the
optimizer, the UDFs and the tests, and an SQL expression for the marts. The config, the fit, the
default priors, the optimizer and the numpy twins all read this registry. Adding a form is one
entry here plus its branch in the SQL macro (macros/transforms/mmm_adstock_weight.sql or
mmm_saturation.sql, which also names its parameters); tests/python/test_form_parity.py builds
the posterior marts for every adstock x saturation pair and fails until the SQL agrees with the
entry and with pymc-marketing.

Saturation parameters split into the coefficient (the curve's ceiling in scaled KPI: `beta` for
logistic and Hill, `alpha` for Michaelis-Menten) and the shape parameters, in the order the
numpy functions, the SQL columns saturation_<name> are named after them, and the macro takes them in this order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AdstockForm:
    name: str
    component: str  # class in pymc_marketing.mmm
    params: tuple[str, ...]  # pymc-marketing's parameter names; posterior parameters are adstock_<name>
    # unnormalised kernel at lags (last axis) from parameter arrays broadcast against lags
    kernel: Callable[..., Array]


@dataclass(frozen=True)
class SaturationForm:
    name: str
    component: str  # class in pymc_marketing.mmm
    coefficient: str  # pymc-marketing's name of the ceiling parameter
    shape: tuple[str, ...]  # the other parameters, in the order curve and slope take them
    curve: Callable[..., Array]  # f(x, *shape) with the coefficient at 1
    slope: Callable[..., Array]  # df/dx, for the optimizer's analytic gradients

    @property
    def params(self) -> tuple[str, ...]:
        return (*self.shape, self.coefficient)


def _logistic(x: Array, lam: Array) -> Array:
    e = np.exp(-lam * x)
    return (1 - e) / (1 + e)


def _logistic_slope(x: Array, lam: Array) -> Array:
    e = np.exp(-lam * x)
    return 2 * lam * e / (1 + e) ** 2


def _hill(x: Array, slope: Array, kappa: Array) -> Array:
    xs = np.power(np.maximum(x, 0), slope)
    return xs / (np.power(kappa, slope) + xs)


def _hill_slope(x: Array, slope: Array, kappa: Array) -> Array:
    xp = np.maximum(x, 1e-300)
    kk = np.power(kappa, slope)
    return slope * np.power(xp, slope - 1) * kk / (kk + np.power(xp, slope)) ** 2


def _michaelis_menten(x: Array, lam: Array) -> Array:
    return x / (lam + x)


def _michaelis_menten_slope(x: Array, lam: Array) -> Array:
    return lam / (lam + x) ** 2


ADSTOCK_FORMS: dict[str, AdstockForm] = {
    form.name: form
    for form in (
        AdstockForm("geometric", "GeometricAdstock", ("alpha",), lambda lags, alpha: np.power(alpha, lags)),
        AdstockForm(
            "delayed",
            "DelayedAdstock",
            ("alpha", "theta"),
            lambda lags, alpha, theta: np.power(alpha, (lags - theta) ** 2),
        ),
    )
}

SATURATION_FORMS: dict[str, SaturationForm] = {
    form.name: form
    for form in (
        SaturationForm("logistic", "LogisticSaturation", "beta", ("lam",), _logistic, _logistic_slope),
        SaturationForm("hill", "HillSaturation", "beta", ("slope", "kappa"), _hill, _hill_slope),
        SaturationForm(
            "michaelis_menten",
            "MichaelisMentenSaturation",
            "alpha",
            ("lam",),
            _michaelis_menten,
            _michaelis_menten_slope,
        ),
    )
}


def adstock_form(name: str) -> AdstockForm:
    if name not in ADSTOCK_FORMS:
        raise ValueError(f"adstock must be one of {', '.join(ADSTOCK_FORMS)}, got {name!r}")
    return ADSTOCK_FORMS[name]


def saturation_form(name: str) -> SaturationForm:
    if name not in SATURATION_FORMS:
        raise ValueError(f"saturation must be one of {', '.join(SATURATION_FORMS)}, got {name!r}")
    return SATURATION_FORMS[name]


def components(adstock: str, saturation: str, l_max: int):
    """pymc-marketing's adstock (over lags 0..l_max-1) and saturation objects for the forms."""
    from pymc_marketing import mmm

    return (
        getattr(mmm, adstock_form(adstock).component)(l_max=l_max),
        getattr(mmm, saturation_form(saturation).component)(),
    )
