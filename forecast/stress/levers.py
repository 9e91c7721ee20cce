"""Lever-only scenarios re-derived from the stored baseline draws, vectorised and chunked.

A scenario that changes levers alone (no prior, fit option or as-of date) has the baseline's
fit: every model a lever touches, and every model downstream of it, is re-derived from the
baseline draws with the lever values as DataArrays over the scenarios. A ``--sweep`` grid
keeps one dim per swept key (named by it: ``power.lab_share``), read from the plan's
:class:`~forecast.stress.sweep.Grid`; the other scenarios share one flat dim. Each part is
derived in chunks of :data:`CHUNK_SCENARIO_DRAWS` scenario-draws along one dim, in parallel on
Dask's threaded scheduler.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from forecast import fit as fitting
from forecast.models import REGISTRY, dependents
from forecast.models.base import without_draw_index
from forecast.scenarios import Scenario
from forecast.stress.result import summarize_models
from forecast.stress.sweep import Grid

#: Scenario-draws derived together in one chunk: 500 scenarios at 4,000 draws. Bounds memory
#: (a chunk's largest arrays hold this many values: 16 MB each; a 10,000-scenario sweep peaks
#: near 1.1 GB) and amortises the fixed cost of a chunk (a few hundred xarray operations) over
#: as many scenarios as fit. Measured (benchmarks/stress_sweep.py, 2 cores): 1M scenario-draws
#: took 15 s for the power sweep, 2M 11 s, 4M 12 s (fewer chunks than threads to share them).
CHUNK_SCENARIO_DRAWS = 2_000_000
#: The dim the scenarios outside any grid share.
FLAT_DIM = "_levers"

LeverKey = tuple[str, str]  # (model, lever)
Levers = dict[str, dict[str, Any]]  # model -> lever -> value


def default_levers(plans: Mapping[str, fitting.FitPlan]) -> Levers:
    """Return each model's lever values as its prior file sets them (before any scenario)."""
    # Prior-only parameters are unset (their prior draws) unless a scenario fixes them.
    return {
        name: {k: v.value for k, v in fit_plan.priors.levers.items()}
        | dict.fromkeys(fit_plan.spec.forward_bounds)
        for name, fit_plan in plans.items()
    }


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


