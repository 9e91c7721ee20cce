"""Calendar quarters: the unit of the outlook (``2026Q4`` -> ``reports/2026-Q4/``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from forecast.errors import InputError

_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, e.g. ``Quarter(2026, 4)``."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse ``2026Q4`` (also ``2026-Q4``, ``2026q4``) or raise :class:`InputError`."""
        match = _PATTERN.match(text)
        if not match:
            raise InputError("--quarter", f"expected a quarter like 2026Q4, got {text!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """Return the quarter that contains ``day``."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        """Return the quarter as written in the command line, ``2026Q4``."""
        return f"{self.year}Q{self.number}"

    @property
    def folder(self) -> str:
        """Return the report folder name, ``2026-Q4``."""
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> dt.date:
        """Return the first day of the quarter."""
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """Return the last day of the quarter (the as-of date of its outlook)."""
        following = self.next()
        return following.start - dt.timedelta(days=1)

    def next(self) -> Quarter:
        """Return the quarter after this one."""
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        """Return the quarter before this one."""
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)
