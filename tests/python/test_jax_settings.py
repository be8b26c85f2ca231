"""numpyro's chains: one device each when there are enough, else batched on the one there is."""

from __future__ import annotations

from python_udfs.jax_settings import chain_method


def test_chains_share_one_device_unless_each_has_its_own():
    assert chain_method(chains=4, devices=1) == "vectorized"  # one GPU, or a CPU
    assert chain_method(chains=4, devices=2) == "vectorized"
    assert chain_method(chains=4, devices=4) == "parallel"
    assert chain_method(chains=2, devices=8) == "parallel"
