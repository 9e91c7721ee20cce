"""The outlook's plotting style, applied while a figure is drawn and rendered, never globally.

Importing a report module changes no matplotlib setting: every figure function runs under
:func:`styled` (a decorator), and :func:`forecast.report.render.figure_png` renders under it too,
since matplotlib reads some settings only when it draws (tick labels are made then).
"""

from __future__ import annotations

import contextlib

import matplotlib

#: The rcParams of every outlook figure.
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "svg.hashsalt": "datawall",
}


def styled() -> contextlib.AbstractContextManager[None]:
    """Return the outlook's style as a context (``with styled():``) or decorator (``@styled()``).

    The settings matplotlib had before are restored on exit.
    """
    return matplotlib.rc_context(STYLE)
