"""The track record's figure: a backtest's interval coverage and PIT histogram."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from forecast.report.figures.style import COLORS, new_figure, styled


@styled()
def calibration(result: xr.Dataset, *, phone: bool = False) -> Figure:
    """Draw a backtest's calibration: interval coverage against nominal, and the PIT histogram.

    ``result`` is :func:`forecast.backtest.run_backtest`'s per-observation Dataset.
    """
    fig, (left, right) = new_figure(3.6, ncols=2, phone=phone, phone_height_in=3.6)
    nominal = np.linspace(0.05, 0.95, 19)
    pit = result["pit"]
    models = list(dict.fromkeys(str(m) for m in result["model"].values))
    cmap = mpl.colormaps["tab10"]
    for i, model in enumerate(models):
        values = pit.where(result["model"] == model, drop=True).values
        covered = [np.mean(np.abs(values - 0.5) <= p / 2) for p in nominal]
        left.plot(
            nominal, covered, marker="o", ms=3, color=cmap(i), label=f"{model} (n={values.size})"
        )
    left.plot([0, 1], [0, 1], color="black", lw=0.8, ls="--", label="perfect calibration")
    left.set_xlim(0, 1)
    left.set_ylim(0, 1.02)
    left.set_xlabel("nominal central interval")
    left.set_ylabel("share of later observations inside")
    left.legend(loc="upper left", frameon=False)
    right.hist(pit.values, bins=np.linspace(0, 1, 11), color=COLORS["other"], edgecolor="white")
    right.axhline(pit.size / 10, color="black", lw=0.8, ls="--")
    right.set_xlabel("PIT: predictive CDF at the observation")
    right.set_ylabel("observations")
    right.set_title("flat = calibrated; U = too narrow", loc="left")
    return fig
