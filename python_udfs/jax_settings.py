"""How numpyro runs the chains: side by side on one device, or one device per chain.

Why: PyMC asks numpyro for `chain_method="parallel"`, one XLA device per chain. A machine with one
GPU (or a CPU, which JAX shows as one device) has fewer devices than chains, and numpyro then
draws the chains one after another: a default fit of 4 chains takes four times as long as it
needs to. `vectorized` runs every chain in one batched computation on the one device, which
is what a GPU is for. Measured on the demo (CPU, 4 x 1500 + 1500): see docs/model.md, GPU.
"""

from __future__ import annotations


def chain_method(chains: int, devices: int) -> str:
    """`parallel` when every chain can have a device of its own, else `vectorized`."""
    return "parallel" if devices >= chains else "vectorized"


def local_chain_method(chains: int) -> str:
    """chain_method for the devices JAX sees in this process (imports JAX: numpyro fits only)."""
    import jax

    return chain_method(chains, jax.local_device_count())
