"""Regression tests on the public datasets in ../shared/data: the full default fit, configured
by vars alone, exactly as bench/public_datasets.py writes them (skipped when the data is absent).
Slow (a default fit each, about 1-1.5 minutes on 2 cores): `make test-fast` leaves them out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import PROJECT, run_dbt

sys.path.insert(0, str(PROJECT / "bench"))
from bench_public_data import report
from public_datasets import (
    CASE_STUDY_REFERENCE_HOLDOUT_CRPS,
    DATASETS,
    available,
    pymc_roas_truth,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not available(), reason="../shared/data is not beside the checkout"),
]


def _build(name: str, folder: Path, extra: dict | None = None, ok: bool = True):
    db = folder / f"{name}.duckdb"
    proc = run_dbt(["build"], db, {**DATASETS[name], **(extra or {})}, ok=ok)
    return db, proc.output


@pytest.fixture(scope="module")
def case_study(tmp_path_factory):
    db, output = _build("case_study", tmp_path_factory.mktemp("case_study"))
    return db, output, report("case_study", db)


def test_case_study_converges_and_matches_the_reference_holdout(case_study):
    _, output, fig = case_study
    print(fig)
    assert fig["converged"] and fig["max_r_hat"] <= 1.01 and fig["min_ess_bulk"] >= 400 and fig["divergences"] == 0
    assert fig["crps_holdout"] <= 1.05 * CASE_STUDY_REFERENCE_HOLDOUT_CRPS
    assert fig["r2_in_sample"] > 0.5
    assert fig["review_verdict"] in ("pass", "warn") and "MMM MODEL REVIEW FAILED" not in output
    # every ROAS interval is finite, positive and of the reference's order of magnitude (8-53)
    assert all(0 < lo < mean < hi < 500 for mean, lo, hi in fig["roas"].values())


def test_case_study_merges_its_identical_holiday_flags(case_study):
    db, *_ = case_study
    from conftest import query

    rows = query(db, "select subject from main.mmm_data_review where check_name = 'identical_controls' order by 1")
    assert rows == [
        ("hldy_Black Friday & hldy_Pre Thanksgiving & hldy_Thanksgiving",),
        ("hldy_Christmas Day & hldy_Day after Christmas",),
    ]


@pytest.mark.parametrize("name", ["robyn", "meridian_national", "meridian_all_channels", "pymc_example", "pymc_geo"])
def test_public_dataset_converges_and_passes_the_review(name, tmp_path):
    db, _ = _build(name, tmp_path)
    fig = report(name, db)
    print(fig)
    assert fig["converged"], fig
    assert fig["review_verdict"] in ("pass", "warn"), fig["review_not_pass"]
    assert fig["r2_in_sample"] > 0.3 and len(fig["roas"]) >= 2


def test_known_truth_roas_is_covered_on_pymc_marketings_roas_data(tmp_path):
    """pymc-marketing's ROAS data (a concave true trend, a confounder z beside x1): every
    channel's 94% ROAS interval covers the ROAS its counterfactual columns give. With a straight
    trend, x2 got 206 [181, 234] against a true 171 and the review passed."""
    db, _ = _build("pymc_roas", tmp_path)
    fig = report("pymc_roas", db)
    print(fig)
    assert fig["converged"] and fig["review_verdict"] in ("pass", "warn"), fig["review_not_pass"]
    truth = pymc_roas_truth()
    assert sorted(fig["roas"]) == sorted(truth)
    for channel, (_, lo, hi) in fig["roas"].items():
        assert lo <= truth[channel] <= hi, (channel, lo, hi, truth[channel])


def test_the_old_defaults_are_caught_by_the_review(tmp_path):
    """The case study with pymc-marketing's stock intercept and a likelihood truncated at zero,
    the defaults that gave R² -292 and ten-times ROAS: the review fails the run, and the budget
    tables are not built from it."""
    old = {
        "mmm_fit": {
            "priors": {
                "intercept": {"distribution": "Normal", "mu": 0, "sigma": 2},
                "likelihood": {
                    "distribution": "TruncatedNormal",
                    "lower": 0,
                    "sigma": {"distribution": "HalfNormal", "sigma": 2},
                    "dims": ["date"],
                },
                "saturation_beta": {"distribution": "HalfNormal", "sigma": 5, "dims": ["channel"]},
            },
            "yearly_seasonality": 2,
            "adaptation": "diag",
            "target_accept": 0.95,
            "tune": 1000,
        }
    }
    db, output = _build("case_study", tmp_path, old, ok=False)
    assert "MMM NOT PUBLISHED" in output
    fig = report("case_study", db, schema="main_build")  # the failed build published nothing
    print(fig)
    assert fig["review_verdict"] == "fail"
    assert "MMM MODEL REVIEW FAILED" in output and "SKIP relation main_build.budget_allocations" in output
