"""Figures: the outlook's style applies while they are drawn, and importing them changes nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import matplotlib
import numpy as np
import xarray as xr

from forecast.report import figures, render
from forecast.report.style import STYLE
from tests.helpers import REPO

IMPORT_AND_COMPARE = """
import sys
import matplotlib
before = matplotlib.rcParams.copy()
import forecast.report.figures, forecast.report.render, forecast.report.outlook
assert matplotlib.rcParams.copy() == before, "importing the report changed rcParams"
assert "matplotlib.pyplot" not in sys.modules, "the report imported pyplot"
print("unchanged")
"""


def test_importing_the_figures_changes_no_matplotlib_setting():
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(IMPORT_AND_COMPARE)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == "unchanged", done.stderr


def _scores() -> xr.Dataset:
    rng = np.random.default_rng(42)
    return xr.Dataset(
        {"pit": ("obs", rng.uniform(size=40)), "model": ("obs", np.repeat(["a", "b"], 20))}
    )


def test_a_figure_is_drawn_in_the_outlook_style_and_the_style_is_put_back():
    global_size = matplotlib.rcParams["font.size"]
    fig = figures.calibration(_scores())
    assert fig.axes[1].title.get_fontsize() == STYLE["axes.titlesize"]
    assert fig.axes[0].spines["top"].get_visible() is STYLE["axes.spines.top"]
    assert matplotlib.rcParams["font.size"] == global_size != STYLE["font.size"]
    assert render.figure_png(fig).startswith(b"\x89PNG")


def test_a_figure_renders_the_same_whatever_the_global_settings():
    reference = render.figure_png(figures.calibration(_scores()))
    with matplotlib.rc_context({"font.size": 20, "axes.grid": False, "grid.alpha": 1.0}):
        assert render.figure_png(figures.calibration(_scores())) == reference
