"""The outlook's items, gathered from what each model declares (``ModelSpec.report``).

Every list the report renders (headline box, sections and their figures, P(by year) rows and
curves, scenario columns and figures, tornado charts) is read here from the models' own
declarations (:mod:`forecast.models.reporting`), in the order of their rank. Headlines are
named ``model.headline``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from forecast.models import REGISTRY
from forecast.models.reporting import (
    BoxItem,
    EventCurve,
    FigureItem,
    ModelReport,
    Overlay,
    ProbabilityRow,
    ScenarioFigure,
    in_report_order,
)


def declared() -> list[tuple[str, ModelReport]]:
    """Return every registered model's report declaration, in report order."""
    return in_report_order(REGISTRY.values())


def box_items() -> list[tuple[str, BoxItem]]:
    """Return the headline box's lines as ``(model, item)``."""
    return [(name, item) for name, report in declared() for item in report.box]


@dataclass(frozen=True)
class SectionPlan:
    """One section of the report: its id, title, figures, models and own template, if any."""

    id: str
    title: str
    intro: str | None
    figures: tuple[FigureItem, ...]
    models: tuple[str, ...]
    templates: tuple[str, ...]


def sections() -> list[SectionPlan]:
    """Return the report's model sections; models declaring one id share its section."""
    plans: dict[str, SectionPlan] = {}
    for name, report in declared():
        section = report.section
        if section is None:
            continue
        own = SectionPlan(
            section.id,
            section.title,
            section.intro,
            section.figures,
            (name,),
            (section.template,) if section.template else (),
        )
        seen = plans.get(section.id)
        plans[section.id] = (
            own
            if seen is None
            else dataclasses.replace(
                seen,
                figures=seen.figures + own.figures,
                models=seen.models + own.models,
                templates=seen.templates + own.templates,
            )
        )
    return list(plans.values())


def lead_figures() -> list[FigureItem]:
    """Return the figures drawn beside the headline box."""
    return [figure for _, report in declared() for figure in report.lead_figures]


def model_figures() -> list[FigureItem]:
    """Return every figure a model draws from its runs: lead figures, then by section."""
    return lead_figures() + [figure for plan in sections() for figure in plan.figures]


def probability_rows() -> list[tuple[str, ProbabilityRow]]:
    """Return the P(by year) table's rows as ``(model, row)``."""
    return [(name, row) for name, report in declared() for row in report.probability_rows]


def event_curves() -> list[tuple[str, EventCurve]]:
    """Return the P(by year) figure's curves as ``(model, curve)``."""
    return [(name, curve) for name, report in declared() for curve in report.event_curves]


def scenario_columns() -> list[tuple[str, str]]:
    """Return the scenario table's columns as ``("model.headline", title)``."""
    return [
        (f"{name}.{headline}", title)
        for name, report in declared()
        for headline, title in report.scenario_columns
    ]


def scenario_figures() -> list[tuple[str, ScenarioFigure]]:
    """Return the scenario figures as ``(model, figure)``."""
    return [(name, figure) for name, report in declared() for figure in report.scenario_figures]


def tornado_headlines() -> list[tuple[str, str]]:
    """Return the tornado charts as ``("model.headline", axis label)``."""
    return [
        (f"{name}.{headline}", label)
        for name, report in declared()
        for headline, label in report.tornado
    ]


def captions() -> dict[str, str]:
    """Return every declared figure's caption by stem (models' and scenario figures)."""
    out = {figure.stem: figure.caption for figure in model_figures()}
    out.update({figure.stem: figure.caption for _, figure in scenario_figures()})
    return out


def labels() -> dict[str, str]:
    """Return every headline's plain label with its unit, as ``{"model.headline": label}``."""
    return {
        f"{name}.{headline}": label
        for name, report in declared()
        for headline, label in report.labels.items()
    }


def overlays() -> list[tuple[str, Overlay]]:
    """Return the yearly series a scenario report overlays, as ``(model, overlay)``."""
    return [(name, overlay) for name, report in declared() for overlay in report.overlays]
