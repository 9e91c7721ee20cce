"""Benchmark: how long the outlook, the fits, a forward sweep and a refit sweep take.

Prints, on this machine:

1. each model's fit with each sampler (PyMC's NUTS, nutpie when installed): wall time of the
   first fit in this process (compile included) and of a second one, the smallest bulk ESS and
   bulk ESS per second of the second;
2. ``datawall outlook`` in a throwaway copy of the project: cold (empty PyTensor and numba
   caches, no runs); reused (every run current); warm after one new data row (caches kept: a
   power run, which refits the power model; then a language model, which refits compute,
   scaling and datawall; every other model is re-derived from its stored draws); and warm with
   every run refitted (the three configurations of all seven models);
3. a 10,000-scenario forward sweep of two power levers over the stored draws: all 4,000, and
   1,000 of them (``--sweep-draws 1000``);
4. a Dask refit sweep: four prior overrides of the cost model, refitted on a local cluster.

The issue's targets (warm outlook < 60 s, cold < 180 s, sweep < 10 s) are printed beside the
figures with the factor by which each is missed. Nothing is asserted: the figures depend on the
machine. Run it from the project root, after ``make outlook`` (or ``datawall fit all``)::

    python benchmarks/performance.py [--samplers pymc,nutpie] [--skip-outlook]

``pip install -c requirements.lock -e ".[bench]"`` adds nutpie.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATAWALL = str(Path(sys.executable).with_name("datawall"))
TARGETS_S = {"outlook, warm": 60.0, "outlook, cold": 180.0, "forward sweep": 10.0}


def _verdict(name: str, seconds: float) -> str:
    target = TARGETS_S.get(name)
    if target is None:
        return ""
    if seconds <= target:
        return f"meets the {target:.0f} s target"
    return f"misses the {target:.0f} s target by {seconds / target:.1f}x"


def _row(name: str, seconds: float, extra: str = "") -> None:
    """Print one figure; ``extra`` ending in "; " is followed by the target's verdict."""
    verdict = _verdict(name, seconds) if not extra or extra.endswith("; ") else ""
    print(f"  {name:<44} {seconds:8.1f} s   {extra}{verdict}", flush=True)


def _copy_project(where: Path) -> Path:
    project = where / "project"
    project.mkdir()
    for item in ("data", "priors"):
        shutil.copytree(ROOT / item, project / item)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def bench_fits(samplers: list[str]) -> None:
    """Fit every model twice with each sampler; print wall time and bulk ESS per second."""
    from forecast import fit as fitting
    from forecast.scenarios import load_scenario
    from forecast.settings import SETTINGS, SamplerSettings

    print("fits (4 chains x 1000 draws, 1000 tune; first fit includes compiling)")
    for sampler in samplers:
        if sampler != "pymc" and importlib.util.find_spec(sampler) is None:
            print(f"  {sampler}: not installed (pip install -e '.[bench]')")
            continue
        settings = SamplerSettings(**{**vars(SETTINGS.sampler), "nuts_sampler": sampler})
        plans = fitting.plan_all(["all"], load_scenario(None), sampler=settings)
        total = 0.0
        for name, plan in plans.items():
            times = []
            for _ in range(2):
                start = time.perf_counter()
                tree, model = fitting.sample(plan)
                times.append(time.perf_counter() - start)
            checked = fitting.diagnose(tree, [rv.name for rv in model.free_RVs])
            ess = checked["ess_bulk_min"]
            total += times[1]
            print(
                f"  {sampler:>7} {name:<9} first {times[0]:6.1f} s, second {times[1]:6.1f} s, "
                f"bulk ESS min {ess:6.0f} ({ess / times[1]:6.0f}/s), "
                f"R-hat max {checked['rhat_max']:.4f}",
                flush=True,
            )
        print(f"  {sampler:>7} all models, second fits: {total:.1f} s", flush=True)


#: One plausible new row per table, as an analyst adds them (dated after every bundled row and
#: before the quarter's end, so the quarter's outlook reads it and no as-of cut does).
NEW_ROWS = {
    "language_models": (
        "Benchmark LM,Benchmark lab,2026-11-01,1.0e12,1.0e12,5.0e13,3.0e26,true,false,,"
        '"a row added by benchmarks/performance.py",\n'
    ),
    "training_runs_power": (
        "Benchmark run,Benchmark lab,2026-11-01,NVIDIA GB200,100000,220.0,true,true,3e+26,"
        '"a row added by benchmarks/performance.py",\n'
    ),
}


def _add_row(project: Path, table: str) -> None:
    path = project / "data" / f"{table}.csv"
    path.write_text(path.read_text() + NEW_ROWS[table])


def bench_outlook() -> None:
    """Time the outlook cold, after one new data row, every run refitted, and every run reused."""
    print("datawall outlook (a copy of the project; PyTensor and numba caches in a temp dir)")
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        project = _copy_project(where)
        env = {
            **os.environ,
            "DATAWALL_ROOT": str(project),
            "DATAWALL_RUNS": str(project / "runs"),
            "PYTENSOR_FLAGS": f"base_compiledir={where / 'pytensor'}",
            "NUMBA_CACHE_DIR": str(where / "numba"),
        }
        command = [DATAWALL, "outlook", "--quarter", "2026Q4", "--out", str(where / "report")]
        _row("outlook, cold", _timed(command, env))
        _row("outlook, every run reused", _timed(command, env), "")
        for table, refits in (
            ("training_runs_power", "power refits"),
            ("language_models", "compute, scaling and datawall refit"),
        ):
            _add_row(project, table)
            _row("outlook, warm", _timed(command, env), f"one new {table} row: {refits}; ")
        shutil.rmtree(project / "runs")
        _row("outlook, warm, every run refitted", _timed(command, env), "")


def bench_sweeps() -> None:
    """Time a 10,000-scenario forward sweep and a four-scenario Dask refit sweep."""
    print("stress sweeps (stored baseline draws)")
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "stress.nc")
        forward = [
            DATAWALL, "stress", "--out", out,
            "--sweep", "power.extra_grid_delay_years=0:5:100",
            "--sweep", "power.lab_share=0.1:0.4:100",
        ]  # fmt: skip
        _row("forward sweep", _timed(forward, dict(os.environ)), "every stored draw; ")
        thinned = [*forward, "--sweep-draws", "1000"]
        _row("forward sweep", _timed(thinned, dict(os.environ)), "--sweep-draws 1000; ")
        refit = [
            DATAWALL, "stress", "--out", out,
            "--sweep", "cost.priors.flop_per_usd_sigma.kwargs.sigma=0.15:0.45:4",
        ]  # fmt: skip
        _row("Dask refit sweep (4 cost-prior scenarios)", _timed(refit, dict(os.environ)), "")


def main() -> None:
    """Run the benchmarks chosen on the command line and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samplers", default="pymc,nutpie")
    parser.add_argument("--skip-fits", action="store_true")
    parser.add_argument("--skip-outlook", action="store_true")
    parser.add_argument("--skip-sweeps", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}")
    if not args.skip_fits:
        bench_fits([s.strip() for s in args.samplers.split(",") if s.strip()])
    if not args.skip_sweeps:
        bench_sweeps()
    if not args.skip_outlook:
        bench_outlook()


if __name__ == "__main__":
    main()
