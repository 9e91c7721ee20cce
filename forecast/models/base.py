"""What every model module provides, so ``fit``, ``store`` and the CLI treat them alike.

A model module reads like a page of a paper (docstring with sources, coords, priors,
likelihood, derived quantities) and ends by declaring one :class:`ModelSpec`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from forecast.fingerprint import canonical_json, digest
from forecast.models.reporting import NO_REPORT, ModelReport
from forecast.priors import PriorSet, load_priors
from forecast.summary import Quantity


class Tables(dict):
    """The tables a model selects from, cut at ``as_of``: the date the cut's data end.

    A selection may depend on it (the compute model's yearly maxima take only the calendar
    years the cut covers whole); a plain mapping reads as cut today.
    """

    def __init__(self, frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> None:
        super().__init__(frames)
        self.as_of = as_of


def cut_date(tables: Mapping[str, pd.DataFrame]) -> dt.date:
    """Return the date a mapping of tables is cut at (today for a plain mapping)."""
    from forecast.settings import today

    return getattr(tables, "as_of", None) or today()


@dataclass(frozen=True)
class FitInputs:
    """The observations one model is fitted to, selected from the data tables."""

    #: Rows actually used, stored with the run as its ``fit_data`` group.
    rows: pd.DataFrame
    #: Named arrays the model builder reads.
    arrays: Mapping[str, Any]
    #: Coordinates of the observation dimensions.
    coords: Mapping[str, Any]
    #: Further observation tables of a model with several likelihoods, each stored with the run
    #: as a ``fit_data_<key>`` group (the scaling model's releases, say).
    extra_rows: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    #: The data table each group's rows come from (``{"fit_data": "models", ...}``), named in
    #: messages about them.
    row_tables: Mapping[str, str] = field(default_factory=dict)
    #: The fit options the rows were selected with (the builder reads a trend's form there);
    #: set by :func:`forecast.fit.plan`, not hashed (the fit's config holds them).
    options: Mapping[str, Any] = field(default_factory=dict)

    def all_rows(self) -> dict[str, pd.DataFrame]:
        """Return every observation table keyed by its run group (``fit_data``, ...)."""
        return {"fit_data": self.rows} | {f"fit_data_{k}": v for k, v in self.extra_rows.items()}

    def sha256(self) -> str:
        """Return the SHA-256 of what the model is fitted to: every row, array and coordinate.

        A fit depends on these and on nothing else of the tables, so a row added after an
        as-of cut, or one the model does not select, leaves the hash (and the fit) unchanged.
        """
        chunks = []
        for group, rows in sorted(self.all_rows().items()):
            chunks += [group.encode(), rows.to_csv(index=False, lineterminator="\n").encode()]
        for name, value in sorted(self.arrays.items()):
            array = np.ascontiguousarray(value)
            chunks += [f"{name}:{array.dtype.str}:{array.shape}".encode(), array.tobytes()]
        coords = {k: [str(v) for v in values] for k, values in self.coords.items()}
        return digest(*chunks, canonical_json(coords).encode())


@dataclass(frozen=True)
class DerivedPart:
    """What one piece of a model's ``derive`` reads (see ``ModelSpec.parts``)."""

    #: Upstream models whose draws or derived quantities it reads.
    models: tuple[str, ...]
    #: The model's own levers it reads.
    levers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    """A model's contract with the rest of the engine."""

    name: str
    description: str
    #: Data tables the model reads.
    tables: tuple[str, ...]
    #: Names of the priors in ``priors/<name>.toml``.
    prior_names: tuple[str, ...]
    #: Names of the forward levers in ``priors/<name>.toml``.
    lever_names: tuple[str, ...]
    #: ``select(tables, options) -> FitInputs``: choose the rows and arrays to fit.
    select: Callable[[Mapping[str, pd.DataFrame], Mapping[str, Any]], FitInputs]
    #: ``build(inputs, priors) -> pm.Model``.
    build: Callable[[FitInputs, PriorSet], pm.Model]
    #: ``derive(posterior, upstream, levers, seed) -> Dataset`` of projections and wall
    #: quantities per draw; must broadcast over extra dims of lever values (``scenario``).
    #: ``posterior`` and each upstream dataset hold the draws plus the model's scalar data
    #: constants (0-d ``pm.Data``, e.g. the scaling model's reference year).
    derive: Callable[[xr.Dataset, Mapping[str, xr.Dataset], Mapping[str, Any], int], xr.Dataset]
    #: ``headline(derived) -> {name: Quantity}``: the headline quantities per draw, summarised
    #: by :func:`forecast.summary.summarize` (one scenario) or
    #: :func:`forecast.summary.summarize_scenarios` (a ``scenario`` dim).
    headline: Callable[[xr.Dataset], dict[str, Quantity]]
    #: Fit options (changing one means a refit) and their defaults.
    fit_options: Mapping[str, Any] = field(default_factory=dict)
    #: The values a fit option may take, where they are a fixed set (``population``, say).
    #: Options not listed take a value of their default's type (an ISO date for ``*_date``).
    fit_choices: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    #: Models whose posterior draws this one reads (paired by chain and draw).
    requires: tuple[str, ...] = ()
    #: Prior-only parameters a lever may fix at a value, with the values allowed.
    forward_bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    #: Extra summaries (e.g. P(exhausted by year)) added to ``forecast`` output.
    extras: Callable[[xr.Dataset], dict[str, Any]] | None = None
    #: The years ``headline`` reads, for a model whose year-grid output no other model reads.
    #: Its ``derive`` then takes ``years=`` and a lever sweep derives it at these years only.
    headline_years: tuple[int, ...] | None = None
    #: Priors the model's file may leave to ``priors/defaults.toml``: name -> default's name.
    prior_defaults: Mapping[str, str] = field(default_factory=dict)
    #: Observation groups that may be empty at an as-of cut (their parameters then rest on
    #: their priors, and the run says so); every other group needs ``fit.MIN_ROWS`` rows.
    optional_groups: tuple[str, ...] = ()
    #: Pieces of ``derive`` that read some upstream models and levers only (the walls' data,
    #: power and money constraints): name -> :class:`DerivedPart`. ``derive_parts(posterior,
    #: upstream, levers, names, years=None)`` returns the named pieces, and ``derive(...,
    #: parts=)`` takes them instead of computing them: a lever sweep derives once a piece that
    #: no lever its chunks vary reaches, and passes it to every chunk.
    parts: Mapping[str, DerivedPart] = field(default_factory=dict)
    derive_parts: Callable[..., dict[str, Any]] | None = None
    #: The least NUTS acceptance target the model's geometry needs (a local linear trend's
    #: heavy-tailed steps need small steps); the sampler's own is used where it is higher.
    target_accept: float | None = None
    #: What the model adds to the outlook and to the stress table (headline-box lines,
    #: P(by year) rows and curves, its section's figures, scenario columns, tornado charts,
    #: the headlines ``datawall stress`` prints), in :mod:`forecast.models.reporting`'s terms.
    report: ModelReport = NO_REPORT


