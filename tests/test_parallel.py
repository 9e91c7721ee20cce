"""Fits on a Dask cluster started the standard way, sharing nothing with the client but the network.

A scheduler and two workers run as ``dask scheduler`` / ``dask worker ADDR`` subprocesses
(daemonic workers, as deployed), each in its own empty directory with no ``DATAWALL_*``
variable. The client's project is a copy of the bundled one with two priors changed, so a
worker that read any file of its own (the checkout its package was installed from) would fit
other numbers: the runs it returns must equal, array for array, those the local paths fit from
the client's files (a local cluster for the stress refits; this process, its chains in child
processes, for the backtest), which also shows the in-process chains (``cores=1``) give the
draws of the child processes' for the same seed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from forecast import __version__, backtest, parallel, settings
from forecast import fit as fitting
from forecast.errors import InputError
from forecast.scenarios import load_scenario
from forecast.settings import SamplerSettings
from forecast.store import load_run
from tests.helpers import REPO, make_project, run_cli

#: The fewest draws the command line allows: these tests check plumbing, not precision.
TINY = SamplerSettings(draws=10, tune=10, chains=2, cores=2, seed=11)
#: Two refit scenarios of the data wall model (a prior swept): one task each.
SWEEP = "datawall.priors.dataset_slope.kwargs.sigma=0.8:1.2:2"
#: The two as-of dates of the backtest.
DATES = ("2023-01-01", "2024-01-01")
DASK = str(Path(sys.executable).with_name("dask"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield the address of a scheduler with two standard workers, stopped afterwards."""
    from distributed import Client

    base = tmp_path_factory.mktemp("cluster")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWALL_")}
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    processes: list[subprocess.Popen] = []
    logs = []

    def start(name: str, *args: str) -> None:
        folder = base / name
        folder.mkdir()
        log = (base / f"{name}.log").open("w")
        logs.append(log)
        processes.append(
            subprocess.Popen(
                [DASK, *args], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        )

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard")
        for i in range(2):
            start(f"worker{i}", "worker", address, "--nthreads", "1", "--no-dashboard")
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)
        for log in logs:
            log.close()
    for i in range(2):  # nothing was written where the workers run
        assert not any((base / f"worker{i}").iterdir())


@pytest.fixture(scope="module")
def tiny_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose priors differ from the checkout's, its baseline fitted with TINY."""
    root = make_project(tmp_path_factory.mktemp("client"))
    for model, old, new in (
        ("compute", "mu = 23.5, sigma = 2.0", "mu = 23.0, sigma = 2.5"),
        ("datawall", "mu = 11.5, sigma = 2.0", "mu = 11.0, sigma = 2.5"),
    ):
        path = root / "priors" / f"{model}.toml"
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_ROOT", str(root))
        mp.setenv("DATAWALL_RUNS", str(root / "runs"))
        plans = fitting.plan_all(["all"], load_scenario(None), sampler=TINY)
        # Chains in this process: no child processes to start for so few draws.
        sampled = {n: fitting.sample_and_diagnose(p, cores=1) for n, p in plans.items()}
        fitting.ensure_runs(plans, sampled=sampled)
    return root


def _use(monkeypatch: pytest.MonkeyPatch, root: Path, runs: Path) -> None:
    monkeypatch.setenv("DATAWALL_ROOT", str(root))
    monkeypatch.setenv("DATAWALL_RUNS", str(runs))


def _copy_baseline(root: Path, runs: Path) -> None:
    shutil.copytree(root / "runs" / "baseline", runs / "baseline")


def _assert_same_draws(a: xr.DataTree, b: xr.DataTree) -> None:
    assert a.attrs["config_id"] == b.attrs["config_id"]
    for group in ("posterior", "derived"):
        first, second = a[group].to_dataset(), b[group].to_dataset()
        assert set(first.data_vars) == set(second.data_vars)
        for name in first.data_vars:
            np.testing.assert_array_equal(first[name].values, second[name].values, err_msg=name)


def test_workers_are_daemonic_and_started_elsewhere(cluster):
    from distributed import Client

    with Client(cluster, timeout=30) as client:
        daemonic = client.run(lambda: __import__("multiprocessing").current_process().daemon)
        folders = client.run(os.getcwd)
        versions = parallel.worker_versions(client)
    assert len(daemonic) == 2 and all(daemonic.values())
    checkout = REPO
    assert all(checkout not in Path(f).resolve().parents for f in folders.values())
    assert versions == dict.fromkeys(daemonic, __version__)


