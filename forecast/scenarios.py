"""Named scenarios: sets of overrides read from ``priors/scenarios/*.toml``.

A scenario file::

    [scenario]
    name = "villalobos2024"
    description = "..."
    source = "..."
    as_of = "2024-05-31"          # optional: fit only rows published by this date

    [data]                        # how the tables are read: changing one refits
    frontier_top_n = 10           # the frontier: top N at release (Epoch AI: 10)
    frontier_scope = "language"   # ranked among language models, or "all" domains

    [datawall.fit]                # fit options: changing one refits
    population = "all"

    [datawall.levers]             # forward levers, applied to stored draws: no refit
    tokens_per_param = 20.0
    quality_fraction = 0.2        # fixes a prior-only parameter at a value

    [datawall.priors.dataset_slope]   # prior overrides: refit
    kwargs = { mu = 0.38, sigma = 0.05 }

Every key is checked against the model it names; an unknown key or an impossible value is
refused with the file and the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast import settings
from forecast.errors import InputError, parse_date
from forecast.models import REGISTRY
from forecast.models.base import ModelSpec
from forecast.tables.models import FRONTIER_SCOPES, FrontierRule
from forecast.validate import check_scenario_name, is_identifier, parse_as_of

BASELINE = "baseline"
#: Keys of a scenario's ``[scenario]`` section.
SCENARIO_KEYS = ("name", "description", "source", "as_of")
#: Keys of a scenario's ``[data]`` section, with the type each takes.
DATA_KEYS = {"frontier_top_n": int, "frontier_scope": str}
#: Largest ``frontier_top_n`` accepted.
FRONTIER_TOP_N_MAX = 100


@dataclass(frozen=True)
class ModelOverrides:
    """What a scenario changes in one model."""

    fit: dict[str, Any] = field(default_factory=dict)
    levers: dict[str, float] = field(default_factory=dict)
    priors: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A named set of overrides."""

    name: str
    description: str = "The bundled data and priors, unchanged."
    source: str = ""
    as_of: dt.date | None = None
    #: How the frontier is ranked, for every table and model of the scenario.
    frontier: FrontierRule = field(default_factory=FrontierRule)
    models: dict[str, ModelOverrides] = field(default_factory=dict)
    path: Path | None = None
    sha256: str = ""
    #: The parsed TOML the scenario came from (stress overrides are merged into a copy of it).
    document: Mapping[str, Any] = field(default_factory=dict)

    def for_model(self, name: str) -> ModelOverrides:
        """Return the overrides of one model (empty if the scenario leaves it alone)."""
        return self.models.get(name, ModelOverrides())

    @property
    def changes_fit(self) -> bool:
        """Whether the scenario changes a fit (priors, fit options, as-of, the frontier rule).

        Not only levers: a fit on other rows or priors, with its own draws.
        """
        return (
            self.as_of is not None
            or self.frontier != FrontierRule()
            or any(o.fit or o.priors for o in self.models.values())
        )


def _check_fit_option(spec: ModelSpec, key: str, value: Any, where: Path | str) -> Any:
    column = f"{spec.name}.fit.{key}"
    if key not in spec.fit_options:
        raise InputError(
            where, f"unknown fit option; expected one of {sorted(spec.fit_options)}", column=column
        )
    choices = spec.fit_choices.get(key)
    default = spec.fit_options[key]
    if choices is not None and value not in choices:
        raise InputError(where, f"expected one of {list(choices)}, got {value!r}", column=column)
    if key.endswith("_date"):
        # A bare TOML date (``--set M.fit.start_date=2019-01-01``) or a string: stored as text.
        if isinstance(value, dt.datetime) or not isinstance(value, str | dt.date):
            raise InputError(where, f"expected a date YYYY-MM-DD, got {value!r}", column=column)
        return parse_date(value, where, column).isoformat()
    if type(value) is not type(default):
        expected = "true or false" if isinstance(default, bool) else type(default).__name__
        raise InputError(where, f"expected {expected}, got {value!r}", column=column)
    return value


