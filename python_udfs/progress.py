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
        slow = _slowest(chains)
        if slow is not None:
            left = max(left, slow[1])
        eta = f"about {left / 60:.1f} min left" if done else "time left not known yet"
        line = (
            f"mmm: {phase}: {done}/{total} iterations over {len(chains)} chains ({100 * done / total:.0f}%), "
            f"{divergences} divergences so far, {elapsed / 60:.1f} min in, {eta}"
        )
        return line + (f"; {slow[0]}" if slow is not None else "")

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


def _slowest(chains: Sequence[Any]) -> tuple[str, float] | None:
    """The chain that will finish last and its time left: its draws left x its latest tree's
    leapfrog steps x its time per step. Why: the fit waits for its slowest chain, and a chain that
    reaches the maximum tree depth (1,023 steps a draw) can take many times the others' time, so
    an estimate from the iterations done over all chains says minutes where it is most of an hour."""
    worst: tuple[str, float] | None = None
    for number, c in enumerate(chains):
        steps, per_draw = int(getattr(c, "total_num_steps", 0) or 0), int(getattr(c, "latest_num_steps", 0) or 0)
        runtime_s = float(getattr(c, "runtime_ms", 0) or 0) / 1000.0
        remaining = int(c.total_draws) - int(c.finished_draws)
        if not (steps and per_draw and runtime_s and remaining):
            continue
        left = remaining * per_draw * runtime_s / steps
        if worst is None or left > worst[1]:
            state = "tuning" if bool(c.tuning) else "sampling"
            step_size = float(getattr(c, "step_size", float("nan")))
            worst = (
                f"slowest chain {number}: {int(c.finished_draws)}/{int(c.total_draws)} ({state}), "
                f"{per_draw} leapfrog steps a draw, step size {step_size:.2g}",
                left,
            )
    return worst
