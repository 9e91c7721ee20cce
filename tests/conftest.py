"""Shared fixtures: a throwaway project root with the bundled data and priors, small fits."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import REPO, SMALL, make_project

#: Runs committed for the tests that read runs but need no fresh fit (``make_runs.py`` there).
FIXTURE_RUNS = REPO / "tests" / "fixtures" / "runs"

#: Fixtures that fit models (or start a cluster that does): a test using one is ``slow``.
FITTING_FIXTURES = frozenset(
    {
        "fitted_project",
        "in_fitted",
        "compute_backtest",
        "cluster",
        "tiny_project",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that fits (through a fixture) ``slow``; ``-m "not slow"`` skips them."""
    for item in items:
        if FITTING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(42)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root with the bundled inputs and an empty runs directory."""
    root = make_project(tmp_path / "project")
    monkeypatch.setenv("DATAWALL_ROOT", str(root))
    monkeypatch.setenv("DATAWALL_RUNS", str(root / "runs"))
    return root


@pytest.fixture(scope="session")
def fitted_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project root whose baseline runs (datawall, power and their inputs) are fitted once."""
    from forecast import fit as fitting
    from forecast.scenarios import load_scenario

    root = make_project(tmp_path_factory.mktemp("fitted"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_ROOT", str(root))
        mp.setenv("DATAWALL_RUNS", str(root / "runs"))
        plans = fitting.plan_all(["all"], load_scenario(None), sampler=SMALL)
        fitting.ensure_runs(plans, refit=True)
    return root


@pytest.fixture
def in_fitted(fitted_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATAWALL_ROOT", str(fitted_project))
    monkeypatch.setenv("DATAWALL_RUNS", str(fitted_project / "runs"))
    return fitted_project


def _stale_fixture(fit_plan, *args, **kwargs):
    raise RuntimeError(
        f"the committed test run of {fit_plan.spec.name} no longer matches the data, priors or "
        "sampler settings (its fit_id differs): rewrite the runs with "
        "`.venv/bin/python tests/fixtures/make_runs.py` and commit them"
    )


@pytest.fixture(scope="session")
def stored_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project root whose baseline runs are the committed ones (``tests/fixtures/runs``).

    Nothing is sampled: a run whose model code changed since it was written is re-derived from
    its stored draws (seconds); one the data, priors or sampler settings no longer match stops
    the session with how to rewrite them (``tests/fixtures/make_runs.py``).
    """
    from forecast import fit as fitting
    from forecast.scenarios import load_scenario

    root = make_project(tmp_path_factory.mktemp("stored"))
    shutil.copytree(FIXTURE_RUNS, root / "runs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_ROOT", str(root))
        mp.setenv("DATAWALL_RUNS", str(root / "runs"))
        mp.setattr(fitting, "fit", _stale_fixture)
        fitting.ensure_runs(fitting.plan_all(["all"], load_scenario(None)))
    return root


@pytest.fixture
def in_stored(stored_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the engine at :func:`stored_project` for one test."""
    monkeypatch.setenv("DATAWALL_ROOT", str(stored_project))
    monkeypatch.setenv("DATAWALL_RUNS", str(stored_project / "runs"))
    return stored_project
