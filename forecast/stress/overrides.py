"""Overrides of a scenario: ``--set KEY=VALUE`` parsed, checked and applied to its document.

Keys: ``MODEL.LEVER`` (a lever, or a prior-only parameter fixed at a value: no refit),
``MODEL.fit.OPTION``, ``MODEL.priors.PRIOR.FIELD``, ``MODEL.priors.PRIOR.kwargs.NAME``,
``data.KEY`` and ``as_of`` (all refit).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import tomllib
from collections.abc import Sequence
from typing import Any

from forecast.errors import InputError
from forecast.models import REGISTRY
from forecast.models.base import model_priors
from forecast.scenarios import DATA_KEYS, ModelOverrides, Scenario, parse_scenario

#: One override: the key's path (``("power", "lab_share")``) and its value.
Assignment = tuple[tuple[str, ...], Any]


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


def parse_assignment(text: str, option: str = "--set") -> Assignment:
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


def assign(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Write one override into a scenario document (a prior's keyword merged into the rest)."""
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
    assignments: Sequence[Assignment],
    *,
    name: str,
    where: str = "--set",
) -> Scenario:
    """Return ``scenario`` with overrides applied on top, validated like a scenario file."""
    document = copy.deepcopy(dict(scenario.document))
    for path, value in assignments:
        assign(document, path, value)
    document.setdefault("scenario", {})["name"] = name
    document["scenario"].setdefault("description", scenario.description)
    return dataclasses.replace(parse_scenario(document, where, name), sha256=scenario.sha256)


def with_levers(scenario: Scenario, assignments: Sequence[Assignment], name: str) -> Scenario:
    """Return ``scenario`` with lever values set, already validated.

    The same result as :func:`with_assignments` without re-parsing the whole scenario: a
    sweep checks the ends of each lever's range once (an interval), not every point.
    """
    document = copy.deepcopy(dict(scenario.document))
    models = dict(scenario.models)
    for path, value in assignments:
        assign(document, path, value)
        model, key = path
        current = models.get(model, ModelOverrides())
        models[model] = dataclasses.replace(current, levers={**current.levers, key: value})
    document.setdefault("scenario", {})["name"] = name
    return dataclasses.replace(scenario, name=name, models=models, document=document)


def label(path: tuple[str, ...], value: Any) -> str:
    """Return ``model.key=value`` as a scenario's name shows an override (floats to 6 digits)."""
    shown = f"{value:.6g}" if isinstance(value, float) else str(value)
    return f"{'.'.join(path)}={shown}"


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
