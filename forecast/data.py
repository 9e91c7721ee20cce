"""Load and validate the curated observation tables in ``data/``.

Every table is a CSV with a header row, one observation per row, and a ``source`` and a
``published`` date on every row. Each table has a row schema (:mod:`forecast.tables`) that
checks types, units and ranges; the loader adds the checks that need the whole table
(duplicates, dates in the future) or other tables (a cost row's model must be a row of
``models``), and refuses the first bad row with an :class:`~forecast.errors.InputError` naming
the file, the line and the column.

An as-of cut keeps the rows ``published`` by the date, and drops a row whose referenced row
(its model) was not yet published. Tables that refer to ``models`` are read with the model's
date, compute and frontier status joined on: one record per model, read everywhere.

Line numbers count the header as line 1, so the first data row is line 2 (as an editor shows it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from forecast import settings
from forecast.errors import InputError, pydantic_error
from forecast.tables import TABLES
from forecast.tables.base import CUT_COLUMN, Row, TableSpec
from forecast.tables.models import FrontierRule, frontier_flags
from forecast.textfile import read_text

__all__ = [
    "TABLES",
    "FrontierRule",
    "Row",
    "TableSpec",
    "check_all",
    "check_tables",
    "csv_records",
    "decimal_year",
    "load_table",
    "load_tables",
    "read_rows",
    "read_text",
    "table_path",
    "tables_read",
]


def table_path(name: str, directory: str | Path | None = None) -> Path:
    """Return the path of a registered table."""
    spec = _spec(name)
    return Path(directory or settings.data_dir()) / spec.filename


def _spec(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(sorted(TABLES))
        raise InputError(name, f"unknown table; expected one of {known}") from None


def tables_read(names: Iterable[str]) -> list[str]:
    """Return ``names`` and the tables they refer to, referenced tables first."""
    wanted = set(names)
    for name in list(wanted):
        wanted.update(_spec(name).references.values())
    return [name for name in TABLES if name in wanted]


def _date_columns(spec: TableSpec) -> list[str]:
    return [c for c in dict.fromkeys([CUT_COLUMN, spec.date_column]) if c]


#: A date bound as pydantic's errors write it: ``datetime.date(1990, 1, 1)``.
_EARLIEST = re.compile(r"datetime\.date\((\d+), (\d+), (\d+)\)")


def _format_error(exc: ValidationError) -> tuple[str | None, str]:
    column, message, err = pydantic_error(exc)
    got = err.get("input")
    if got is None and err.get("type") in {"string_type", "date_type", "bool_type", "float_type"}:
        return column, "required value is blank"
    earliest = _EARLIEST.fullmatch(str((err.get("ctx") or {}).get("ge", "")))
    if err.get("type") == "greater_than_equal" and earliest:
        first = dt.date(*map(int, earliest.groups()))
        message = f"date before the table's earliest, {first.isoformat()}"
    if column is not None and isinstance(got, str | int | float) and "got" not in message:
        message += f" (got {got!r})"
    return column, message


def csv_records(path: str | Path, text: str) -> Iterable[tuple[int, list[str]]]:
    """Yield each CSV record of ``text`` with the line it starts on (header = line 1).

    A quote error (a quoted cell never closed, text after a closing quote) is refused naming
    the line where the record that holds it began, not where the parser gave up.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(
                path, f"malformed CSV in the record that starts here: {exc}", row=start
            ) from None
        yield start, record
        start = reader.line_num + 1


def read_rows(
    path: str | Path, spec: TableSpec, *, today: dt.date | None = None
) -> list[tuple[int, Row]]:
    """Read and validate every row of a CSV file against a table schema.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    spec : TableSpec
        The schema and the table-level checks.
    today : datetime.date, optional
        Rows dated after it are refused (default: :func:`forecast.settings.today`).

    Returns
    -------
    list of (int, Row)
        The line number of each row in the file and its validated record.

    Raises
    ------
    InputError
        On a missing file, a bad encoding, a bad header, a bad value, a duplicate key or a
        future date.
    """
    path = Path(path)
    today = today or settings.today()
    records = csv_records(path, read_text(path))
    _, header = next(records, (1, []))
    header = [name.strip() for name in header]
    missing = [c for c in spec.columns if c not in header]
    unknown = [c for c in header if c not in spec.columns]
    if missing:
        raise InputError(path, f"missing column(s) {missing}", row=1, column=missing[0])
    if unknown:
        raise InputError(
            path, f"unknown column; expected only {spec.columns}", row=1, column=unknown[0]
        )
    dated = [c for c in _date_columns(spec) if c in spec.row_model.model_fields]
    rows: list[tuple[int, Row]] = []
    seen: dict[tuple, int] = {}
    for line, cells in records:
        if not cells:  # a blank line
            continue
        if len(cells) != len(header):
            more = len(cells) > len(header)
            raise InputError(
                path,
                f"{'more' if more else 'fewer'} fields than the header has "
                f"({len(cells)} for {len(header)})",
                row=line,
            )
        try:
            row = spec.row_model.model_validate(dict(zip(header, cells, strict=True)))
        except ValidationError as exc:
            column, message = _format_error(exc)
            raise InputError(path, message, row=line, column=column) from None
        for column in dated:
            date = getattr(row, column)
            if date > today:
                raise InputError(
                    path,
                    f"date {date} is in the future (today is {today})",
                    row=line,
                    column=column,
                )
        key = tuple(getattr(row, k) for k in spec.key)
        if key in seen:
            raise InputError(
                path,
                f"duplicate {'/'.join(spec.key)} {key if len(key) > 1 else key[0]!r} "
                f"(first on line {seen[key]})",
                row=line,
                column=spec.key[0],
            )
        seen[key] = line
        rows.append((line, row))
    if not rows:
        raise InputError(path, "no data rows")
    return rows


