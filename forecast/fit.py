"""Fitting: validate every input first, then sample, check diagnostics, derive, store.

The sequence is fixed (pymc-marketing's ``fit``): plan (load and validate the data, priors and
scenario of every model asked for, before any sampling), sample, diagnose, derive, attach the
fit data and attrs, save atomically. A stored run is reused as it is when its ``config_id``
matches. Its draws are reused, and only the derived quantities recomputed, when its ``fit_id``
matches: the rows and arrays fitted (not whole table files: a row published after an as-of cut
or outside the model's selection changes nothing), priors, options, sampler and version.
Levers and upstream runs enter only the ``config_id``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import logging
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from forecast import __version__, locks, store
from forecast.children import orphan_safe_context
from forecast.data import load_tables, table_path, tables_read
from forecast.errors import InputError
from forecast.fingerprint import canonical_json, file_digest, files_digest
from forecast.models import resolve
from forecast.models.base import FitInputs, ModelSpec, Tables, model_priors
from forecast.priors import PriorSet
from forecast.scenarios import Scenario
from forecast.settings import SETTINGS, SamplerSettings, today
from forecast.tables.base import CUT_COLUMN

log = logging.getLogger(__name__)

#: Fewest observations a trend is fitted to.
MIN_ROWS = 5


@dataclass(frozen=True)
class FitPlan:
    """Everything one fit needs, validated, before any sampling."""

    spec: ModelSpec
    scenario: Scenario
    inputs: FitInputs
    priors: PriorSet
    levers: dict[str, float]
    sampler: SamplerSettings
    config: dict[str, Any]
    fit_id: str
    config_id: str
    #: SHA-256 of each table file read (recorded with the run; the ids hash the rows fitted).
    data_sha256: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class _Table:
    """A validated table (cut at the as-of date) and the SHA-256 of its file."""

    frame: pd.DataFrame
    sha256: str


def plan(
    spec: ModelSpec,
    scenario: Scenario,
    *,
    tables: Mapping[str, _Table],
    as_of: dt.date | None,
    sampler: SamplerSettings,
    upstream: Mapping[str, FitPlan],
) -> FitPlan:
    """Validate a model's inputs and compute its ids, without sampling.

    Parameters
    ----------
    spec : ModelSpec
        The model.
    scenario : Scenario
        Overrides of fit options, priors and levers.
    tables : mapping
        The loaded tables the model reads (see :func:`plan_all`).
    as_of : datetime.date or None
        The date the tables were cut at.
    sampler : SamplerSettings
        Draws, chains, seed...
    upstream : mapping
        Plans of the models this one reads, keyed by name.

    Returns
    -------
    FitPlan
    """
    overrides = scenario.for_model(spec.name)
    if spec.target_accept is not None and spec.target_accept > sampler.target_accept:
        sampler = dataclasses.replace(sampler, target_accept=spec.target_accept)
    priors = model_priors(spec)
    if overrides.priors:
        where = str(scenario.path or scenario.name)
        priors = priors.with_overrides(overrides.priors, where)
    options = dict(spec.fit_options) | overrides.fit
    frames = {name: tables[name].frame for name in tables_read(spec.tables)}
    inputs = spec.select(Tables(frames, as_of or today()), options)
    inputs = dataclasses.replace(inputs, options=options)
    for group, rows in inputs.all_rows().items():
        optional = group.removeprefix("fit_data_") in spec.optional_groups
        if spec.tables and len(rows) < MIN_ROWS and not optional:
            table = inputs.row_tables.get(group, spec.tables[0])
            raise InputError(
                table_path(table),
                f"only {len(rows)} usable rows for the {spec.name} model ({group}; "
                f"as of {as_of or 'today'}, options {options}); at least {MIN_ROWS} are needed",
            )
    levers = {k: v.value for k, v in priors.levers.items()} | overrides.levers
    # What the draws depend on: the rows and arrays fitted (not the whole table files, nor the
    # as-of date itself), priors, options and sampler. A row the fit does not read (published
    # after the cut, or outside the model's selection) leaves fit_id, and the draws, as they are.
    fit_config = {
        "model": spec.name,
        "options": options,
        "priors": priors.to_config(),
        "sampler": dataclasses.asdict(sampler),
        "inputs_sha256": inputs.sha256(),
        "priors_sha256": priors.sha256,
    }
    fit_id = store.config_id(spec.name, fit_config)
    config = fit_config | {
        "as_of": as_of.isoformat() if as_of else None,
        # The frontier rule reaches the draws through the rows selected (inputs_sha256).
        "data": scenario.frontier.to_config(),
        # A change to the model's code re-derives its runs (and, through "upstream", those
        # downstream); a change to what it fits needs a new version.
        "code_sha256": _module_sha256(spec),
        "levers": levers,
        "scenario": scenario.name,
        "fit_id": fit_id,
        # Upstream draws enter only the derived quantities: a new upstream run re-derives.
        "upstream": {name: upstream[name].config_id for name in spec.requires},
    }
    return FitPlan(
        spec=spec,
        scenario=scenario,
        inputs=inputs,
        priors=priors,
        levers=levers,
        sampler=sampler,
        config=config,
        fit_id=fit_id,
        config_id=store.config_id(spec.name, config),
        data_sha256={name: tables[name].sha256 for name in tables_read(spec.tables)},
    )


#: Files of the ``forecast`` package every model's derivation may use, relative to it (the
#: models' own modules are hashed each for its model; one model reading another's goes through
#: "upstream"): the shared model helpers and the compiled kernels the crossings run.
SHARED_MODEL_FILES = (
    "models/base.py",
    "models/crossing.py",
    "models/trend.py",
    "numerics/segments.py",
)


def model_files(spec: ModelSpec) -> tuple[str, ...]:
    """Return the files of the ``forecast`` package a model's numbers come from.

    Its own module, then :data:`SHARED_MODEL_FILES`, as paths relative to the package.
    """
    own = spec.derive.__module__.removeprefix("forecast.").replace(".", "/") + ".py"
    return (own, *SHARED_MODEL_FILES)


@functools.cache
def _files_sha256(files: tuple[str, ...]) -> str:
    folder = Path(sys.modules["forecast"].__file__ or "").parent
    return files_digest(folder / file for file in files)


def _module_sha256(spec: ModelSpec) -> str:
    """Return the SHA-256 of the model's module and of the code shared by every model."""
    return _files_sha256(model_files(spec))


