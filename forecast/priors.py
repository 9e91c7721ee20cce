"""Load and validate prior specifications (``priors/<model>.toml``) into PyMC distributions.

A prior is plain data, the shape of ``pymc_extras.prior.Prior.to_dict()`` plus a source::

    [priors.quality_fraction]
    dist = "LogNormal"
    interval = [0.1, 0.4]        # or: kwargs = { mu = -1.6, sigma = 0.35 }
    interval_prob = 0.95
    unit = "fraction of deduplicated web text usable for training"
    source = "Villalobos et al. 2024, Sec. 2.3.1"

``interval`` states a central interval, as papers do; it is turned into ``mu``/``sigma`` for
Normal and LogNormal. ``reflect_about = c`` makes the variable ``c - X`` (Epoch's data-stock code
writes bytes per token as ``6 - lognormal(1, 4)``).

A prior a model leaves to ``priors/defaults.toml`` (the Student-t degrees of freedom every
trend reads, say) is the default there; a model's own ``[priors.NAME]`` table then holds only
what it changes, merged over the default (``default | override``: a new ``unit`` keeps the
default's distribution and source).

A file may also hold ``[levers.NAME]`` tables: forward assumptions applied after the fit
(``value``, ``min``, ``max``, ``unit``, ``source``), which stress scenarios override.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pymc as pm
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats

from forecast import settings
from forecast.errors import InputError, pydantic_error
from forecast.fingerprint import digest, fingerprint
from forecast.textfile import decode

#: Distributions a prior file may name, with the keyword arguments each requires.
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "Normal": ("mu", "sigma"),
    "LogNormal": ("mu", "sigma"),
    "HalfNormal": ("sigma",),
    "StudentT": ("nu", "mu", "sigma"),
    "Gamma": ("alpha", "beta"),
    "Exponential": ("lam",),
    "Beta": ("alpha", "beta"),
    "Uniform": ("lower", "upper"),
    "TruncatedNormal": ("mu", "sigma", "lower", "upper"),
}
_POSITIVE_KWARGS = {"sigma", "alpha", "beta", "lam", "nu"}


class PriorSpec(BaseModel):
    """One prior: a distribution, its parameters and where they come from."""

    model_config = ConfigDict(extra="forbid")

    dist: Literal[tuple(DISTRIBUTIONS)]  # type: ignore[valid-type]
    kwargs: dict[str, float] = Field(default_factory=dict)
    interval: tuple[float, float] | None = None
    interval_prob: float = Field(default=0.95, gt=0.0, lt=1.0)
    reflect_about: float | None = None
    bounds: tuple[float, float] | None = None
    #: The central interval the prior was stated as (``interval``, kept for the report once it
    #: is turned into ``kwargs``), with its probability in ``interval_prob``.
    stated_interval: tuple[float, float] | None = None
    unit: str = Field(min_length=1)
    source: str = Field(min_length=8)
    description: str | None = None

    @model_validator(mode="after")
    def _resolve(self) -> PriorSpec:
        if self.interval is not None:
            if self.kwargs:
                raise ValueError("interval: give either 'interval' or 'kwargs', not both")
            if self.dist not in {"Normal", "LogNormal"}:
                raise ValueError(f"interval: only Normal and LogNormal accept it, not {self.dist}")
            lo, hi = self.interval
            if not lo < hi:
                raise ValueError(f"interval: lower {lo} must be below upper {hi}")
            z = stats.norm.ppf(0.5 + self.interval_prob / 2)
            if self.dist == "LogNormal":
                if lo <= 0:
                    raise ValueError(f"interval: LogNormal needs positive bounds, got {lo}")
                lo, hi = math.log(lo), math.log(hi)
            self.kwargs = {"mu": (lo + hi) / 2, "sigma": (hi - lo) / (2 * z)}
            self.stated_interval, self.interval = self.interval, None
        required = DISTRIBUTIONS[self.dist]
        missing = [k for k in required if k not in self.kwargs]
        extra = [k for k in self.kwargs if k not in required]
        if missing:
            raise ValueError(f"kwargs: {self.dist} needs {missing}")
        if extra:
            raise ValueError(f"kwargs: {self.dist} takes only {list(required)}, not {extra}")
        for key, value in self.kwargs.items():
            if not math.isfinite(value):
                raise ValueError(f"kwargs: {key} must be finite, got {value}")
            if key in _POSITIVE_KWARGS and value <= 0:
                raise ValueError(f"kwargs: {key} must be positive, got {value}")
        if "lower" in self.kwargs and not self.kwargs["lower"] < self.kwargs["upper"]:
            raise ValueError("kwargs: lower must be below upper")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"bounds: lower {self.bounds[0]} must be below {self.bounds[1]}")
        return self

    def _raw_bounds(self) -> tuple[float | None, float | None]:
        """Return the truncation bounds on the distribution before any reflection."""
        if self.bounds is None:
            return None, None
        lo, hi = self.bounds
        if self.reflect_about is None:
            return lo, hi
        return self.reflect_about - hi, self.reflect_about - lo

    def create(self, name: str, **kwargs: Any) -> Any:
        """Create the PyMC random variable (inside a model context)."""
        dist = getattr(pm, self.dist)
        raw_name = name if self.reflect_about is None else f"{name}_reflected"
        if self.bounds is None:
            raw = dist(raw_name, **self.kwargs, **kwargs)
        else:
            lower, upper = self._raw_bounds()
            raw = pm.Truncated(
                raw_name, dist.dist(**self.kwargs), lower=lower, upper=upper, **kwargs
            )
        if self.reflect_about is None:
            return raw
        return pm.Deterministic(name, self.reflect_about - raw, dims=kwargs.get("dims"))

    def distribution(self) -> Any:
        """Return the unnamed PyMC distribution (for ``sd_dist`` of a covariance prior, say)."""
        if self.bounds is not None or self.reflect_about is not None:
            raise ValueError("bounded or reflected priors have no unnamed form")
        return getattr(pm, self.dist).dist(**self.kwargs)

    def scipy(self) -> Any:
        """Return the equivalent frozen scipy distribution (before any reflection)."""
        k = self.kwargs
        match self.dist:
            case "Normal":
                return stats.norm(k["mu"], k["sigma"])
            case "LogNormal":
                return stats.lognorm(s=k["sigma"], scale=math.exp(k["mu"]))
            case "HalfNormal":
                return stats.halfnorm(scale=k["sigma"])
            case "StudentT":
                return stats.t(k["nu"], k["mu"], k["sigma"])
            case "Gamma":
                return stats.gamma(k["alpha"], scale=1 / k["beta"])
            case "Exponential":
                return stats.expon(scale=1 / k["lam"])
            case "Beta":
                return stats.beta(k["alpha"], k["beta"])
            case "Uniform":
                return stats.uniform(k["lower"], k["upper"] - k["lower"])
            case "TruncatedNormal":
                a = (k["lower"] - k["mu"]) / k["sigma"]
                b = (k["upper"] - k["mu"]) / k["sigma"]
                return stats.truncnorm(a, b, k["mu"], k["sigma"])
        raise AssertionError(self.dist)

    def quantile(self, q: float | np.ndarray) -> np.ndarray:
        """Return prior quantiles of the variable (truncation and reflection applied)."""
        base = self.scipy()
        q = np.asarray(q, dtype=float)
        raw_q = q if self.reflect_about is None else 1 - q
        lower, upper = self._raw_bounds()
        c_lo = base.cdf(lower) if lower is not None else 0.0
        c_hi = base.cdf(upper) if upper is not None else 1.0
        raw = base.ppf(c_lo + raw_q * (c_hi - c_lo))
        return raw if self.reflect_about is None else self.reflect_about - raw


class LeverSpec(BaseModel):
    """A forward assumption applied to posterior draws after the fit.

    A lever without ``value`` is off by default: the model reads the quantity from a
    posterior (the data wall's tokens per parameter, say), and a scenario may fix it.
    """

    model_config = ConfigDict(extra="forbid")

    value: float | None = None
    min: float
    max: float
    unit: str = Field(min_length=1)
    source: str = Field(min_length=8)
    description: str | None = None
    p10: float | None = None
    p90: float | None = None

    @model_validator(mode="after")
    def _in_range(self) -> LeverSpec:
        if not self.min <= self.max:
            raise ValueError(f"min: {self.min} above max {self.max}")
        for name in ("value", "p10", "p90"):
            v = getattr(self, name)
            if v is not None and not self.min <= v <= self.max:
                raise ValueError(f"{name}: {v} outside [{self.min}, {self.max}]")
        return self

    def check(self, name: str, value: float, where: str | Path) -> float:
        """Return ``value`` if it lies in the lever's range, else raise :class:`InputError`."""
        if not (isinstance(value, int | float) and math.isfinite(value)):
            raise InputError(where, f"expected a number, got {value!r}", column=name)
        if not self.min <= value <= self.max:
            raise InputError(
                where,
                f"{value} is outside the allowed range [{self.min}, {self.max}] ({self.unit})",
                column=name,
            )
        return float(value)


@dataclass(frozen=True)
class PriorSet:
    """The priors and levers of one model, as read from its TOML file."""

    model: str
    priors: dict[str, PriorSpec]
    levers: dict[str, LeverSpec]
    path: Path
    sha256: str

    def __getitem__(self, name: str) -> PriorSpec:
        return self.priors[name]

    def to_config(self) -> dict[str, Any]:
        """Return the resolved priors as a JSON-serialisable dict."""
        return {k: v.model_dump(exclude_none=True) for k, v in self.priors.items()}

    def with_overrides(self, overrides: Mapping[str, Mapping[str, Any]], where: str) -> PriorSet:
        """Return a copy with some priors replaced (``{name: {field: value}}``), validated."""
        priors = dict(self.priors)
        for name, fields in overrides.items():
            if name not in priors:
                raise InputError(
                    where, f"unknown prior; expected one of {sorted(priors)}", column=name
                )
            if not isinstance(fields, Mapping):
                raise InputError(
                    where, f"expected a table of prior fields, got {fields!r}", column=name
                )
            merged = merge_prior(priors[name].model_dump(exclude_none=True), fields)
            priors[name] = _validate_prior(merged, where, name)
        sha256 = fingerprint({k: v.model_dump() for k, v in priors.items()})
        return PriorSet(self.model, priors, self.levers, self.path, sha256)


def merge_prior(base: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return a prior's fields with some replaced (``base | fields``), still one prior.

    An ``interval`` replaces the ``kwargs`` and ``kwargs`` an ``interval``; a new distribution,
    interval or parameters drop the interval the prior was stated as.
    """
    merged = dict(base) | dict(fields)
    if "interval" in fields:
        merged.pop("kwargs", None)
    elif "kwargs" in fields:
        merged.pop("interval", None)
    if {"interval", "kwargs", "dist"} & set(fields):  # the stated interval no longer is
        merged.pop("stated_interval", None)
    return merged


def _validate(schema: type[BaseModel], table: Any, path: str | Path, where: str) -> Any:
    """Validate one TOML table; an error names the file and the key (``where.field``)."""
    try:
        return schema.model_validate(table)
    except ValidationError as exc:
        field, message, _ = pydantic_error(exc)
        column = where + (f".{field}" if field else "")
        raise InputError(path, message, column=column) from None


def _validate_prior(table: Any, path: str | Path, name: str) -> PriorSpec:
    return _validate(PriorSpec, table, path, f"priors.{name}")


def read_toml(path: Path, missing: str) -> tuple[dict[str, Any], str]:
    """Read a TOML file; return the document and the SHA-256 of its bytes.

    Raises :class:`InputError` with ``missing`` when the file is absent, and when it is not
    UTF-8 (a byte-order mark is dropped) or not TOML.
    """
    if not path.is_file():
        raise InputError(path, missing)
    raw = path.read_bytes()
    try:
        document = tomllib.loads(decode(raw, path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, f"not valid TOML: {exc}") from None
    return document, digest(raw)


def _check_names(
    path: Path, section: str, found: Mapping[str, Any], expected: list[str], unknown: str
) -> None:
    """Refuse names in ``[section.*]`` the model does not read, and names it reads but lacks."""
    for name in found:
        if name not in expected:
            raise InputError(path, f"{unknown} {expected}", column=f"{section}.{name}")
    for name in expected:
        if name not in found:
            raise InputError(path, f"{section.rstrip('s')} missing", column=f"{section}.{name}")


#: The file of shared defaults (the Student-t degrees of freedom every trend reads, say).
DEFAULTS_FILE = "defaults.toml"


def _defaults(names: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """Return the default priors ``names`` maps to, and the defaults file's SHA-256."""
    if not names:
        return {}, ""
    path = settings.priors_dir() / DEFAULTS_FILE
    document, sha256 = read_toml(path, "the shared default priors file is missing")
    tables = document.get("priors", {})
    for key in dict.fromkeys(names.values()):
        if key not in tables:
            raise InputError(path, "default prior missing", column=f"priors.{key}")
    return {name: (tables[key], path, key) for name, key in names.items()}, sha256


def _read_prior(
    name: str,
    tables: Mapping[str, Any],
    shared: Mapping[str, tuple[Any, Path, str]],
    path: Path,
) -> PriorSpec:
    """Return a model's prior: its own table, its default, or its table merged over the default."""
    if name not in shared:
        return _validate_prior(tables[name], path, name)
    default, defaults_path, key = shared[name]
    if name not in tables:
        return _validate(PriorSpec, default, defaults_path, f"priors.{key}")
    override = tables[name]
    if not isinstance(override, Mapping):
        raise InputError(
            path, f"expected a table of prior fields, got {override!r}", column=f"priors.{name}"
        )
    return _validate_prior(merge_prior(default, override), path, name)


def load_priors(
    model: str,
    expected: Iterable[str],
    expected_levers: Iterable[str] = (),
    *,
    path: str | Path | None = None,
    defaults: Mapping[str, str] | None = None,
) -> PriorSet:
    """Read ``priors/<model>.toml`` and check it names exactly the priors the model uses.

    Parameters
    ----------
    model : str
        Model name; the file is ``priors/<model>.toml`` unless ``path`` is given.
    expected : iterable of str
        Prior names the model builds. A missing or unknown name is refused, unless
        ``defaults`` gives it.
    expected_levers : iterable of str
        Lever names the model reads.
    path : str or Path, optional
        Explicit file path.
    defaults : mapping, optional
        Prior names the model may leave to ``priors/defaults.toml``, with the default each
        reads (``{"compute_nu": "trend_nu"}``): a model's own table for one of them holds
        only the fields it changes, merged over the default (:func:`merge_prior`).

    Returns
    -------
    PriorSet
    """
    path = Path(path) if path else settings.priors_dir() / f"{model}.toml"
    document, sha256 = read_toml(path, "prior file not found")
    unknown_sections = set(document) - {"model", "priors", "levers"}
    if unknown_sections:
        raise InputError(
            path,
            "unknown section; expected [model], [priors.*], [levers.*]",
            column=sorted(unknown_sections)[0],
        )
    declared = document.get("model", {}).get("name")
    if declared != model:
        raise InputError(
            path, f"expected model name '{model}', found {declared!r}", column="model.name"
        )
    tables = document.get("priors", {})
    expected = list(expected)
    shared, shared_sha256 = _defaults({k: v for k, v in (defaults or {}).items() if k in expected})
    found = dict(tables) | dict.fromkeys(shared)
    _check_names(path, "priors", found, expected, f"unknown prior name; the {model} model uses")
    priors = {name: _read_prior(name, tables, shared, path) for name in expected}
    if shared_sha256:
        sha256 = digest(f"{sha256}:{shared_sha256}".encode())
    expected_levers = list(expected_levers)
    lever_tables = document.get("levers", {})
    _check_names(
        path, "levers", lever_tables, expected_levers, f"unknown lever; the {model} model reads"
    )
    levers = {
        name: _validate(LeverSpec, lever_tables[name], path, f"levers.{name}")
        for name in expected_levers
    }
    return PriorSet(model, priors, levers, path, sha256)