def _parts(
    rows: Sequence[Levers],
    grids: Sequence[Grid],
    unset_levers: Callable[[Levers], tuple],
) -> list[_Part]:
    """Split scenarios into grids (one dim per swept key) and flat groups.

    A ``--sweep`` grid keeps one axis per swept key: a quantity only some keys reach is then
    derived over those axes alone (the campus wall over 100 grid delays, not over 100 delays
    x 100 lab shares). The other scenarios go along one flat axis per group of scenarios that
    leave the same levers unset (an unset lever defers to a default its model computes: a
    fitted rate, no cap..., which a vector of values cannot hold).
    """
    parts = []
    in_grid: set[int] = set()
    for grid in grids:
        members = list(grid.members)
        in_grid.update(members)
        swept = [tuple(a.path) for a in grid.sweep.axes]
        first = rows[members[0]]
        constants = {
            m: {k: v for k, v in values.items() if (m, k) not in swept}
            for m, values in first.items()
        }
        axes = [_Axis(a.key, {tuple(a.path): list(a.values)}) for a in grid.sweep.axes]
        parts.append(_Part(members, constants, axes, list(np.ndindex(grid.sweep.shape))))
    groups: dict[tuple, list[int]] = {}
    for i, levers in enumerate(rows):
        if i not in in_grid:
            groups.setdefault(unset_levers(levers), []).append(i)
    for members in groups.values():
        first = rows[members[0]]
        varying = [
            (m, k)
            for m, values in first.items()
            for k, v in values.items()
            if any(rows[i][m][k] != v for i in members[1:])
        ]
        constants = {
            m: {k: v for k, v in values.items() if (m, k) not in varying}
            for m, values in first.items()
        }
        if not varying:
            parts.append(_Part(members, constants, [], [()] * len(members)))
            continue
        flat = _Axis(FLAT_DIM, {key: [rows[i][key[0]][key[1]] for i in members] for key in varying})
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
            # A piece of a chunked model's derivation (a wall's constraint) that the chunk
            # axis does not reach is derived once and passed to every chunk.
            fixed = (
                dask.delayed(self._derive_parts, pure=False)(
                    once, self._levers(part), self._unreached_parts(part, axis, chunked, reach)
                )
                if axis.size > step
                else None
            )
            for begin in range(0, axis.size, step):
                where = slice(begin, begin + step)
                task = dask.delayed(self._chunk, pure=False)(
                    once,
                    self._levers(part, axis, where),
                    chunked,
                    only_dims,
                    int(counts[where].sum()),
                    on_chunk,
                    fixed,
                )
                chunks.append(task)
        return dask.delayed(self._assemble, pure=False)(part, axis, once, chunks, on_chunk)

    @staticmethod
    def _unreached_parts(
        part: _Part, axis: _Axis, models: set[str], reach: Mapping[str, set[str]]
    ) -> dict[str, list[str]]:
        """Return, per model, the pieces of its derivation (``ModelSpec.parts``) ``axis`` misses.

        A piece is reached through the upstream models it reads, or through the model's own
        levers it reads when the axis sets them.
        """
        out = {}
        for m in sorted(models):
            swept = {key for model, key in axis.values if model == m}
            names = [
                name
                for name, piece in REGISTRY[m].parts.items()
                if not swept & set(piece.levers)
                and not any(axis.dim in reach[r] for r in piece.models)
            ]
            if names:
                out[m] = names
        return out

    def _derive_parts(
        self,
        once: tuple[dict[str, Any], xr.Dataset],
        levers: Mapping[str, dict[str, Any]],
        wanted: Mapping[str, list[str]],
    ) -> dict[str, dict[str, Any]]:
        """Derive the pieces ``wanted`` of each model once, from the part's upstream."""
        current = once[0]
        return {
            m: fitting.derive_parts_from(
                dataclasses.replace(self.plans[m], levers=levers[m]),
                self.posteriors[m],
                current,
                names,
                headline_only=True,
            )
            for m, names in wanted.items()
        }

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
        fixed: Mapping[str, dict[str, Any]] | None = None,
    ) -> tuple[dict[str, Any], xr.Dataset]:
        """Re-derive ``models`` over ``current`` upstream; return it updated, and summaries.

        ``fixed``: pieces of a model's derivation derived once for every chunk.
        """
        current = dict(current)
        derived = {}
        for name, fit_plan in self.plans.items():
            if name not in models:
                continue
            chunk_plan = dataclasses.replace(fit_plan, levers=levers[name])
            derived[name] = fitting.derive_from(
                chunk_plan,
                self.posteriors[name],
                current,
                headline_only=True,
                parts=(fixed or {}).get(name),
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
        fixed: Mapping[str, dict[str, Any]] | None = None,
    ) -> xr.Dataset:
        """Summaries of one chunk of the chunk axis."""
        _, summary = self._derive(levers, models, once[0], only_dims, fixed)
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
    grids: Sequence[Grid] = (),
    on_chunk: Callable[[int], None] | None = None,
) -> xr.Dataset:
    """Summaries of lever-only scenarios over the stored baseline draws (no refit).

    ``grids`` place the ``--sweep`` grids among ``scenarios``: each keeps one axis per swept
    key. The other scenarios are grouped by which levers they leave unset (an unset lever reads
    a default its model computes, a set one a value, so the two cannot share a vector;
    prior-only parameters can: NaN reads their draws), each group along one flat axis (see
    :func:`_parts`). Each part is derived in chunks of :data:`CHUNK_SCENARIO_DRAWS`
    scenario-draws along one axis (see :meth:`_LeverSweep.tasks`), the chunks in parallel on
    Dask's threaded scheduler.
    """
    import dask

    defaults = default_levers(plans)
    rows = [{name: defaults[name] | s.for_model(name).levers for name in plans} for s in scenarios]
    if not rows:
        return baseline_summary.expand_dims(scenario=0)
    prior_only = {(name, k) for name, p in plans.items() for k in p.spec.forward_bounds}

    def unset_levers(levers: Levers) -> tuple:
        return tuple(
            (m, k)
            for m, values in levers.items()
            for k, v in values.items()
            if v is None and (m, k) not in prior_only
        )

    sweep = _LeverSweep(plans, runs, baseline_summary, defaults)
    parts = _parts(rows, grids, unset_levers)
    results = dask.compute(
        *(sweep.tasks(part, on_chunk) for part in parts),
        scheduler=dask.config.get("scheduler", "threads"),
    )
    combined = xr.concat(results, dim="scenario")
    order = [i for part in parts for i in part.members]
    return combined.isel(scenario=np.argsort(order))