def sample(
    fit_plan: FitPlan, *, progressbar: bool = False, cores: int | None = None
) -> tuple[xr.DataTree, pm.Model]:
    """Build the model and draw from its posterior.

    ``cores`` (default: the sampler's) is how many chains run at once, each in a child
    process; with 1 they run one after the other in this process (what a daemonic Dask worker
    allows). PyMC seeds each chain from the seed alone, so the draws are the same either way.
    """
    model = fit_plan.spec.build(fit_plan.inputs, fit_plan.priors)
    s = fit_plan.sampler
    with model:
        tree = pm.sample(
            draws=s.draws,
            tune=s.tune,
            chains=s.chains,
            cores=min(cores or s.cores, s.chains),
            random_seed=s.seed,
            target_accept=s.target_accept,
            nuts_sampler=s.nuts_sampler,
            progressbar=progressbar,
            compute_convergence_checks=False,
            # The chains' processes die with this one (a killed fit leaves no sampler behind).
            mp_ctx=orphan_safe_context(),
        )
    return tree, model


def diagnose(tree: xr.DataTree, var_names: list[str]) -> dict[str, Any]:
    """Return R-hat max, bulk-ESS min and divergences, and whether they pass the gate."""
    import arviz as az  # imported here: 1.2 s that commands reusing stored runs never need

    rhat = az.rhat(tree, var_names=var_names).dataset
    ess = az.ess(tree, var_names=var_names, method="bulk").dataset
    rhat_max = float(max(float(rhat[v].max()) for v in rhat.data_vars))
    ess_min = float(min(float(ess[v].min()) for v in ess.data_vars))
    divergences = int(tree["sample_stats"]["diverging"].sum())
    limits = SETTINGS.diagnostics
    chains = tree["posterior"].sizes["chain"]
    ess_floor = limits.ess_bulk_min_per_chain * chains
    failures = []
    if not np.isfinite(rhat_max) or rhat_max > limits.rhat_max:
        failures.append(f"R-hat {rhat_max:.3f} > {limits.rhat_max}")
    if not np.isfinite(ess_min) or ess_min < ess_floor:
        failures.append(f"bulk ESS {ess_min:.0f} < {ess_floor:.0f}")
    if divergences > limits.divergences_max:
        failures.append(f"{divergences} divergent transitions")
    return {
        "rhat_max": round(rhat_max, 6),
        "ess_bulk_min": round(ess_min, 3),
        "divergences": divergences,
        "passed": not failures,
        "failures": failures,
    }


