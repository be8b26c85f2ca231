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

import numpy as np

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
def nutpie_progress(
    log: Callable[[str], Any], every_s: float = PROGRESS_EVERY_S, poll_s: float = 1.0
) -> Iterator[FitProgress]:
    """While active, nutpie.sample also reports to a FitProgress and a ChainWatch:
    a hopeless chain cancels the sampling and raises HopelessChain. PyMC calls nutpie.sample with
    its own progress-bar callback and no way to add one, so the call is wrapped (both callbacks
    kept, nutpie's public non-blocking sampler polled), and restored on exit."""
    import nutpie

    original = nutpie.sample
    progress = FitProgress(log, every_s)

    def sample(*args: Any, progress_callback: Any = None, blocking: bool = True, **kwargs: Any) -> Any:
        watcher = ChainWatch()
        verdict: list[str] = []

        def both(chains: Sequence[Any]) -> None:
            progress(chains)
            if not verdict:
                reason = watcher.check(chains)
                if reason:
                    verdict.append(reason)
            if progress_callback is not None:
                progress_callback(chains)

        sampler = original(*args, progress_callback=both, blocking=False, **kwargs)
        if not blocking:
            return sampler
        try:
            while not _finished(sampler):
                if verdict:
                    sampler.cancel()
                    raise HopelessChain(verdict[0])
                time.sleep(poll_s)
            return sampler.wait()
        except KeyboardInterrupt:
            sampler.cancel()
            raise

    nutpie.sample = sample
    try:
        yield progress
    finally:
        nutpie.sample = original


def _finished(sampler: Any) -> bool:
    """nutpie's is_finished raises TimeoutError while the chains still run (nutpie 0.16)."""
    try:
        return bool(sampler.is_finished)
    except TimeoutError:
        return False


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


# A chain is hopeless when, over its last WATCH_WINDOW draws (warm-up included, after the first
# WATCH_AFTER), either it takes STUCK_FACTOR times the leapfrog steps per draw of the other
# chains' median, at least STUCK_MIN_STEPS, at a step size STUCK_FACTOR times smaller; or its
# step size stayed COLLAPSE_FACTOR times below theirs (it no longer moves at all). Why these: a
# chain caught in a funnel's neck shrinks its step size by orders of magnitude and runs to the
# maximum tree depth (1,023 steps a draw) or freezes, while the others take tens; chains that
# merely adapt at different speeds differ by two to four times.
WATCH_AFTER = 50
WATCH_WINDOW = 25
STUCK_FACTOR = 8.0
STUCK_MIN_STEPS = 255
COLLAPSE_FACTOR = 1e4


class HopelessChain(RuntimeError):
    """Raised from sampling when a chain is stuck while the others move; `reason` is one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChainWatch:
    """Watches nutpie's per-chain progress and says which chain, if any, is hopeless.

    Why: such a chain samples on for as long as all the others together (20 minutes on a 6-geo
    panel, with a step size of 1e-14), and the review throws the fit away afterwards; seen in
    the first minutes, it can be restarted or the fit stopped with a reason."""

    def __init__(self) -> None:
        # per chain: (finished draws, total leapfrog steps, step size) at each new draw seen
        self.history: list[list[tuple[int, int, float]]] = []

    def check(self, chains: Sequence[Any]) -> str | None:
        if len(self.history) != len(chains):
            self.history = [[] for _ in chains]
        for c, seen in zip(chains, self.history, strict=True):
            draws, steps = int(c.finished_draws), int(getattr(c, "total_num_steps", 0) or 0)
            if not seen or draws > seen[-1][0]:
                seen.append((draws, steps, float(getattr(c, "step_size", float("nan")))))
        windows = [_window(seen) for seen in self.history]
        for number, window in enumerate(windows):
            others = [w for i, w in enumerate(windows) if i != number and w is not None]
            if window is None or not others:
                continue
            rate, size, earlier_size = window
            typical = float(np.median([w[0] for w in others]))
            typical_size = float(np.median([w[1] for w in others]))
            typical_earlier = float(np.median([w[2] for w in others]))
            slow = rate >= max(STUCK_MIN_STEPS, STUCK_FACTOR * typical) and size * STUCK_FACTOR <= typical_size
            frozen = size * COLLAPSE_FACTOR <= typical_size and earlier_size * COLLAPSE_FACTOR <= typical_earlier
            if slow or frozen:
                c = chains[number]
                phase = "warm-up" if bool(c.tuning) else "sampling"
                return (
                    f"chain {number} is stuck ({phase} draw {int(c.finished_draws)}): {rate:.0f} leapfrog steps a "
                    f"draw at step size {size:.2g}, while the other chains take {typical:.0f} at {typical_size:.2g}"
                )
        return None


def _window(seen: list[tuple[int, int, float]]) -> tuple[float, float, float] | None:
    """Over the chain's last WATCH_WINDOW draws or more: leapfrog steps per draw, the step size
    now and at the window's start; None before WATCH_AFTER + WATCH_WINDOW draws."""
    draws, steps, size = seen[-1]
    if draws < WATCH_AFTER + WATCH_WINDOW:
        return None
    for earlier_draws, earlier_steps, earlier_size in reversed(seen[:-1]):
        if draws - earlier_draws >= WATCH_WINDOW and earlier_draws >= WATCH_AFTER:
            return (steps - earlier_steps) / (draws - earlier_draws), size, earlier_size
    return None