def fit_options(inputs: FitInputs, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Return the options a model's builder reads: its defaults, and those the fit was given."""
    return {**defaults, **inputs.options}


def model_priors(spec: ModelSpec) -> PriorSet:
    """Return a model's priors and levers: its file, with the shared defaults it may read."""
    return load_priors(spec.name, spec.prior_names, spec.lever_names, defaults=spec.prior_defaults)


#: Values of every ``population`` fit option: Epoch's frontier flag, or every row.
POPULATIONS = ("frontier", "all")

#: Leading dims of every derived quantity, in this order (no positional axes in results).
LEADING_DIMS = ("scenario", "chain", "draw")


def canonical_order(dataset: xr.Dataset) -> xr.Dataset:
    """Put ``(scenario, chain, draw)`` first, in that order, on every variable."""
    return dataset.map(lambda var: var.transpose(*[d for d in LEADING_DIMS if d in var.dims], ...))


#: Data variables holding the ``(chain, draw)`` labels of draws a lever sweep unindexes.
DRAW_LABELS = ("chain_label", "draw_label")


def without_draw_index(posterior: xr.Dataset) -> xr.Dataset:
    """Return draws aligned by position (no ``chain``/``draw`` index), labels kept as data.

    A lever sweep makes thousands of operations on the draws; without indexes, xarray skips
    comparing them at each. A derivation that depends on which draw is which (a random
    assignment per draw) reads the labels with :func:`draw_labels`.
    """
    chain_label, draw_label = DRAW_LABELS
    return posterior.drop_vars(["chain", "draw"]).assign(
        {
            chain_label: ("chain", posterior["chain"].values),
            draw_label: ("draw", posterior["draw"].values),
        }
    )


def draw_labels(posterior: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``chain`` and ``draw`` labels of draws, indexed or not."""
    if all(name in posterior.data_vars for name in DRAW_LABELS):
        return tuple(posterior[name].values for name in DRAW_LABELS)
    return posterior["chain"].values, posterior["draw"].values


def _splitmix64(x: np.ndarray) -> np.ndarray:
    # SplitMix64's output function (Steele, Lea & Flood 2014), on uint64 (wrapping).
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def draw_uniforms(posterior: xr.Dataset, seed: int) -> xr.DataArray:
    """Return one uniform number in ``[0, 1)`` per draw, a hash of the seed and its labels.

    A draw gets the same number in a thinned run (``--sweep-draws``) as in the whole run, so a
    random assignment per draw (the data wall's demand mixture) assigns it the same way
    whichever draws are kept. Dims ``(chain, draw)``.
    """
    chains, draws = (np.asarray(labels, dtype=np.uint64) for labels in draw_labels(posterior))
    with np.errstate(over="ignore"):
        key = _splitmix64(np.uint64(seed) ^ chains[:, None])
        bits = _splitmix64(key ^ _splitmix64(draws[None, :]))
    coords = {d: posterior[d] for d in ("chain", "draw") if d in posterior.indexes}
    return xr.DataArray((bits >> np.uint64(11)) * 2.0**-53, dims=("chain", "draw"), coords=coords)


def lever(levers: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """Return a lever's value as a DataArray if it is set, else ``default``.

    An unset lever (``None``, or absent) defers to ``default``: a posterior's draws, a fitted
    rate, or ``None`` for an optional cap. DataArray values (with a ``scenario`` dim, say) pass
    through unchanged so derived quantities broadcast over them; NaN in one (a scenario that
    leaves a prior-only parameter unset, among others that fix it) reads ``default`` there.
    """
    value = levers.get(name)
    if value is None:
        return default
    if not isinstance(value, xr.DataArray):
        return xr.DataArray(float(value))
    if isinstance(default, xr.DataArray) and bool(value.isnull().any()):
        return xr.where(value.isnull(), default, value)
    return value
