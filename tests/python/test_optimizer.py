"""The budget optimizer and scenario rules on known response parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from python_udfs.optimizer import ChannelDraws, Plan, optimize_allocation
from python_udfs.scenarios import ScenarioError, allocate_scenarios
from python_udfs.transforms import adstock, adstock_weights, saturation

CURRENT = pd.Series({"a": 600.0, "b": 300.0, "c": 100.0})


@pytest.fixture()
def draws():
    rng = np.random.default_rng(3)
    n = 200
    alpha = np.column_stack([rng.uniform(0.2, 0.6, n) for _ in range(3)])
    return ChannelDraws(
        channels=["a", "b", "c"],
        weights=adstock_weights("geometric", 3, alpha),
        p1=np.column_stack([rng.normal(m, 0.05, n) for m in (3.0, 1.0, 0.5)]),
        beta=np.column_stack([rng.normal(m, 0.01, n) for m in (0.1, 0.2, 0.3)]),
        channel_scale=np.array([1000.0, 1000.0, 1000.0]),
        target_scale=10_000.0,
    )


def _scenario(**kw) -> pd.DataFrame:
    row = {"scenario_id": "s", "objective": "mean", "horizon_weeks": 20, "budget_change_pct": 0.0, "bound_pct": 50.0}
    return pd.DataFrame([{**row, **kw}])


def _rules(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["scenario_id", "rule", "target", "value"])


def test_horizon_contribution_equals_adstock_then_saturation_week_by_week(draws):
    """The closed form over ramp-up, steady state and carryover tail equals simulating the
    weekly series: constant spend for the horizon, then zeros, adstocked, saturated, summed."""
    x, horizon = np.array([500.0, 200.0, 50.0]), 9
    got = draws.contribution(x, horizon)
    for d in (0, 7):
        for c in range(3):
            series = np.r_[np.full(horizon, x[c]), np.zeros(3)]
            ad = adstock(series, draws.weights[d, c]) / draws.channel_scale[c]
            want = draws.target_scale * draws.beta[d, c] * saturation("logistic", ad, draws.p1[d, c]).sum()
            assert got[d, c] == pytest.approx(want, rel=1e-12)
    eps = 1e-3
    numeric = (draws.contribution(x + eps * np.eye(3)[1], horizon) - draws.contribution(x, horizon))[:, 1] / eps
    np.testing.assert_allclose(draws.gradient(x, horizon)[:, 1], numeric, rtol=1e-4)


def test_optimum_beats_current_and_respects_budget_and_bounds(draws):
    out = allocate_scenarios(draws, CURRENT, _scenario())
    assert out["optimised_weekly_spend"].sum() == pytest.approx(1000.0, rel=1e-9)
    assert (out["optimised_weekly_spend"] >= out["lower_bound"] - 1e-9).all()
    assert (out["optimised_weekly_spend"] <= out["upper_bound"] + 1e-9).all()
    assert out["contribution_after_mean"].sum() > out["contribution_before_mean"].sum()
    assert out["optimizer_converged"].all()
    # channel a saturates fastest, so money moves away from it
    assert out.set_index("channel").loc["a", "optimised_weekly_spend"] < 600.0


def test_shares_groups_ratios_and_fixed_channels_hold_and_bind(draws):
    rules = _rules(
        ("s", "min_share", "ab", 0.8),
        ("s", "fixed", "c", None),
        ("s", "min_ratio", "a/b", 1.5),
    )
    groups = pd.DataFrame({"group_name": ["ab", "ab"], "channel": ["a", "b"]})
    out = allocate_scenarios(draws, CURRENT, _scenario(bound_pct=100.0), rules, groups).set_index("channel")
    x = out["optimised_weekly_spend"]
    assert x.sum() == pytest.approx(1000.0)
    assert x["c"] == pytest.approx(100.0)
    assert (x["a"] + x["b"]) >= 0.8 * x.sum() - 1e-6
    assert x["a"] >= 1.5 * x["b"] - 1e-6
    binding = out["binding_constraints"].iloc[0]
    assert "c fixed" in binding and "a/b min_ratio 1.5" in binding


def test_risk_adjusted_objective_is_at_least_the_mean_optimums_worst_tail(draws):
    mean = allocate_scenarios(draws, CURRENT, _scenario())
    risk = allocate_scenarios(draws, CURRENT, _scenario(objective="risk_adjusted", risk_quantile=0.1))
    plan = Plan(
        lower=CURRENT.to_numpy() * 0.5,
        upper=CURRENT.to_numpy() * 1.5,
        budget=1000.0,
        objective="risk_adjusted",
        risk_quantile=0.1,
        horizon=20,
    )
    from python_udfs.optimizer import objective_value

    at_mean = objective_value(draws, mean["optimised_weekly_spend"].to_numpy(), plan)
    assert risk["scenario_objective_value"].iloc[0] >= at_mean - 1e-9 * abs(at_mean)


def test_inverse_target_finds_the_smallest_budget(draws):
    out = allocate_scenarios(draws, CURRENT, _scenario(objective="target", target_change_pct=3.0))
    before = out["scenario_contribution_before_mean"].iloc[0]
    after = out["scenario_contribution_after_mean"].iloc[0]
    assert after == pytest.approx(before * 1.03, rel=1e-6)
    # reallocating alone gains something, so the target needs less than 3% more money than now
    assert out["optimised_weekly_spend"].sum() < 1000.0 * 1.03


@pytest.mark.parametrize(
    ("scenario", "rules", "message"),
    [
        ({"budget_change_pct": -200.0}, [], "budget must be >= 0"),
        ({"budget_change_pct": -60.0}, [], r"weekly budget 400\.00 is outside the sum of channel bounds"),
        ({}, [("s", "min_spend", "a", 900.0), ("s", "max_spend", "a", 800.0)], "minimum above maximum for a"),
        ({}, [("s", "max_share", "nope", 0.5)], "unknown channel or group 'nope'"),
        ({}, [("s", "fixed", "zz", None)], "unknown channel 'zz'"),
        ({}, [("s", "min_share", "a", 0.95)], "cannot all hold"),
        ({"objective": "target", "target_change_pct": 500.0}, [], "unreachable target"),
    ],
)
def test_bad_scenarios_fail_with_clear_messages(draws, scenario, rules, message):
    with pytest.raises(ScenarioError, match=message) as err:
        allocate_scenarios(draws, CURRENT, _scenario(**scenario), _rules(*rules))
    assert "budget scenario 's'" in str(err.value)


def test_single_draw_udf_path_matches_direct_call(draws):
    one = ChannelDraws(
        channels=draws.channels,
        weights=draws.weights[:1],
        p1=draws.p1[:1],
        beta=draws.beta[:1],
        channel_scale=draws.channel_scale,
        target_scale=draws.target_scale,
    )
    lo, hi = CURRENT.to_numpy() * 0.5, CURRENT.to_numpy() * 1.5
    res = optimize_allocation(one, Plan(lower=lo, upper=hi, budget=1000.0), CURRENT.to_numpy())
    assert res.converged and res.weekly_spend.sum() == pytest.approx(1000.0)


def test_spend_before_the_plan_carries_into_its_first_weeks(draws):
    """With history, week t of the plan also gets the adstock of the weeks before it: equal to
    simulating history + plan + tail and counting the weeks from the plan's start."""
    from dataclasses import replace

    history = np.array([[300.0, 200.0, 100.0], [50.0, 0.0, 80.0], [0.0, 10.0, 20.0]])  # latest first
    with_past = replace(draws, history=history)
    x, horizon = np.array([500.0, 200.0, 50.0]), 2
    got = with_past.contribution(x, horizon)
    for d in (0, 11):
        for c in range(3):
            series = np.r_[history[c][::-1], np.full(horizon, x[c]), np.zeros(3)]
            ad = adstock(series, draws.weights[d, c])[3:] / draws.channel_scale[c]
            want = draws.target_scale * draws.beta[d, c] * saturation("logistic", ad, draws.p1[d, c]).sum()
            assert got[d, c] == pytest.approx(want, rel=1e-12)
    assert (got > draws.contribution(x, horizon)).all()


