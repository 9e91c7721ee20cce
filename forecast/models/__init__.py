"""The models: one module per model, each ending with a :class:`~forecast.models.base.ModelSpec`."""

from __future__ import annotations

from collections.abc import Iterable

from forecast.errors import InputError
from forecast.models import compute, cost, datawall, memory, power, scaling, walls
from forecast.models.base import ModelSpec

#: Registered models in dependency order (a model comes after those it reads).
REGISTRY: dict[str, ModelSpec] = {
    m.name: m
    for m in (
        compute.MODEL,
        scaling.MODEL,
        datawall.MODEL,
        memory.MODEL,
        power.MODEL,
        cost.MODEL,
        walls.MODEL,
    )
}


def get_model(name: str) -> ModelSpec:
    """Return a registered model by name."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise InputError(
            "command line", f"unknown model '{name}'; expected one of {sorted(REGISTRY)}"
        ) from None


def resolve(names: list[str] | tuple[str, ...]) -> list[ModelSpec]:
    """Expand ``all`` and add dependencies, in dependency order."""
    wanted = set(REGISTRY) if "all" in names else {get_model(n).name for n in names}
    changed = True
    while changed:
        changed = False
        for name in list(wanted):
            for dep in REGISTRY[name].requires:
                if dep not in wanted:
                    wanted.add(dep)
                    changed = True
    return [m for m in REGISTRY.values() if m.name in wanted]


def dependents(names: Iterable[str]) -> set[str]:
    """Return the named models and every model that reads them, directly or through others.

    The counterpart of :func:`resolve`, which walks towards dependencies.
    """
    out = set(names)
    for spec in REGISTRY.values():  # dependency order: one pass reaches every dependent
        if out.intersection(spec.requires):
            out.add(spec.name)
    return out
