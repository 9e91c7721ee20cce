"""One place for defaults, read when an argument is ``None`` (the arviz ``rcParams`` idea).

Environment variables override paths, so tests and CI can point the engine at temporary
directories without touching the bundled data:

``DATAWALL_ROOT``      project root holding ``data/``, ``priors/``, ``reports/`` (default: the
                       nearest parent of the working directory with a ``pyproject.toml`` naming
                       datawall, else the source tree this package was imported from)
``DATAWALL_RUNS``      where fitted runs are stored (default ``<root>/runs``)
``DATAWALL_TODAY``     the date treated as "today" when checking that no row lies in the future
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Set while a cluster task runs (:func:`detached`): no project path may be read then.
_DETACHED: contextvars.ContextVar[str | None] = contextvars.ContextVar("detached", default=None)


@contextlib.contextmanager
def detached(what: str) -> Iterator[None]:
    """Refuse every project path (data, priors, runs, reports) while ``what`` runs.

    A task on a cluster worker fits from the plan it was sent: the worker may be another
    machine, whose files (if any) are not the client's. Reading one raises ``RuntimeError``.
    """
    token = _DETACHED.set(what)
    try:
        yield
    finally:
        _DETACHED.reset(token)


def _check_attached() -> None:
    what = _DETACHED.get()
    if what is not None:
        raise RuntimeError(f"{what} may not read project files: it fits from its plan alone")


def _find_root() -> Path:
    _check_attached()
    env = os.environ.get("DATAWALL_ROOT")
    if env:
        return Path(env).resolve()
    return _root_above(Path.cwd().resolve())


@functools.cache
def _root_above(here: Path) -> Path:
    """Search ``here`` and its parents for datawall's pyproject.toml (once per directory)."""
    for candidate in (here, *here.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and 'name = "datawall"' in pyproject.read_text():
            return candidate
    return Path(__file__).resolve().parents[1]


def project_root() -> Path:
    """Return the project root holding ``data/``, ``priors/`` and ``reports/``."""
    return _find_root()


def data_dir() -> Path:
    """Return the directory of curated observation tables."""
    return project_root() / "data"


def priors_dir() -> Path:
    """Return the directory of prior specifications (one TOML file per model)."""
    return project_root() / "priors"


def scenarios_dir() -> Path:
    """Return the directory of named stress scenarios."""
    return priors_dir() / "scenarios"


def runs_dir() -> Path:
    """Return the directory where fitted runs (NetCDF) are stored."""
    _check_attached()
    env = os.environ.get("DATAWALL_RUNS")
    return Path(env).resolve() if env else project_root() / "runs"


def reports_dir() -> Path:
    """Return the directory of published quarterly outlooks."""
    return project_root() / "reports"


def today() -> dt.date:
    """Return the date treated as today (``DATAWALL_TODAY`` overrides the clock)."""
    env = os.environ.get("DATAWALL_TODAY")
    if not env:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(env)
    except ValueError:
        from forecast.errors import InputError

        raise InputError("DATAWALL_TODAY", f"expected a date YYYY-MM-DD, got {env!r}") from None


@dataclass(frozen=True)
class SamplerSettings:
    """Defaults of ``datawall fit``."""

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    cores: int = 2
    seed: int = 20261122
    target_accept: float = 0.95
    nuts_sampler: str = "pymc"


@dataclass(frozen=True)
class DiagnosticThresholds:
    """The diagnostics gate: a fit failing any of these is flagged wherever its numbers appear."""

    rhat_max: float = 1.01
    ess_bulk_min_per_chain: float = 100.0
    divergences_max: int = 0


@dataclass(frozen=True)
class ProbabilityYears:
    """The years Y of every P(event by the end of year Y), by where they are shown."""

    #: The forecast JSON's ``p_*_by`` and the outlook's table of probabilities.
    reported: tuple[int, ...] = (2026, 2028, 2030, 2032, 2035, 2040)
    #: The curves of a stress result (``{headline}_p_by`` over ``by_year``).
    stress_curves: tuple[int, ...] = tuple(range(2025, 2046))
    #: The x axis of the outlook's P(by year) figure.
    figure: tuple[int, ...] = tuple(range(2024, 2037))


@dataclass(frozen=True)
class Settings:
    """Project-wide defaults."""

    sampler: SamplerSettings = field(default_factory=SamplerSettings)
    diagnostics: DiagnosticThresholds = field(default_factory=DiagnosticThresholds)
    #: Probability mass of the reported central interval (P10-P90).
    ci_prob: float = 0.8
    #: Reference year for trend intercepts (decimal years are centred on it).
    year_origin: float = 2020.0
    #: Years of the stored projection grid.
    year_first: int = 2020
    year_last: int = 2045
    #: Crossing years are searched up to this horizon; later crossings are "not by horizon".
    horizon_year: float = 2100.0
    #: Years of the P(event by year) probabilities: reported, stress curves, figures.
    probability_years: ProbabilityYears = field(default_factory=ProbabilityYears)

    @property
    def year_grid(self) -> np.ndarray:
        """Return the yearly projection grid as an integer array."""
        return np.arange(self.year_first, self.year_last + 1)


SETTINGS = Settings()
