"""Compare adstock x saturation forms fitted on the same panel: PSIS-LOO and holdout CRPS.

Why: when the true carryover or saturation shape differs from the fitted one, the fit gives
confident, wrong intervals for the largest channel, and nothing in one fit shows it. Each
candidate form is a real fit with the run's settings; arviz's PSIS-LOO estimates how well each
predicts a week it did not see (the Pareto k of every week is counted, not hidden), and the
holdout weeks, when there are some, score each by CRPS. The rule that picks a form is stated in
`select` below, so the choice a run makes can be read back from the table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from python_udfs import holdout, mmm_fit, posterior_tables
from python_udfs.config import ADSTOCKS, SATURATIONS, FitConfig
from python_udfs.panel import ModelFrame

SEPARATOR = "/"
SELECT = ("configured", "best")
# A PSIS-LOO estimate of one week is unreliable above this Pareto k (Vehtari et al. 2024).
PARETO_K_MAX = 0.7


@dataclass(frozen=True)
class CompareConfig:
    """var mmm_compare: `forms` lists candidate "adstock/saturation" pairs (the configured form
    is always among them); `select` is `configured` (report only: the run keeps mmm_fit's form),
    `best` (the form with the highest expected log predictive density, among converged fits,
    when it leads the configured form by more than two standard errors of the difference;
    otherwise the configured form) or one named pair."""

    forms: tuple[tuple[str, str], ...] = ()
    select: str = "configured"

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None, configured: tuple[str, str]) -> CompareConfig:
        values = dict(values or {})
        unknown = sorted(set(values) - {"forms", "select"})
        if unknown:
            raise ValueError(f"var mmm_compare: unknown setting(s) {', '.join(unknown)}; known: forms, select")
        forms = [configured] + [parse_form(f, "forms") for f in values.get("forms") or []]
        select = str(values.get("select") or "configured")
        if select not in SELECT:
            forms.append(parse_form(select, "select"))
        unique = tuple(dict.fromkeys(forms))
        return cls(forms=unique if len(unique) > 1 else (), select=select)

    @property
    def enabled(self) -> bool:
        return len(self.forms) > 1


def parse_form(value: Any, setting: str) -> tuple[str, str]:
    """'delayed/hill' -> ('delayed', 'hill'), naming the setting when it is not a known pair."""
    parts = str(value).split(SEPARATOR)
    if len(parts) != 2 or parts[0] not in ADSTOCKS or parts[1] not in SATURATIONS:
        raise ValueError(
            f"var mmm_compare.{setting}: {value!r} is not adstock/saturation with adstock in "
            f"{', '.join(ADSTOCKS)} and saturation in {', '.join(SATURATIONS)}"
        )
    return parts[0], parts[1]


def form_name(adstock: str, saturation: str) -> str:
    return f"{adstock}{SEPARATOR}{saturation}"


def comparison_id(data_hash: str, config: FitConfig, compare: CompareConfig) -> str:
    """Key of one comparison: the data, the fit settings and the candidate forms."""
    payload = json.dumps([data_hash, config.config_hash(), [list(f) for f in compare.forms]])
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def compare_forms(
    mf: ModelFrame, config: FitConfig, compare: CompareConfig, experiments: pd.DataFrame | None = None, log=print
) -> pd.DataFrame:
    """One row per candidate form: elpd_loo and its standard error, p_loo, the difference to
    the best form and its standard error, stacking weight, weeks with Pareto k above 0.7,
    holdout CRPS (null without holdout weeks), convergence, rank and whether it is selected."""
    import arviz as az
    import pymc as pm

    rows, loos = [], {}
    for adstock, saturation in compare.forms:
        name = form_name(adstock, saturation)
        log(f"mmm compare: fitting {name}")
        candidate = replace(config, adstock=adstock, saturation=saturation)
        mmm, result = mmm_fit.fit_mmm(mf, candidate, log=log, experiments=experiments)
        idata = result.idata
        pm.compute_log_likelihood(idata, model=mmm.model, var_names=["y"], progressbar=False)
        loo = az.loo(idata, pointwise=True, var_name="y")
        loos[name] = loo
        diag = posterior_tables.convergence(
            idata["posterior"].to_dataset()[[rv.name for rv in mmm.model.free_RVs]],
            idata["sample_stats"].to_dataset(),
            config.max_r_hat,
            config.min_ess_bulk,
            config.max_divergences,
        )
        rows.append(
            {
                "form": name,
                "adstock": adstock,
                "saturation": saturation,
                "elpd_loo": float(loo.elpd),
                "elpd_se": float(loo.se),
                "p_loo": float(loo.p),
                "n_pareto_k_bad": int((np.asarray(loo.pareto_k) > PARETO_K_MAX).sum()),
                "holdout_crps": holdout_crps(mmm, mf, config.random_seed) if mf.holdout.any() else None,
                "max_r_hat": diag["max_r_hat"],
                "min_ess_bulk": diag["min_ess_bulk"],
                "divergences": diag["divergences"],
                "is_converged": diag["is_converged"],
                "fit_seconds": result.seconds,
            }
        )
    table = pd.DataFrame(rows).set_index("form")
    ranked = az.compare(loos)
    table["rank"] = ranked["rank"].astype(int) + 1
    table["elpd_diff"] = ranked["elpd_diff"].astype(float)
    table["elpd_diff_se"] = ranked["dse"].astype(float)
    table["weight"] = ranked["weight"].astype(float)
    table = table.reset_index().sort_values("rank").reset_index(drop=True)
    table["is_selected"] = table["form"] == selected_form(table, compare, form_name(config.adstock, config.saturation))
    return table


def selected_form(table: pd.DataFrame, compare: CompareConfig, configured: str) -> str:
    """The form a run uses, by the rule stated in CompareConfig."""
    if compare.select == "configured":
        return configured
    if compare.select != "best":
        return compare.select
    converged = table[table["is_converged"]].sort_values("elpd_loo", ascending=False)
    if converged.empty:
        return configured
    best = converged.iloc[0]
    base = table.set_index("form").loc[configured]
    lead = best["elpd_loo"] - base["elpd_loo"]
    # the standard error of the difference, from az.compare's dse against the top form
    se = float(base["elpd_diff_se"]) if best["form"] == table.iloc[0]["form"] else float(base["elpd_se"])
    return str(best["form"]) if best["form"] != configured and lead > 2 * se else configured


def holdout_crps(mmm: Any, mf: ModelFrame, seed: int) -> float:
    """Mean CRPS over the holdout weeks of the posterior predictive, in KPI units."""
    return holdout.scores(*holdout.predictive(mmm, mf, seed)).crps
