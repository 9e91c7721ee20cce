"""The report's items are what the models declare: each declaration checked against its model,
and a model added to the registry reaching every list without a change to the report."""

from __future__ import annotations

import dataclasses

import pytest

from forecast import stress
from forecast.contract import model_summary
from forecast.models import REGISTRY
from forecast.models.reporting import (
    BoxItem,
    EventCurve,
    FigureItem,
    ModelReport,
    ProbabilityRow,
    ScenarioFigure,
    Section,
)
from forecast.report import figures, items
from forecast.store import load_run, run_path


@pytest.fixture(scope="module")
def entries(stored_project):
    """Every model's ``forecast --json`` entry and derived quantities, from the committed runs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_RUNS", str(stored_project / "runs"))
        runs = {name: load_run(run_path(name)) for name in REGISTRY}
    return {name: model_summary(REGISTRY[name], run) for name, run in runs.items()}, runs


def test_every_declared_headline_and_probability_is_the_models_own(entries):
    summaries, runs = entries
    for name, report in items.declared():
        entry = summaries[name]
        for item in report.box:
            assert item.headline in entry["headline"], (name, item.headline)
            assert item.p_by is None or item.p_by in entry, (name, item.p_by)
            assert (item.p_by is None) == (item.p_question is None), (name, item.headline)
        for row in report.probability_rows:
            assert set(entry[row.p_by]) >= {"2030"}, (name, row.p_by)
        headlines = set(entry["headline"])
        declared = [h for h, _ in report.scenario_columns] + [h for h, _ in report.tornado]
        declared += [h for f in report.scenario_figures for h in f.headlines]
        declared += list(report.stress_headlines)
        assert set(declared) <= headlines, (name, set(declared) - headlines)
        for curve in report.event_curves:
            years = runs[name]["derived"][curve.variable].sel(dict(curve.selection))
            assert set(years.dims) == {"chain", "draw"}, (name, curve.variable)
            assert curve.color in figures.COLORS and curve.panel in {"walls", "models"}
        # Every column of the scenario table is drawn in one of the model's scenario figures.
        drawn = [h for figure in report.scenario_figures for h in figure.headlines]
        assert sorted(drawn) == sorted(h for h, _ in report.scenario_columns), name


def test_every_headline_has_a_plain_label(entries):
    summaries, _ = entries
    names = {f"{m}.{h}" for m, e in summaries.items() for h in e["headline"]}
    assert set(items.labels()) == names
    assert all(label[0].isupper() and "_" not in label for label in items.labels().values())


def test_every_declared_figure_resolves_and_stems_are_unique():
    stems = [f.stem for f in items.model_figures()] + [f.stem for _, f in items.scenario_figures()]
    assert len(stems) == len(set(stems))
    for figure in items.model_figures():
        assert callable(figures.drawer(figure)), figure.draw
    assert set(items.captions()) == set(stems)


def test_the_report_order_puts_the_walls_first_and_shares_a_section():
    assert [name for name, _ in items.declared()][0] == "walls"
    assert items.box_items()[0] == ("walls", REGISTRY["walls"].report.box[0])
    shared = [s for s in items.sections() if s.id == "compute-scaling"]
    assert len(shared) == 1 and shared[0].models == ("compute", "scaling")
    assert stress.key_headlines()[0] == "walls.first_wall"


def test_a_new_model_reaches_every_list_through_its_declaration(monkeypatch):
    # A model registered with a report of its own: one registry entry, no report code changed.
    figure = FigureItem("chips_wall", "Chips.", "forecast.report.figures.cost:cost_wall")
    report = ModelReport(
        rank=3,
        section=Section("chips", "Chips", figures=(figure,)),
        box=(BoxItem("wafer_wall_year", "Year wafers run out", "p_wafer_by", "P(out {by})"),),
        probability_rows=(ProbabilityRow("p_wafer_by", "wafers run out"),),
        event_curves=(EventCurve("wafer_wall_year", "wafers run out", "other"),),
        scenario_columns=(("wafer_wall_year", "wafers run out"),),
        scenario_figures=(ScenarioFigure("scenarios_wafer", ("wafer_wall_year",), "Wafers."),),
        tornado=(("wafer_wall_year", "year wafers run out"),),
        stress_headlines=("wafer_wall_year",),
    )
    chips = dataclasses.replace(REGISTRY["cost"], name="chips", report=report)
    monkeypatch.setitem(REGISTRY, "chips", chips)
    assert ("chips", report.box[0]) in items.box_items()
    assert "chips" in [s.id for s in items.sections()]
    assert figure in items.model_figures() and items.captions()["chips_wall"] == "Chips."
    assert ("chips", report.probability_rows[0]) in items.probability_rows()
    assert ("chips", report.event_curves[0]) in items.event_curves()
    assert ("chips.wafer_wall_year", "wafers run out") in items.scenario_columns()
    assert ("chips", report.scenario_figures[0]) in items.scenario_figures()
    assert ("chips.wafer_wall_year", "year wafers run out") in items.tornado_headlines()
    assert "chips.wafer_wall_year" in stress.key_headlines()
    # Rank 3 puts it between power (2) and memory (3, registered first).
    order = [name for name, _ in items.declared()]
    assert order.index("power") < order.index("chips")
