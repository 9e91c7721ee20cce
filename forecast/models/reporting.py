"""What a model contributes to the outlook and to the stress table, declared as data.

Each model module ends with its :class:`~forecast.models.base.ModelSpec`, whose ``report`` is a
:class:`ModelReport`: the lines it adds to the headline box, its rows of the P(by year) table
and curves of the P(by year) figure, its section with figures and captions, its columns of the
scenario table, its tornado charts and the headlines ``datawall stress`` prints. The report
(:mod:`forecast.report`) and the stress engine render these lists in the order of
:attr:`ModelReport.rank`; neither names a model. Headlines are named as the model's
``headline()`` names them (``exhaustion_year``); the report prefixes the model
(``datawall.exhaustion_year``).

Figures are named by an import path (``"package.module:function"``), resolved when the report
draws: a model declares its figures without importing the plotting code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TrackRecord:
    """A trend the backtest scores (``datawall backtest``) that a headline rests on."""

    #: The model and the trend as the backtest names them (``("compute", "largest_run")``).
    model: str
    trend: str
    #: What its later observations are, in words ("later years' largest runs").
    what: str


@dataclass(frozen=True)
class BoxItem:
    """One line of the outlook's headline box."""

    #: The headline shown (a key of the model's ``headline()``).
    headline: str
    #: The question the line answers, in plain words (with the unit where it has one).
    question: str
    #: The key of the model's ``forecast`` extras holding P(by the end of year Y), if any; the
    #: box shows it at the box year.
    p_by: str | None = None
    #: What that probability is of, with ``{by}`` standing for "by the end of <box year>".
    p_question: str | None = None
    #: The backtested trends the headline rests on: their verdict is shown beside it.
    track_record: tuple[TrackRecord, ...] = ()
    #: For a date: the event, as the executive summary says it ("the first $10B run comes").
    event: str | None = None


@dataclass(frozen=True)
class FigureItem:
    """A figure of the outlook: file stem, caption and the function that draws it."""

    #: File stem (``figures/<stem>.png``) and the figure's id in the report.
    stem: str
    #: What the figure shows, in words (numbers live in the figure and the tables).
    caption: str
    #: ``"package.module:function"``: ``function(runs, *, phone=False) ->
    #: matplotlib.figure.Figure``, reading the stored runs by model name; ``phone=True`` draws
    #: the narrow layout of the same figure.
    draw: str


@dataclass(frozen=True)
class Section:
    """A model's section of the outlook: its figures, then its headline table.

    Models declaring the same ``id`` share one section (the compute trend and the scaling
    laws), titled by the first of them.
    """

    id: str
    title: str
    figures: tuple[FigureItem, ...] = ()
    #: A paragraph before the headline table, saying what the section's numbers are.
    intro: str | None = None
    #: A template of its own (``forecast/report/templates/sections/<name>``) rendered after
    #: the headline table, for what a table of headlines cannot say (the walls beside the
    #: published ranges).
    template: str | None = None


@dataclass(frozen=True)
class ProbabilityRow:
    """A row of the P(by the end of year) table."""

    #: The key of the model's ``forecast`` extras holding ``{"Y": P}``.
    p_by: str
    label: str


@dataclass(frozen=True)
class EventCurve:
    """A curve of the P(by the end of year) figure: an event year among the derived draws."""

    #: The derived variable holding the event year per draw.
    variable: str
    label: str
    #: A colour of :data:`forecast.report.figures.COLORS` (a constraint's).
    color: str
    #: Matplotlib line style.
    style: str = "-"
    #: Selection of the variable (``{"constraint": "data"}``).
    selection: Mapping[str, Any] = field(default_factory=dict)
    #: Which panel: ``"walls"`` (the compute trend against each cap) or ``"models"`` (each
    #: model's own event).
    panel: str = "models"


@dataclass(frozen=True)
class ScenarioFigure:
    """A figure of scenario-table columns: every named scenario beside the baseline.

    One panel per headline: each scenario's median and 80% interval, or for a categorical
    headline (the first wall) its probabilities. Every column of a model's
    ``scenario_columns`` is in one of its scenario figures.
    """

    #: File stem (``figures/<stem>.png``) and the figure's id in the report.
    stem: str
    #: The headlines drawn, one panel each (of the model's ``scenario_columns``).
    headlines: tuple[str, ...]
    caption: str


@dataclass(frozen=True)
class Overlay:
    """A yearly series a scenario report draws for the baseline and each scenario, overlaid."""

    #: The derived variable over ``year`` (per draw).
    variable: str
    #: The axis label: what it is, with its unit.
    label: str
    #: Multiply by this before drawing (GW to MW, say).
    scale: float = 1.0


@dataclass(frozen=True)
class ModelReport:
    """Everything a model adds to the outlook and to the stress table (see the module)."""

    #: Position among the models in the report and the stress table (the walls compared first).
    rank: int
    section: Section | None = None
    #: Figures drawn before every section, beside the headline box (the walls' lead figure).
    lead_figures: tuple[FigureItem, ...] = ()
    box: tuple[BoxItem, ...] = ()
    probability_rows: tuple[ProbabilityRow, ...] = ()
    event_curves: tuple[EventCurve, ...] = ()
    #: Columns of the scenario table: (headline, column title).
    scenario_columns: tuple[tuple[str, str], ...] = ()
    scenario_figures: tuple[ScenarioFigure, ...] = ()
    #: Tornado charts: (headline, axis label).
    tornado: tuple[tuple[str, str], ...] = ()
    #: Headlines ``datawall stress`` prints unless others are asked for.
    stress_headlines: tuple[str, ...] = ()
    #: Yearly series a scenario report overlays, baseline against each scenario.
    overlays: tuple[Overlay, ...] = ()
    #: Every headline in plain words with its unit (the report's tables, figures and
    #: glossary; the code names stay in ``summary.json``).
    labels: Mapping[str, str] = field(default_factory=dict)


#: What a model that declares nothing contributes.
NO_REPORT = ModelReport(rank=1_000)


def in_report_order(specs: Iterable[Any]) -> list[tuple[str, ModelReport]]:
    """Return ``(model name, its report)`` for model specs, by rank (ties: as given)."""
    return sorted(((spec.name, spec.report) for spec in specs), key=lambda pair: pair[1].rank)