def test_a_scenario_that_cannot_be_planned_fails_alone(draws):
    scenarios = pd.concat([_scenario(budget_change_pct=-200.0), _scenario(scenario_id="ok")], ignore_index=True)
    out = allocate_scenarios(draws, CURRENT, scenarios, on_error="record")
    bad, good = out[out["scenario_id"] == "s"], out[out["scenario_id"] == "ok"]
    assert set(bad["scenario_status"]) == {"error"} and bad["optimised_weekly_spend"].isna().all()
    assert "budget scenario 's': budget must be >= 0" in bad["scenario_message"].iloc[0]
    assert set(good["scenario_status"]) == {"ok"} and good["optimised_weekly_spend"].sum() == pytest.approx(1000.0)
    every_bad = allocate_scenarios(draws, CURRENT, _scenario(budget_change_pct=-200.0), on_error="record")
    assert list(every_bad.columns) == list(out.columns) and len(every_bad) == 3


def _geo_params() -> pd.DataFrame:
    """int_posterior_channel_draws for two geos of different KPI scales, three draws."""
    rows = []
    for geo, target_scale in (("north", 5_000.0), ("south", 20_000.0)):
        for channel, lam in (("tv", 2.0), ("search", 1.0)):
            for draw in range(3):
                weights = adstock_weights("geometric", 2, 0.3 + 0.1 * draw)
                rows.append(
                    {
                        "run_id": "r", "chain": 0, "draw": draw, "geo": geo, "channel": channel,
                        "saturation_lam": lam, "saturation_coefficient": 0.2 + 0.05 * draw,
                        "channel_scale": 800.0, "target_scale": target_scale,
                        **{f"adstock_weight_{lag}": w for lag, w in enumerate(weights)},
                    }
                )  # fmt: skip
    return pd.DataFrame(rows)


