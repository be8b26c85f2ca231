"""Benchmark: do the geo defaults converge, and cover the truth, on generated geo panels of every
reasonable shape (bench/geo_panels.py)?

Why: a default tuned on three real panels stalled a chain on a user's 6-geo regional panel
(issue 38: step size 1e-14 at 1,023 leapfrog steps a draw, r-hat 1.62). Each panel here is
fitted in Python as the fit node fits it (fit_node.prepare: the config resolved from the panel,
then mmm_fit.fit_mmm), at the defaults unless `--chains/--draws/--tune` say otherwise, one fit
at a time, and judged by the gate the run uses (max r-hat, min bulk ESS, divergences) and by
ROAS coverage: the truth inside the 94% interval of contribution / spend, per geo x channel cell
and per channel for the nation.

Run: `uv run python bench/bench_geo_panels.py [--geos 2 4 6 10 20] [--seeds 0 1]
[--chains 4 --draws 1500 --tune 1500] [--shape-seed 0] [--chain-report] [--dbt]`. With `--dbt` each
panel is built end to end by configuration only (`dbt build` with var mmm_inputs pointing at its
files) and read from the tables users read: the run's gate, in-sample R², ROAS coverage from
channel_roas and the model review's verdict. Each geo count uses its
shape in geo_panels.GRID (the 6-geo one is issue 38's); `--channels/--weeks/--flights/--noise/
--size-spread/--no-shocks` override it. Prints one markdown row per fit as it finishes and the
table at the end; `--chain-report` also prints each chain's step size, tree depth and the means
of the week effect's scale and the pooling scales (what a stuck chain sits at).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from geo_panels import GRID, GeneratedPanel, PanelShape, generate

from python_udfs import fit_node, mmm_fit, posterior_tables
from python_udfs.config import FitConfig

DEFAULT = FitConfig()
HDI = 0.94


def roas_draws(result: mmm_fit.FitResult, mf) -> tuple[np.ndarray, np.ndarray]:
    """Posterior ROAS (contribution / spend, KPI units) per sample: geo x channel x sample and
    channel x sample for the nation (tests/python/test_geo_truth.py's roas_draws)."""
    post = result.idata["posterior"].to_dataset()
    scale = result.idata["constant_data"].to_dataset()["target_scale"]
    contribution = (post["channel_contribution"] * scale).sum("date").stack(sample=("chain", "draw"))
    contribution = contribution.transpose("geo", "channel", "sample").sel(geo=mf.geos, channel=mf.channels).values
    spend = mf.train.groupby("geo")[mf.channels].sum().loc[mf.geos].to_numpy()
    return contribution / spend[:, :, None], contribution.sum(axis=0) / spend.sum(axis=0)[:, None]


def covered(draws: np.ndarray, truth: np.ndarray) -> np.ndarray:
    lo, hi = np.quantile(draws, [(1 - HDI) / 2, (1 + HDI) / 2], axis=-1)
    return (lo <= truth) & (truth <= hi)


def chain_report(result: mmm_fit.FitResult) -> str:
    """Per chain: the final step size, mean tree depth, and the posterior means of the scales a
    stuck chain tends to sit at (the week effect's sigma, the pooling tau, the noise)."""
    post = result.idata["posterior"].to_dataset()
    stats = result.idata["sample_stats"].to_dataset()
    lines = []
    for chain in post["chain"].values:
        s = stats.sel(chain=chain)
        parts = [f"chain {chain}: step {float(s['step_size'].values[-1]):.3g}"]
        depth = "tree_depth" if "tree_depth" in s else "depth"
        if depth in s:
            parts.append(f"depth {float(s[depth].mean()):.1f}")
        if "n_steps" in s:
            parts.append(f"steps {float(s['n_steps'].mean()):.0f}")
        for name in [v for v in post.data_vars if str(v).endswith("_sigma") and post[v].ndim <= 3]:
            if name in post:
                values = post[name].sel(chain=chain).values
                parts.append(f"{name} {np.array2string(values.mean(axis=0), precision=3)}")
        lines.append("  " + ", ".join(parts))
    diverging = stats["diverging"].values.astype(bool)
    if diverging.any():  # where the divergent draws sit: the parameters they are furthest out on
        shifts = []
        for name in post.data_vars:
            values = post[name].values.reshape(*diverging.shape, -1)
            if values.shape[-1] > 50 or name == "channel_contribution":
                continue
            sd = values.std(axis=(0, 1)) + 1e-12
            z = (values[diverging].mean(axis=0) - values.mean(axis=(0, 1))) / sd
            shifts += [(abs(float(v)), f"{name}[{i}] {float(v):+.2f} sd") for i, v in enumerate(z)]
        top = ", ".join(label for _, label in sorted(shifts, reverse=True)[:6])
        chains = sorted({int(c) for c in np.where(diverging)[0]})
        lines.append(f"  {int(diverging.sum())} divergent draws (chains {chains}); furthest out: {top}")
    return "\n".join(lines)


def fit(generated: GeneratedPanel, overrides: dict, report_chains: bool = False, log=None) -> dict:
    """One fit as the fit node makes it; the table's figures."""
    config = FitConfig.from_mapping(overrides)
    prepared = fit_node.prepare(generated.panel, generated.spend, generated.controls, config)
    mf, config = prepared.mf, prepared.config
    _, result = mmm_fit.fit_mmm(mf, config, log=log or (lambda _: None), keep=("channel_contribution",))
    tree = mmm_fit.packed(result.idata)  # what the fit node stores and judges
    diag = posterior_tables.convergence(
        tree["posterior"].to_dataset(),
        tree["sample_stats"].to_dataset(),
        config.max_r_hat,
        config.min_ess_bulk,
        config.max_divergences,
    )
    by_geo, national = roas_draws(result, mf)
    truth = generated.roas.loc[mf.geos, mf.channels].to_numpy()
    geo_hits = covered(by_geo, truth)
    national_hits = covered(national, generated.national_roas.loc[mf.channels].to_numpy())
    row = {
        "geos": generated.shape.geos,
        "channels": generated.shape.channels,
        "weeks": generated.shape.weeks,
        "seed": generated.seed,
        "converged": bool(diag["is_converged"]),
        "max r-hat": float(diag["max_r_hat"]),
        "min bulk ESS": float(diag["min_ess_bulk"]),
        "divergences": int(diag["divergences"]),
        "sampling s": result.seconds,
        "ROAS geo": f"{int(geo_hits.sum())}/{geo_hits.size}",
        "ROAS national": f"{int(national_hits.sum())}/{national_hits.size}",
    }
    if report_chains:
        print(f"  config: centred_media {config.centred_media}, target_accept {config.target_accept}", flush=True)
        print(chain_report(result), flush=True)
        print(f"  worst: {diag['worst_parameters']}", flush=True)
    return row


def build(generated: GeneratedPanel, overrides: dict) -> dict:
    """`dbt build` of the panel by configuration only, read from the tables users read (the
    build schema when the review stopped publishing)."""
    import tempfile

    import duckdb
    from dbt_runner import run_dbt

    folder = Path(tempfile.mkdtemp(prefix="mmm_geo_panel_"))
    db = folder / "panel.duckdb"
    fit = {k: v for k, v in overrides.items() if getattr(DEFAULT, k) != v}
    proc, seconds = run_dbt(["build"], db, {**generated.write_inputs(folder), **({"mmm_fit": fit} if fit else {})})
    schema = "main" if "MMM PUBLISHED" in proc.stdout else "main_build"
    with duckdb.connect(str(db), read_only=True) as con:
        con.sql(f"use {schema}")
        (run,) = con.sql(
            "select is_converged, max_r_hat, min_ess_bulk, divergences, fit_seconds, review_status, "
            "review_failed_checks, sampling_notes from mmm_runs where is_current"
        ).fetchall()
        ((r2,),) = con.sql(
            "select r_squared from fit_metrics where geo = 'total' and fit_sample = 'in_sample'"
        ).fetchall()
        roas = con.sql("select geo, channel, roas_lower, roas_upper from channel_roas").df()
    truth = generated.roas.stack().rename("truth").reset_index()
    truth.columns = ["geo", "channel", "truth"]
    national = generated.national_roas.rename("truth").rename_axis("channel").reset_index().assign(geo="total")
    judged = roas.merge(pd.concat([truth, national]), on=["geo", "channel"])
    judged["hit"] = (judged["roas_lower"] <= judged["truth"]) & (judged["truth"] <= judged["roas_upper"])
    geo_hits, national_hits = judged[judged["geo"] != "total"]["hit"], judged[judged["geo"] == "total"]["hit"]
    return {
        "geos": generated.shape.geos,
        "channels": generated.shape.channels,
        "weeks": generated.shape.weeks,
        "seed": generated.seed,
        "converged": bool(run[0]),
        "max r-hat": float(run[1]),
        "min bulk ESS": float(run[2]),
        "divergences": int(run[3]),
        "sampling s": float(run[4]),
        "R2 in-sample": float(r2),
        "ROAS geo": f"{int(geo_hits.sum())}/{len(geo_hits)}",
        "ROAS national": f"{int(national_hits.sum())}/{len(national_hits)}",
        "review": f"{run[5]}" + (f" ({run[6]})" if run[6] else ""),
        "published": schema == "main",
        "build s": seconds,
        "sampling notes": run[7] or "",
    }


def markdown(rows: list[dict]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = []
        for value in row.values():
            if isinstance(value, float):
                cells.append(f"{value:.3f}" if value < 10 else f"{value:.0f}")
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def shape_for(geos: int, a: argparse.Namespace) -> PanelShape:
    """The grid's shape for this geo count (the nearest smaller one's settings otherwise), with
    the command line's overrides."""
    base = max((s for s in GRID if s.geos <= geos), key=lambda s: s.geos, default=GRID[0])
    shape = replace(base, geos=geos)
    for name in ("channels", "weeks", "flights", "noise", "size_spread"):
        if getattr(a, name) is not None:
            shape = replace(shape, **{name: getattr(a, name)})
    if a.no_shocks:
        shape = replace(shape, shared_shocks=False)
    if a.shocks:
        shape = replace(shape, shared_shocks=True)
    return shape


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--geos", type=int, nargs="+", default=[s.geos for s in GRID])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--chains", type=int, default=DEFAULT.chains)
    parser.add_argument("--draws", type=int, default=DEFAULT.draws)
    parser.add_argument("--tune", type=int, default=DEFAULT.tune)
    parser.add_argument("--random-seed", type=int, default=DEFAULT.random_seed, help="the sampler's seed")
    parser.add_argument("--channels", type=int)
    parser.add_argument("--weeks", type=int)
    parser.add_argument("--flights", choices=["national", "regional"])
    parser.add_argument("--noise", choices=["low", "high"])
    parser.add_argument("--size-spread", type=float)
    parser.add_argument("--no-shocks", action="store_true")
    parser.add_argument("--shocks", action="store_true")
    parser.add_argument("--chain-report", action="store_true")
    parser.add_argument("--progress", action="store_true", help="print the fit's progress lines")
    parser.add_argument("--dbt", action="store_true", help="build each panel with dbt by configuration only")
    a = parser.parse_args()
    overrides = {"chains": a.chains, "draws": a.draws, "tune": a.tune, "random_seed": a.random_seed}
    rows = []
    for geos in a.geos:
        for seed in a.seeds:
            shape = shape_for(geos, a)
            print(f"== {shape.label}, panel seed {seed}", flush=True)
            start = time.perf_counter()
            panel = generate(shape, seed)
            if a.dbt:
                row = build(panel, overrides)
            else:
                row = fit(panel, overrides, a.chain_report, log=print if a.progress else None)
            rows.append(row)
            print(markdown([row]).splitlines()[-1], f"({time.perf_counter() - start:.0f} s wall)", flush=True)
    print()
    print(f"{a.chains} chains x {a.draws} draws (+{a.tune} tune), sampler seed {a.random_seed}")
    print(markdown(rows))


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
