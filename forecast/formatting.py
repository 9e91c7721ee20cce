"""Numbers as a reader sees them: one formatter for the report, the CLI and the figures.

Years as calendar months (``after 2100`` beyond the horizon), dollars as ``$1.2B``, FLOP and
tokens in scientific notation, probabilities as whole percentages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from forecast.settings import SETTINGS


def format_value(value: float | None, unit: str) -> str:
    """Return a number as the report prints it, by its unit.

    Years to one decimal (``None``/infinite: after the search horizon), US dollars as
    ``$1.2B``, FLOP and tokens in scientific notation, ratios and rates to three figures.
    """
    if value is None or not math.isfinite(value):
        return f"after {SETTINGS.horizon_year:.0f}" if unit == "year" else "n/a"
    if unit == "year":
        return calendar_date(value)
    if unit.startswith("USD"):
        for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= scale:
                return f"${value / scale:.3g}{suffix}"
        return f"${value:.3g}"
    if abs(value) >= 1e5 or (value != 0 and abs(value) < 1e-2):
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    if abs(value) >= 1e3:
        return f"{value:,.0f}"
    return f"{value:.3g}"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def calendar_date(year: float) -> str:
    """Return a decimal year as the month it falls in, ``2026.45`` -> ``"Jun 2026"``."""
    whole = math.floor(year)
    month = min(int((year - whole) * 12), 11)
    return f"{MONTHS[month]} {whole}"


def format_interval(headline: Mapping[str, Any]) -> str:
    """Return the 80% interval of a headline entry, ``"Aug 2026 - Oct 2030"``."""
    unit = headline["unit"]
    return f"{format_value(headline['p10'], unit)} - {format_value(headline['p90'], unit)}"


def format_probability(p: float | None) -> str:
    """Return a probability as a whole percentage (``<1%`` and ``>99%`` at the ends)."""
    if p is None:
        return "n/a"
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 < p < 1:
        return ">99%"
    return f"{p:.0%}"