def check_lever(
    spec: ModelSpec, key: str, value: Any, where: Path | str, lever_specs: Mapping
) -> float:
    """Validate one lever (or fixed forward parameter) value of a model."""
    column = f"{spec.name}.{key}"
    if key in lever_specs:
        return lever_specs[key].check(column, value, where)
    if key in spec.forward_bounds:
        lo, hi = spec.forward_bounds[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise InputError(
                where, f"expected a number in [{lo}, {hi}], got {value!r}", column=column
            )
        return float(value)
    known = sorted([*spec.lever_names, *spec.forward_bounds])
    raise InputError(where, f"unknown lever; expected one of {known}", column=column)


def parse_frontier(section: Mapping[str, Any], where: Path | str) -> FrontierRule:
    """Validate a scenario's ``[data]`` section into the frontier rule it sets."""
    for key, value in section.items():
        column = f"data.{key}"
        if key not in DATA_KEYS:
            raise InputError(
                where, f"unknown key; expected one of {sorted(DATA_KEYS)}", column=column
            )
        if type(value) is not DATA_KEYS[key]:
            raise InputError(
                where, f"expected {DATA_KEYS[key].__name__}, got {value!r}", column=column
            )
    top_n = section.get("frontier_top_n", FrontierRule.top_n)
    if not 1 <= top_n <= FRONTIER_TOP_N_MAX:
        raise InputError(
            where,
            f"expected a count from 1 to {FRONTIER_TOP_N_MAX}, got {top_n}",
            column="data.frontier_top_n",
        )
    scope = section.get("frontier_scope", FrontierRule.scope)
    if scope not in FRONTIER_SCOPES:
        raise InputError(
            where,
            f"expected one of {list(FRONTIER_SCOPES)}, got {scope!r}",
            column="data.frontier_scope",
        )
    return FrontierRule(top_n=top_n, scope=scope)


def _table(value: Any, where: Path | str, column: str) -> Mapping[str, Any]:
    """Return a scenario's section if it is a table (``[name]``), else refuse it."""
    if not isinstance(value, Mapping):
        raise InputError(where, f"expected a table [{column}], got {value!r}", column=column)
    return value


def parse_scenario(document: Mapping[str, Any], where: Path | str, name: str) -> Scenario:
    """Validate a scenario document (the parsed TOML)."""
    from forecast.models.base import model_priors

    meta = _table(document.get("scenario", {}), where, "scenario")
    unknown = set(document) - {"scenario", "data", *REGISTRY}
    if unknown:
        raise InputError(
            where,
            f"unknown section; expected [scenario], [data] or a model name from {sorted(REGISTRY)}",
            column=sorted(unknown)[0],
        )
    for key in meta:
        if key not in SCENARIO_KEYS:
            raise InputError(
                where,
                f"unknown key; expected one of {list(SCENARIO_KEYS)}",
                column=f"scenario.{key}",
            )
    as_of = meta.get("as_of")
    if as_of is not None:
        as_of = parse_as_of(as_of, where, "scenario.as_of")
    models: dict[str, ModelOverrides] = {}
    frontier = parse_frontier(_table(document.get("data", {}), where, "data"), where)
    for model_name, section in document.items():
        if model_name in ("scenario", "data"):
            continue
        section = _table(section, where, model_name)
        for part in ("fit", "levers", "priors"):
            _table(section.get(part, {}), where, f"{model_name}.{part}")
        spec = REGISTRY[model_name]
        bad = set(section) - {"fit", "levers", "priors"}
        if bad:
            raise InputError(
                where,
                "expected 'fit', 'levers' or 'priors'",
                column=f"{model_name}.{sorted(bad)[0]}",
            )
        priors = model_priors(spec)
        fit = {k: _check_fit_option(spec, k, v, where) for k, v in section.get("fit", {}).items()}
        levers = {
            k: check_lever(spec, k, v, where, priors.levers)
            for k, v in section.get("levers", {}).items()
        }
        prior_overrides = dict(section.get("priors", {}))
        priors.with_overrides(prior_overrides, str(where))  # validates, result unused here
        models[model_name] = ModelOverrides(fit=fit, levers=levers, priors=prior_overrides)
    return Scenario(
        name=str(meta.get("name", name)),
        description=str(meta.get("description", "")),
        source=str(meta.get("source", "")),
        as_of=as_of,
        frontier=frontier,
        models=models,
        path=Path(where) if isinstance(where, Path) else None,
        document=dict(document),
    )


def scenario_file(name_or_path: str | None, option: str = "--scenario") -> Path:
    """Return the file of a named scenario (``priors/scenarios/NAME.toml``) or a TOML path.

    A name is an identifier (:func:`forecast.validate.is_identifier`): ``../x`` is neither a
    name nor a ``.toml`` path, and is refused rather than read from outside the folder.
    """
    if name_or_path is None:
        name_or_path = BASELINE
    if Path(name_or_path).suffix == ".toml":
        return Path(name_or_path)
    if not is_identifier(name_or_path):
        raise InputError(
            option,
            "expected the name of a scenario in priors/scenarios/ (letters, digits, '_' and "
            f"'-') or the path of a .toml file, got {name_or_path!r}",
        )
    return settings.scenarios_dir() / f"{name_or_path}.toml"


def load_scenario(name_or_path: str | None) -> Scenario:
    """Load a named scenario from ``priors/scenarios/`` or a TOML file path.

    The scenario's name (``[scenario] name``, else the file name) names its folder of runs:
    it must be an identifier, and a name of a bundled scenario (``baseline`` among them) is
    reserved for its own file (:func:`forecast.validate.check_scenario_name`).
    """
    path = scenario_file(name_or_path)
    if name_or_path in (None, BASELINE) and not path.is_file():
        return Scenario(BASELINE)
    from forecast.priors import read_toml

    available = sorted(p.stem for p in settings.scenarios_dir().glob("*.toml"))
    document, sha256 = read_toml(path, f"scenario not found; available: {available}")
    meta = document.get("scenario", {})
    name = meta.get("name", path.stem) if isinstance(meta, Mapping) else path.stem
    check_scenario_name(name, path, source=path)
    return dataclasses.replace(parse_scenario(document, path, path.stem), sha256=sha256)


def bundled_scenarios() -> list[Scenario]:
    """Return every scenario of ``priors/scenarios/``, by file name, their names unique."""
    scenarios = [load_scenario(str(p)) for p in sorted(settings.scenarios_dir().glob("*.toml"))]
    check_unique_names(scenarios)
    return scenarios


def check_unique_names(scenarios: Iterable[Scenario]) -> None:
    """Refuse two scenarios with one name: their runs would share a folder."""
    seen: dict[str, Scenario] = {}
    for scenario in scenarios:
        first = seen.setdefault(scenario.name, scenario)
        if first is not scenario:
            raise InputError(
                scenario.path or scenario.name,
                f"name {scenario.name!r} is also the name of {first.path or first.name}",
                column="scenario.name",
            )


def as_of_cut(scenario: Scenario, as_of: dt.date | None) -> Scenario:
    """Return a scenario cut at ``as_of``, named so its runs are stored apart.

    ``as_of=None`` gives the scenario itself. A cut scenario is named ``NAME-as-of-YYYY-MM-DD``:
    the outlook of a past quarter and a backtest at the same date share the baseline's runs.
    """
    if as_of is None:
        return scenario
    return dataclasses.replace(
        scenario, name=f"{scenario.name}-as-of-{as_of.isoformat()}", as_of=as_of
    )


def as_of_baseline(as_of: dt.date | None) -> Scenario:
    """Return the baseline cut at ``as_of`` (:func:`as_of_cut`)."""
    return as_of_cut(load_scenario(BASELINE), as_of)
