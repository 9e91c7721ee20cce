"""What a stress run evaluates: its scenarios, the ``--sweep`` grid with named axes, the limits.

A :class:`Sweep` is built once from the command line (``KEY=LO:HI:N`` per axis) and placed in
a :class:`StressPlan` as one :class:`Grid` per scenario it sweeps. The grid's points are
consecutive scenarios in the cartesian-product order of its axes, so what evaluates them reads
the axes from the plan (one dim per swept key), never from the scenarios' values or names.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from forecast import fit as fitting
from forecast import store
from forecast.errors import InputError
from forecast.scenarios import BASELINE, Scenario, load_scenario
from forecast.stress.overrides import (
    Assignment,
    label,
    parse_assignment,
    with_assignments,
    with_levers,
)

#: Fewest draws a sweep may be summarised on (``--sweep-draws``).
MIN_SWEEP_DRAWS = 100
#: Scenario-draws (scenarios x the draws each is summarised on) a stress run takes on unless
#: told otherwise (``--max-scenario-draws``). The work grows with it: a 10,000-scenario sweep
#: at 4,000 draws (40 million) takes 8-20 s on 2 cores (README, "How fast"), so this is a
#: minute or less.
MAX_SCENARIO_DRAWS = 100_000_000
#: Scenarios a stress run holds unless told otherwise (``--max-scenarios``): each takes about
#: :data:`SCENARIO_BYTES` of memory (its overrides and its summaries; measured at 20,000).
MAX_SCENARIOS = 100_000
SCENARIO_BYTES = 15_000


@dataclass(frozen=True)
class SweepAxis:
    """One swept key: ``points`` evenly spaced values from ``lo`` to ``hi``."""

    path: tuple[str, ...]
    lo: float
    hi: float
    points: int

    @property
    def key(self) -> str:
        """``model.lever``: the axis's name, the dim it is derived over, the result's coord."""
        return ".".join(self.path)

    @functools.cached_property
    def values(self) -> tuple[float, ...]:
        """The axis's values, distinct as scenario names show them (6 significant digits)."""
        distinct: dict[str, float] = {}
        for v in map(float, np.linspace(self.lo, self.hi, self.points)):
            distinct.setdefault(label(self.path, v), v)
        return tuple(distinct.values())

    @property
    def size(self) -> int:
        """Points along the axis (its distinct values)."""
        return len(self.values)

    @property
    def is_lever(self) -> bool:
        """Whether the key is a lever or prior-only parameter (re-derived, never refitted)."""
        return len(self.path) == 2 and self.path[0] not in {"data", "as_of"}

    @classmethod
    def parse(cls, text: str) -> SweepAxis:
        """Parse ``KEY=LO:HI:N`` (no values are made until they are read)."""
        path, value = parse_assignment(text, "--sweep")
        parts = str(value).split(":")
        try:
            lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
            if len(parts) != 3 or n < 2 or not (math.isfinite(lo) and math.isfinite(hi)):
                raise ValueError
        except (ValueError, IndexError):
            raise InputError(
                "--sweep", f"expected LO:HI:N with N >= 2, got {value!r}", column=".".join(path)
            ) from None
        return cls(path, lo, hi, n)


