"""Benchmark: the default fit on every public dataset in ../shared/data, configured by vars only.

For each dataset: `dbt build` into its own DuckDB file, then print convergence (max r-hat,
min bulk ESS, divergences), in-sample R², holdout CRPS where there is a holdout, each
channel's ROAS with its 94% interval (a geo panel's figures are the nation's, geo 'total'), ESS
per second, peak memory, and the model review's verdict. For the case study it
also prints the Spearman correlation of the ROAS ranking with the reference fit and the
holdout CRPS against the reference; for pymc_roas, each channel's true ROAS (from the data's
counterfactual columns) and whether the interval covers it.

Run: `uv run python bench/bench_public_data.py [dataset ...]` (default: all of them).
Fits run one after another (the machine has 2 cores).
"""

from __future__ import annotations

import resource
import sys
import tempfile
from pathlib import Path

import duckdb
import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dbt_runner import run_dbt
from public_datasets import (
    CASE_STUDY_REFERENCE_HOLDOUT_CRPS,
    CASE_STUDY_REFERENCE_ROAS,
    DATASETS,
    pymc_roas_truth,
)


def build(name: str, folder: Path, extra_vars: dict | None = None) -> tuple[Path, float, int, str]:
    db = folder / f"{name}.duckdb"
    dbt_vars = {**DATASETS[name], **(extra_vars or {})}
    proc, seconds = run_dbt(["build"], db, dbt_vars, target=folder / f"target_{name}", echo="mmm:")
    return db, seconds, proc.returncode, proc.stdout + proc.stderr


def report(name: str, db: Path, schema: str = "main") -> dict:
    """The figures of the current run, as a dict (printed by main). `schema`: main_build reads a
    build that failed (and so was not published)."""
    with duckdb.connect(str(db), read_only=True) as con:
        con.sql(f"use {schema}")

        def rows(sql: str) -> list[dict]:
            rel = con.sql(sql)
            return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]

        tables = {
            t
            for (t,) in con.sql(
                f"select table_name from information_schema.tables where table_schema = '{schema}'"
            ).fetchall()
        }
        # a build stopped before mmm_runs (a failed test upstream): the newest fit's own figures
        run = (
            rows("select * from mmm_runs where is_current")[0]
            if "mmm_runs" in tables
            else {**rows("select * from mmm_fits order by fitted_at desc limit 1")[0], "review_status": "not built"}
        )
        metrics = (
            {r["fit_sample"]: r for r in rows("select * from fit_metrics where geo = 'total'")}
            if "fit_metrics" in tables
            else {}
        )
        geos = rows("select count(distinct geo) as n from int_weekly_panel")[0]["n"]
        roas = (
            rows(
                "select channel, roas_mean, roas_lower, roas_upper from channel_roas "
                "where geo = 'total' order by channel"
            )
            if "channel_roas" in tables
            else []
        )
        review = (
            rows(
                "select check_name, subject, status, value, threshold from mmm_model_review "
                "where run_id = (select run_id from mmm_runs where is_current) and status <> 'pass'"
            )
            if "mmm_model_review" in tables and "mmm_runs" in tables
            else []
        )
    out = {
        "dataset": name,
        "converged": run["is_converged"],
        "max_r_hat": run["max_r_hat"],
        "min_ess_bulk": run["min_ess_bulk"],
        "divergences": run["divergences"],
        "fit_seconds": run["fit_seconds"],
        "r2_in_sample": metrics.get("in_sample", {}).get("r_squared"),
        "crps_holdout": metrics.get("holdout", {}).get("crps"),
        "coverage_holdout": metrics.get("holdout", {}).get("predictive_coverage"),
        "roas": {r["channel"]: (r["roas_mean"], r["roas_lower"], r["roas_upper"]) for r in roas},
        "geos": geos,
        "review_verdict": run.get("review_status", "n/a"),
        "review_not_pass": review,
        "worst_parameters": run.get("worst_parameters"),
    }
    if name == "pymc_roas" and out["roas"]:
        out["true_roas"] = pymc_roas_truth()
    if name == "case_study" and out["roas"]:
        channels = list(CASE_STUDY_REFERENCE_ROAS)
        out["spearman_vs_reference"] = float(
            spearmanr([CASE_STUDY_REFERENCE_ROAS[c] for c in channels], [out["roas"][c][0] for c in channels])[0]
        )
        if out["crps_holdout"]:
            out["crps_holdout_vs_reference"] = out["crps_holdout"] / CASE_STUDY_REFERENCE_HOLDOUT_CRPS
        out["spearman_draws"] = spearman_draws(db, schema)
    return out


