"""Merge imported rows into the tables of ``data/`` and write them atomically.

Independent of where rows come from: an importer hands over validated rows (with the line of
the outside file each came from) and the rows it left out; this module merges them into a
table by its key, keeps curated rows unless told to update them, writes every changed table
staged beside it and validated before anything is replaced (:func:`forecast.atomic.staged`),
and reports it all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from forecast.atomic import staged
from forecast.data import Row, TableSpec, check_tables, read_rows
from forecast.errors import InputError, pydantic_error
from forecast.textfile import read_text

#: Curated and imported numbers agreeing to this relative tolerance are the same value
#: (curated tables round their sources' values to 3-4 significant figures).
SAME_VALUE_RTOL = 5e-3
#: Columns that say where a value comes from, not what it is: never compared.
PROVENANCE = ("source", "notes", "estimated_fields")
#: Columns an update rewrites whole (the others keep the curated cell where the import is blank).
REWRITTEN = ("source", "notes")
#: Names and lines shown per list in the text report.
SHOWN = 5


class RowSkipped(Exception):
    """A row cannot go into a table: the column, the reason and the offending value."""

    def __init__(self, column: str, reason: str, value: str = "") -> None:
        super().__init__(f"{column}: {reason} ({value!r})")
        self.column = column
        self.reason = reason
        self.value = value


@dataclass(frozen=True)
class Skipped:
    """One row of the outside file left out of one table."""

    line: int
    model: str
    column: str
    reason: str
    value: str

    @property
    def key(self) -> str:
        """Return the reason the row is counted under: ``"column: reason"``."""
        return f"{self.column}: {self.reason}"


@dataclass
class TableReport:
    """What an import did to one table."""

    table: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    differs: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def by_reason(self) -> dict[str, list[Skipped]]:
        """Return the skipped rows grouped by reason, in order of first appearance."""
        groups: dict[str, list[Skipped]] = {}
        for entry in self.skipped:
            groups.setdefault(entry.key, []).append(entry)
        return groups

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "differs": len(self.differs),
            "skipped": len(self.skipped),
            "added_models": self.added,
            "updated_models": self.updated,
            "differs_models": self.differs,
            "skipped_by_reason": {
                key: {"count": len(rows), "lines": [r.line for r in rows]}
                for key, rows in self.by_reason().items()
            },
            "skipped_rows": [vars(entry) for entry in self.skipped],
        }


def validate_record(spec: TableSpec, record: Mapping[str, Any]) -> Row:
    """Validate a record with the table's row schema (the checks curated rows pass).

    Raises
    ------
    RowSkipped
        With the column and the schema's message if the schema refuses the record.
    """
    try:
        return spec.row_model.model_validate(dict(record))
    except ValidationError as exc:
        column, message, err = pydantic_error(exc)
        if err.get("input") is None and str(err.get("type", "")).endswith("_type"):
            message = "required value is blank"
        raise RowSkipped(column or "row", "refused by the row checks", message) from None


def _cell(value: Any) -> str:
    """Format a validated value as a CSV cell in the tables' conventions."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_record(row: Row, columns: Iterable[str]) -> dict[str, str]:
    """Return a validated row as CSV cells, in ``columns`` order."""
    values = row.model_dump()
    return {column: _cell(values[column]) for column in columns}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=SAME_VALUE_RTOL)
    return a == b


def compared_columns(spec: TableSpec) -> tuple[str, ...]:
    """Return the value columns of a table (provenance columns are not compared)."""
    return tuple(c for c in spec.columns if c not in PROVENANCE)


def same_values(curated: Row, imported: Row, columns: Iterable[str]) -> bool:
    """Return True if the imported row agrees with the curated one wherever it has a value.

    Numbers agree to :data:`SAME_VALUE_RTOL`; a blank imported value agrees with anything (a
    blank is no information, not a different value).
    """
    return all(
        getattr(imported, c) is None or _same(getattr(curated, c), getattr(imported, c))
        for c in columns
    )


def name_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Return a key with its text reduced to letters and digits (``Grok-3`` ~ ``grok 3``)."""
    return tuple(re.sub(r"[\W_]", "", k).casefold() if isinstance(k, str) else k for k in key)


def row_key(row: Row, spec: TableSpec) -> tuple[Any, ...]:
    """Return a row's key in its table (e.g. ``("GPT-4",)``)."""
    return tuple(getattr(row, k) for k in spec.key)


