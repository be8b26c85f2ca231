"""nutpie's low-rank update frequency (python_udfs.nutpie_settings): it reaches the sampler, and
nutpie is left as it was."""

from __future__ import annotations

import sys

import numpy as np
import pymc as pm
import pytest

from python_udfs.config import GEO_UPDATE_EVERY, FitConfig
from python_udfs.nutpie_settings import NUTS_RS_UPDATE_EVERY, low_rank_updates


def _draws(model: pm.Model, every: int | None) -> tuple[np.ndarray, list]:
    import nutpie

    compiled = nutpie.compile_pymc_model(model)
    kwargs = dict(chains=1, tune=60, draws=20, seed=3, adaptation="low_rank", progress_bar=False)
    if every is None:
        return nutpie.sample(compiled, **kwargs).posterior["x"].values, []
    with low_rank_updates(every) as built:
        return nutpie.sample(compiled, **kwargs).posterior["x"].values, built


def test_the_update_frequency_reaches_nutpie_and_changes_the_warm_up():
    with pm.Model() as model:
        pm.MvNormal("x", mu=np.zeros(3), cov=np.array([[1, 0.9, 0], [0.9, 1, 0], [0, 0, 4.0]]))
    default, _ = _draws(model, None)
    module = sys.modules["nutpie.sample"]
    lib = module._lib
    same, built_20 = _draws(model, NUTS_RS_UPDATE_EVERY)  # the same draws as without
    every_5, built_5 = _draws(model, 5)
    assert [b["mass_matrix_update_freq"] for b in built_20 + built_5] == [20, 5]
    np.testing.assert_array_equal(same, default)
    assert not np.array_equal(every_5, default)
    assert module._lib is lib  # restored on exit


def test_the_fit_config_validates_and_hashes_the_frequency():
    national, geo = FitConfig().resolved(104), FitConfig().resolved(104, n_geos=20)
    assert national.mass_matrix_update_every == NUTS_RS_UPDATE_EVERY  # nutpie's own
    assert "mass_matrix_update_every" not in national.model_dict()  # fits stored before: reused
    assert geo.mass_matrix_update_every == GEO_UPDATE_EVERY  # the centred geo model
    assert FitConfig(centred_media=False).resolved(104, n_geos=20).mass_matrix_update_every == NUTS_RS_UPDATE_EVERY
    assert FitConfig(mass_matrix_update_every=100).resolved(104).config_hash() != national.config_hash()
    with pytest.raises(ValueError, match=r"mmm_fit\.mass_matrix_update_every"):
        FitConfig(mass_matrix_update_every=0)
