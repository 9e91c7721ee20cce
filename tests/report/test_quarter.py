"""Quarters: parsing, their calendar, and the one before and after."""

import datetime as dt

import pytest

from forecast.errors import InputError
from forecast.report.quarter import Quarter


def test_quarter_parsing_and_calendar():
    q = Quarter.parse("2026Q4")
    assert (q.label, q.folder) == ("2026Q4", "2026-Q4")
    assert (q.start, q.end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert q.previous() == Quarter(2026, 3) and q.next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert Quarter.parse("2025-q1").end == dt.date(2025, 3, 31)
    assert Quarter.containing(dt.date(2026, 11, 23)) == q
    for bad in ("2026Q5", "Q4 2026", "2026", ""):
        with pytest.raises(InputError, match="--quarter"):
            Quarter.parse(bad)
