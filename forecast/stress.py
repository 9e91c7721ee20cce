"""Stress tests: named scenarios, ``--set`` overrides, sweeps and one-at-a-time sensitivity.

A stress run takes a list of scenarios and returns one xarray Dataset with a ``scenario`` dim:
every headline of every model summarised per scenario (median, P10, P90; the probabilities of a
categorical headline), P(by year) curves of every event year, and whether the fits behind each
scenario passed their diagnostics.

Two paths, chosen per scenario:

* **levers only** (no prior, fit-option or as-of override, so the fit would be the baseline's):
  the lever values of all such scenarios become DataArrays over ``scenario`` and every model a
  lever touches (and every model downstream of it) is re-derived from the stored baseline draws,
  vectorised over ``(scenario, chain, draw)`` in chunks run in parallel by Dask. No refit.
* **refit** (a prior, fit option or as-of date changes): each scenario is planned and fitted
  (or its stored runs reused), many at once on a Dask cluster: a local one by default, or an
  existing one given by its scheduler address.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import math
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from forecast import __version__, parallel, store
from forecast import fit as fitting
from forecast.errors import InputError
from forecast.models import REGISTRY, dependents
from forecast.models.base import Headline, model_priors, without_draw_index
from forecast.models.reuse import reusing_results
from forecast.paths import folder_name
from forecast.scenarios import (
    BASELINE,
    DATA_KEYS,
    ModelOverrides,
    Scenario,
    load_scenario,
    parse_scenario,
)
from forecast.summary import finite_or_none, probability_by, summarize_scenarios
from forecast.tables.models import FrontierRule

#: Years of the P(event by end of year) curves.
P_BY_YEARS = tuple(range(2025, 2046))
#: Scenario-draws derived together in one chunk: 500 scenarios at 4,000 draws. Bounds memory
#: (a chunk's largest arrays hold this many values: 16 MB each; a 10,000-scenario sweep peaks
#: near 1.1 GB) and amortises the fixed cost of a chunk (a few hundred xarray operations) over
#: as many scenarios as fit. Measured (benchmarks/stress_sweep.py, 2 cores): 1M scenario-draws
#: took 15 s for the power sweep, 2M 11 s, 4M 12 s (fewer chunks than threads to share them).
CHUNK_SCENARIO_DRAWS = 2_000_000
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
#: Headlines shown on the terminal unless others are asked for.
KEY_HEADLINES = (
    "datawall.exhaustion_year",
    "power.single_campus_wall_year",
    "power.distributed_wall_year",
    "memory.hbm_stack_bandwidth_2030_tbps",
    "cost.first_1b_run_year",
    "cost.first_10b_run_year",
    "walls.first_wall",
    "walls.first_wall_year",
    "walls.max_feasible_run_2030_flop",
)


# --- building scenarios -------------------------------------------------------------------


def parse_value(text: str) -> Any:
    """Parse a ``--set`` value as TOML (numbers, booleans, arrays, inline tables), else text.

    A bare date (``2019-01-01``) is returned as its ISO text, as a quoted one would be: the
    key it is assigned to decides whether a date is what it takes.
    """
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def parse_assignment(text: str, option: str = "--set") -> tuple[tuple[str, ...], Any]:
    """Split ``KEY=VALUE`` into the key's path and the parsed value.

    Keys: ``MODEL.LEVER`` (a lever, or a prior-only parameter fixed at a value: no refit),
    ``MODEL.fit.OPTION``, ``MODEL.priors.PRIOR.FIELD``, ``MODEL.priors.PRIOR.kwargs.NAME`` (one
    parameter of a prior, the others kept) and ``as_of`` (all refit).
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key or not value.strip():
        raise InputError(option, f"expected KEY=VALUE, got {text!r}", column=key or None)
    path = tuple(key.split("."))
    if path == ("as_of",):
        return path, value.strip()
    if path[0] == "data":
        if len(path) != 2 or path[1] not in DATA_KEYS:
            raise InputError(
                option, f"expected data.KEY, KEY one of {sorted(DATA_KEYS)}", column=key
            )
        return path, parse_value(value.strip())
    if path[0] not in REGISTRY:
        raise InputError(
            option,
            f"unknown model {path[0]!r}; keys are MODEL.LEVER, MODEL.fit.OPTION, "
            f"MODEL.priors.PRIOR.FIELD or as_of, MODEL one of {sorted(REGISTRY)}",
            column=key,
        )
    shapes = {2: "levers", 3: "fit", 4: "priors", 5: "priors"}
    section = shapes.get(len(path))
    if (
        section is None
        or (len(path) > 2 and path[1] != section)
        or (len(path) == 5 and path[3] != "kwargs")
    ):
        raise InputError(
            option,
            "expected MODEL.LEVER, MODEL.fit.OPTION, MODEL.priors.PRIOR.FIELD or "
            "MODEL.priors.PRIOR.kwargs.NAME",
            column=key,
        )
    return path, parse_value(value.strip())


