"""Benchmark: the budget optimizer's time for 7 and 30 channels over 4,000 posterior draws.

Generated response parameters (geometric adstock, 7 lags; logistic saturation), a 52-week plan,
the same budget within +/-50% per channel; each objective timed once per channel count.
Run: `uv run python bench/bench_optimizer.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from python_udfs.optimizer import ChannelDraws
from python_udfs.scenarios import allocate_scenarios
from python_udfs.transforms import adstock_weights


def draws_for(n_channels: int, n_draws: int = 4000, seed: int = 0) -> tuple[ChannelDraws, pd.Series]:
    rng = np.random.default_rng(seed)
    channels = [f"channel_{i:02d}" for i in range(n_channels)]
    alpha = rng.beta(2, 3, (n_draws, n_channels))
    draws = ChannelDraws(
        channels=channels,
        weights=adstock_weights("geometric", 6, alpha),
        p1=rng.gamma(3.0, 1.0, (n_draws, n_channels)),
        beta=np.abs(rng.normal(0.3, 0.1, (n_draws, n_channels))),
        channel_scale=rng.uniform(2000, 8000, n_channels),
        target_scale=1e5,
        history=rng.uniform(500, 3000, (n_channels, 6)),
    )
    return draws, pd.Series(rng.uniform(500, 3000, n_channels), index=channels)


def main() -> None:
    base = {"horizon_weeks": 52, "budget_change_pct": 0.0, "bound_pct": 50.0}
    scenarios = {
        "mean": {"objective": "mean"},
        "risk_adjusted": {"objective": "risk_adjusted", "risk_quantile": 0.1},
        "target (+5%)": {"objective": "target", "target_change_pct": 5.0},
    }
    for n in (7, 30):
        draws, current = draws_for(n)
        for label, extra in scenarios.items():
            frame = pd.DataFrame([{"scenario_id": label, **base, **extra}])
            start = time.perf_counter()
            out = allocate_scenarios(draws, current, frame)
            seconds = time.perf_counter() - start
            print(
                f"{n:>2} channels, 4,000 draws, {label:<14}: {seconds:6.2f} s "
                f"(converged {bool(out['optimizer_converged'].all())}, "
                f"uplift {out['scenario_uplift_mean'].iloc[0]:,.0f})"
            )


if __name__ == "__main__":
    main()