def test_a_national_plan_over_geo_cells_keeps_each_geos_response():
    from python_udfs.scenarios import geo_cells

    params = _geo_params()
    spend = pd.DataFrame(
        [
            {"week_start": w, "geo": g, "channel": c, "spend": 300.0}
            for w in pd.date_range("2024-01-01", periods=4, freq="W-MON")
            for g in ("north", "south")
            for c in ("tv", "search")
        ]
    )
    cells, history = geo_cells(params, spend)
    national = ChannelDraws.from_frame(cells, "logistic", history=history)
    assert national.channels == ["north|search", "north|tv", "south|search", "south|tv"]
    plan = np.array([100.0, 200.0, 300.0, 400.0])
    together = national.contribution(plan, 10)
    for i, geo in enumerate(("north", "south")):
        own = ChannelDraws.from_frame(params[params["geo"] == geo], "logistic", history=spend[spend["geo"] == geo])
        np.testing.assert_allclose(together[:, 2 * i : 2 * i + 2], own.contribution(plan[2 * i : 2 * i + 2], 10))


def test_channel_rules_apply_to_their_cells():
    from python_udfs.scenarios import cell_rules

    current = pd.Series({"north|tv": 100.0, "south|tv": 300.0, "north|search": 50.0})
    rules = _rules(("s", "min_spend", "tv", 800.0), ("s", "min_share", "tv", 0.5), ("s", "fixed", "north|search", None))
    groups = pd.DataFrame([{"group_name": "video", "channel": "tv"}])
    cell_rules_, cell_groups = cell_rules(rules, groups, current)
    spend_rules = cell_rules_[cell_rules_["rule"] == "min_spend"].set_index("target")["value"]
    assert spend_rules.to_dict() == {"north|tv": 200.0, "south|tv": 600.0}  # split by current spend
    assert ("s", "min_share", "tv", 0.5) in [tuple(r) for r in cell_rules_.itertuples(index=False)]
    video = set(cell_groups.loc[cell_groups["group_name"] == "video", "channel"])
    assert video == {"north|tv", "south|tv"}
    assert set(cell_groups.loc[cell_groups["group_name"] == "tv", "channel"]) == {"north|tv", "south|tv"}


def test_a_national_plan_reports_each_geos_uplift_from_its_per_draw_total():
    """A geo's uplift interval is the interval of its cells' summed per-draw uplift (not a sum of
    the cells' intervals); the geos' means add up to the plan's; a plan over plain channels is
    its own only geo."""
    from python_udfs.scenarios import geo_cells

    params = _geo_params()
    spend = pd.DataFrame(
        [
            {"week_start": w, "geo": g, "channel": c, "spend": s}
            for w in pd.date_range("2024-01-01", periods=4, freq="W-MON")
            for g, s in (("north", 100.0), ("south", 900.0))
            for c in ("tv", "search")
        ]
    )
    cells, history = geo_cells(params, spend)
    national = ChannelDraws.from_frame(cells, "logistic", history=history)
    current = history.groupby("channel")["spend"].mean()
    out = allocate_scenarios(national, current, _scenario(budget_change_pct=10.0))
    out["geo"] = out["channel"].str.split("|").str[0]
    per_geo = out.groupby("geo").agg(
        uplift=("uplift_mean", "sum"), geo_uplift=("geo_uplift_mean", "first"), n=("geo_uplift_mean", "nunique")
    )
    assert (per_geo["n"] == 1).all()  # the geo's figures repeat on each of its rows
    np.testing.assert_allclose(per_geo["geo_uplift"], per_geo["uplift"], rtol=1e-9)
    assert per_geo["geo_uplift"].sum() == pytest.approx(out["scenario_uplift_mean"].iloc[0], rel=1e-9)
    # the interval from the per-draw totals
    x = out["optimised_weekly_spend"].to_numpy()
    now = current.reindex(national.channels).to_numpy()
    uplift = national.contribution(x, 20) - national.contribution(now, 20)
    south = uplift[:, [c.startswith("south|") for c in national.channels]].sum(axis=1)
    row = out[out["geo"] == "south"].iloc[0]
    assert row["geo_uplift_lower"] == pytest.approx(np.quantile(south, 0.03), rel=1e-9)
    assert row["geo_uplift_upper"] == pytest.approx(np.quantile(south, 0.97), rel=1e-9)
    assert row["geo_prob_uplift_positive"] == pytest.approx((south > 0).mean())
    # plain channels: the plan is the geo
    plain = allocate_scenarios(
        ChannelDraws.from_frame(params[params["geo"] == "north"], "logistic"),
        pd.Series({"tv": 100.0, "search": 100.0}),
        _scenario(),
    )
    for stat in ("mean", "lower", "upper"):
        assert (plain[f"geo_uplift_{stat}"] == plain[f"scenario_uplift_{stat}"]).all()