def _assign(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    if path == ("as_of",):
        document.setdefault("scenario", {})["as_of"] = value
        return
    if path[0] == "data":
        document.setdefault("data", {})[path[1]] = value
        return
    model, *rest = path
    section = document.setdefault(model, {})
    if len(rest) == 1:
        section.setdefault("levers", {})[rest[0]] = value
    elif rest[0] == "fit":
        section.setdefault("fit", {})[rest[1]] = value
    elif len(rest) == 3:
        section.setdefault("priors", {}).setdefault(rest[1], {})[rest[2]] = value
    else:  # one keyword of a prior: merged into the prior's current keywords
        prior = section.setdefault("priors", {}).setdefault(rest[1], {})
        if "kwargs" not in prior:
            spec = REGISTRY[model]
            current = model_priors(spec).priors
            if rest[1] not in current:
                raise InputError(
                    "--set", f"unknown prior; expected one of {sorted(current)}", column=rest[1]
                )
            prior["kwargs"] = dict(current[rest[1]].kwargs)
        prior["kwargs"][rest[3]] = value


def with_assignments(
    scenario: Scenario,
    assignments: Sequence[tuple[tuple[str, ...], Any]],
    *,
    name: str,
    where: str = "--set",
) -> Scenario:
    """Return ``scenario`` with overrides applied on top, validated like a scenario file."""
    document = copy.deepcopy(dict(scenario.document))
    for path, value in assignments:
        _assign(document, path, value)
    document.setdefault("scenario", {})["name"] = name
    document["scenario"].setdefault("description", scenario.description)
    return dataclasses.replace(parse_scenario(document, where, name), sha256=scenario.sha256)


def _with_levers(
    scenario: Scenario, assignments: Sequence[tuple[tuple[str, ...], float]], name: str
) -> Scenario:
    """Return ``scenario`` with lever values set, already validated (see ``build_scenarios``).

    The same result as :func:`with_assignments` without re-parsing the whole scenario.
    """
    document = copy.deepcopy(dict(scenario.document))
    models = dict(scenario.models)
    for path, value in assignments:
        _assign(document, path, value)
        model, key = path
        current = models.get(model, ModelOverrides())
        models[model] = dataclasses.replace(current, levers={**current.levers, key: value})
    document.setdefault("scenario", {})["name"] = name
    return dataclasses.replace(scenario, name=name, models=models, document=document)


def _sweep_spec(text: str) -> tuple[tuple[str, ...], float, float, int]:
    """Parse ``KEY=LO:HI:N`` into the key's path, ``LO``, ``HI`` and ``N`` (no values yet)."""
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
    return path, lo, hi, n


def parse_sweep(text: str) -> tuple[tuple[str, ...], np.ndarray]:
    """Parse ``KEY=LO:HI:N`` into the key's path and ``N`` evenly spaced values."""
    path, lo, hi, n = _sweep_spec(text)
    return path, np.linspace(lo, hi, n)


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


def _label(path: tuple[str, ...], value: Any) -> str:
    shown = f"{value:.6g}" if isinstance(value, float) else str(value)
    return f"{'.'.join(path)}={shown}"


def build_scenarios(
    names: Sequence[str] = (),
    sets: Sequence[str] = (),
    sweeps: Sequence[str] = (),
    *,
    draws: int | None = None,
    max_scenario_draws: int = MAX_SCENARIO_DRAWS,
    max_scenarios: int = MAX_SCENARIOS,
) -> tuple[list[Scenario], dict[str, xr.DataArray]]:
    """Return the scenarios of a stress run, baseline first, and the sweep coordinates.

    Each named scenario (baseline if none) takes the ``--set`` overrides on top, then one copy
    per point of the sweep grid (the cartesian product of the ``--sweep`` keys). A grid over
    the limits is refused before any scenario is built (:func:`check_size`; ``draws``: what
    each is summarised on, default :func:`stored_draws`).

    Returns
    -------
    scenarios : list of Scenario
    sweep_coords : dict
        ``{key: DataArray over scenario}`` of each swept value (NaN for unswept scenarios).
    """
    assignments = [parse_assignment(s) for s in sets]
    specs = [_sweep_spec(s) for s in sweeps]
    keys = [".".join(path) for path, *_ in specs]
    if len(set(keys)) != len(keys):
        raise InputError("--sweep", "each key may be swept once", column=keys[0])
    count = len(names or [BASELINE]) * math.prod(n for *_, n in specs) + 1
    check_size(
        count,
        draws or stored_draws(),
        max_scenario_draws=max_scenario_draws,
        max_scenarios=max_scenarios,
        option="--sweep" if specs else "--scenario",
    )
    sweep_axes = [(path, np.linspace(lo, hi, n)) for path, lo, hi, n in specs]
    bases = [load_scenario(n) for n in (names or [BASELINE])]
    scenarios: list[Scenario] = []
    swept: list[dict[str, float]] = []
    if all(b.name != BASELINE for b in bases) or assignments or sweep_axes:
        scenarios.append(load_scenario(BASELINE))
        swept.append({})
    for base in bases:
        set_name = base.name + "".join(f"[{_label(p, v)}]" for p, v in assignments)
        current = with_assignments(base, assignments, name=set_name) if assignments else base
        if not sweep_axes:
            scenarios.append(current)
            swept.append({})
            continue
        # A lever's allowed values form an interval: checking both ends of each swept range
        # validates every point, which then needs no re-parse (10,000 points in milliseconds).
        levers_only = all(len(path) == 2 for path, _ in sweep_axes)
        corners = itertools.product(*((v[0], v[-1]) for _, v in sweep_axes))
        for corner in corners if levers_only else ():
            extra = [(path, float(v)) for (path, _), v in zip(sweep_axes, corner, strict=True)]
            with_assignments(current, extra, name=current.name, where="--sweep")
        for point in itertools.product(*(values for _, values in sweep_axes)):
            extra = [(path, float(v)) for (path, _), v in zip(sweep_axes, point, strict=True)]
            name = current.name + "".join(f"[{_label(p, v)}]" for p, v in extra)
            scenarios.append(
                _with_levers(current, extra, name)
                if levers_only
                else with_assignments(current, extra, name=name, where="--sweep")
            )
            swept.append(dict(zip(keys, map(float, point), strict=True)))
    seen: set[str] = set()
    unique, unique_swept = [], []
    for scenario, point in zip(scenarios, swept, strict=True):
        if scenario.name not in seen:
            seen.add(scenario.name)
            unique.append(scenario)
            unique_swept.append(point)
    coords = {
        key: xr.DataArray([p.get(key, np.nan) for p in unique_swept], dims="scenario")
        for key in keys
    }
    return unique, coords


@dataclass(frozen=True)
class SensitivityPoint:
    """One end of one parameter's range in a one-at-a-time sweep."""

    model: str
    parameter: str
    end: str  # "p10" or "p90"
    value: float
    source: str  # "lever" (declared P10/P90) or "prior" (the prior's quantile)


def sensitivity_points(models: Iterable[str] = REGISTRY) -> list[SensitivityPoint]:
    """Return the ends of every parameter's range for a one-at-a-time sweep.

    Levers with a declared ``p10``/``p90`` take those; prior-only parameters (stock parts,
    campus sizes, capex...) take their prior's 10% and 90% quantiles.
    """
    points = []
    for name in models:
        spec = REGISTRY[name]
        priors = model_priors(spec)
        for lever_name, lever_spec in priors.levers.items():
            if lever_spec.p10 is not None and lever_spec.p90 is not None:
                for end in ("p10", "p90"):
                    points.append(
                        SensitivityPoint(name, lever_name, end, getattr(lever_spec, end), "lever")
                    )
        for parameter in spec.forward_bounds:
            lo, hi = priors[parameter].quantile(np.array([0.1, 0.9]))
            points.append(SensitivityPoint(name, parameter, "p10", float(lo), "prior"))
            points.append(SensitivityPoint(name, parameter, "p90", float(hi), "prior"))
    return points


def sensitivity_scenarios(models: Iterable[str] = REGISTRY) -> list[Scenario]:
    """Return the baseline and one scenario per :func:`sensitivity_points` entry."""
    baseline = load_scenario(BASELINE)
    out = [baseline]
    for point in sensitivity_points(models):
        path = (point.model, point.parameter)
        name = f"{point.model}.{point.parameter}@{point.end}"
        out.append(with_assignments(baseline, [(path, point.value)], name=name, where=name))
    return out


def tornado(result: xr.Dataset, headlines: Sequence[str]) -> xr.Dataset:
    """Reshape a sensitivity stress result into tornado data.

    Each headline's median at each parameter's P10 and P90, the baseline median, and the swing.

    Returns
    -------
    xarray.Dataset
        Variables ``{headline}`` with dims ``(parameter, end)``, ``{headline}_baseline`` and
        ``{headline}_swing`` (``|median at P90 - median at P10|``) over ``parameter``.
    """
    names = [str(n) for n in result["scenario"].values if "@" in str(n)]
    parameters = list(dict.fromkeys(n.split("@")[0] for n in names))
    out = {}
    for headline in headlines:
        median = result[headline].sel(stat="median")
        values = np.array(
            [
                [float(median.sel(scenario=f"{p}@{end}")) for end in ("p10", "p90")]
                for p in parameters
            ]
        )
        out[headline] = xr.DataArray(
            values,
            dims=("parameter", "end"),
            coords={"parameter": parameters, "end": ["p10", "p90"]},
            attrs=dict(result[headline].attrs),
        )
        out[f"{headline}_baseline"] = median.sel(scenario=BASELINE).drop_vars("scenario")
        with np.errstate(invalid="ignore"):
            swing = np.abs(values[:, 1] - values[:, 0])
        out[f"{headline}_swing"] = xr.DataArray(
            swing, dims="parameter", coords={"parameter": parameters}
        )
    return xr.Dataset(out)


def result_name(
    names: Sequence[str],
    sets: Sequence[str],
    sweeps: Sequence[str],
    sensitivity: bool = False,
    draws: int | None = None,
) -> str:
    """Return the file a stress result is saved in by default, under ``runs/stress/``.

    Named from the request, so two stress runs at once never write one file unless they ask
    for the same thing (and then compute the same result): the scenario names (``baseline``,
    ``sensitivity``), then a digest of everything else asked for (overrides, sweeps, draws,
    scenario files given by path) when there is any.
    """
    plain = [n for n in names if Path(n).suffix != ".toml"]
    files = [str(Path(n).resolve()) for n in names if Path(n).suffix == ".toml"]
    label = "sensitivity" if sensitivity else "+".join([*plain, *map(_stem, files)]) or BASELINE
    extra = [*files, *sets, *sweeps] + ([f"draws={draws}"] if draws else [])
    if extra or len(label) > 60:
        digest = hashlib.sha256(json.dumps([label, extra]).encode()).hexdigest()[:10]
        label = f"{label[:60]}-{digest}"
    return folder_name(label) + ".nc"


def _stem(path: str) -> str:
    return Path(path).stem


def check_headline_key(key: str) -> str:
    """Refuse a ``--headline`` that is not ``MODEL.NAME`` with a known model (before any work).

    Whether the model has that headline is known once the baseline is summarised.
    """
    model, sep, name = key.partition(".")
    if not sep or not name or model not in REGISTRY:
        raise InputError(
            "--headline", f"expected MODEL.NAME, MODEL one of {sorted(REGISTRY)}", column=key
        )
    return key


# --- running them -------------------------------------------------------------------------


def _default_levers(plans: Mapping[str, fitting.FitPlan]) -> dict[str, dict[str, Any]]:
    """Return each model's lever values as its prior file sets them (before any scenario)."""
    # Prior-only parameters are unset (their prior draws) unless a scenario fixes them.
    return {
        name: {k: v.value for k, v in fit_plan.priors.levers.items()}
        | dict.fromkeys(fit_plan.spec.forward_bounds)
        for name, fit_plan in plans.items()
    }


def needs_refit(scenario: Scenario) -> bool:
    """Return whether a scenario changes a fit (priors, fit options, as-of, the frontier rule).

    Not only levers: a fit on other rows or priors, with its own draws.
    """
    return (
        scenario.as_of is not None
        or scenario.frontier != FrontierRule()
        or any(o.fit or o.priors for o in scenario.models.values())
    )


def summarize_models(
    derived: Mapping[str, xr.Dataset], only_dims: set[str] | None = None
) -> xr.Dataset:
    """Summarise every model's headlines (``model.name``) and P(by year) curves of event years.

    With ``only_dims``, only the headlines that vary along one of those dims are summarised.
    """
    out = {}
    for name, dataset in derived.items():
        quantities = REGISTRY[name].headline(dataset)
        if only_dims is not None:
            quantities = {k: q for k, q in quantities.items() if only_dims & set(q.draws.dims)}
        for key, summary in summarize_scenarios(quantities).data_vars.items():
            out[f"{name}.{key}"] = summary
        for key, quantity in quantities.items():
            if quantity.unit == "year" and quantity.category_dim is None:
                out[f"{name}.{key}_p_by"] = probability_by(quantity.draws, P_BY_YEARS)
    return xr.Dataset(out)


def summarize_runs(runs: Mapping[str, xr.DataTree]) -> tuple[xr.Dataset, bool]:
    """Return the summary of a scenario's runs and whether every one passed its diagnostics."""
    summary = summarize_models({name: run["derived"].to_dataset() for name, run in runs.items()})
    return summary, all(store.diagnostics(run)["passed"] for run in runs.values())


LeverKey = tuple[str, str]  # (model, lever)


@dataclass(frozen=True)
class _Axis:
    """One dim of a lever sweep: the levers that change along it, one value each per point."""

    dim: str
    values: dict[LeverKey, list[Any]]

    @property
    def size(self) -> int:
        return len(next(iter(self.values.values())))

    def arrays(self, where: slice = slice(None)) -> dict[LeverKey, xr.DataArray]:
        """Return each lever's values over this dim (NaN: a prior-only parameter left unset)."""
        return {
            key: xr.DataArray(
                np.asarray([np.nan if v is None else v for v in values[where]], dtype=float),
                dims=self.dim,
            )
            for key, values in self.values.items()
        }


@dataclass(frozen=True)
class _Part:
    """Scenarios evaluated together: levers constant across them, or along one of the axes.

    Scenario ``members[i]`` sits at the point ``cells[i]`` (one index per axis) of the grid the
    axes span; with no axis, every member is the same point.
    """

    members: list[int]
    constants: dict[str, dict[str, Any]]
    axes: list[_Axis]
    cells: list[tuple[int, ...]]


def _grid_parts(rows: Sequence[dict[str, dict[str, Any]]], members: list[int]) -> list[_Part]:
    """Split scenarios sharing which levers they leave unset into grids and a flat remainder.

    A ``--sweep`` grid is the cartesian product of each swept lever's values: kept as one axis
    per lever, a quantity only some levers reach is derived over those axes alone (the campus
    wall over 100 grid delays, not over 100 delays x 100 lab shares). The grid's points are
    the scenarios whose every value is a grid value (one that occurs as often as the most
    usual count for its lever); the rest (the baseline beside a sweep, a one-at-a-time
    sensitivity sweep) go along one flat axis.
    """
    first = rows[members[0]]
    varying = [
        (m, k)
        for m, values in first.items()
        for k, v in values.items()
        if any(rows[i][m][k] != v for i in members[1:])
    ]
    constants = {
        m: {k: v for k, v in values.items() if (m, k) not in varying} for m, values in first.items()
    }

    def point(i: int) -> tuple[Any, ...]:
        return tuple(rows[i][m][k] for m, k in varying)

    if not varying:
        return [_Part(members, constants, [], [()] * len(members))]
    counts = [collections.Counter(point(i)[j] for i in members) for j in range(len(varying))]
    usual = [collections.Counter(c.values()).most_common(1)[0][0] for c in counts]
    grid = [i for i in members if all(counts[j][v] >= usual[j] for j, v in enumerate(point(i)))]
    levels = [list(dict.fromkeys(point(i)[j] for i in grid)) for j in range(len(varying))]
    parts = []
    is_grid = len({point(i) for i in grid}) == math.prod(map(len, levels))
    if len(varying) > 1 and min(map(len, levels)) > 1 and is_grid:
        axes = [_Axis(f"_lever{j}", {key: levels[j]}) for j, key in enumerate(varying)]
        index = [{v: n for n, v in enumerate(level)} for level in levels]
        cells = [tuple(index[j][v] for j, v in enumerate(point(i))) for i in grid]
        parts.append(_Part(grid, constants, axes, cells))
        in_grid = set(grid)
        members = [i for i in members if i not in in_grid]
    if members:
        flat = _Axis(
            "_levers", {key: [rows[i][key[0]][key[1]] for i in members] for key in varying}
        )
        parts.append(_Part(members, constants, [flat], [(n,) for n in range(len(members))]))
    return parts


class _LeverSweep:
    """The baseline draws a lever sweep re-derives from, read once for all its chunks."""

    def __init__(
        self,
        plans: Mapping[str, fitting.FitPlan],
        runs: Mapping[str, xr.DataTree],
        baseline_summary: xr.Dataset,
        defaults: Mapping[str, dict[str, Any]],
    ) -> None:
        self.plans = plans
        self.defaults = defaults
        # The draws align by position (see without_draw_index).
        self.posteriors = {
            name: without_draw_index(fitting.draws(run)) for name, run in runs.items()
        }
        self.datasets = {
            name: fitting.with_derived(
                self.posteriors[name], run["derived"].to_dataset().drop_vars(["chain", "draw"])
            )
            for name, run in runs.items()
        }
        self.baseline_summary = baseline_summary
        first = next(iter(self.posteriors.values()))
        self.n_draws = first.sizes["chain"] * first.sizes["draw"]

    def tasks(self, part: _Part, on_chunk: Callable[[int], None] | None) -> Any:
        """Return a Dask task giving the summaries of ``part``'s scenarios over ``scenario``.

        Each model is derived over the axes its levers (or the models it reads) vary along: the
        ones the chunk axis does not reach once for the whole part, the others in chunks of
        :data:`CHUNK_SCENARIO_DRAWS` scenario-draws along that axis.
        """
        import dask

        own = {
            m: {a.dim for a in part.axes for model, _ in a.values if model == m} for m in self.plans
        }
        reach: dict[str, set[str]] = {}
        for name in self.plans:  # dependency order
            upstream = (reach.get(r, set()) for r in REGISTRY[name].requires)
            reach[name] = own[name].union(*upstream)
        changed = {
            m
            for m, values in part.constants.items()
            if any(v != self.defaults[m][k] for k, v in values.items())
        }
        rederive = dependents({m for m in self.plans if own[m]} | changed)
        # Where every constant lever is the baseline's, a headline no axis reaches is the
        # baseline's: only those that vary are summarised.
        only_dims = None if changed else {a.dim for a in part.axes}
        # Chunks run along the dim that reaches the fewest models (the longest among those):
        # the others are derived once, not once per chunk.
        axis = min(
            part.axes,
            key=lambda a: (sum(a.dim in dims for dims in reach.values()), -a.size),
            default=None,
        )
        chunked = {m for m in rederive if axis is not None and axis.dim in reach[m]}
        # pure=False: dask neither hashes nor walks the sweep's draws for each task.
        once = dask.delayed(self._derive, pure=False)(
            self._levers(part), rederive - chunked, dict(self.datasets), only_dims
        )
        chunks = []
        if chunked:
            per_value = math.prod(a.size for a in part.axes) // axis.size
            step = max(1, CHUNK_SCENARIO_DRAWS // (self.n_draws * per_value))
            position = part.axes.index(axis)
            counts = np.bincount([c[position] for c in part.cells], minlength=axis.size)
            for begin in range(0, axis.size, step):
                where = slice(begin, begin + step)
                task = dask.delayed(self._chunk, pure=False)(
                    once,
                    self._levers(part, axis, where),
                    chunked,
                    only_dims,
                    int(counts[where].sum()),
                    on_chunk,
                )
                chunks.append(task)
        return dask.delayed(self._assemble, pure=False)(part, axis, once, chunks, on_chunk)

    def _levers(
        self, part: _Part, axis: _Axis | None = None, where: slice = slice(None)
    ) -> dict[str, dict[str, Any]]:
        """Return every model's levers: constants, and DataArrays along each axis."""
        levers = {m: dict(values) for m, values in part.constants.items()}
        for a in part.axes:
            for (model, key), values in a.arrays(where if a is axis else slice(None)).items():
                levers[model][key] = values
        return levers

    def _derive(
        self,
        levers: Mapping[str, dict[str, Any]],
        models: set[str],
        current: dict[str, Any],
        only_dims: set[str] | None,
    ) -> tuple[dict[str, Any], xr.Dataset]:
        """Re-derive ``models`` over ``current`` upstream; return it updated, and summaries."""
        current = dict(current)
        derived = {}
        for name, fit_plan in self.plans.items():
            if name not in models:
                continue
            chunk_plan = dataclasses.replace(fit_plan, levers=levers[name])
            derived[name] = fitting.derive_from(
                chunk_plan, self.posteriors[name], current, headline_only=True
            )
            current[name] = fitting.with_derived(self.posteriors[name], derived[name])
        return current, summarize_models(derived, only_dims)

    def _chunk(
        self,
        once: tuple[dict[str, Any], xr.Dataset],
        levers: Mapping[str, dict[str, Any]],
        models: set[str],
        only_dims: set[str] | None,
        size: int,
        on_chunk: Callable[[int], None] | None,
    ) -> xr.Dataset:
        """Summaries of one chunk of the chunk axis."""
        _, summary = self._derive(levers, models, once[0], only_dims)
        if on_chunk:
            on_chunk(size)
        return summary

    def _assemble(
        self,
        part: _Part,
        axis: _Axis | None,
        once: tuple[dict[str, Any], xr.Dataset],
        chunks: list[xr.Dataset],
        on_chunk: Callable[[int], None] | None,
    ) -> xr.Dataset:
        """Put every headline's summary at each scenario's grid point, over ``scenario``."""
        dims = [a.dim for a in part.axes]
        sizes = [a.size for a in part.axes]
        flat = (
            np.ravel_multi_index(tuple(np.asarray(part.cells).T), sizes)
            if dims
            else np.zeros(len(part.members), dtype=int)
        )
        out = {}
        for key, value in self.baseline_summary.data_vars.items():
            if key in once[1].data_vars:
                value = once[1][key]
            elif chunks and key in chunks[0].data_vars:
                pieces = [chunk[key] for chunk in chunks]
                value = xr.concat(pieces, dim=axis.dim) if axis.dim in pieces[0].dims else pieces[0]
            missing = {d: n for d, n in zip(dims, sizes, strict=True) if d not in value.dims}
            value = value.expand_dims(missing).transpose(*dims, ...)
            rest = value.dims[len(dims) :]
            data = value.values.reshape(-1, *value.shape[len(dims) :])[flat]
            coords = {d: value.coords[d] for d in rest if d in value.coords}
            out[key] = xr.DataArray(
                data, dims=("scenario", *rest), coords=coords, attrs=value.attrs
            )
        if on_chunk and not chunks:
            on_chunk(len(part.members))
        return xr.Dataset(out)


def evaluate_levers(
    scenarios: Sequence[Scenario],
    plans: Mapping[str, fitting.FitPlan],
    runs: Mapping[str, xr.DataTree],
    *,
    baseline_summary: xr.Dataset,
    on_chunk: Callable[[int], None] | None = None,
) -> xr.Dataset:
    """Summaries of lever-only scenarios over the stored baseline draws (no refit).

    Scenarios are grouped by which levers they leave unset (an unset lever reads a default its
    model computes, a set one a value, so the two cannot share a vector; prior-only parameters
    can: NaN reads their draws). A group's ``--sweep`` grid keeps one axis per swept lever
    (:func:`_grid_parts`); the rest share one flat axis. Each part is derived in chunks of
    :data:`CHUNK_SCENARIO_DRAWS` scenario-draws along one axis (see :meth:`_LeverSweep.tasks`),
    the chunks in parallel on Dask's threaded scheduler.
    """
    import dask

    defaults = _default_levers(plans)
    rows = [{name: defaults[name] | s.for_model(name).levers for name in plans} for s in scenarios]
    if not rows:
        return baseline_summary.expand_dims(scenario=0)
    # An unset lever defers to a default its model computes (a fitted rate, no cap...), which a
    # vector of values cannot hold: scenarios that leave different levers unset go apart. A
    # prior-only parameter is the exception: unset, it reads its prior draws, which it can.
    prior_only = {(name, k) for name, p in plans.items() for k in p.spec.forward_bounds}
    groups: dict[tuple, list[int]] = {}
    for i, levers in enumerate(rows):
        signature = tuple(
            (m, k)
            for m, values in levers.items()
            for k, v in values.items()
            if v is None and (m, k) not in prior_only
        )
        groups.setdefault(signature, []).append(i)
    sweep = _LeverSweep(plans, runs, baseline_summary, defaults)
    parts = [part for members in groups.values() for part in _grid_parts(rows, members)]
    with reusing_results():  # what chunks derive from models their axis misses: once
        results = dask.compute(
            *(sweep.tasks(part, on_chunk) for part in parts),
            scheduler=dask.config.get("scheduler", "threads"),
        )
    combined = xr.concat(results, dim="scenario")
    order = [i for part in parts for i in part.members]
    return combined.isel(scenario=np.argsort(order))


def _summarize_plans(
    plans: Mapping[str, fitting.FitPlan],
    draws: int | None,
    sampled: Mapping[str, fitting.Sampled] | None = None,
) -> tuple[xr.Dataset, bool]:
    """Fit (or reuse) the planned runs; return their summary over ``draws`` and diagnostics.

    ``sampled``: draws a cluster sampled from some of the plans (see
    :func:`forecast.fit.ensure_runs`).
    """
    runs = fitting.ensure_runs(plans, progressbar=False, sampled=sampled)
    return summarize_runs(thin_runs(runs, draws))


def evaluate_refits(
    scenarios: Sequence[Scenario],
    *,
    scheduler: str | None = None,
    on_done: Callable[[int], None] | None = None,
    draws: int | None = None,
) -> list[tuple[xr.Dataset, bool]]:
    """Fit the scenarios that change a fit, in parallel on a Dask cluster.

    Every scenario is planned here; the models with no stored run to reuse are sampled on
    the cluster, one task per scenario (:func:`forecast.parallel.map_on_cluster`), and each
    scenario's runs are derived and stored here as its task returns.

    Parameters
    ----------
    scenarios : sequence of Scenario
    scheduler : str, optional
        Address of a running Dask scheduler; default: a local cluster (see
        :func:`forecast.parallel.map_on_cluster`).
    on_done : callable, optional
        Called with 1 as each scenario finishes.
    draws : int, optional
        Summarise each on this many of its draws (:func:`thin_runs`); default all.
    """
    all_plans = [fitting.plan_all(["all"], scenario) for scenario in scenarios]
    results: dict[int, tuple[xr.Dataset, bool]] = {}
    tasks: dict[int, parallel.Task] = {}
    for i, (scenario, plans) in enumerate(zip(scenarios, all_plans, strict=True)):
        pending = fitting.to_sample(plans)
        if pending:
            tasks[i] = parallel.Task(f"scenario {scenario.name!r}", pending)
            continue
        # Every run stored and current (or re-derived from stored draws): no worker needed,
        # and no cluster started (seconds) when nothing is to be sampled.
        results[i] = _summarize_plans(plans, draws)
        if on_done:
            on_done(1)
    order = list(tasks)

    def store_scenario(position: int, sampled: dict[str, fitting.Sampled]) -> None:
        i = order[position]
        results[i] = _summarize_plans(all_plans[i], draws, sampled)
        if on_done:
            on_done(1)

    parallel.map_on_cluster(
        [tasks[i] for i in order], scheduler=scheduler, on_result=store_scenario
    )
    return [results[i] for i in range(len(scenarios))]


def thin_runs(runs: Mapping[str, xr.DataTree], draws: int | None) -> dict[str, xr.DataTree]:
    """Keep about ``draws`` of each run's draws, evenly spaced within every chain.

    Every run keeps the same (chain, draw) pairs, so the draws stay paired across models.
    ``None`` keeps them all.
    """
    runs = dict(runs)
    if draws is None:
        return runs
    posterior = next(iter(runs.values()))["posterior"]
    chains, stored = posterior.sizes["chain"], posterior.sizes["draw"]
    if not MIN_SWEEP_DRAWS <= draws <= chains * stored:
        raise InputError(
            "--sweep-draws",
            f"{draws} is outside {MIN_SWEEP_DRAWS}..{chains * stored} (the stored draws)",
        )
    stride = max(1, stored // math.ceil(draws / chains))
    return {name: run.isel(draw=slice(None, None, stride)) for name, run in runs.items()}


def baseline_runs() -> tuple[dict[str, fitting.FitPlan], dict[str, xr.DataTree]]:
    """Return the baseline plans and runs every lever-only scenario is derived from.

    Fits the baseline first if no current run is stored.
    """
    baseline = load_scenario(BASELINE)
    if needs_refit(baseline):
        raise InputError(
            baseline.path or BASELINE,
            "the baseline scenario must not override priors, fit options, as_of or [data]",
        )
    plans = fitting.plan_all(["all"], baseline)
    return plans, fitting.ensure_runs(plans, progressbar=False)


def run_stress(
    scenarios: Sequence[Scenario],
    *,
    baseline: tuple[Mapping[str, fitting.FitPlan], Mapping[str, xr.DataTree]] | None = None,
    scheduler: str | None = None,
    sweep_coords: Mapping[str, xr.DataArray] | None = None,
    progress: Callable[[int, int], None] | None = None,
    draws: int | None = None,
) -> xr.Dataset:
    """Evaluate scenarios and return their summaries over a ``scenario`` dim.

    Lever-only scenarios are re-derived from the baseline runs (``baseline``, else
    :func:`baseline_runs`); the others are refitted (see :func:`evaluate_refits`). With
    ``draws``, every scenario (the baseline too) is summarised on that many of the stored
    draws, evenly spaced within each chain (:func:`thin_runs`): a large sweep runs in a
    fraction of the time, at a larger Monte Carlo error; the result's attrs say how many.

    Returns
    -------
    xarray.Dataset
        ``{model}.{headline}`` over ``(scenario, stat)`` (categorical: ``(scenario,
        <category>)``), ``{model}.{headline}_p_by`` over ``(scenario, by_year)``,
        ``diagnostics_passed`` and ``refit`` over ``scenario``; coords ``description`` and the
        swept values.
    """
    plans, stored = baseline or baseline_runs()
    runs = thin_runs(stored, draws)  # the attrs (diagnostics) are kept
    baseline_summary, baseline_passed = summarize_runs(runs)

    total = len(scenarios)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    refit_index = [i for i, s in enumerate(scenarios) if needs_refit(s)]
    refit_set = set(refit_index)
    lever_index = [i for i in range(total) if i not in refit_set]
    lever_part = evaluate_levers(
        [scenarios[i] for i in lever_index],
        plans,
        runs,
        baseline_summary=baseline_summary,
        on_chunk=tick,
    )
    refits = evaluate_refits(
        [scenarios[i] for i in refit_index], scheduler=scheduler, on_done=tick, draws=draws
    )
    pieces = [lever_part] + [summary.expand_dims(scenario=1) for summary, _ in refits]
    order = np.argsort(np.asarray(lever_index + refit_index, dtype=int))
    result = xr.concat(pieces, dim="scenario", coords="minimal", compat="override")
    result = result.isel(scenario=order)
    passed = np.full(total, baseline_passed)
    passed[refit_index] = [ok for _, ok in refits]
    names = [s.name for s in scenarios]
    result = result.assign_coords(
        scenario=names,
        description=("scenario", [s.description for s in scenarios]),
        **{k: ("scenario", v.values) for k, v in (sweep_coords or {}).items()},
    )
    result["diagnostics_passed"] = xr.DataArray(passed, dims="scenario")
    result["refit"] = xr.DataArray([i in refit_set for i in range(total)], dims="scenario")
    result.attrs = {
        "version": __version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "baseline_config_ids": ",".join(f"{n}:{r.attrs['config_id']}" for n, r in runs.items()),
        "draws": int(runs["compute"]["posterior"].sizes["draw"])
        * int(runs["compute"]["posterior"].sizes["chain"]),
        "draws_stored": int(stored["compute"]["posterior"].sizes["draw"])
        * int(stored["compute"]["posterior"].sizes["chain"]),
    }
    return result


def _headline_entries(result: xr.Dataset, key: str) -> list[dict[str, Any]]:
    """Return one headline for every scenario in the ``forecast --json`` shape."""
    var = result[key].transpose("scenario", ...)
    unit = var.attrs.get("unit", "")
    if "stat" in var.dims:
        stats = var.transpose(..., "stat").sel(stat=["median", "p10", "p90"]).values
        return [Headline(*map(finite_or_none, row), unit).to_dict() for row in stats]
    categories = [str(c) for c in var[var.dims[1]].values]
    entries = []
    for row in var.values:
        best = int(np.argmax(row))
        headline = Headline(float(row[best]), None, None, unit, categories[best])
        entries.append(
            headline.to_dict() | {"p": dict(zip(categories, map(float, row), strict=True))}
        )
    return entries


def headline_keys(result: xr.Dataset) -> list[str]:
    """Return the ``model.headline`` names of a stress result (P(by year) curves excluded)."""
    return [str(k) for k in result.data_vars if "." in str(k) and not str(k).endswith("_p_by")]


def result_to_json(result: xr.Dataset, headlines: Sequence[str] | None = None) -> dict[str, Any]:
    """Return a stress result as JSON-ready dicts, one per scenario."""
    keys = list(headlines or headline_keys(result))
    swept = [str(c) for c in result.coords if "." in str(c)]
    columns = {k: _headline_entries(result, k) for k in keys}
    # Columns as plain arrays, read once (indexing the Dataset per scenario is slow at 10,000).
    descriptions = result["description"].values
    refit, passed = result["refit"].values, result["diagnostics_passed"].values
    swept_values = {k: result[k].values for k in swept}
    scenarios = []
    for i, name in enumerate(result["scenario"].values):
        entry: dict[str, Any] = {
            "scenario": str(name),
            "description": str(descriptions[i]),
            "refit": bool(refit[i]),
            "diagnostics_passed": bool(passed[i]),
        }
        values = {k: float(v[i]) for k, v in swept_values.items()}
        if any(math.isfinite(v) for v in values.values()):
            entry["swept"] = values
        entry["headline"] = {k: columns[k][i] for k in keys}
        scenarios.append(entry)
    return {
        "draws": result.attrs.get("draws"),
        "draws_stored": result.attrs.get("draws_stored"),
        "scenarios": scenarios,
    }
