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
from collections.abc import Callable
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


# A candidate that leads on LOO but misses the convergence gate by this little (divergences, r-hat)
# is fitted again more carefully before the rule decides: a few divergences in thousands of draws
# are a step size too large for one corner, which a higher target acceptance and a longer warm-up
# usually mend; an r-hat above NEAR_MISS_R_HAT is a fit that did not mix, which they do not.
NEAR_MISS_DIVERGENCES = 10
NEAR_MISS_R_HAT = 1.05
CAREFUL_TARGET_ACCEPT = 0.99
CAREFUL_TUNE_FACTOR = 2


def compare_forms(
    mf: ModelFrame,
    config: FitConfig,
    compare: CompareConfig,
    experiments: pd.DataFrame | None = None,
    log=print,
    keep: Callable[[FitConfig, mmm_fit.FitResult], dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """One row per candidate form: elpd_loo and its standard error, p_loo, the difference to
    the best form and its standard error, stacking weight, weeks with Pareto k above 0.7,
    holdout CRPS (null without holdout weeks), convergence, rank, whether it is selected and
    why. A candidate that leads but narrowly misses the gate is refitted carefully first
    (`careful`). `keep(config, result)` adds columns to a candidate's row (its stored fit)."""

    configured = form_name(config.adstock, config.saturation)
    rows, loos = {}, {}
    for adstock, saturation in compare.forms:
        name = form_name(adstock, saturation)
        log(f"mmm compare: fitting {name}")
        candidate = replace(config, adstock=adstock, saturation=saturation)
        rows[name], loos[name] = _candidate(mf, candidate, experiments, log, keep)
    table = _ranked(rows, loos)
    leader = table.iloc[0]
    if compare.select == "best" and leader["form"] != configured and not leader["is_converged"]:
        lead, se = _lead(table, str(leader["form"]), configured)
        near = leader["divergences"] <= NEAR_MISS_DIVERGENCES and leader["max_r_hat"] <= NEAR_MISS_R_HAT
        if lead > 2 * se and near:
            name = str(leader["form"])
            candidate = careful(replace(config, adstock=str(leader["adstock"]), saturation=str(leader["saturation"])))
            log(
                f"mmm compare: {name} leads {configured} by {lead:.1f} elpd ({lead / se:.1f} standard errors) but "
                f"missed the convergence gate ({int(leader['divergences'])} divergences, r-hat "
                f"{leader['max_r_hat']:.3f}); fitting it again with target_accept {candidate.target_accept} and "
                f"{candidate.tune} warm-up draws"
            )
            rows[name], loos[name] = _candidate(mf, candidate, experiments, log, keep)
            rows[name]["refitted"] = True
            table = _ranked(rows, loos)
    chosen, reasons = selected_form(table, compare, configured)
    table["is_selected"] = table["form"] == chosen
    table["selection_reason"] = table["form"].map(reasons)
    for form, reason in reasons.items():
        log(f"mmm compare: {form}: {reason}")
    return table


def careful(config: FitConfig) -> FitConfig:
    """The settings of a careful refit: a higher target acceptance, a longer warm-up."""
    return replace(
        config,
        target_accept=max(CAREFUL_TARGET_ACCEPT, config.target_accept or 0.0),
        tune=config.tune * CAREFUL_TUNE_FACTOR,
    )


def _candidate(
    mf: ModelFrame,
    candidate: FitConfig,
    experiments: pd.DataFrame | None,
    log: Any,
    keep: Callable[[FitConfig, mmm_fit.FitResult], dict[str, Any]] | None,
) -> tuple[dict[str, Any], Any]:
    """A candidate's fit, its row and its PSIS-LOO."""
    import arviz as az
    import pymc as pm

    name = form_name(candidate.adstock, candidate.saturation)
    mmm, result = mmm_fit.fit_mmm(mf, candidate, log=log, experiments=experiments)
    idata = result.idata
    pm.compute_log_likelihood(idata, model=mmm.model, var_names=["y"], progressbar=False)
    loo = az.loo(idata, pointwise=True, var_name="y")
    diag = posterior_tables.convergence(
        idata["posterior"].to_dataset()[[rv.name for rv in mmm.model.free_RVs]],
        idata["sample_stats"].to_dataset(),
        candidate.max_r_hat,
        candidate.min_ess_bulk,
        candidate.max_divergences,
    )
    row = {
        "form": name,
        "adstock": candidate.adstock,
        "saturation": candidate.saturation,
        "elpd_loo": float(loo.elpd),
        "elpd_se": float(loo.se),
        "p_loo": float(loo.p),
        "n_pareto_k_bad": int((np.asarray(loo.pareto_k) > PARETO_K_MAX).sum()),
        "holdout_crps": holdout_crps(mmm, mf, candidate.random_seed) if mf.holdout.any() else None,
        "max_r_hat": diag["max_r_hat"],
        "min_ess_bulk": diag["min_ess_bulk"],
        "divergences": diag["divergences"],
        "is_converged": diag["is_converged"],
        "fit_seconds": result.seconds,
        "target_accept": candidate.target_accept,
        "tune": candidate.tune,
        "refitted": False,
        **(keep(candidate, result) if keep is not None else {}),
    }
    return row, loo


def _ranked(rows: dict[str, dict[str, Any]], loos: dict[str, Any]) -> pd.DataFrame:
    """Rows ranked by elpd_loo; elpd_diff is the top form's elpd_loo minus this one's (0 for the
    top, positive below it), with az.compare's standard error of that difference."""
    import arviz as az

    table = pd.DataFrame(list(rows.values())).set_index("form")
    ranked = az.compare(loos)
    table["rank"] = ranked["rank"].astype(int) + 1
    table["elpd_diff"] = float(table["elpd_loo"].max()) - table["elpd_loo"]
    table["elpd_diff_se"] = ranked["dse"].astype(float)
    table["weight"] = ranked["weight"].astype(float)
    return table.reset_index().sort_values("rank").reset_index(drop=True)


def _lead(table: pd.DataFrame, form: str, configured: str) -> tuple[float, float]:
    """How far `form` leads the configured form in elpd_loo, and the standard error of that lead
    (az.compare's dse of the configured form against the top one, else its own elpd_se)."""
    rows = table.set_index("form")
    lead = float(rows.loc[form, "elpd_loo"] - rows.loc[configured, "elpd_loo"])
    top = str(table.sort_values("elpd_loo", ascending=False).iloc[0]["form"])
    se = float(rows.loc[configured, "elpd_diff_se"] if form == top else rows.loc[configured, "elpd_se"])
    return lead, se


def selected_form(table: pd.DataFrame, compare: CompareConfig, configured: str) -> tuple[str, dict[str, str]]:
    """The form a run uses, by the rule stated in CompareConfig, and why each form was or was
    not selected, in words a reader of mmm_model_comparison can check against its columns."""
    forms = [str(f) for f in table["form"]]
    if compare.select == "configured":
        return configured, {f: "select: configured (the comparison only reports)" for f in forms}
    if compare.select != "best":
        return compare.select, {
            f: ("named by var mmm_compare.select" if f == compare.select else "not named by var mmm_compare.select")
            for f in forms
        }
    rows = table.set_index("form")
    reasons: dict[str, str] = {}
    chosen = configured
    for form in table.sort_values("elpd_loo", ascending=False)["form"].astype(str):
        row = rows.loc[form]
        if not bool(row["is_converged"]):
            again = " after a careful refit" if bool(row.get("refitted", False)) else ""
            reasons[form] = (
                f"not converged{again} (r-hat {row['max_r_hat']:.3f}, bulk ESS {row['min_ess_bulk']:.0f}, "
                f"{int(row['divergences'])} divergences): not eligible"
            )
            continue
        if form == configured:
            reasons[form] = reasons.get(form) or "the configured form"
            continue
        lead, se = _lead(table, form, configured)
        if chosen == configured and lead > 2 * se:
            chosen = form
            reasons[form] = f"selected: leads {configured} by {lead:.1f} elpd, {lead / se:.1f} standard errors (> 2)"
        elif chosen != configured:
            reasons[form] = f"converged, but {chosen} leads it"
        else:
            reasons[form] = f"leads {configured} by {lead:.1f} elpd, {lead / se:.1f} standard errors (not > 2)"
    if chosen == configured and bool(rows.loc[configured, "is_converged"]):
        reasons[configured] = "selected: no converged form leads it by more than 2 standard errors"
    elif chosen == configured:
        reasons[configured] += "; kept, as no converged form leads it by more than 2 standard errors"
    else:
        reasons[configured] = reasons.get(configured, "the configured form") + f"; {chosen} leads it"
    return chosen, reasons


def holdout_crps(mmm: Any, mf: ModelFrame, seed: int) -> float:
    """Mean CRPS over the holdout weeks of the posterior predictive, in KPI units."""
    return holdout.scores(*holdout.predictive(mmm, mf, seed)).crps