def _frame(name: str, directory: str | Path | None, path: str | Path | None = None) -> pd.DataFrame:
    """Return a whole validated table as a DataFrame (``line`` column; ``attrs["path"]``).

    ``path`` reads the table from another file (a merged table before it is moved in place).
    """
    spec = _spec(name)
    path = Path(path) if path else table_path(name, directory)
    rows = read_rows(path, spec)
    frame = pd.DataFrame([{"line": line, **row.model_dump()} for line, row in rows])
    for column in _date_columns(spec):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    frame.attrs["path"] = str(path)
    return frame


def _check_references(name: str, frames: Mapping[str, pd.DataFrame]) -> None:
    """Refuse a row naming a key its referenced table does not have; run the cross checks."""
    spec = _spec(name)
    frame = frames[name]
    for column, target in spec.references.items():
        known = set(frames[target][_spec(target).key[0]])
        unknown = ~frame[column].isin(known)
        if unknown.any():
            row = frame[unknown].iloc[0]
            raise InputError(
                frame.attrs["path"],
                f"unknown {column} {row[column]!r}: not a row of data/{target}.csv (add its "
                f"record there first)",
                row=int(row["line"]),
                column=column,
            )
    for check in spec.cross_checks:
        check(frame, frames)


def _cut(frame: pd.DataFrame, as_of: dt.date | None) -> pd.DataFrame:
    if as_of is None:
        return frame
    cut = frame[frame[CUT_COLUMN] <= pd.Timestamp(as_of)]
    cut.attrs = dict(frame.attrs)
    return cut


def load_tables(
    names: Iterable[str],
    *,
    as_of: dt.date | None = None,
    frontier: FrontierRule | None = None,
    directory: str | Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Load tables for a fit: validated, checked against each other, cut, joined.

    Parameters
    ----------
    names : iterable of str
        Tables wanted; the tables they refer to are loaded too (and returned).
    as_of : datetime.date, optional
        Keep only rows published on or before this date; a row whose model was not yet
        published is dropped with it.
    frontier : FrontierRule, optional
        How ``models`` is ranked into the frontier (default: Epoch AI's top 10 at release,
        language models). The flag is computed on the cut table: a model published after the
        cut counts against no one.
    directory : str or Path, optional
        Directory holding the CSVs (default ``data/`` of the project).

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per table (``line`` column: line in the file). ``models`` carries a
        ``frontier`` column; a table referring to it carries the joined model columns and
        ``frontier``.
    """
    frontier = frontier or FrontierRule()
    ordered = tables_read(names)
    whole = {name: _frame(name, directory) for name in ordered}
    for name in ordered:
        _check_references(name, whole)
    cut = {name: _cut(frame, as_of) for name, frame in whole.items()}
    if "models" in cut:
        models = cut["models"].copy()
        models["frontier"] = frontier_flags(models, frontier.top_n, frontier.scope)
        cut["models"] = models
    for name in ordered:
        spec = _spec(name)
        for column, target in spec.references.items():
            keys = cut[target].set_index(_spec(target).key[0])
            frame = cut[name][cut[name][column].isin(keys.index)]
            joined = keys.loc[frame[column], [*spec.joined.get(target, ()), "frontier"]]
            frame = pd.concat([frame.reset_index(drop=True), joined.reset_index(drop=True)], axis=1)
            frame.attrs = dict(cut[name].attrs)
            cut[name] = frame
    return {name: frame.reset_index(drop=True) for name, frame in cut.items()}


def load_table(
    name: str,
    *,
    as_of: dt.date | None = None,
    directory: str | Path | None = None,
    frontier: FrontierRule | None = None,
) -> pd.DataFrame:
    """Load one validated table, cut at ``as_of`` (see :func:`load_tables`)."""
    return load_tables([name], as_of=as_of, directory=directory, frontier=frontier)[name]


def decimal_year(dates: pd.Series | Iterable[dt.date]) -> np.ndarray:
    """Convert dates to decimal years (2024-07-02 -> about 2024.5)."""
    stamps = pd.to_datetime(pd.Series(list(dates)))
    start = pd.to_datetime(stamps.dt.year.astype(str) + "-01-01")
    length = np.where(stamps.dt.is_leap_year, 366.0, 365.0)
    return (stamps.dt.year + (stamps - start).dt.days / length).to_numpy(dtype=float)


def check_tables(
    paths: Mapping[str, str | Path], directory: str | Path | None = None
) -> dict[str, int]:
    """Validate tables read from other files against each other and the project's tables.

    ``paths`` maps table names to the files to read them from (merged tables written beside
    their originals, say); every table they refer to, or that refers to them, is read from
    ``directory`` unless given. Returns rows per table checked.
    """
    names = set(paths)
    names |= {n for n, spec in TABLES.items() if names & set(spec.references.values())}
    frames: dict[str, pd.DataFrame] = {}
    for name in tables_read(names):
        frames[name] = _frame(name, directory, paths.get(name))
    for name in frames:
        _check_references(name, frames)
    return {name: len(frames[name]) for name in frames}


def check_all(
    directory: str | Path | None = None,
    on_table: Callable[[TableSpec, int], None] | None = None,
) -> dict[str, int]:
    """Validate every registered table and the references between them; return rows per table.

    A missing table is refused like a bad row: every table in the registry must be present.
    """
    frames: dict[str, pd.DataFrame] = {}
    for name, spec in TABLES.items():
        frames[name] = _frame(name, directory)
        _check_references(name, frames)
        if on_table:
            on_table(spec, len(frames[name]))
    return {name: len(frame) for name, frame in frames.items()}
