"""Progress of a long fit in dbt's log: draws done, divergences so far, time left.

Why: a geo fit can sample for many minutes, and dbt prints nothing between "fitting" and the
node's end, so a user cannot tell a slow fit from a hung one. nutpie reports each chain's
progress to a callback many times a second; this passes one line to the log at most every
`every_s` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

PROGRESS_EVERY_S = 30.0


class FitProgress:
    """A nutpie progress callback that logs a summary line every `every_s` seconds."""

    def __init__(self, log: Callable[[str], Any], every_s: float = PROGRESS_EVERY_S) -> None:
        self.log = log
        self.every_s = every_s
        self.start = time.perf_counter()
        self.last = self.start

    def line(self, chains: Sequence[Any], elapsed: float) -> str:
        done = sum(int(c.finished_draws) for c in chains)
        total = sum(int(c.total_draws) for c in chains) or 1
        divergences = sum(int(c.divergences) for c in chains)
        phase = "tuning" if any(bool(c.tuning) for c in chains) else "sampling"
        left = elapsed * (total - done) / done if done else float("nan")
        eta = f"about {left / 60:.1f} min left" if done else "time left not known yet"
        return (
            f"mmm: {phase}: {done}/{total} iterations over {len(chains)} chains ({100 * done / total:.0f}%), "
            f"{divergences} divergences so far, {elapsed / 60:.1f} min in, {eta}"
        )

    def __call__(self, chains: Sequence[Any]) -> None:
        now = time.perf_counter()
        if now - self.last >= self.every_s:
            self.last = now
            self.log(self.line(chains, now - self.start))


@contextmanager
def nutpie_progress(log: Callable[[str], Any], every_s: float = PROGRESS_EVERY_S) -> Iterator[FitProgress]:
    """While active, nutpie.sample also reports to a FitProgress. PyMC calls nutpie.sample with
    its own progress-bar callback and no way to add one, so the call is wrapped, both callbacks
    kept, and restored on exit."""
    import nutpie

    original = nutpie.sample
    progress = FitProgress(log, every_s)

    def sample(*args: Any, progress_callback: Any = None, **kwargs: Any) -> Any:
        def both(chains: Sequence[Any]) -> None:
            progress(chains)
            if progress_callback is not None:
                progress_callback(chains)

        return original(*args, progress_callback=both, **kwargs)

    nutpie.sample = sample
    try:
        yield progress
    finally:
        nutpie.sample = original
