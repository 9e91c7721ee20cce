"""Render the outlook: figures to PNG, the summary to HTML (jinja2) and the HTML to PDF.

The HTML is one self-contained file: its stylesheet is inlined and every figure is a base64
``data:`` URI, so it opens offline in any browser. The PDF is WeasyPrint's rendering of the same
HTML (its print stylesheet), so both carry the same content.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from matplotlib.figure import Figure

from forecast.atomic import staged
from forecast.formatting import format_interval, format_probability, format_value
from forecast.report.sources import linkify
from forecast.report.style import styled

#: Resolution of the figure files (and of the images inlined in the HTML and PDF).
FIGURE_DPI = 200


def figure_png(fig: Figure) -> bytes:
    """Return a figure as PNG bytes (no timestamp or software metadata), in the outlook's style."""
    buffer = io.BytesIO()
    with styled():
        fig.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    return buffer.getvalue()


#: File name suffix of a figure's phone layout (``figures/<stem>-phone.png``).
PHONE_SUFFIX = "-phone"


def figure_entries(
    pngs: Mapping[str, bytes], phone_pngs: Mapping[str, bytes], captions: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """Return what a report's ``figure`` macro reads, numbered in order, by stem.

    Number, file and phone file (``figures/<stem>.png``, ``figures/<stem>-phone.png``),
    caption, and both images as ``data:`` URIs (the HTML carries them inline).
    """
    return {
        stem: {
            "number": number,
            "file": f"figures/{stem}.png",
            "phone_file": f"figures/{stem}{PHONE_SUFFIX}.png",
            "caption": captions[stem],
            "data_uri": data_uri(png),
            "phone_data_uri": data_uri(phone_pngs[stem]),
        }
        for number, (stem, png) in enumerate(pngs.items(), start=1)
    }


def data_uri(png: bytes) -> str:
    """Return PNG bytes as a ``data:`` URI for an ``<img src>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _environment() -> jinja2.Environment:
    loader = jinja2.PackageLoader("forecast.report", "templates")
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = format_value
    env.filters["interval"] = format_interval
    env.filters["pct"] = format_probability
    env.filters["linkify"] = linkify
    env.filters["normalize"] = lambda text: " ".join(str(text).split())
    env.filters["capitalize_first"] = lambda text: str(text)[:1].upper() + str(text)[1:]
    return env


def render_html(context: Mapping[str, Any], template: str = "outlook.html.j2") -> str:
    """Return a report's HTML for a template context (see :mod:`forecast.report.outlook`).

    Every report shares the outlook's stylesheet, inlined.
    """
    css = resources.files("forecast.report").joinpath("templates/outlook.css").read_text()
    return _environment().get_template(template).render(**context, css=css)


def json_bytes(summary: Mapping[str, Any]) -> bytes:
    """Return a report's ``summary.json`` (indented; refusing NaN and infinity)."""
    return (json.dumps(summary, indent=2, allow_nan=False) + "\n").encode()


def render_pdf(html: str) -> bytes:
    """Return the PDF rendering of the outlook's HTML (WeasyPrint, print stylesheet)."""
    import logging

    import weasyprint

    # WeasyPrint logs every CSS property it does not support at WARNING; the outlook's
    # stylesheet is written for it, so keep the terminal for datawall's own messages.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(string=html, base_url=None).write_pdf()


def write_report(files: Mapping[str, bytes], target: Path) -> Path:
    """Write a report folder all at once: a complete new folder replaces the old, or nothing.

    The folder is staged and swapped in by :func:`forecast.atomic.staged`.

    Parameters
    ----------
    files : mapping
        Relative path inside the folder -> content.
    target : Path
        The report folder, e.g. ``reports/2026-Q4``.
    """
    with staged(target) as (staging,):
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    return Path(target)