def read_curated(path: Path, spec: TableSpec) -> list[tuple[dict[str, str], Row]]:
    """Return each curated row as its raw CSV cells (written back untouched) and validated.

    Raises
    ------
    InputError
        If the curated table fails its checks (an import never starts from a bad table).
    """
    if not path.exists():
        return []
    validated = [row for _, row in read_rows(path, spec)]
    # Read as read_rows reads it (a byte-order mark dropped): the header names are the columns.
    raw = list(csv.DictReader(io.StringIO(read_text(path), newline="")))
    raw = [{k.strip(): v for k, v in record.items()} for record in raw]
    return list(zip(raw, validated, strict=True))


def updated_record(curated: dict[str, str], imported: Row, spec: TableSpec) -> dict[str, str]:
    """Return a curated row updated with an imported one's values.

    The imported values replace the curated ones; where the import is blank the curated cell
    is kept (a blank is no information), and the notes name those columns and the source keeps
    the curated row's source for them.

    Raises
    ------
    RowSkipped
        If the combined row fails the table's row checks.
    """
    cells = csv_record(imported, spec.columns)
    kept = [c for c in spec.columns if c not in REWRITTEN and not cells[c] and curated.get(c)]
    for column in kept:
        cells[column] = curated[column]
    if kept:
        cells["notes"] += f"; kept from the curated row (blank in the import): {', '.join(kept)}"
        cells["source"] += f" ; curated source of the kept values: {curated['source']}"
    validate_record(spec, cells)
    return cells


def merge(
    spec: TableSpec,
    curated: list[tuple[dict[str, str], Row]],
    imported: list[tuple[int, Row]],
    *,
    update: bool,
) -> tuple[list[dict[str, str]], TableReport]:
    """Merge imported rows into a table's curated rows by the table key.

    New keys are appended in import order. A key already in the table is "unchanged" if the
    values agree (:func:`same_values`), else "differs" (the curated row is kept) or, with
    ``update``, "updated" in place (:func:`updated_record`). A new key equal to one in the table
    but for case, spaces or punctuation is skipped, not added: it is probably the same model.

    Parameters
    ----------
    spec : TableSpec
        The table.
    curated : list of (dict, Row)
        The table's rows as read by :func:`read_curated`.
    imported : list of (int, Row)
        Validated imported rows with their line in the outside file.
    update : bool
        Replace curated rows that differ.

    Returns
    -------
    (list of dict, TableReport)
        The table's records in file order, and what happened to each imported row.
    """
    report = TableReport(spec.name)
    records = [cells for cells, _ in curated]
    position = {row_key(row, spec): i for i, (_, row) in enumerate(curated)}
    by_name = {name_key(k): k for k in position}
    for line, row in imported:
        key = row_key(row, spec)
        name = "/".join(map(str, key))
        if key not in position and name_key(key) in by_name:
            other = "/".join(map(str, by_name[name_key(key)]))
            reason = f"same as '{other}' in the table but for case, spaces or punctuation"
            report.skipped.append(Skipped(line, name, spec.key[0], reason, name))
        elif key not in position:
            position[key], by_name[name_key(key)] = len(records), key
            records.append(csv_record(row, spec.columns))
            report.added.append(name)
        elif same_values(curated[position[key]][1], row, compared_columns(spec)):
            report.unchanged.append(name)
        elif not update:
            report.differs.append(name)
        else:
            try:
                records[position[key]] = updated_record(records[position[key]], row, spec)
            except RowSkipped as why:
                reason = f"{why.reason} after merging with the curated row"
                report.skipped.append(Skipped(line, name, why.column, reason, why.value))
                continue
            report.updated.append(name)
    return records, report


@dataclass
class TablePlan:
    """The merged contents of one table, ready to be written."""

    spec: TableSpec
    path: Path
    records: list[dict[str, str]]
    report: TableReport

    @property
    def changed(self) -> bool:
        """Return True if the import adds or replaces a row."""
        return bool(self.report.added or self.report.updated)