def with_upstream(
    diagnostics: Mapping[str, Any], spec: ModelSpec, upstream: Mapping[str, xr.DataTree]
) -> dict[str, Any]:
    """Fail a run's diagnostics when a run it reads failed its own.

    Derived quantities inherit every upstream posterior, so a failed upstream fit flags them
    too. The run's own figures (R-hat, ESS, divergences) are kept as they are.
    """
    failed = [name for name in spec.requires if not store.diagnostics(upstream[name])["passed"]]
    # Upstream verdicts are recomputed, never carried over from a stored run.
    own = [f for f in diagnostics.get("failures", []) if not f.startswith("upstream ")]
    failures = own + [f"upstream {name} failed its diagnostics" for name in failed]
    return dict(diagnostics) | {"passed": not failures, "failures": failures}


def draws(tree: xr.DataTree) -> xr.Dataset:
    """Return a run's posterior draws with its data constants (its ``pm.Data``).

    Scalars (a reference year) and arrays alike: the walls read their history records so.
    """
    posterior = tree["posterior"].to_dataset()
    if "constant_data" in tree.children:
        constants = tree["constant_data"].to_dataset()
        fresh = {k: v for k, v in constants.data_vars.items() if k not in posterior}
        posterior = posterior.assign(fresh)
    return posterior


class Upstream(Mapping[str, xr.DataArray]):
    """A run's draws and derived quantities, read by name: what a model downstream reads.

    A derived quantity shadows a draw of the same name. Nothing is merged: aligning dozens of
    variables for every derivation (every chunk of a sweep) would cost more than the reads.
    """

    def __init__(self, posterior: xr.Dataset, derived: xr.Dataset) -> None:
        self.posterior, self.derived = posterior, derived
        self.sizes = posterior.sizes

    def __getitem__(self, key: str) -> xr.DataArray:
        if key in self.derived.data_vars:
            return self.derived[key]
        return self.posterior[key]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self.derived.data_vars, *self.posterior.data_vars]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def with_derived(posterior: xr.Dataset, derived: xr.Dataset) -> Upstream:
    """Return a run's draws with its derived quantities: what a model downstream reads."""
    return Upstream(posterior, derived)


def derive(
    fit_plan: FitPlan,
    tree: xr.DataTree,
    upstream: Mapping[str, xr.DataTree],
) -> xr.Dataset:
    """Compute the derived quantities of a run from its draws and its upstream runs' draws.

    Each upstream dataset holds the upstream run's draws and constants plus its derived
    quantities (computed with that run's levers), so a model reading them (the walls) sees
    every lever of the scenario.
    """
    ups = {
        name: with_derived(draws(upstream[name]), upstream[name]["derived"].to_dataset())
        for name in fit_plan.spec.requires
    }
    return derive_from(fit_plan, draws(tree), ups)


