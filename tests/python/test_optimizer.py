"""The budget optimizer on known response parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from python_udfs.optimizer import ChannelDraws, allocate_scenarios, optimize_allocation


@pytest.fixture()
def draws():
    rng = np.random.default_rng(3)
    n = 200
    return ChannelDraws(
        channels=["a", "b", "c"],
        lam=np.column_stack([rng.normal(m, 0.05, n) for m in (3.0, 1.0, 0.5)]),
        beta=np.column_stack([rng.normal(m, 0.01, n) for m in (0.1, 0.2, 0.3)]),
        weight_sum=np.ones((n, 3)),
        channel_scale=np.array([1000.0, 1000.0, 1000.0]),
        target_scale=10_000.0,
    )


def test_optimum_beats_current_and_respects_budget_and_bounds(draws):
    current = pd.Series({"a": 600.0, "b": 300.0, "c": 100.0})
    scenarios = pd.DataFrame({"scenario_id": ["same"], "budget_change_pct": [0], "bound_pct": [50]})
    out = allocate_scenarios(draws, current, scenarios)
    assert out["optimised_weekly_spend"].sum() == pytest.approx(1000.0, rel=1e-9)
    assert (out["optimised_weekly_spend"] >= out["lower_bound"] - 1e-9).all()
    assert (out["optimised_weekly_spend"] <= out["upper_bound"] + 1e-9).all()
    assert out["contribution_after_mean"].sum() > out["contribution_before_mean"].sum()
    # channel a saturates fastest, so money moves away from it
    assert out.set_index("channel").loc["a", "optimised_weekly_spend"] < 600.0


def test_bad_scenarios_fail_with_clear_messages(draws):
    lower, upper = np.array([100.0, 100.0, 100.0]), np.array([200.0, 200.0, 200.0])
    with pytest.raises(ValueError, match="budget must be >= 0"):
        optimize_allocation(draws, -5.0, lower, upper, lower)
    with pytest.raises(ValueError, match=r"infeasible scenario: budget 100\.00 is outside"):
        optimize_allocation(draws, 100.0, lower, upper, lower)