def _write_csv(temporary: Path, plan: TablePlan) -> None:
    """Write a plan's table with the table's file mode (a new table gets 0644)."""
    os.close(os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
    os.chmod(temporary, stat.S_IMODE(plan.path.stat().st_mode) if plan.path.exists() else 0o644)
    with open(temporary, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=plan.spec.columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(plan.records)


def _check_written(temporary: Mapping[str, Path], plans: Mapping[str, TablePlan]) -> None:
    """Validate written tables as ``datawall data check`` would, naming the real files.

    Each table alone (types, ranges, keys), then against the tables it refers to and those
    that refer to it (a cost row's model must be a row of ``models``).
    """
    real = {str(temporary[name]): plans[name].path for name in temporary}
    try:
        check_tables(temporary, directory=next(iter(plans.values())).path.parent)
    except InputError as exc:
        path = real.get(exc.path, exc.path)
        raise InputError(
            path, f"merged table refused: {exc.detail}", row=exc.row, column=exc.column
        ) from None


def write_tables(plans: Iterable[TablePlan]) -> list[Path]:
    """Write every changed table atomically, and only once all of them validated.

    The tables are staged together (:func:`forecast.atomic.staged`): each is written beside
    itself and read back through the tables' checks (with the tables it refers to); only when
    every one passes are they moved into place. On any error no table is touched and the
    staged files are removed.

    Returns
    -------
    list of Path
        The tables written.
    """
    changed = {plan.spec.name: plan for plan in plans if plan.changed}
    if not changed:
        return []
    with staged(*(plan.path for plan in changed.values())) as stages:
        temporary = dict(zip(changed, stages, strict=True))
        for name, plan in changed.items():
            _write_csv(temporary[name], plan)
        _check_written(temporary, changed)
    return [plan.path for plan in changed.values()]


@dataclass
class ImportReport:
    """What an import read, merged and wrote."""

    path: str
    sha256: str
    rows_read: int
    missing_columns: list[str]
    update: bool
    dry_run: bool
    tables: dict[str, TableReport]
    written: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "file": self.path,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "missing_columns": self.missing_columns,
            "update": self.update,
            "dry_run": self.dry_run,
            "written": self.written,
            "tables": {name: table.to_dict() for name, table in self.tables.items()},
        }


def _names(names: list[str], limit: int) -> str:
    more = f" (+{len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _skipped_lines(report: TableReport, limit: int) -> list[str]:
    lines = []
    for key, rows in report.by_reason().items():
        shown = [
            f"line {r.line}" + (f" {r.model}" if r.model else "") + (f": {r.value}" * bool(r.value))
            for r in rows[:limit]
        ]
        more = f"; +{len(rows) - limit} more" if len(rows) > limit else ""
        lines.append(f"    {key} ({len(rows)}): " + "; ".join(shown) + more)
    return lines


def _table_lines(report: TableReport, limit: int) -> list[str]:
    lines = [
        f"{report.table}: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.differs)} differ, "
        f"{len(report.skipped)} skipped"
    ]
    for label, names in (("added", report.added), ("updated", report.updated)):
        if names:
            lines.append(f"  {label}: {_names(names, limit)}")
    if report.differs:
        lines.append(
            f"  differ (curated rows kept; --update replaces them): {_names(report.differs, limit)}"
        )
    if report.skipped:
        lines.append("  skipped, by reason:")
        lines.extend(_skipped_lines(report, limit))
    return lines


def report_lines(report: ImportReport, limit: int = SHOWN) -> list[str]:
    """Return an import report as lines of text for the terminal.

    Parameters
    ----------
    report : ImportReport
        The report.
    limit : int
        Names and lines shown per list (the JSON report has them all).

    Returns
    -------
    list of str
        A header line, then per table its counts, names and skip reasons.
    """
    lines = [f"import {report.path}: {report.rows_read} rows, sha256 {report.sha256[:12]}"]
    if report.missing_columns:
        lines.append(f"  columns not in this file: {', '.join(report.missing_columns)}")
    for table in report.tables.values():
        lines.extend(_table_lines(table, limit))
    if report.dry_run:
        lines.append("dry run: nothing written")
    elif report.written:
        lines.append(f"written: {', '.join(report.written)}")
    else:
        lines.append("nothing written: no row added or updated")
    return lines
