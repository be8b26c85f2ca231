"""Default priors derived from the data, and priors set from vars (pymc-marketing's YAML form)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from python_udfs.config import FitConfig, fourier_modes_for
from python_udfs.priors import COEFFICIENT, default_priors, priors_from_vars

KNOWN = {"intercept", "likelihood", "gamma_control", "saturation_beta", "saturation_lam", "adstock_alpha"}


def _train(rng: np.random.Generator, kpi_scale: float = 1.0) -> pd.DataFrame:
    weeks = pd.date_range("2022-01-03", periods=104, freq="W-MON")
    spend = {c: rng.gamma(2.0, s, len(weeks)) for c, s in (("tv", 500.0), ("search", 100.0))}
    kpi = (1000 + 0.5 * spend["tv"] + rng.normal(0, 50, len(weeks))) * kpi_scale
    return pd.DataFrame({"date": weeks, **spend, "kpi": kpi})


def _saturation():
    from pymc_marketing.mmm import LogisticSaturation

    return LogisticSaturation()


def test_defaults_follow_the_kpi_level_not_its_units():
    """The same data in dollars and in thousands of dollars gets the same priors: every
    default is set from the KPI scaled by its maximum, as pymc-marketing scales it."""
    rng = np.random.default_rng(0)
    a = default_priors(_train(rng), ["search", "tv"], ["total"], _saturation(), "logistic")
    b = default_priors(_train(np.random.default_rng(0), 1e-3), ["search", "tv"], ["total"], _saturation(), "logistic")
    assert a["intercept"].to_dict() == b["intercept"].to_dict()
    np.testing.assert_allclose(
        np.asarray(a["saturation_beta"].parameters["sigma"]), np.asarray(b["saturation_beta"].parameters["sigma"])
    )


def test_defaults_are_data_derived_and_sane():
    train = _train(np.random.default_rng(1))
    priors = default_priors(train, ["search", "tv"], ["total"], _saturation(), "logistic")
    y = train["kpi"] / train["kpi"].max()
    intercept = priors["intercept"]
    assert intercept.distribution == "TruncatedNormal" and intercept.parameters["lower"] == 0
    assert 0 < intercept.parameters["mu"] < y.mean()
    assert priors["likelihood"].distribution == "Normal"  # not truncated: no second mode
    assert priors["likelihood"].parameters["sigma"].parameters["sigma"] == pytest.approx(y.std(ddof=1))
    assert priors["gamma_control"].parameters["sigma"] == pytest.approx(y.max() - y.min())
    sigma = np.asarray(priors["saturation_beta"].parameters["sigma"])
    assert sigma[1] > sigma[0] > 0  # tv spends five times what search does
    assert COEFFICIENT["michaelis_menten"] == "saturation_alpha"


def test_a_kpi_that_goes_negative_gets_an_unbounded_intercept():
    train = _train(np.random.default_rng(2))
    train["kpi"] = train["kpi"] - train["kpi"].mean()
    priors = default_priors(train, ["search", "tv"], ["total"], _saturation(), "logistic")
    assert priors["intercept"].distribution == "Normal"


def test_priors_from_vars_in_pymc_marketings_yaml_form_nested_included():
    priors = priors_from_vars(
        {
            "saturation_beta": {
                "distribution": "HalfNormal",
                "sigma": {"distribution": "HalfNormal", "sigma": 0.5},
                "dims": ["channel"],
            },
            "intercept": {"dist": "Normal", "kwargs": {"mu": 0.5, "sigma": 0.1}},
        },
        KNOWN,
    )
    beta = priors["saturation_beta"]
    assert beta.distribution == "HalfNormal" and beta.dims == ("channel",)
    assert beta.parameters["sigma"].distribution == "HalfNormal" and beta.parameters["sigma"].parameters["sigma"] == 0.5
    assert priors["intercept"].parameters == {"mu": 0.5, "sigma": 0.1}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"interceptt": {"distribution": "Normal"}}, r"mmm_fit\.priors\.interceptt: unknown parameter; .*intercept"),
        ({"intercept": 0.5}, r"mmm_fit\.priors\.intercept: a prior is a mapping with a distribution"),
        ({"intercept": {"distribution": "Nrmal", "mu": 0}}, r"mmm_fit\.priors\.intercept: .*Nrmal"),
        ({"intercept": {"distribution": "Normal", "mu": 0, "sgma": 1}}, r"mmm_fit\.priors\.intercept: .*sgma"),
        # outside the support: refused before sampling, not "All initialization points failed"
        (
            {"intercept": {"distribution": "Normal", "mu": 0.3, "sigma": -0.1}},
            r"mmm_fit\.priors\.intercept: .*sigma=-0\.1\) has no density \(this prior\); scales such as sigma",
        ),
        (
            {"likelihood": {"distribution": "Normal", "sigma": {"distribution": "HalfNormal", "sigma": -1}}},
            r"mmm_fit\.priors\.likelihood: .*has no density \(its sigma",
        ),
        ({"adstock_alpha": {"distribution": "Beta", "alpha": 0, "beta": 3}}, r"priors\.adstock_alpha: .*no density"),
    ],
)
def test_a_bad_prior_names_the_setting(values, message):
    with pytest.raises(ValueError, match=message):
        priors_from_vars(values, KNOWN)


def test_fourier_modes_grow_with_the_years_of_data():
    assert [fourier_modes_for(w) for w in (52, 103, 104, 156, 183, 1000)] == [2, 2, 4, 6, 6, 6]
    config = FitConfig.from_mapping({})
    assert config.yearly_seasonality is None and config.resolved(183).yearly_seasonality == 6
    assert FitConfig.from_mapping({"yearly_seasonality": 2}).resolved(183).yearly_seasonality == 2
    with pytest.raises(ValueError, match=r"mmm_fit\.yearly_seasonality"):
        FitConfig.from_mapping({"yearly_seasonality": 11})


def test_target_accept_follows_the_panel_unless_set():
    assert FitConfig().target_accept is None
    assert FitConfig().resolved(104).target_accept == 0.99  # national: the banana needs small steps
    assert FitConfig().resolved(104, n_geos=20).target_accept == 0.95  # geos pin the pooled shapes
    assert FitConfig(target_accept=0.9).resolved(104, n_geos=20).target_accept == 0.9
    # a national fit stored when 0.99 was the fixed default keeps its cache key
    assert FitConfig().resolved(104).config_hash() == FitConfig(target_accept=0.99).resolved(104).config_hash()
    with pytest.raises(ValueError, match=r"mmm_fit\.target_accept"):
        FitConfig(target_accept=1.0)


def test_centred_media_follows_the_panel_unless_set():
    assert FitConfig().resolved(104).centred_media is False
    assert FitConfig().resolved(104, n_geos=20).centred_media is True
    assert FitConfig(time_varying_intercept=True).resolved(104, n_geos=20).centred_media is False
    assert FitConfig(centred_media=False).resolved(104, n_geos=20).centred_media is False
    # off: national fits stored before the setting keep their cache key; a geo fit gets a new one
    assert "centred_media" not in FitConfig().resolved(104).model_dict()
    on, off = (FitConfig(centred_media=c).resolved(104, n_geos=20) for c in (None, False))
    assert on.config_hash() != off.config_hash()
    with pytest.raises(ValueError, match=r"mmm_fit\.centred_media"):
        FitConfig(centred_media=True, time_varying_intercept=True)


def test_a_stored_config_round_trips():
    config = FitConfig.from_mapping({"draws": 10}).resolved(104)
    assert FitConfig.from_stored(config.to_json()) == config


@pytest.mark.parametrize("kind", ["hill", "michaelis_menten"])
def test_defaults_for_every_saturation_form(kind):
    from pymc_marketing.mmm import HillSaturation, MichaelisMentenSaturation

    saturation = {"hill": HillSaturation, "michaelis_menten": MichaelisMentenSaturation}[kind]()
    priors = default_priors(_train(np.random.default_rng(5)), ["search", "tv"], ["total"], saturation, kind)
    coefficient = priors[COEFFICIENT[kind]]
    sigma = np.asarray(coefficient.parameters["sigma"])
    assert coefficient.distribution == "HalfNormal" and sigma.shape == (2,) and (sigma > 0).all()


def _geo_priors(pooling: str = "partial", **kwargs):
    geos = ["north", "south"]
    return default_priors(_geo_train(), ["search", "tv"], geos, _saturation(), "logistic", pooling=pooling, **kwargs)


def _geo_train() -> pd.DataFrame:
    rng = np.random.default_rng(6)
    frames = [_train(rng, size).assign(geo=geo) for geo, size in (("north", 1.0), ("south", 3.0))]
    return pd.concat(frames, ignore_index=True)


def test_unpooled_geo_defaults_carry_geo_and_channel_dims():
    priors = _geo_priors("none")
    beta = priors["saturation_beta"]
    assert beta.dims == ("geo", "channel") and beta.parameters["sigma"].dims == ("geo", "channel")
    assert priors["intercept"].dims == ("geo",)
    assert "saturation_lam" not in priors  # the component's own per-geo default


def test_partial_pooling_is_a_non_centred_national_effect_with_shared_shapes():
    from pymc_marketing.mmm import GeometricAdstock

    priors = _geo_priors(adstock=GeometricAdstock(l_max=4))
    beta = priors["saturation_beta"]
    assert beta.dims == ("geo", "channel") and not beta.centered and beta.transform == "exp"
    mu, tau = beta.parameters["mu"], beta.parameters["sigma"]
    assert mu.dims == ("channel",) and tau.dims == ("channel",) and tau.distribution == "Gamma"
    assert tau.parameters["alpha"] / tau.parameters["beta"] == pytest.approx(0.4)  # tens of percent between geos
    # the national median sits at the unpooled HalfNormal's median, geo by geo on the same scale
    unpooled = _geo_priors("none")
    scale = np.asarray(unpooled["saturation_beta"].parameters["sigma"]).mean(axis=0)
    np.testing.assert_allclose(np.asarray(mu.parameters["mu"]), np.log(scale) - 0.4)
    assert priors["saturation_lam"].dims == ("channel",) and priors["adstock_alpha"].dims == ("channel",)
    assert priors["intercept"].dims == ("geo",) and priors["gamma_control"].dims == ("geo", "control")


def test_partially_pooled_geo_offsets_sum_to_zero_in_the_built_model():
    """mu is the geos' mean log coefficient exactly: no ridge between mu and the offsets' mean.
    Checked on the model pymc-marketing builds, since it deep-copies every prior on the way."""
    import pymc as pm
    from pymc_marketing.mmm import MMM, GeometricAdstock

    rng = np.random.default_rng(7)  # three geos, two channels: a transposed draw cannot pass
    geos = {"north": 1.0, "south": 3.0, "west": 2.0}
    train = pd.concat([_train(rng, size).assign(geo=geo) for geo, size in geos.items()], ignore_index=True)
    saturation, adstock = _saturation(), GeometricAdstock(l_max=4)
    priors = default_priors(train, ["search", "tv"], list(geos), saturation, "logistic", adstock=adstock)
    mmm = MMM(
        date_column="date",
        channel_columns=["search", "tv"],
        target_column="kpi",
        dims=("geo",),
        adstock=adstock,
        saturation=saturation,
        model_config=priors,
    )
    mmm.build_model(train.drop(columns=["kpi"]), train["kpi"])
    offset = mmm.model["saturation_beta_raw_offset"]
    assert type(mmm.model.rvs_to_transforms[offset]).__name__ == "ZeroSumTransform"
    draws = pm.draw(
        [offset, mmm.model["saturation_beta_raw_mu"], mmm.model["saturation_beta"]], draws=200, random_seed=1
    )
    assert draws[0].shape == draws[2].shape == (200, 3, 2)  # (draw, geo, channel)
    np.testing.assert_allclose(draws[0].sum(axis=1), 0, atol=1e-9)  # zero over geos
    np.testing.assert_allclose(np.log(draws[2]).mean(axis=1), draws[1], rtol=1e-9)
    assert draws[0].std() > 0.5  # the offsets still spread the geos


def test_full_pooling_has_one_coefficient_per_channel():
    priors = _geo_priors("full")
    assert priors["saturation_beta"].dims == ("channel",) and priors["saturation_lam"].dims == ("channel",)


def test_geo_pooling_is_validated():
    with pytest.raises(ValueError, match=r"var mmm_fit\.geo_pooling: must be one of partial, none, full"):
        FitConfig.from_mapping({"geo_pooling": "some"})


def test_every_adstock_the_config_accepts_has_sql():
    """Weibull is refused with the forms that build, not accepted and then failing in SQL."""
    with pytest.raises(ValueError, match=r"var mmm_fit\.adstock: must be one of geometric, delayed"):
        FitConfig.from_mapping({"adstock": "weibull"})
    sql = (Path(__file__).resolve().parents[2] / "macros" / "transforms" / "mmm_adstock_weight.sql").read_text()
    for adstock in ("geometric", "delayed"):
        assert f"'{adstock}'" in sql


def test_a_valid_prior_passes_the_support_check():
    priors = priors_from_vars({"adstock_alpha": {"distribution": "Beta", "alpha": 1, "beta": 3}}, KNOWN)
    assert priors["adstock_alpha"].parameters == {"alpha": 1, "beta": 3}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"chains": "four"}, "var mmm_fit.chains: must be a whole number (got 'four')"),
        ({"draws": True}, "var mmm_fit.draws: must be a whole number (got True)"),
        ({"target_accept": "high"}, "var mmm_fit.target_accept: must be a number or null (left to the data)"),
        ({"trend": 1}, "var mmm_fit.trend: must be true or false (got 1)"),
        ({"adstock": 3}, "var mmm_fit.adstock: must be a name (got 3)"),
    ],
)
def test_a_setting_of_the_wrong_type_is_named(values, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        FitConfig.from_mapping(values)


def test_whole_numbers_written_as_floats_are_whole_numbers():
    assert FitConfig.from_mapping({"chains": 2.0, "target_accept": 1 - 0.05}).chains == 2
    assert isinstance(FitConfig.from_mapping({"chains": 2.0}).chains, int)
