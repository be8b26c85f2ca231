"""How often nutpie's low-rank adaptation recomputes its mass matrix during warm-up.

Why: the low-rank adaptation is not online. Every `mass_matrix_update_freq` warm-up draws (20 in
nuts-rs) it recomputes the mass matrix from a window of past draws and gradients, and on a panel
with hundreds of parameters these recomputations cost as much as the gradients (Meridian geo,
575 parameters, 2 chains x 1,500 warm-up draws: 311 s with a recomputation every 20 draws,
156 s every 100, at 169 to 174 leapfrog steps per draw either way; the gradients alone are
about 120 s). Fewer recomputations also adapt worse, though: the default Meridian geo fit
sampled in 460 to 492 s instead of 738 s every 100 draws, but its r-hat rose from 1.017 to
1.037 and 1.043 (two seeds), on the direction where all geo baselines move against the media.
So nuts-rs' 20 stays the default for national panels; a geo panel, whose intercept is centred
on its mean media level (centred_media.py) so that direction is gone, recomputes every 50
(config.mass_matrix_update_every_for).

nutpie.sample builds its settings itself and its keywords do not reach this one; the settings
object's public update_settings does. So while `low_rank_updates` is active, the low-rank
settings nutpie.sample builds get the given frequency.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# nuts-rs' own mass_matrix_update_freq (nutpie 0.16).
NUTS_RS_UPDATE_EVERY = 20


class _Settings:
    """Stands in for nutpie's settings factory: low_rank with the given update frequency, the
    other adaptations as nutpie builds them."""

    def __init__(self, factory: Any, every: int, built: list[dict[str, Any]]) -> None:
        self._factory = factory
        self._every = every
        self._built = built
        self.Diag = factory.Diag
        self.Flow = factory.Flow

    def LowRank(self, seed: int) -> Any:  # nutpie's name
        settings = self._factory.LowRank(seed)
        values = settings.as_dict()["settings"]
        values["adapt_options"]["mass_matrix_update_freq"] = self._every
        settings.update_settings(values)
        self._built.append(settings.as_dict()["settings"]["adapt_options"])
        return settings


@contextmanager
def low_rank_updates(every: int) -> Iterator[list[dict[str, Any]]]:
    """While active, nutpie's low-rank adaptation updates its mass matrix every `every` warm-up
    draws. Yields the adaptation options of each low-rank sampler built, so a caller (or a test)
    can see the setting took effect."""
    import nutpie  # noqa: F401 (loads nutpie.sample, the module patched here)

    module: Any = sys.modules["nutpie.sample"]
    lib = module._lib
    if "mass_matrix_update_freq" not in lib.PyNutsSettings.LowRank(0).as_dict()["settings"]["adapt_options"]:
        raise RuntimeError("this nutpie's low-rank settings have no mass_matrix_update_freq; pin nutpie 0.16")
    built: list[dict[str, Any]] = []
    proxy = types.SimpleNamespace(**{n: getattr(lib, n) for n in dir(lib) if not n.startswith("__")})
    proxy.PyNutsSettings = _Settings(lib.PyNutsSettings, every, built)
    module._lib = proxy
    try:
        yield built
    finally:
        module._lib = lib
