"""Errors that the command line turns into exit codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import ValidationError


class InputError(ValueError):
    """Bad input: a malformed row, an unknown prior, an impossible value, a missing file.

    The command line prints the message and exits with code 2. The message always names the
    file, and where they apply the row (1-based line number in the file, header = line 1) and
    the column or key, and what was expected.
    """

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path)
        self.row = row
        self.column = column
        self.detail = message
        where = self.path
        if row is not None:
            where += f", line {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class DiagnosticsError(RuntimeError):
    """A fit failed its diagnostics gate under ``--strict`` (exit code 1)."""


def pydantic_error(exc: ValidationError) -> tuple[str | None, str, dict[str, Any]]:
    """Return ``(field, message, error)`` of a pydantic error, for an :class:`InputError`.

    Validators raise ``ValueError("field: message")`` when a check spans fields; the field is
    split off the message so the error can name the column.
    """
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or None
    message = err["msg"].removeprefix("Value error, ")
    head, sep, tail = message.partition(":")
    if field is None and sep and " " not in head:
        field, message = head, tail.strip()
    return field, message, err


def parse_date(value: Any, where: str | Path, column: str | None = None) -> dt.date:
    """Parse an ISO date (``YYYY-MM-DD``) or raise an :class:`InputError` naming the input."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            where, f"expected a date YYYY-MM-DD, got {value!r}", column=column
        ) from None
