"""The fit's progress line in dbt's log (python_udfs.progress), on nutpie's chain reports."""

from __future__ import annotations

from types import SimpleNamespace

from python_udfs.progress import FitProgress


def _chain(done: int, total: int, divergences: int = 0, tuning: bool = False) -> SimpleNamespace:
    return SimpleNamespace(finished_draws=done, total_draws=total, divergences=divergences, tuning=tuning)


def test_the_line_says_draws_done_divergences_and_time_left():
    line = FitProgress(print).line([_chain(500, 2000, 1, True), _chain(1500, 2000, 2)], elapsed=120.0)
    assert "tuning: 2000/4000 iterations over 2 chains (50%)" in line
    assert "3 divergences so far" in line and "2.0 min in" in line and "about 2.0 min left" in line


def test_it_logs_at_most_once_per_interval():
    lines: list[str] = []
    progress = FitProgress(lines.append, every_s=0.0)
    progress([_chain(10, 100)])
    assert len(lines) == 1
    quiet = FitProgress(lines.append, every_s=3600.0)
    quiet([_chain(10, 100)])
    quiet([_chain(20, 100)])
    assert len(lines) == 1


def test_a_chain_at_the_maximum_tree_depth_sets_the_time_left():
    """One chain taking 1,023 leapfrog steps a draw finishes long after the others; the line
    names it and the time left is its own, not an average over the iterations done."""
    fast = SimpleNamespace(**vars(_chain(3000, 3000)), total_num_steps=90_000, latest_num_steps=31, runtime_ms=90_000)
    stuck = SimpleNamespace(
        **vars(_chain(500, 3000, tuning=True)),
        total_num_steps=200_000,
        latest_num_steps=1023,
        runtime_ms=200_000,
        step_size=0.0018,
    )
    line = FitProgress(print).line([fast, stuck], elapsed=300.0)
    # 2,500 draws x 1,023 steps x 1 ms a step: 42.6 min, not the 2.1 min of the average
    assert "about 42.6 min left" in line
    assert "slowest chain 1: 500/3000 (tuning), 1023 leapfrog steps a draw, step size 0.0018" in line
