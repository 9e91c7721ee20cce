"""Benchmark: a 12-date backtest (monthly cuts of one year) on a cluster of one worker and of two.

Starts a scheduler and the workers the standard way (``dask scheduler``, ``dask worker ADDR``,
each in its own empty directory), runs the backtest through them into a fresh runs folder per
cluster size (so every date is sampled), and prints the wall time of each and the speed-up::

    python benchmarks/cluster.py [--year 2024] [--model compute] [--draws 200] [--tune 200]

The client's project is a temporary copy of the bundled data and priors; nothing is written in
the checkout. The figures are printed, never asserted: they depend on the machine (a speed-up
below the number of workers means they share cores, or the client's own work dominates).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DASK = str(Path(sys.executable).with_name("dask"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def cluster(workers: int, base: Path) -> Iterator[str]:
    """Yield the address of a scheduler with ``workers`` single-threaded workers."""
    from distributed import Client

    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWALL_")}
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = []
    try:
        for name, args in [
            ("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(port)]),
            *[(f"worker{i}", ["worker", address, "--nthreads", "1"]) for i in range(workers)],
        ]:
            folder = base / f"{workers}-{name}"
            folder.mkdir()
            processes.append(
                subprocess.Popen(
                    [DASK, *args, "--no-dashboard"],
                    cwd=folder,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> None:
    """Run the backtest on one worker, then on two, and print the times and the speed-up."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year", type=int, default=2024, help="the year of the monthly cuts")
    parser.add_argument("--model", default="compute", help="model to backtest, or 'all'")
    parser.add_argument("--draws", type=int, default=200, help="draws per chain")
    parser.add_argument("--tune", type=int, default=200, help="tuning steps per chain")
    parser.add_argument("--chains", type=int, default=2, help="chains")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="cluster sizes")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="datawall-cluster-bench-"))
    try:
        for folder in ("data", "priors"):
            shutil.copytree(REPO / folder, base / "project" / folder)
        os.environ["DATAWALL_ROOT"] = str(base / "project")

        from forecast import backtest
        from forecast.settings import SamplerSettings

        dates = [dt.date(args.year, month, 1) for month in range(1, 13)]
        sampler = SamplerSettings(draws=args.draws, tune=args.tune, chains=args.chains)
        print(
            f"backtest of {args.model} at {len(dates)} monthly cuts of {args.year}; "
            f"{args.chains} chains x {args.draws} draws (+{args.tune} tuning); "
            f"cpus available: {len(os.sched_getaffinity(0))}"
        )
        # The full-data fit, compiled models and the pytensor cache are shared by every size.
        os.environ["DATAWALL_RUNS"] = str(base / "warm")
        backtest.run_backtest(dates[:1], model=args.model, sampler=sampler)
        seconds = {}
        for workers in args.workers:
            runs = base / f"runs-{workers}"
            shutil.copytree(base / "warm" / "baseline", runs / "baseline")
            os.environ["DATAWALL_RUNS"] = str(runs)
            with cluster(workers, base) as address:
                start = time.perf_counter()
                backtest.run_backtest(dates, model=args.model, sampler=sampler, scheduler=address)
                seconds[workers] = time.perf_counter() - start
            print(f"  {workers} worker(s): {seconds[workers]:.1f} s", flush=True)
        first = seconds[args.workers[0]]
        for workers, value in seconds.items():
            print(f"  speed-up with {workers} worker(s): {first / value:.2f}x")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
