"""Fits in parallel on Dask: a local cluster of worker processes, or a given scheduler.

Stress refits and rolling backtests both fit many configurations at once. Nothing is shared
with a worker but the network: the client plans every fit (:func:`forecast.fit.plan_all`:
the rows fitted, the priors, the options, the seed) and sends each task its plans; the worker
samples them and sends the draws back (:class:`forecast.fit.Sampled`, a DataTree); the client
derives, finishes and stores each run atomically, as a fit in its own process would. A task
reads and writes no file (:func:`forecast.settings.detached`), so a worker started the
standard way (``dask worker tcp://HOST:8786``) on any machine with the same datawall version
installed serves it, from any working directory.

Workers are daemonic, so PyMC may not start child processes there: a task samples its chains
one after the other in the worker's own process (``cores=1``). PyMC seeds each chain from the
seed alone, so the draws are those of a fit whose chains run in child processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from forecast import __version__, settings
from forecast.errors import InputError
from forecast.warning_filters import configure_warnings

if TYPE_CHECKING:
    from distributed import Client

    from forecast.fit import FitPlan, Sampled

#: Seconds to wait for a scheduler to answer.
CONNECT_TIMEOUT_S = 5.0
#: Seconds to wait for a first worker to join a scheduler that has none.
WORKER_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Task:
    """One unit of work on a worker: the plans of one scenario or as-of date to sample."""

    #: What the task is, in messages ("scenario 'x'", "as of 2024-01-01").
    label: str
    #: The plans to sample, by model (:func:`forecast.fit.to_sample`).
    plans: Mapping[str, FitPlan]


def sample_task(task: Task, client_version: str) -> dict[str, Sampled]:
    """Sample every plan of a task, chains in this process; return the draws by model.

    Runs in a worker. It reads no project file (the plans hold everything) and writes none.
    A worker whose datawall is not ``client_version`` refuses (its draws could differ).
    """
    from forecast import fit as fitting

    if __version__ != client_version:
        raise RuntimeError(
            f"this worker runs datawall {__version__}, the client {client_version}: "
            "install the client's version on every worker"
        )
    for name in ("pymc", "pytensor", "forecast"):  # a worker has no terminal to report to
        logging.getLogger(name).setLevel(logging.WARNING)
    configure_warnings()  # a worker is started by Dask, not by datawall's command line
    with settings.detached(f"the task for {task.label}"):
        return {
            name: fitting.sample_and_diagnose(fit_plan, cores=1)
            for name, fit_plan in task.plans.items()
        }


def worker_versions(client: Client) -> dict[str, str]:
    """Return the datawall version installed on each worker ('none' where it is missing)."""

    def installed() -> str:
        try:
            return version("datawall")
        except PackageNotFoundError:
            return "none"

    answers = client.run(installed, on_error="return")
    return {
        worker: answer if isinstance(answer, str) else f"unknown ({answer!r})"
        for worker, answer in answers.items()
    }


def check_workers(client: Client, address: str) -> None:
    """Refuse a cluster with no worker, or with a worker of another datawall version.

    Raises
    ------
    InputError
        Naming the scheduler, the worker and both versions.
    """
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT_S)
    except TimeoutError:
        raise InputError(
            "--scheduler", f"no worker joined the scheduler at {address} in {WORKER_TIMEOUT_S:g} s"
        ) from None
    wrong = {w: v for w, v in worker_versions(client).items() if v != __version__}
    if wrong:
        listed = ", ".join(f"{w} has datawall {v}" for w, v in sorted(wrong.items()))
        raise InputError(
            "--scheduler",
            f"the client runs datawall {__version__} but worker {listed}: install datawall "
            f"{__version__} on every worker (pip install the project, with requirements.lock)",
        )


def connect(address: str) -> Client:
    """Return a client of the scheduler at ``address``, its workers checked.

    Raises
    ------
    InputError
        The scheduler does not answer in :data:`CONNECT_TIMEOUT_S`, has no worker, or has a
        worker of another datawall version (:func:`check_workers`).
    """
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            "--scheduler",
            f"no Dask scheduler answers at {address} (waited {CONNECT_TIMEOUT_S:g} s: {exc}); "
            "start one with `dask scheduler` and give its address, e.g. tcp://HOST:8786",
        ) from None
    try:
        check_workers(client, address)
    except BaseException:
        client.close()
        raise
    return client


def check_scheduler(address: str | None) -> None:
    """Refuse an unreachable scheduler, or one with unfit workers, before any work starts."""
    if address is not None:
        connect(address).close()


def map_on_cluster(
    tasks: Sequence[Task],
    *,
    scheduler: str | None = None,
    on_result: Callable[[int, dict[str, Sampled]], None] | None = None,
) -> list[dict[str, Sampled]]:
    """Sample every task on Dask; return the draws of each, in the order of ``tasks``.

    Parameters
    ----------
    tasks : sequence of Task
        One Dask task each (plans are a few hundred kB: rows, priors, options, seed).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``) whose workers run this
        datawall version; default: a local cluster of two single-threaded worker processes,
        closed when done.
    on_result : callable, optional
        Called as ``on_result(index, sampled)`` in this process as each task finishes (in the
        order they finish), to store its runs while the others still run.

    Returns
    -------
    list of dict
        Per task, :class:`forecast.fit.Sampled` by model.

    Raises
    ------
    InputError
        A task failed (the message names its scenario or date and the worker's error), or the
        scheduler is unfit (:func:`connect`).
    """
    if not tasks:
        return []
    from distributed import LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=min(2, len(tasks)),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        from distributed import Client

        client = Client(cluster, set_as_default=False)
        check_workers(client, "the local cluster")
    else:
        client = connect(scheduler)
    try:
        futures = client.map(
            sample_task, list(tasks), client_version=__version__, pure=False, retries=0
        )
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        for future in as_completed(futures, loop=client.loop):
            i = index[future.key]
            if future.status != "finished":
                error = future.exception()
                for other in futures:
                    other.cancel()
                raise InputError(
                    "--scheduler" if scheduler else "local cluster",
                    f"the fit of {tasks[i].label} failed on a worker: "
                    f"{type(error).__name__}: {error}",
                )
            results[i] = future.result()
            if on_result:
                on_result(i, results[i])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results
