"""Fits in parallel on Dask: a local cluster of worker processes, or a given scheduler.

Stress refits and rolling backtests both fit many configurations at once. Each fit samples its
chains in child processes (PyMC), so workers must be non-daemonic; each worker is pointed at the
caller's project (data, priors, runs) before it does anything.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

from forecast import settings


def use_project(root: str, runs_dir: str) -> None:
    """Point this (worker) process at a project and quieten the libraries' logs.

    Called first in every task: a worker has no terminal to report to, and may have been
    started for another project.
    """
    os.environ["DATAWALL_ROOT"], os.environ["DATAWALL_RUNS"] = root, runs_dir
    for name in ("pymc", "pytensor", "forecast"):
        logging.getLogger(name).setLevel(logging.WARNING)


def map_on_cluster(
    function: Callable[..., Any],
    items: Sequence[Any],
    *,
    scheduler: str | None = None,
    on_done: Callable[[int], None] | None = None,
) -> list[Any]:
    """Return ``[function(item, root=..., runs_dir=...) for item in items]``, run on Dask.

    Parameters
    ----------
    function : callable
        Called as ``function(item, root=ROOT, runs_dir=RUNS)`` in a worker; it should start
        with :func:`use_project`.
    items : sequence
        One task per item (picklable).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); default: a local cluster of
        two single-threaded worker processes, closed when done. The workers of a cluster must
        share the project directory and run non-daemonic (``distributed.worker.daemon:
        false``), since PyMC samples chains in child processes.
    on_done : callable, optional
        Called with 1 as each task finishes.

    Returns
    -------
    list
        The results, in the order of ``items``.
    """
    if not items:
        return []
    import dask
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        # PyMC samples chains in child processes, which daemonic workers may not start.
        with dask.config.set({"distributed.worker.daemon": False}):
            cluster = LocalCluster(
                n_workers=min(2, len(items)),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
    try:
        with Client(scheduler or cluster) as client:
            futures = client.map(
                function,
                list(items),
                root=str(settings.project_root()),
                runs_dir=str(settings.runs_dir()),
                pure=False,
            )
            index = {f.key: i for i, f in enumerate(futures)}
            results: list[Any] = [None] * len(futures)
            for future in as_completed(futures):
                results[index[future.key]] = future.result()
                if on_done:
                    on_done(1)
    finally:
        if cluster is not None:
            cluster.close()
    return results