@dataclass(frozen=True)
class Sweep:
    """A ``--sweep`` grid: the cartesian product of its axes' values."""

    axes: tuple[SweepAxis, ...] = ()

    @classmethod
    def parse(cls, texts: Sequence[str]) -> Sweep:
        """Parse the ``--sweep`` options (each key at most once)."""
        axes = tuple(SweepAxis.parse(t) for t in texts)
        keys = [a.key for a in axes]
        if len(set(keys)) != len(keys):
            raise InputError("--sweep", "each key may be swept once", column=keys[0])
        return cls(axes)

    def __bool__(self) -> bool:
        return bool(self.axes)

    @property
    def keys(self) -> list[str]:
        """The swept keys, one per axis, in order."""
        return [a.key for a in self.axes]

    @property
    def size(self) -> int:
        """Points of the grid (1 with no axis: the scenario itself)."""
        return math.prod(a.size for a in self.axes)

    @property
    def requested(self) -> int:
        """Points asked for (``N`` of each axis multiplied), known before any value is made."""
        return math.prod(a.points for a in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """Points along each axis: the grid's shape."""
        return tuple(a.size for a in self.axes)

    @property
    def levers_only(self) -> bool:
        """Whether every axis is a lever (the grid is re-derived from the baseline draws)."""
        return all(a.is_lever for a in self.axes)

    def points(self) -> Iterator[list[Assignment]]:
        """Each point's assignments, in cartesian-product order (the last axis fastest)."""
        for point in itertools.product(*(a.values for a in self.axes)):
            yield [(a.path, v) for a, v in zip(self.axes, point, strict=True)]

    def corners(self) -> Iterator[list[Assignment]]:
        """Yield the grid's corners (both ends of every axis).

        A lever's allowed values form an interval: checking the corners validates every point.
        """
        for point in itertools.product(*((a.values[0], a.values[-1]) for a in self.axes)):
            yield [(a.path, v) for a, v in zip(self.axes, point, strict=True)]


@dataclass(frozen=True)
class Grid:
    """One scenario swept: its points are ``scenarios[start:start + sweep.size]``."""

    start: int
    sweep: Sweep

    @property
    def members(self) -> range:
        """Positions of the grid's points in the plan's scenarios."""
        return range(self.start, self.start + self.sweep.size)


@dataclass(frozen=True)
class StressPlan:
    """The scenarios of a stress run, baseline first, with what places them.

    Attributes
    ----------
    scenarios : tuple of Scenario
    coords : dict
        Labels of every scenario, one array each over the scenarios: each swept key's value
        (NaN where unswept) and, for a sensitivity sweep, ``sensitivity_parameter`` and
        ``sensitivity_end``. They become the result's coords over ``scenario``.
    grids : tuple of Grid
        Where each ``--sweep`` grid sits among the scenarios.
    """

    scenarios: tuple[Scenario, ...]
    coords: Mapping[str, np.ndarray] = field(default_factory=dict)
    grids: tuple[Grid, ...] = ()

    def __len__(self) -> int:
        return len(self.scenarios)

    def __add__(self, other: StressPlan) -> StressPlan:
        """Both plans' scenarios in turn (a label one lacks: NaN, or "" for text)."""
        n, m = len(self), len(other)

        def joined(key: str) -> np.ndarray:
            ours, theirs = self.coords.get(key), other.coords.get(key)
            sample = ours if ours is not None else theirs
            blank = "" if sample.dtype.kind in "OUS" else np.nan
            ours = np.full(n, blank, dtype=sample.dtype) if ours is None else ours
            theirs = np.full(m, blank, dtype=sample.dtype) if theirs is None else theirs
            return np.concatenate([ours, theirs])

        keys = list(dict.fromkeys([*self.coords, *other.coords]))
        shifted = tuple(dataclasses.replace(g, start=g.start + n) for g in other.grids)
        return StressPlan(
            (*self.scenarios, *other.scenarios),
            {k: joined(k) for k in keys},
            (*self.grids, *shifted),
        )

    def without(self, name: str) -> StressPlan:
        """Return the plan without the scenario called ``name`` (one in no grid)."""
        keep = [i for i, s in enumerate(self.scenarios) if s.name != name]
        removed = len(self.scenarios) - len(keep)
        if removed and any(self.scenarios[i].name == name for g in self.grids for i in g.members):
            raise ValueError(f"{name!r} is a point of a sweep grid")
        first = next((i for i, s in enumerate(self.scenarios) if s.name == name), len(self))
        return StressPlan(
            tuple(self.scenarios[i] for i in keep),
            {k: v[keep] for k, v in self.coords.items()},
            tuple(
                dataclasses.replace(g, start=g.start - removed) if g.start > first else g
                for g in self.grids
            ),
        )


def stored_draws() -> int:
    """Return the draws (all chains) of the stored baseline runs, else of the default sampler.

    Read from the attrs of the most downstream run only: what a sweep will summarise on.
    """
    from forecast.models import resolve

    last = resolve(["all"])[-1].name
    sampler = (store.stored_config(store.run_path(last, BASELINE)) or {}).get("sampler", {})
    try:
        return int(sampler["draws"]) * int(sampler["chains"])
    except (KeyError, TypeError, ValueError):
        return fitting.SETTINGS.sampler.draws * fitting.SETTINGS.sampler.chains


def check_size(
    scenarios: int,
    draws: int,
    *,
    max_scenario_draws: int = MAX_SCENARIO_DRAWS,
    max_scenarios: int = MAX_SCENARIOS,
    option: str = "--sweep",
) -> None:
    """Refuse a stress run larger than its limits, before any scenario is built.

    Parameters
    ----------
    scenarios : int
        Scenarios the run would hold (a sweep's grid points times the named scenarios).
    draws : int
        Draws each is summarised on (``--sweep-draws``, else all the stored draws).
    max_scenario_draws, max_scenarios : int
        The limits: scenarios x draws (the work) and scenarios (the memory, about
        :data:`SCENARIO_BYTES` each).

    Raises
    ------
    InputError
        Naming the size, the limit and the options that change either.
    """
    if scenarios > max_scenarios:
        raise InputError(
            option,
            f"{scenarios:,} scenarios are over the limit of {max_scenarios:,} (each holds its "
            f"overrides and summaries, about {SCENARIO_BYTES // 1000} kB: "
            f"{scenarios * SCENARIO_BYTES / 1e9:.1f} GB); sweep fewer points, or raise the "
            "limit with --max-scenarios N",
        )
    if scenarios * draws > max_scenario_draws:
        fewer = max(MIN_SWEEP_DRAWS, max_scenario_draws // scenarios)
        hint = (
            f"summarise each on fewer draws (--sweep-draws {fewer}), "
            if fewer < draws and fewer * scenarios <= max_scenario_draws
            else ""
        )
        raise InputError(
            option,
            f"{scenarios:,} scenarios x {draws:,} draws = {scenarios * draws:,} scenario-draws "
            f"are over the limit of {max_scenario_draws:,}; {hint}sweep fewer points, or "
            "raise the limit with --max-scenario-draws N",
        )


def build_scenarios(
    names: Sequence[str] = (),
    sets: Sequence[str] = (),
    sweep: Sweep | Sequence[str] = (),
    *,
    draws: int | None = None,
    max_scenario_draws: int = MAX_SCENARIO_DRAWS,
    max_scenarios: int = MAX_SCENARIOS,
) -> StressPlan:
    """Return the plan of a stress run: its scenarios, baseline first, and the sweep grids.

    Each named scenario (baseline if none) takes the ``--set`` overrides on top, then one copy
    per point of the sweep grid (``sweep``: a :class:`Sweep`, or the ``--sweep`` texts). A
    grid over the limits is refused before any scenario is built (:func:`check_size`;
    ``draws``: what each is summarised on, default :func:`stored_draws`).
    """
    assignments = [parse_assignment(s) for s in sets]
    sweep = sweep if isinstance(sweep, Sweep) else Sweep.parse(sweep)
    count = len(names or [BASELINE]) * sweep.requested + 1
    check_size(
        count,
        draws or stored_draws(),
        max_scenario_draws=max_scenario_draws,
        max_scenarios=max_scenarios,
        option="--sweep" if sweep else "--scenario",
    )
    bases = list({b.name: b for b in map(load_scenario, names or [BASELINE])}.values())
    scenarios: list[Scenario] = []
    grids: list[Grid] = []
    if all(b.name != BASELINE for b in bases) or assignments or sweep:
        scenarios.append(load_scenario(BASELINE))
    for base in bases:
        set_name = base.name + "".join(f"[{label(p, v)}]" for p, v in assignments)
        current = with_assignments(base, assignments, name=set_name) if assignments else base
        if not sweep:
            if current.name not in {s.name for s in scenarios}:
                scenarios.append(current)
            continue
        for corner in sweep.corners() if sweep.levers_only else ():
            with_assignments(current, corner, name=current.name, where="--sweep")
        grids.append(Grid(len(scenarios), sweep))
        for point in sweep.points():
            name = current.name + "".join(f"[{label(p, v)}]" for p, v in point)
            scenarios.append(
                with_levers(current, point, name)
                if sweep.levers_only
                else with_assignments(current, point, name=name, where="--sweep")
            )
    coords = {key: np.full(len(scenarios), np.nan) for key in sweep.keys}
    for grid in grids:
        for i, point in zip(grid.members, sweep.points(), strict=True):
            for path, value in point:
                coords[".".join(path)][i] = value
    return StressPlan(tuple(scenarios), coords, tuple(grids))
