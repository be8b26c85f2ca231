"""Benchmark: the geo model's fit, end to end in dbt, on (a) Meridian's geo dataset and (b) a
generated panel the size of the large preset of PyMC Labs' MMM benchmark (50 geos x 30
channels x 208 weeks x 10 controls) with known truth.

Prints for each: the `dbt build` wall time, sampling seconds, seconds per iteration, mean tree
depth and step size (where the sampling time goes: leapfrog steps per iteration), lowest bulk
ESS per second, max r-hat, divergences, peak RSS of the dbt process, and the national ROAS
against the truth where there is one. With short settings (`--draws`, `--tune`, `--chains`) it
also prints what a default fit (4 x 1500 + 1500) would take at the measured seconds per
iteration, since a default 50 x 30 fit takes hours on 2 cores.

Run: `uv run python bench/bench_geo_fit.py [meridian] [generated] [--chains 4 --draws 1500
--tune 1500] [--geos 50 --channels 30 --weeks 208 --controls 10] [--sampler numpyro]`. Fits run
one after another. On a GPU: `uv run --with numpyro --with "jax[cuda12]" python
bench/bench_geo_fit.py generated --sampler numpyro` (JAX is not in the lock file).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_public_data import report
from dbt_runner import run_dbt

from python_udfs import transforms
from python_udfs.config import FitConfig

DEFAULT = FitConfig()


def generate(folder: Path, geos: int, channels: int, weeks: int, controls: int, seed: int = 0) -> tuple[dict, dict]:
    """A geo panel with known truth as long parquet inputs (var mmm_inputs), and each channel's
    true national ROAS. Geos differ in size by a factor of ~50; each channel has its own
    geometric carryover and logistic saturation, shared by geos, and an effect that varies a
    little by geo around a national one (the hierarchical model's assumptions)."""
    rng = np.random.default_rng(seed)
    starts = pd.date_range("2021-01-04", periods=weeks, freq="7D")
    season = 0.1 * np.sin(2 * np.pi * np.arange(weeks) / 52.18)
    sizes = np.exp(rng.normal(0, 1, geos))
    names = [f"channel_{c:02d}" for c in range(channels)]
    alpha = rng.uniform(0.1, 0.7, channels)
    lam = rng.uniform(0.5, 3.0, channels)
    share = rng.dirichlet(np.ones(channels)) * 0.3  # media: about 30% of the KPI
    control_effect = rng.normal(0, 0.02, controls)
    spend_rows, kpi_rows, control_rows = [], [], []
    contribution, spend_total = np.zeros(channels), np.zeros(channels)
    for g in range(geos):
        geo, base = f"geo_{g:03d}", 1e4 * sizes[g]
        kpi = base * (1 + season)
        for c in range(channels):
            x = rng.gamma(2.0, 100.0 * sizes[g], weeks) * (rng.random(weeks) > 0.2)
            stock = transforms.adstock(x, transforms.adstock_weights("geometric", 6, alpha[c]))
            curve = transforms.saturation("logistic", stock / max(x.max(), 1e-9), lam[c])
            effect = share[c] * base * np.exp(rng.normal(0, 0.2)) / max(curve.mean(), 1e-9)
            kpi = kpi + effect * curve
            contribution[c] += float((effect * curve).sum())
            spend_total[c] += float(x.sum())
            spend_rows.append(pd.DataFrame({"geo": geo, "period_start": starts, "channel": names[c], "spend": x}))
        for k in range(controls):
            z = rng.normal(0, 1, weeks)
            kpi = kpi + control_effect[k] * base * z
            control = f"control_{k:02d}"
            control_rows.append(pd.DataFrame({"geo": geo, "period_start": starts, "control": control, "value": z}))
        kpi = kpi + rng.normal(0, 0.03 * base, weeks)
        kpi_rows.append(pd.DataFrame({"geo": geo, "period_start": starts, "kpi": kpi}))
    inputs = {}
    for name, frames in (("media_spend", spend_rows), ("kpi", kpi_rows), ("controls", control_rows)):
        frame = pd.concat(frames, ignore_index=True)
        frame["period_end"] = frame["period_start"] + pd.Timedelta(days=6)
        path = folder / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        inputs[name] = {"path": str(path), "has_geo": True}
    return {"mmm_week_start": "monday", "mmm_inputs": inputs}, dict(zip(names, contribution / spend_total, strict=True))


def sampler_figures(db: Path, schema: str) -> dict:
    """Draws kept, mean tree depth and step size of the current run (mmm_sample_stats)."""
    with duckdb.connect(str(db), read_only=True) as con:
        con.sql(f"use {schema}")
        n, mean_depth, step = con.sql(
            "select count(*), avg(tree_depth), avg(step_size) from mmm_sample_stats "
            "where run_id = (select run_id from mmm_runs where is_current)"
        ).fetchall()[0]
    return {"draws": n, "tree_depth": mean_depth, "step_size": step}


def run(name: str, folder: Path, dbt_vars: dict, fit: dict, truth: dict | None) -> None:
    db = folder / f"{name}.duckdb"
    proc, seconds = run_dbt(["build"], db, {**dbt_vars, "mmm_fit": fit}, target=folder / f"target_{name}", echo="mmm:")
    schema = "main" if proc.returncode == 0 else "main_build"
    print(f"\n=== {name}: dbt build exit {proc.returncode} in {seconds:.0f} s (figures from {schema})")
    if not db.exists():
        print((proc.stdout + proc.stderr)[-3000:])
        return
    fig, sampler = report(name, db, schema=schema), sampler_figures(db, schema)
    chains, draws, tune = (fit.get(k, getattr(DEFAULT, k)) for k in ("chains", "draws", "tune"))
    cores = FitConfig.from_mapping(fit).sampler_cores()
    per_iteration = fig["fit_seconds"] / (chains * (draws + tune) / cores)
    default_minutes = per_iteration * DEFAULT.chains * (DEFAULT.draws + DEFAULT.tune) / cores / 60
    peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(
        f"{fig['geos']} geos; {chains} chains x {draws} draws (+{tune} tune) on {cores} cores: sampling "
        f"{fig['fit_seconds']:.0f} s, {per_iteration:.2f} s per iteration of a chain, tree depth "
        f"{sampler['tree_depth']:.1f}, step size {sampler['step_size']:.4f}"
    )
    print(
        f"max r-hat {fig['max_r_hat']:.3f}, lowest bulk ESS {fig['min_ess_bulk']:.0f} "
        f"({fig['min_ess_bulk'] / fig['fit_seconds']:.2f} per second), divergences {fig['divergences']}, "
        f"converged {fig['converged']}; peak RSS of the dbt process {peak_gib:.1f} GiB"
    )
    default = f"{DEFAULT.chains} x {DEFAULT.draws} + {DEFAULT.tune}"
    print(f"a default fit ({default}) at this rate: about {default_minutes:.0f} min of sampling")
    print(f"R2 in-sample (nation) {fig['r2_in_sample']}; review verdict {fig['review_verdict']}")
    known = truth or {}
    for channel, (mean, lo, hi) in fig["roas"].items():
        true = f"  true {known[channel]:.3f}" if channel in known else ""
        print(f"  national ROAS {channel:<16} {mean:10.3f}  [{lo:.3f}, {hi:.3f}]{true}")
    if known:
        covered = sum(lo <= known[c] <= hi for c, (_, lo, hi) in fig["roas"].items())
        print(f"national ROAS intervals covering the truth: {covered} of {len(known)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("datasets", nargs="*", default=["meridian", "generated"])
    parser.add_argument("--chains", type=int, default=DEFAULT.chains)
    parser.add_argument("--draws", type=int, default=DEFAULT.draws)
    parser.add_argument("--tune", type=int, default=DEFAULT.tune)
    parser.add_argument("--geos", type=int, default=50)
    parser.add_argument("--channels", type=int, default=30)
    parser.add_argument("--weeks", type=int, default=208)
    parser.add_argument("--controls", type=int, default=10)
    # Judge a change to the geo model by more than one seed.
    parser.add_argument("--seed", type=int, default=DEFAULT.random_seed)
    parser.add_argument("--mass-matrix-update-every", type=int, default=DEFAULT.mass_matrix_update_every)
    parser.add_argument("--target-accept", type=float, default=DEFAULT.target_accept)
    # numpyro: run the bench with `uv run --with numpyro --with "jax[cuda12]"` on a GPU machine
    parser.add_argument("--sampler", default=DEFAULT.sampler)
    a = parser.parse_args()
    fit = {
        "chains": a.chains,
        "draws": a.draws,
        "tune": a.tune,
        "random_seed": a.seed,
        "mass_matrix_update_every": a.mass_matrix_update_every,
        "target_accept": a.target_accept,
        "sampler": a.sampler,
    }
    folder = Path(tempfile.mkdtemp(prefix="mmm_geo_fit_"))
    for name in a.datasets:
        if name == "meridian":
            from public_datasets import DATASETS

            run(name, folder, DATASETS["meridian_geo"], fit, None)
        elif name == "generated":
            dbt_vars, truth = generate(folder, a.geos, a.channels, a.weeks, a.controls)
            run(f"generated_{a.geos}x{a.channels}x{a.weeks}", folder, dbt_vars, fit, truth)
        else:
            sys.exit(f"unknown dataset {name}: meridian or generated")


if __name__ == "__main__":
    main()
