"""Errors that the command line turns into exit codes."""

from __future__ import annotations

from pathlib import Path


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
