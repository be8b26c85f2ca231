"""dbt on this project against one DuckDB file, for every benchmark: one place for the command
line (profiles, a target folder beside the file, the vars as JSON) and its timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))


def run_dbt(
    args: list[str],
    db: Path,
    dbt_vars: dict | None = None,
    *,
    target: Path | None = None,
    check: bool = False,
    echo: str | None = None,
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `dbt <args>` with MMM_DUCKDB_PATH=db; return the process (output captured) and its
    wall seconds. target: dbt's target folder (default: target_<file stem> beside the file).
    echo: print each output line containing it as it comes (a long fit's progress lines,
    "mmm:"), so a run stopped early still leaves its figures."""
    cmd = [DBT, *args, "--profiles-dir", str(PROJECT), "--target-path", str(target or db.parent / f"target_{db.stem}")]
    if dbt_vars:
        cmd += ["--vars", json.dumps(dbt_vars)]
    env = {**os.environ, "MMM_DUCKDB_PATH": str(db)}
    start = time.perf_counter()
    with subprocess.Popen(
        cmd, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as running:
        lines = []
        for line in running.stdout or []:
            lines.append(line)
            if echo and echo in line:
                print(line.rstrip(), flush=True)
    proc = subprocess.CompletedProcess(cmd, running.returncode, "".join(lines), "")
    seconds = time.perf_counter() - start
    if check and proc.returncode != 0:
        sys.exit(f"dbt {' '.join(args)} failed:\n{proc.stdout[-4000:]}")
    return proc, seconds
