"""Model comparison across forms on generated data with a known form: PSIS-LOO ranks the true
form first, whether it is delayed adstock with Hill saturation or the default geometric with
logistic (short real NUTS fits, slow lane)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import query, run_dbt

from python_udfs import transforms
from python_udfs.config import FitConfig
from python_udfs.model_comparison import CompareConfig, compare_forms, parse_form, selected_form
from python_udfs.panel import build_model_frame

WEEKS = 130
MAX_LAG = 6
HOLDOUT = 13
SHORT_FIT = {"chains": 2, "draws": 250, "tune": 300, "max_lag": MAX_LAG, "holdout_weeks": HOLDOUT}
CHANNELS = {"tv": 5000.0, "search": 3000.0, "social": 2000.0}  # effect at full saturation


def generate(adstock: str, saturation: str, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Panel and spend in the warehouse's long layout, the channels' carryover and saturation of
    the given form. Delayed: the effect peaks two weeks after the spend; Hill: an S-curve whose
    half-saturation sits at 60% of the largest adstocked spend."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2022-01-03", periods=WEEKS, freq="W-MON")
    kpi = 20_000.0 + 1500 * np.sin(2 * np.pi * np.arange(WEEKS) / 52.18)
    rows = []
    for channel, beta in CHANNELS.items():
        x = rng.gamma(2.0, 500.0, WEEKS) * (rng.random(WEEKS) > 0.3)
        if adstock == "delayed":
            weights = transforms.adstock_weights("delayed", MAX_LAG, 0.5, theta=2.0)
        else:
            weights = transforms.adstock_weights("geometric", MAX_LAG, 0.5)
        stock = transforms.adstock(x, weights) / x.max()
        if saturation == "hill":
            response = transforms.saturation("hill", stock / stock.max(), 4.0, 0.6)
        else:
            response = transforms.saturation("logistic", stock, 3.0)
        kpi = kpi + beta * response
        rows.append(pd.DataFrame({"week_start": weeks, "geo": "total", "channel": channel, "spend": x}))
    kpi = kpi + rng.normal(0, 300.0, WEEKS)
    panel = pd.DataFrame(
        {
            "week_start": weeks,
            "geo": "total",
            "kpi": kpi,
            "trend": np.arange(WEEKS),
            "is_holdout": np.arange(WEEKS) >= WEEKS - HOLDOUT,
        }
    )
    return panel, pd.concat(rows)


def _compare(true_form: tuple[str, str]) -> pd.DataFrame:
    panel, spend = generate(*true_form)
    mf = build_model_frame(panel, spend, pd.DataFrame(columns=["week_start", "geo", "control", "value"]))
    config = FitConfig.from_mapping(SHORT_FIT).resolved(WEEKS - HOLDOUT)
    compare = CompareConfig.from_mapping({"forms": ["delayed/hill"], "select": "best"}, ("geometric", "logistic"))
    table = compare_forms(mf, config, compare)
    print(table[["form", "elpd_loo", "elpd_se", "elpd_diff", "elpd_diff_se", "weight", "holdout_crps", "max_r_hat"]])
    return table


@pytest.mark.slow
@pytest.mark.parametrize("true_form", [("delayed", "hill"), ("geometric", "logistic")])
def test_loo_prefers_the_form_the_data_came_from(true_form):
    table = _compare(true_form)
    top = table.iloc[0]
    assert top["form"] == "/".join(true_form), table
    assert len(table) == 2 and (table["weight"] >= 0).all() and table["holdout_crps"].notna().all()


def test_the_configured_form_is_kept_unless_another_leads_by_two_standard_errors():
    table = pd.DataFrame(
        {
            "form": ["delayed/hill", "geometric/logistic"],
            "elpd_loo": [-100.0, -103.0],
            "elpd_se": [5.0, 5.0],
            "elpd_diff_se": [0.0, 2.0],
            "is_converged": [True, True],
            "max_r_hat": [1.002, 1.003],
            "min_ess_bulk": [1500.0, 1400.0],
            "divergences": [0, 0],
        }
    )
    best = CompareConfig(forms=(("geometric", "logistic"), ("delayed", "hill")), select="best")
    assert selected_form(table, best, "geometric/logistic")[0] == "geometric/logistic"  # lead 3 < 2 x 2
    table.loc[1, "elpd_loo"] = -110.0
    assert selected_form(table, best, "geometric/logistic")[0] == "delayed/hill"  # lead 10 > 4
    table.loc[0, "is_converged"] = False
    assert selected_form(table, best, "geometric/logistic")[0] == "geometric/logistic"
    table.loc[0, "is_converged"] = True
    _, reasons = selected_form(table, best, "geometric/logistic")
    assert reasons["delayed/hill"] == "selected: leads geometric/logistic by 10.0 elpd, 5.0 standard errors (> 2)"
    assert reasons["geometric/logistic"] == "the configured form; delayed/hill leads it"
    table.loc[0, ["is_converged", "max_r_hat", "min_ess_bulk", "divergences"]] = [False, 1.004, 900.0, 1]
    assert selected_form(table, best, "geometric/logistic")[1]["delayed/hill"].startswith(
        "not converged (r-hat 1.004, bulk ESS 900, 1 divergences): not eligible"
    )
    named = CompareConfig.from_mapping({"select": "delayed/hill"}, ("geometric", "logistic"))
    assert named.forms == (("geometric", "logistic"), ("delayed", "hill")) and named.enabled
    assert selected_form(table, named, "geometric/logistic")[0] == "delayed/hill"


def test_a_bad_form_names_the_setting():
    with pytest.raises(ValueError, match=r"var mmm_compare\.forms: 'weibull/hill' is not adstock/saturation"):
        CompareConfig.from_mapping({"forms": ["weibull/hill"]}, ("geometric", "logistic"))
    with pytest.raises(ValueError, match=r"var mmm_compare: unknown setting\(s\) form"):
        CompareConfig.from_mapping({"form": []}, ("geometric", "logistic"))
    assert parse_form("delayed/michaelis_menten", "forms") == ("delayed", "michaelis_menten")
    assert not CompareConfig.from_mapping({}, ("geometric", "logistic")).enabled


def test_the_comparison_is_a_dbt_node_whose_selection_the_run_fits(sql_layer_db, copy_of):
    """Tiny fits on the demo panel: two forms compared and written, the named one fitted as the
    run; a rebuild with nothing changed reuses the comparison instead of fitting its forms again."""
    db = copy_of(sql_layer_db)
    tiny = {"chains": 1, "draws": 40, "tune": 40, "prior_predictive_draws": 20}
    nodes = ["run", "--select", "stg_lift_tests", "int_lift_tests", "mmm_data_review", "mmm_model_comparison"]
    dbt_vars = {"mmm_fit": tiny, "mmm_compare": {"forms": ["delayed/hill"], "select": "delayed/hill"}}
    first = run_dbt([*nodes, "mmm_fits"], db, dbt_vars).output
    assert "mmm compare: fitting geometric/logistic" in first and "mmm compare: fitting delayed/hill" in first
    # the run reuses the comparison's fit of the form it selects instead of sampling it again
    assert "mmm: the model comparison fitted this form with these settings; reusing its fit" in first
    assert first.count("mmm: fitting ") == 2
    reasons = dict(query(db, "select form, selection_reason from main.mmm_model_comparison"))
    assert reasons == {
        "delayed/hill": "named by var mmm_compare.select",
        "geometric/logistic": "not named by var mmm_compare.select",
    }
    ((elpd_diff,),) = query(db, "select elpd_diff from main.mmm_model_comparison where rank = 2")
    assert elpd_diff > 0  # the top form's elpd_loo minus this one's
    rows = query(db, "select form, rank, elpd_loo, weight, is_selected from main.mmm_model_comparison order by rank")
    assert len(rows) == 2 and {r[0] for r in rows} == {"geometric/logistic", "delayed/hill"}
    assert all(np.isfinite(r[2]) for r in rows) and sum(r[3] for r in rows) == pytest.approx(1.0)
    assert [r[0] for r in rows if r[4]] == ["delayed/hill"]
    ((model_config,),) = query(db, "select model_config from main.mmm_fits")
    assert '"adstock": "delayed"' in model_config and '"saturation": "hill"' in model_config
    again = run_dbt([*nodes, "mmm_fits"], db, dbt_vars).output
    assert "reusing comparison" in again and "mmm compare: fitting" not in again and "reusing fit" in again
    assert query(db, "select count(*) from main.mmm_model_comparison") == [(2,)]
