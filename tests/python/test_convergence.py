"""The fit's convergence verdict (posterior_tables.convergence), on hand-made chains."""

from __future__ import annotations

import numpy as np
import xarray as xr

from python_udfs.posterior_tables import convergence


def chains(stuck: int | None = None, n_chains: int = 4, draws: int = 400) -> tuple[xr.Dataset, xr.Dataset]:
    rng = np.random.default_rng(0)
    beta = rng.normal(0.5, 0.1, (n_chains, draws))
    step = np.full((n_chains, draws), 0.14)
    if stuck is not None:  # warm-up left it in a corner: it never moves
        beta[stuck] = 40.0 + 1e-12 * rng.normal(size=draws)
        step[stuck] = 3e-14
    coords = {"chain": np.arange(n_chains), "draw": np.arange(draws)}
    posterior = xr.Dataset({"beta": (("chain", "draw"), beta)}, coords=coords)
    stats = xr.Dataset(
        {"step_size": (("chain", "draw"), step), "diverging": (("chain", "draw"), np.zeros_like(step, bool))},
        coords=coords,
    )
    return posterior, stats


def test_a_stuck_chain_is_named_with_its_remedy():
    """r-hat alone blames a parameter; the step size says the sampler failed, and another seed
    is the remedy (Meridian's geo funnel, seed 42: step size 3e-14 against 0.14)."""
    diag = convergence(*chains(stuck=3), max_r_hat=1.01, min_ess_bulk=400, max_divergences=0)
    assert not diag["is_converged"]
    assert diag["worst_parameters"].startswith("chain 3 stuck (step size 3e-14 against 0.14 in the others)")
    assert "another mmm_fit.random_seed" in diag["worst_parameters"] and "beta (r_hat=" in diag["worst_parameters"]


def test_healthy_chains_name_no_stuck_chain():
    diag = convergence(*chains(), max_r_hat=1.01, min_ess_bulk=400, max_divergences=0)
    assert diag["is_converged"] and "stuck" not in diag["worst_parameters"]
    assert diag["worst_parameters"].startswith("beta (r_hat=")
