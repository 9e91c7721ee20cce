"""Benchmark: lever-only stress sweeps over the stored baseline draws.

Prints, for sweeps of 10,000 scenarios (a 100 x 100 grid of two levers) on each model's levers,
the wall time, scenarios per second and the peak resident memory. Run it after ``datawall fit``
(or ``make forecast``) so the baseline runs are stored::

    python benchmarks/stress_sweep.py [--scenarios 10000] [--sweep-draws 1000]

The figures are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

SWEEPS = {
    "power (grid delay x lab share) + walls": (
        "power.extra_grid_delay_years=0:5:{n}",
        "power.lab_share=0.1:0.4:{n}",
    ),
    "cost (FLOP/$ growth) x compute (largest-run quantile): power, cost, walls": (
        "cost.flop_per_usd_growth_per_year=1.1:1.6:{n}",
        "compute.largest_run_quantile=0.6:0.99:{n}",
    ),
    "datawall (quality x repetition) + walls": (
        "datawall.quality_fraction=0.1:0.4:{n}",
        "datawall.repetition_factor=1:5:{n}",
    ),
    "datawall synthetic data (curved supply: log-sum solver) + walls": (
        "datawall.synthetic_tokens_2025=1e11:1e13:{n}",
        "datawall.synthetic_growth_per_year=1.5:4:{n}",
    ),
}


def main() -> None:
    """Run each sweep on the stored baseline draws and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", type=int, default=10_000, help="scenarios per sweep")
    parser.add_argument(
        "--sweep-draws", type=int, default=None, help="summarise on this many draws (thinned)"
    )
    args = parser.parse_args()

    from forecast import stress

    plans, stored = stress.baseline_runs()
    runs = stress.thin_runs(stored, args.sweep_draws)
    summary, _ = stress.summarize_runs(runs)
    draws = runs["compute"]["posterior"].sizes
    print(
        f"stored draws: {draws['chain']} chains x {draws['draw']} draws; "
        f"cpus available: {len(os.sched_getaffinity(0))}"
    )
    for label, keys in SWEEPS.items():
        side = max(2, round(args.scenarios**0.5))
        start = time.perf_counter()
        plan = stress.build_scenarios(sweep=stress.Sweep.parse([k.format(n=side) for k in keys]))
        built = time.perf_counter() - start
        result = stress.evaluate_levers(
            plan.scenarios, plans, runs, baseline_summary=summary, grids=plan.grids
        )
        elapsed = time.perf_counter() - start
        peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(
            f"{label}: {result.sizes['scenario']:,} scenarios in {elapsed:.1f} s "
            f"(building them {built:.2f} s; {result.sizes['scenario'] / elapsed:,.0f} "
            f"scenarios/s; peak memory {peak_gb:.1f} GB)"
        )


if __name__ == "__main__":
    main()
