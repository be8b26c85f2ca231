"""A hopeless chain (stuck in a funnel's neck while the others move) is seen while sampling and
acted on: restarted from new starting points, or the fit stopped with a one-line reason naming
the chain. The rule on nutpie's chain reports, then a real nutpie run with a chain made hopeless
on purpose."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from python_udfs import progress
from python_udfs.mmm_fit import sample_with_restarts
from python_udfs.progress import ChainWatch, HopelessChain


def _reports(per_chain: list[tuple[float, float]], draws: int = 200, every: int = 5) -> list[list[SimpleNamespace]]:
    """Reports every `every` draws of chains taking (leapfrog steps a draw, step size) each."""
    return [
        [
            SimpleNamespace(finished_draws=d, total_num_steps=int(d * rate), step_size=size, tuning=d < 150)
            for rate, size in per_chain
        ]
        for d in range(0, draws + 1, every)
    ]


def _first_verdict(reports) -> str | None:
    watch = ChainWatch()
    for chains in reports:
        reason = watch.check(chains)
        if reason:
            return reason
    return None


def test_a_chain_at_maximum_depth_with_a_tiny_step_is_named():
    reason = _first_verdict(_reports([(31, 0.3), (1023, 1e-14), (63, 0.2), (31, 0.25)]))
    assert reason is not None and reason.startswith("chain 1 is stuck (warm-up draw 75)")
    assert "1023 leapfrog steps a draw at step size 1e-14, while the other chains take 31 at 0.25" in reason


def test_a_frozen_chain_is_named():
    reason = _first_verdict(_reports([(5, 1.5e-16), (33, 0.22)]))
    assert reason is not None and reason.startswith("chain 0 is stuck")


@pytest.mark.parametrize(
    "chains",
    [
        [(31, 0.3), (127, 0.08), (63, 0.2), (31, 0.25)],  # slower adaptation: 4x, not hopeless
        [(1023, 0.001), (1023, 0.0012)],  # every chain slow: a hard posterior, not one bad chain
        [(1023, 1e-14)],  # one chain: nothing to compare with
    ],
)
def test_chains_that_are_merely_slow_or_alike_are_left_alone(chains):
    assert _first_verdict(_reports(chains)) is None


def _trap():
    """Two basins: x < 0 is plain, x > 0 is a funnel whose neck (y's scale exp(-40 x)) freezes or
    stalls any chain that starts there; with this seed chain 1 does, chain 0 does not."""
    import pymc as pm
    import pytensor.tensor as pt

    with pm.Model() as model:
        x = pm.Flat("x")
        pm.Potential("basins", pt.switch(x < 0, -0.5 * ((x + 3) / 0.5) ** 2, -0.5 * (x - 2) ** 2))
        pm.Normal("y", 0, pt.switch(x < 0, 1.0, pt.exp(-40 * x)), shape=10)
    return model


def _sample(model, seed: int):
    import pymc as pm

    with model:
        return pm.sample(
            draws=20000, tune=1000, chains=2, cores=2, nuts_sampler="nutpie", random_seed=seed, progressbar=False
        )


def test_a_hopeless_chain_in_a_real_nutpie_run_is_stopped_within_two_minutes():
    model, lines = _trap(), []
    start = time.perf_counter()
    stuck = r"^chain 1 is stuck \(sampling draw \d+\): \d+ leapfrog steps a draw"
    with (
        pytest.raises(HopelessChain, match=stuck),
        progress.nutpie_progress(lines.append, every_s=3600.0, poll_s=0.2),
    ):
        _sample(model, seed=5)
    assert time.perf_counter() - start < 120  # sampled on, this run takes minutes


def test_the_fit_restarts_once_and_then_stops_with_the_reason():
    model, lines = _trap(), []
    with progress.nutpie_progress(lines.append, every_s=3600.0, poll_s=0.2):
        # seed 5 traps chain 1; seed 6 starts both chains where they can move
        idata, notes = sample_with_restarts(lambda seed: _sample(model, seed), 5, lines.append)
    assert idata.posterior.sizes["chain"] == 2
    assert notes.startswith("random_seed 5: chain 1 is stuck") and notes.endswith(", stopped")
    assert any("sampling again from new starting points (random_seed 6)" in line for line in lines)

    def always_stuck(seed: int):
        raise HopelessChain(f"chain 0 is stuck (warm-up draw 80): 1023 leapfrog steps a draw (seed {seed})")

    with pytest.raises(ValueError, match=r"^MMM FIT STOPPED: chain 0 is stuck .*seed 6.*raise var mmm_fit"):
        sample_with_restarts(always_stuck, 5, lines.append)
