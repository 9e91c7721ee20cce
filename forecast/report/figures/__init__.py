"""The outlook's figures, drawn from stored runs and stress results (matplotlib, no pyplot).

Every figure is a function returning a :class:`matplotlib.figure.Figure`, sized for a printed
page, or with ``phone=True`` for a phone (narrow, panels stacked, the same font sizes): axes
labelled with units, log scales where the values span orders of magnitude, and the
observations each model was fitted to drawn over its fan chart. Which figures the outlook has,
and in which order, is what the models declare (:mod:`forecast.models.reporting`): each model's
lead figures and section figures, then the P(by year) curves, the scenario figures and the
tornado charts they ask for. :mod:`.style` holds the look shared by all of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

import xarray as xr
from matplotlib.figure import Figure

from forecast.models.reporting import FigureItem
from forecast.report import items
from forecast.report.figures.calibration import calibration
from forecast.report.figures.probabilities import probabilities_by_year
from forecast.report.figures.scenarios import scenario_intervals
from forecast.report.figures.style import COLORS
from forecast.report.figures.tornado import tornado, tornado_stem

__all__ = [
    "COLORS",
    "all_figures",
    "calibration",
    "drawer",
    "probabilities_by_year",
    "scenario_intervals",
    "tornado",
    "tornado_stem",
]

#: Stem of the P(by year) figure.
PROBABILITIES_STEM = "probabilities"


def drawer(figure: FigureItem) -> Callable[..., Figure]:
    """Return the function a declared figure names (``"package.module:function"``).

    It is called as ``function(runs, phone=False)``.
    """
    module, _, name = figure.draw.partition(":")
    return getattr(importlib.import_module(module), name)


def all_figures(
    runs: Mapping[str, xr.DataTree],
    stress_result: xr.Dataset | None,
    tornado_data: xr.Dataset | None,
    *,
    phone: bool = False,
) -> dict[str, Figure]:
    """Return every figure of the outlook, keyed by its file stem, in report order.

    The models' own figures (lead, then by section), the P(by year) curves, then with a
    stress result its scenario figures and with sensitivity data its tornado charts; with
    ``phone``, each in its phone layout.
    """
    figures = {item.stem: drawer(item)(runs, phone=phone) for item in items.model_figures()}
    figures[PROBABILITIES_STEM] = probabilities_by_year(runs, items.event_curves(), phone=phone)
    if stress_result is not None:
        labels = items.labels()
        for model, spec in items.scenario_figures():
            keys = [f"{model}.{headline}" for headline in spec.headlines]
            figures[spec.stem] = scenario_intervals(
                stress_result, [(key, labels[key]) for key in keys], phone=phone
            )
    if tornado_data is not None:
        for key, label in items.tornado_headlines():
            figures[tornado_stem(key)] = tornado(tornado_data, key, label, phone=phone)
    return figures
