"""Experiments (geo lift tests, holdouts, go-dark tests) as evidence for the fit.

Why: an MMM separates channels whose spend moves together only through its priors; a
randomised experiment measures one channel's effect directly. pymc-marketing conditions the
saturation curve on each test (the model's lift from x to x + delta_x must match delta_y within
sigma), which pulls the channel's posterior toward the experiment. The SQL layer
(int_lift_tests) turns each test into those weekly figures and names any test it cannot use;
this module hands them to pymc-marketing and records which tests a run saw.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd

# The likelihood term's name in the PyMC model; its deterministics start with it.
LIKELIHOOD = "lift_measurements"
WEEKLY = ["x", "delta_x", "delta_y", "sigma"]


def measurements(lift_tests: pd.DataFrame | None, geos: list[str]) -> pd.DataFrame:
    """int_lift_tests as add_lift_test_measurements reads it: channel, [geo], x, delta_x,
    delta_y, sigma, one row per test in test_id order; empty without tests."""
    columns = ["test_id", "channel", *(["geo"] if len(geos) > 1 else []), *WEEKLY]
    if lift_tests is None or lift_tests.empty:
        return pd.DataFrame(columns=columns)
    df = lift_tests.rename(columns=str.lower)
    unusable = df[df["problem"].notna()] if "problem" in df else df.iloc[:0]
    if len(unusable):
        shown = "; ".join(f"(test_id={r.test_id}, {r.problem})" for r in unusable.head(5).itertuples())
        raise ValueError(f"MMM INPUT ERROR in int_lift_tests.problem: experiments that cannot be used: {shown}")
    df = df.sort_values("test_id").reset_index(drop=True)
    df[WEEKLY] = df[WEEKLY].astype(float)
    return df[columns]


def calibrate(mmm: Any, tests: pd.DataFrame) -> None:
    """Add one lift-test likelihood term per experiment to a built model (identity link)."""
    if len(tests):
        mmm.add_lift_test_measurements(tests.drop(columns=["test_id"]), name=LIKELIHOOD)


def fingerprint(tests: pd.DataFrame) -> str:
    """Hash of the tests' figures, joined to the data hash so a new or changed test refits."""
    payload = tests.round(10).to_json(orient="split", double_precision=10)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def describe(tests: pd.DataFrame) -> str:
    """The experiments a run used, as JSON (mmm_runs.lift_tests): id, channel, geo and the
    weekly figures the fit saw."""
    return json.dumps(tests.to_dict(orient="records"), default=float)