@pytest.mark.slow
def test_stress_refits_on_the_cluster_equal_the_local_clusters(
    cluster, tiny_project, tmp_path, monkeypatch, capsys
):
    remote, local = tmp_path / "remote", tmp_path / "local"
    for runs in (remote, local):
        _copy_baseline(tiny_project, runs)
    _use(monkeypatch, tiny_project, remote)
    assert run_cli("stress", "--sweep", SWEEP, "--scheduler", cluster, "--json") == 0
    capsys.readouterr()
    _use(monkeypatch, tiny_project, local)
    assert run_cli("stress", "--sweep", SWEEP, "--json") == 0
    folders = sorted(p.name for p in remote.iterdir() if p.name.startswith("baseline["))
    assert len(folders) == 2
    assert folders == sorted(p.name for p in local.iterdir() if p.name.startswith("baseline["))
    for folder in folders:
        for model in ("datawall", "walls"):  # sampled on a worker; derived from its draws
            _assert_same_draws(
                load_run(remote / folder / f"{model}.nc"), load_run(local / folder / f"{model}.nc")
            )
        sigma = load_run(remote / folder / "datawall.nc")
        assert "dataset_slope" in sigma.attrs["config"]


@pytest.mark.slow
def test_backtest_on_the_cluster_equals_a_fit_in_this_process(
    cluster, tiny_project, tmp_path, monkeypatch
):
    remote, local = tmp_path / "remote", tmp_path / "local"
    for runs in (remote, local):
        _copy_baseline(tiny_project, runs)
    _use(monkeypatch, tiny_project, remote)
    sampler = ["--draws", "10", "--tune", "10", "--chains", "2", "--seed", str(TINY.seed)]
    dates = [arg for date in DATES for arg in ("--as-of", date)]
    out = tmp_path / "scores.nc"
    code = run_cli(
        "backtest", "compute", *dates, *sampler, "--scheduler", cluster,
        "--out", str(out), "--json",
    )  # fmt: skip
    assert code == 0 and out.is_file()
    _use(monkeypatch, tiny_project, local)
    for date in DATES:
        cut = dt.date.fromisoformat(date)
        plans, _ = backtest._plans_at(cut, ["compute"], TINY, load_scenario(None))
        here = fitting.ensure_runs(plans, progressbar=False)["compute"]  # chains in children
        _assert_same_draws(load_run(remote / f"baseline-as-of-{date}" / "compute.nc"), here)


def test_an_unreachable_scheduler_is_refused_before_any_work(project, capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    refit = 'datawall.fit.start_date="2019-01-01"'
    code = run_cli("stress", "--set", refit, "--scheduler", address)
    assert code == 2
    assert time.monotonic() - started < 30
    message = capsys.readouterr().err
    assert "--scheduler" in message and "no Dask scheduler answers" in message
    assert address in message
    assert not list(project.rglob("*.nc"))  # the baseline was not fitted


def test_a_worker_of_another_version_is_refused(cluster, tiny_project, monkeypatch, capsys):
    _use(monkeypatch, tiny_project, tiny_project / "runs")
    monkeypatch.setattr(parallel, "__version__", "0.0.0+other")
    code = run_cli("backtest", "compute", "--as-of", DATES[0], "--as-of", DATES[1],
                   "--scheduler", cluster)  # fmt: skip
    assert code == 2
    message = capsys.readouterr().err
    assert "0.0.0+other" in message and f"datawall {__version__}" in message
    assert not (tiny_project / "runs" / f"baseline-as-of-{DATES[0]}").exists()


def test_a_task_refuses_a_client_of_another_version():
    with pytest.raises(RuntimeError, match=r"0\.0\.0\+other"):
        parallel.sample_task(parallel.Task("scenario 'x'", {}), "0.0.0+other")


def test_a_failed_task_names_its_scenario_and_the_workers_error(cluster, tiny_project, monkeypatch):
    _use(monkeypatch, tiny_project, tiny_project / "runs")
    fit_plan = fitting.plan_all(["compute"], load_scenario(None), sampler=TINY)["compute"]
    broken = dataclasses.replace(
        fit_plan, sampler=dataclasses.replace(fit_plan.sampler, nuts_sampler="no-such-sampler")
    )
    task = parallel.Task("scenario 'broken'", {"compute": broken})
    with pytest.raises(InputError) as info:
        parallel.map_on_cluster([task], scheduler=cluster)
    assert "scenario 'broken'" in str(info.value)
    assert "no-such-sampler" in str(info.value)


def test_a_task_reads_no_project_file():
    with settings.detached("the task for scenario 'x'"):
        for where in (settings.data_dir, settings.priors_dir, settings.runs_dir):
            with pytest.raises(RuntimeError, match="scenario 'x'"):
                where()
    assert settings.data_dir().name == "data"  # and again once the task is done