def derive_from(
    fit_plan: FitPlan,
    posterior: xr.Dataset,
    upstream: Mapping[str, Upstream],
    *,
    headline_only: bool = False,
    years: xr.DataArray | None = None,
    parts: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    """Derive from draws already read.

    ``posterior`` comes from :func:`draws`; each upstream run from :func:`with_derived`.

    With ``headline_only``, a model that declares ``headline_years`` is derived at those years
    only (what a lever sweep summarises); ``years`` (a ``year`` coordinate) derives at any
    years (a backtest's row dates). ``parts``: pieces of the derivation already computed
    (:func:`derive_parts_from`, see ``ModelSpec.parts``).
    """
    spec = fit_plan.spec
    for name in spec.requires:
        for dim in ("chain", "draw"):
            if upstream[name].sizes[dim] != posterior.sizes[dim]:
                raise ValueError(
                    f"{name} run has {upstream[name].sizes[dim]} {dim}s, {spec.name} has "
                    f"{posterior.sizes[dim]}: refit both with the same draws and chains"
                )
    ups = {name: upstream[name] for name in spec.requires}
    if headline_only and spec.headline_years is not None:
        years = _year_coord(spec.headline_years)
    extra = ({} if years is None else {"years": years}) | ({} if not parts else {"parts": parts})
    return spec.derive(posterior, ups, fit_plan.levers, fit_plan.sampler.seed, **extra)


def derive_parts_from(
    fit_plan: FitPlan,
    posterior: xr.Dataset,
    upstream: Mapping[str, Upstream],
    names: Sequence[str],
    *,
    headline_only: bool = False,
) -> dict[str, Any]:
    """Derive the named pieces of a model's derivation alone (see ``ModelSpec.parts``).

    ``upstream`` needs only the models those pieces read; the years are those
    :func:`derive_from` would use with the same ``headline_only``.
    """
    spec = fit_plan.spec
    years = _year_coord(spec.headline_years) if headline_only and spec.headline_years else None
    needed = {m for name in names for m in spec.parts[name].models}
    ups = {name: upstream[name] for name in needed}
    return spec.derive_parts(posterior, ups, fit_plan.levers, names, years=years)


@functools.cache
def _year_coord(years: tuple[int, ...]) -> xr.DataArray:
    """Return ``years`` as a ``year`` coord, one object per tuple (built once)."""
    coord = xr.DataArray(list(years), dims="year")
    return coord.assign_coords(year=coord)


def finish(
    fit_plan: FitPlan,
    tree: xr.DataTree,
    derived: xr.Dataset,
    diagnostics: Mapping[str, Any],
) -> xr.DataTree:
    """Attach the fit data, the derived quantities and the attrs to a sampled run."""
    tree = tree.copy()
    for group, rows in fit_plan.inputs.all_rows().items():
        tree[group] = xr.DataTree(store.frame_to_dataset(rows))
    tree["derived"] = xr.DataTree(derived)
    for name in ("posterior", "sample_stats"):
        tree[name].attrs.pop("created_at", None)
    tree.attrs = {
        "model": fit_plan.spec.name,
        "version": __version__,
        "config": canonical_json(fit_plan.config),
        "config_id": fit_plan.config_id,
        "fit_id": fit_plan.fit_id,
        "scenario": fit_plan.scenario.name,
        "random_seed": fit_plan.sampler.seed,
        "as_of": fit_plan.config["as_of"] or "",
        "latest_row_date": _latest_row_date(fit_plan.inputs),
        "latest_published": _latest_row_date(fit_plan.inputs, published=True),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_sha256": json.dumps(fit_plan.data_sha256, sort_keys=True),
        "priors_sha256": fit_plan.priors.sha256,
        "diagnostics": json.dumps(dict(diagnostics), sort_keys=True),
        # Observation groups with no row at this cut: their parameters rest on their priors.
        "prior_only_groups": json.dumps(
            sorted(g for g, rows in fit_plan.inputs.all_rows().items() if rows.empty)
        ),
        "diagnostics_passed": int(bool(diagnostics["passed"])),
    }
    return tree


def _latest_row_date(inputs: FitInputs, *, published: bool = False) -> str:
    """Return the newest date among the fitted rows ('' if no fitted table has a date).

    The newest observation on a trend's time axis (any date column but ``published``,
    whatever the table calls it: ``publication_date``, ``release_date``), or with ``published``
    the newest date a fitted figure became public.
    """
    dates = [
        column.max()
        for rows in inputs.all_rows().values()
        for name, column in rows.select_dtypes("datetime").items()
        if len(column) and (name == CUT_COLUMN) == published
    ]
    return str(max(dates).date()) if dates else ""


@dataclass(frozen=True)
class Sampled:
    """A model's posterior draws as sampled, and their own diagnostics (no upstream verdict).

    What a cluster worker sends back (:mod:`forecast.parallel`): the client derives, finishes
    and stores the run.
    """

    tree: xr.DataTree
    diagnostics: dict[str, Any]


def sample_and_diagnose(
    fit_plan: FitPlan, *, progressbar: bool = False, cores: int | None = None
) -> Sampled:
    """Sample one planned model and diagnose its draws (see :func:`sample`)."""
    tree, model = sample(fit_plan, progressbar=progressbar, cores=cores)
    return Sampled(tree, diagnose(tree, [rv.name for rv in model.free_RVs]))


def fit(
    fit_plan: FitPlan,
    upstream: Mapping[str, xr.DataTree],
    *,
    progressbar: bool = False,
    sampled: Sampled | None = None,
) -> xr.DataTree:
    """Sample, diagnose and derive one planned model; return the finished run (not saved).

    With ``sampled`` (draws sampled elsewhere, from this plan), only derive and finish.
    """
    sampled = sampled or sample_and_diagnose(fit_plan, progressbar=progressbar)
    tree = sampled.tree
    diagnostics = with_upstream(sampled.diagnostics, fit_plan.spec, upstream)
    if not diagnostics["passed"]:
        log.warning(
            "%s: diagnostics failed: %s", fit_plan.spec.name, "; ".join(diagnostics["failures"])
        )
    return finish(fit_plan, tree, derive(fit_plan, tree, upstream), diagnostics)


def plan_all(
    names: list[str] | tuple[str, ...],
    scenario: Scenario,
    *,
    as_of: dt.date | None = None,
    sampler: SamplerSettings | None = None,
) -> dict[str, FitPlan]:
    """Plan the named models and their dependencies, in dependency order.

    Without ``sampler``, all models take the sampler settings of the stored run of the last
    (most downstream) model under this scenario, else under the baseline, so runs made by
    ``fit --draws N`` are reused and paired draws match.
    """
    plans: dict[str, FitPlan] = {}
    specs = resolve(list(names))
    if sampler is None:
        stored = store.stored_config(
            store.run_path(specs[-1].name, scenario.name)
        ) or store.stored_config(store.run_path(specs[-1].name, "baseline"))
        try:
            sampler = SamplerSettings(**stored["sampler"]) if stored else SETTINGS.sampler
        except (KeyError, TypeError):
            sampler = SETTINGS.sampler
    as_of = as_of or scenario.as_of
    # Each table is read, validated, checked against the tables it refers to and hashed once,
    # however many models read it.
    frames = load_tables(
        dict.fromkeys(t for spec in specs for t in spec.tables),
        as_of=as_of,
        frontier=scenario.frontier,
    )
    tables = {name: _Table(frame, file_digest(table_path(name))) for name, frame in frames.items()}
    for spec in specs:
        plans[spec.name] = plan(
            spec, scenario, tables=tables, as_of=as_of, sampler=sampler, upstream=plans
        )
    return plans


def ensure_runs(
    plans: Mapping[str, FitPlan],
    *,
    refit: bool | Collection[str] = False,
    progressbar: bool | None = None,
    on_event: Callable[[str, str], None] | None = None,
    sampled: Mapping[str, Sampled] | None = None,
) -> dict[str, xr.DataTree]:
    """Return a current run for every plan: reuse what is stored, fit what is not.

    Each folder written is locked meanwhile (:func:`forecast.locks.holding`): a second
    command fitting into it waits, then reuses what this one stored.

    Parameters
    ----------
    plans : mapping
        From :func:`plan_all` (dependency order).
    refit : bool or collection of str
        Fit even when a current run is stored (all models, or those named).
    progressbar : bool, optional
        Show sampling progress (default: when standard error is a terminal).
    on_event : callable, optional
        Called as ``on_event(model, what)`` with what in ``{"reused", "rederived", "fitted"}``.
    sampled : mapping, optional
        Draws already sampled from these plans (on a cluster, :func:`to_sample`), by model:
        a model to fit that is among them is derived from them instead of sampled here.
    """
    sampled = sampled or {}
    progressbar = sys.stderr.isatty() if progressbar is None else progressbar
    runs: dict[str, xr.DataTree] = {}
    folders = sorted({store.run_path(n, p.scenario.name).parent for n, p in plans.items()})
    with contextlib.ExitStack() as held:  # one writer per folder: a second command waits
        for folder in folders:
            held.enter_context(locks.holding(folder))
        for name, fit_plan in plans.items():
            path = store.run_path(name, fit_plan.scenario.name)
            forced = refit if isinstance(refit, bool) else name in refit
            stored, event = (None, "fitted") if forced else _reuse(fit_plan, path, runs)
            if stored is None:
                given = sampled.get(name)
                stored = fit(fit_plan, runs, progressbar=progressbar, sampled=given)
                event = "fitted"
            if event != "reused":
                store.save_run(stored, path)
            if on_event:
                on_event(name, event)
            runs[name] = stored
    return runs


def to_sample(
    plans: Mapping[str, FitPlan], *, refit: bool | Collection[str] = False
) -> dict[str, FitPlan]:
    """Return the plans :func:`ensure_runs` would sample: those with no stored run to reuse.

    Only attrs are read. What a cluster is sent (:mod:`forecast.parallel`); the runs are
    reused or re-derived here.
    """
    return {
        name: p
        for name, p in plans.items()
        if (refit if isinstance(refit, bool) else name in refit)
        or _reusable(p, store.run_path(name, p.scenario.name))[0] is None
    }


def _reusable(fit_plan: FitPlan, path: Path) -> tuple[Path | None, str]:
    """Return the stored run a plan can use and how, or ``(None, "fitted")`` (attrs only).

    The run stored for this scenario is reused as it is when its ``config_id`` matches. When
    only forward levers changed (same ``fit_id``: same data, priors, options, sampler and
    version), the draws of this scenario's run, else of the baseline run, are reused and only
    the derived quantities recomputed.
    """
    for candidate in dict.fromkeys([path, store.run_path(fit_plan.spec.name, "baseline")]):
        attrs = store.stored_attrs(candidate)
        if not attrs:
            continue
        if candidate == path and attrs.get("config_id") == fit_plan.config_id:
            return candidate, "reused"
        if json.loads(attrs["config"]).get("fit_id") == fit_plan.fit_id:
            return candidate, "rederived"
    return None, "fitted"


def _reuse(
    fit_plan: FitPlan, path: Path, runs: Mapping[str, xr.DataTree]
) -> tuple[xr.DataTree | None, str]:
    """Return a stored run usable for this plan and how it was obtained, or ``(None, ...)``.

    See :func:`_reusable`. Only attrs are read until a run is chosen.
    """
    candidate, event = _reusable(fit_plan, path)
    if candidate is None:
        return None, event
    if event == "reused":
        return store.load_run(candidate), "reused"
    sampled = store.load_run(candidate)
    for group in [g for g in sampled.children if g.startswith(("derived", "fit_data"))]:
        del sampled[group]
    derived = derive(fit_plan, sampled, runs)
    diagnostics = with_upstream(store.diagnostics(sampled), fit_plan.spec, runs)
    return finish(fit_plan, sampled, derived, diagnostics), "rederived"