def spearman_draws(db: Path, schema: str) -> dict:
    """How well the data determine the ROAS ranking: the reference's Spearman correlation with
    each posterior draw's ranking (not only with the means'), and how often the draws agree
    with the reference on each pair of channels. A ranking the data pin down gives draws that
    agree with each other; one set by the priors does not."""
    channels = list(CASE_STUDY_REFERENCE_ROAS)
    build_schema = schema if schema.endswith("_build") else f"{schema}_build"  # where the draws are
    with duckdb.connect(str(db), read_only=True) as con:
        draws = con.sql(
            f"select chain, draw, channel, contribution / spend as roas from {build_schema}.int_channel_roas_draws "
            f"where run_id = (select run_id from {schema}.mmm_runs where is_current) and geo = 'total'"
        ).df()
    wide = draws.pivot_table(index=["chain", "draw"], columns="channel", values="roas")[channels]
    reference = [CASE_STUDY_REFERENCE_ROAS[c] for c in channels]
    rho = np.array([spearmanr(reference, row)[0] for row in wide.to_numpy()])
    # the reference orders channels from lowest ROAS to highest: P(draw puts each pair that way)
    ordered = sorted(channels, key=CASE_STUDY_REFERENCE_ROAS.__getitem__)
    pairs = {
        f"{high} > {low}": float((wide[high] > wide[low]).mean())
        for i, low in enumerate(ordered)
        for high in ordered[i + 1 :]
    }
    return {
        "draws": len(rho),
        "median": float(np.median(rho)),
        "interval": (float(np.quantile(rho, 0.03)), float(np.quantile(rho, 0.97))),
        "prob_at_least_0_9": float((rho >= 0.9).mean()),
        "pairs": pairs,
    }


def main(names: list[str]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="mmm_public_"))
    for name in names:
        db, seconds, rc, output = build(name, folder)
        print(f"\n=== {name}: dbt build exit {rc} in {seconds:.0f} s ({db})")
        if not db.exists() or rc != 0:
            print("build failed: figures from the build schema (not published)")
        if not db.exists():
            print(output[-3000:])
            continue
        fig = report(name, db, schema="main" if rc == 0 else "main_build")
        peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
        print(
            f"converged={fig['converged']} max_r_hat={fig['max_r_hat']:.3f} min_ess_bulk={fig['min_ess_bulk']:.0f} "
            f"divergences={fig['divergences']} sampling={fig['fit_seconds']:.0f}s "
            f"(lowest bulk ESS per second of sampling {fig['min_ess_bulk'] / fig['fit_seconds']:.2f}); "
            f"geos={fig['geos']}; peak RSS of the largest dbt process so far {peak_gib:.1f} GiB"
        )
        print(
            f"R2 in-sample={fig['r2_in_sample']}  holdout CRPS={fig['crps_holdout']}  "
            f"holdout coverage={fig['coverage_holdout']}"
        )
        truth = fig.get("true_roas", {})
        for channel, (mean, lo, hi) in fig["roas"].items():
            known = ""
            if channel in truth:
                covered = "covered" if lo <= truth[channel] <= hi else "MISSED"
                known = f"  truth {truth[channel]:.3f} ({covered})"
            print(f"  ROAS {channel:<22} {mean:10.3f}  [{lo:.3f}, {hi:.3f}]{known}")
        if "spearman_vs_reference" in fig:
            print(f"Spearman vs reference ROAS ranking: {fig['spearman_vs_reference']:.3f}")
        if "spearman_draws" in fig:
            sd = fig["spearman_draws"]
            lo, hi = sd["interval"]
            print(
                f"Spearman vs reference, per posterior draw ({sd['draws']} draws): median {sd['median']:.3f} "
                f"[{lo:.3f}, {hi:.3f}], P(>= 0.9) {sd['prob_at_least_0_9']:.3f}"
            )
            print("  P(a draw orders the pair as the reference does):")
            for pair, prob in sd["pairs"].items():
                print(f"    {pair:<26} {prob:.3f}")
        if "crps_holdout_vs_reference" in fig:
            print(f"holdout CRPS / reference: {fig['crps_holdout_vs_reference']:.3f}")
        print(f"review verdict: {fig['review_verdict']}")
        for r in fig["review_not_pass"]:
            print(f"  {r['status']:<5} {r['check_name']} {r['subject']}: value {r['value']} threshold {r['threshold']}")
        if rc != 0:
            print("\n".join(line for line in output.splitlines() if "ERROR" in line or "MMM" in line)[-3000:])
            print(f"worst parameters: {fig['worst_parameters']}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(DATASETS))
