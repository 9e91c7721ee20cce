"""The outlook's sources: one numbered list, each cited by its number, links made clickable.

Every source the report rests on (each data row's ``source``, each prior's and lever's, the
published ranges it is set beside) is numbered once, in the order the report first cites it;
the tables cite ``[n]`` and the list at the end gives the text with its addresses as links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

#: An address inside a source's text (up to a space, a semicolon, a closing bracket or quote).
URL = re.compile(r"https?://[^\s;\"'<>]*[^\s;\"'<>.,:)\]]")


@dataclass
class Bibliography:
    """Sources numbered in the order they are first cited."""

    numbers: dict[str, int] = field(default_factory=dict)

    def cite(self, text: str) -> int:
        """Return the number of a source, numbering it if it is new."""
        key = " ".join(text.split())
        return self.numbers.setdefault(key, len(self.numbers) + 1)

    def entries(self) -> list[dict[str, Any]]:
        """Return ``[{"number", "text", "urls"}]`` in number order."""
        return [
            {"number": n, "text": text, "urls": URL.findall(text)}
            for text, n in sorted(self.numbers.items(), key=lambda pair: pair[1])
        ]


def bibliography(
    summary: Mapping[str, Any], prior_rows: Iterable[Mapping[str, Any]]
) -> Bibliography:
    """Return every source of the report numbered: published ranges, data rows, priors, levers."""
    sources = Bibliography()
    sources.cite(summary["published_2030"]["source"])
    for row in summary.get("published", {}).get("datacenter_consumption_2030_twh", []):
        sources.cite(row["source"])
    for table in summary["inputs"]["data"].values():
        for text in table["sources"]:
            sources.cite(text)
    for row in prior_rows:
        sources.cite(row["source"])
    return sources


def linkify(text: str) -> Markup:
    """Return ``text`` escaped for HTML, each address in it a link (opening a new tab)."""
    out, last = [], 0
    for match in URL.finditer(text):
        out.append(escape(text[last : match.start()]))
        url = match.group(0)
        out.append(Markup('<a href="{0}" rel="noopener">{0}</a>').format(url))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)
