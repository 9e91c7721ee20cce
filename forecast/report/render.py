"""Render the outlook: figures to PNG, the summary to HTML (jinja2) and the HTML to PDF.

The HTML is one self-contained file: its stylesheet is inlined and every figure is a base64
``data:`` URI, so it opens offline in any browser. The PDF is WeasyPrint's rendering of the same
HTML (its print stylesheet), so both carry the same content.
"""

from __future__ import annotations

import base64
import contextlib
import io
import shutil
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from forecast.formatting import format_interval, format_probability, format_value
from forecast.paths import remove_stale_temporaries, temporary_beside

#: Resolution of the figure files (and of the images inlined in the HTML and PDF).
FIGURE_DPI = 200


def figure_png(fig: Figure) -> bytes:
    """Return a figure as PNG bytes (no timestamp or software metadata) and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


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
    return env


def render_html(context: Mapping[str, Any]) -> str:
    """Return the outlook's HTML for a template context (see :mod:`forecast.report.outlook`)."""
    css = resources.files("forecast.report").joinpath("templates/outlook.css").read_text()
    template = _environment().get_template("outlook.html.j2")
    return template.render(**context, css=css)


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

    Parameters
    ----------
    files : mapping
        Relative path inside the folder -> content.
    target : Path
        The report folder, e.g. ``reports/2026-Q4``.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = temporary_beside(target)
    retired = temporary_beside(target, "old")
    # What killed writers of this folder left (and a previous process of this id).
    remove_stale_temporaries(target.parent, [target.name])
    for leftover in (staging, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if target.exists():
            target.rename(retired)
        try:
            staging.rename(target)
        except OSError:
            if retired.exists():
                retired.rename(target)  # put the previous report back
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(retired)
    return target
