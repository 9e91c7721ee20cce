"""Compare an Epoch AI export with our tables, field by field: the report an auditor makes.

``datawall data compare FILE.csv`` reads an export the way ``data import-epoch`` does, matches
each of its models with our row of the same name (or the same name but for case, spaces and
punctuation), and counts, per table and field, how many rows agree, how many differ beyond
:data:`RELATIVE_TOLERANCE`, and where one side is blank; every difference is listed with both
values. Nothing is written.

The frontier is compared as two answers to one question: Epoch's flag (or its compute rank at
release, for exports that give it) against our rule on ``models`` (:mod:`forecast.tables.models`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.data import load_tables
from forecast.importers import epoch
from forecast.importers.merge import RowSkipped, name_key
from forecast.tables.cost import COST_COLUMNS
from forecast.tables.models import FrontierRule

#: Numbers agreeing to this relative tolerance are the same (our tables round to 3-4
#: significant figures).
RELATIVE_TOLERANCE = 5e-3


@dataclass(frozen=True)
class Field:
    """One field compared: our column, how the export's value is read, how the two are judged."""

    table: str
    column: str
    export_column: str
    read: Callable[[epoch.ExportRow], Any]
    kind: str = "number"  # "number", "date", "flag", "text", "count"


@dataclass
class Difference:
    """One model whose value differs between our table and the export."""

    model: str
    line: int
    ours: Any
    export: Any

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data (dates as ISO text)."""
        return {
            "model": self.model,
            "line": self.line,
            "ours": _plain(self.ours),
            "export": _plain(self.export),
        }


@dataclass
class FieldReport:
    """How one field compares over the models both sides hold."""

    table: str
    column: str
    export_column: str
    matched: int = 0
    differs: list[Difference] = field(default_factory=list)
    blank_in_ours: int = 0
    blank_in_export: int = 0
    unreadable: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "column": self.column,
            "export_column": self.export_column,
            "matched": self.matched,
            "differ": len(self.differs),
            "blank_in_ours": self.blank_in_ours,
            "blank_in_export": self.blank_in_export,
            "unreadable_in_export": self.unreadable,
            "differences": [d.to_dict() for d in self.differs],
        }


@dataclass
class TableComparison:
    """The rows of one table both sides hold, and each field's comparison."""

    table: str
    in_both: int = 0
    by_normalised_name: list[str] = field(default_factory=list)
    only_ours: list[str] = field(default_factory=list)
    only_export: list[str] = field(default_factory=list)
    fields: dict[str, FieldReport] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "rows_in_both": self.in_both,
            "matched_by_normalised_name": self.by_normalised_name,
            "only_in_ours": self.only_ours,
            "only_in_export": self.only_export,
            "fields": {name: f.to_dict() for name, f in self.fields.items()},
        }


@dataclass
class CompareReport:
    """What ``data compare`` found."""

    path: str
    sha256: str
    rows_read: int
    tolerance: float
    tables: dict[str, TableComparison]

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "file": self.path,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "relative_tolerance": self.tolerance,
            "tables": {name: t.to_dict() for name, t in self.tables.items()},
        }


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _number(column: str, scale: float = 1.0, zero_is_blank: bool = False) -> Callable:
    def read(row: epoch.ExportRow) -> float | None:
        value = epoch.parse_number(row[column], column).value
        if value is None or (zero_is_blank and value == 0):
            return None
        return value * scale

    return read


def _date(row: epoch.ExportRow) -> tuple[str, str] | None:
    """Return the export's date as text and its precision (``day``, ``month`` or ``year``)."""
    raw = row[epoch.DATE]
    if not raw:
        return None
    epoch.parse_publication_date(raw)  # refuses what is not a date
    parts = raw.split("-")
    return raw, ("year", "month", "day")[len(parts) - 1]


def _text(column: str) -> Callable:
    return lambda row: row[column] or None


def _domain(row: epoch.ExportRow) -> str | None:
    return epoch.model_domain(row[epoch.DOMAIN]) if row[epoch.DOMAIN] else None


def _open_weights(row: epoch.ExportRow) -> bool | None:
    if not (row[epoch.ACCESSIBILITY] or row[epoch.OPEN_WEIGHTS]):
        return None
    return epoch.open_weights(row)[0]


def fields(header: Mapping[str, str]) -> list[Field]:
    """Return the fields compared for an export with ``header``'s columns."""
    frontier = lambda row: epoch.frontier_flag(row, header)  # noqa: E731
    return [
        Field("models", "publication_date", epoch.DATE, _date, "date"),
        Field("models", "domain", epoch.DOMAIN, _domain, "text"),
        Field("models", "parameters", epoch.PARAMETERS, _number(epoch.PARAMETERS)),
        Field("models", "training_compute_flop", epoch.COMPUTE, _number(epoch.COMPUTE)),
        Field("models", "dataset_tokens", epoch.DATASET, _number(epoch.DATASET)),
        Field("models", "open_weights", epoch.ACCESSIBILITY, _open_weights, "flag"),
        Field("models", "frontier", epoch.FRONTIER, frontier, "flag"),
        Field("training_runs_power", "power_mw", epoch.POWER, _number(epoch.POWER, 1e-6)),
        Field(
            "training_runs_power", "chip_count", epoch.QUANTITY, _number(epoch.QUANTITY), "count"
        ),
        Field("training_runs_power", "hardware", epoch.HARDWARE, _text(epoch.HARDWARE), "text"),
        Field(
            "training_costs", COST_COLUMNS["amortized"], epoch.COST, _number(epoch.COST, 1.0, True)
        ),
        Field(
            "training_costs",
            COST_COLUMNS["cloud"],
            epoch.CLOUD_COST,
            _number(epoch.CLOUD_COST, 1.0, True),
        ),
        Field(
            "training_costs",
            COST_COLUMNS["acquisition"],
            epoch.ACQUISITION_COST,
            _number(epoch.ACQUISITION_COST, 1.0, True),
        ),
    ]


def _agrees(kind: str, ours: Any, theirs: Any) -> bool:
    if kind == "number":
        return math.isclose(float(ours), float(theirs), rel_tol=RELATIVE_TOLERANCE)
    if kind == "count":
        return int(ours) == int(theirs)
    if kind == "date":
        raw, precision = theirs
        ours = pd.Timestamp(ours).date().isoformat()
        return ours[: len(raw)] == raw if precision != "day" else ours == raw
    if kind == "text":
        return name_key((str(ours),)) == name_key((str(theirs),))
    return bool(ours) == bool(theirs)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _shown(kind: str, value: Any) -> Any:
    return value[0] if kind == "date" else value


def _has_table_value(table: str, row: epoch.ExportRow) -> bool:
    """Return whether an export row holds a figure of ``table`` (a model, a power, a cost)."""
    if table == "training_runs_power":
        return bool(row[epoch.POWER])
    if table == "training_costs":
        return bool(row[epoch.COST])
    has_figure = any(row[c] for c in (epoch.COMPUTE, epoch.DATASET, epoch.PARAMETERS))
    return has_figure and epoch.has_language(row[epoch.DOMAIN])


def compare_table(
    table: str,
    ours: pd.DataFrame,
    rows: Iterable[epoch.ExportRow],
    compared: list[Field],
) -> TableComparison:
    """Compare one table's rows with the export rows of the same models."""
    result = TableComparison(table)
    ours = ours.set_index("model")
    by_name = {name_key((name,)): name for name in ours.index}
    seen: set[str] = set()
    result.fields = {f.column: FieldReport(table, f.column, f.export_column) for f in compared}
    for row in rows:
        if not row.model:
            continue
        name = row.model if row.model in ours.index else by_name.get(name_key((row.model,)))
        if name is None:
            if _has_table_value(table, row):
                result.only_export.append(row.model)
            continue
        if name in seen:  # a repeated model in the export: the first row is compared
            continue
        seen.add(name)
        result.in_both += 1
        if name != row.model:
            result.by_normalised_name.append(f"{row.model} = {name}")
        for spec in compared:
            report = result.fields[spec.column]
            try:
                theirs = spec.read(row)
            except RowSkipped:
                report.unreadable += 1
                continue
            mine = ours.at[name, spec.column]
            if _blank(mine) and _blank(theirs):
                continue
            if _blank(mine):
                report.blank_in_ours += 1
            elif _blank(theirs):
                report.blank_in_export += 1
            elif _agrees(spec.kind, mine, theirs):
                report.matched += 1
            else:
                report.differs.append(Difference(name, row.line, mine, _shown(spec.kind, theirs)))
    result.only_ours = sorted(set(ours.index) - seen)
    return result


def compare_epoch(
    path: str | Path,
    *,
    directory: str | Path | None = None,
    frontier: FrontierRule | None = None,
) -> CompareReport:
    """Compare an Epoch AI export with the ``models``, power and cost tables.

    Parameters
    ----------
    path : str or Path
        The CSV export (Notable AI Models, All ML Systems...).
    directory : str or Path, optional
        Directory of our tables (default ``data/`` of the project).
    frontier : FrontierRule, optional
        Our frontier rule (default: top 10 at release among language models).

    Returns
    -------
    CompareReport

    Raises
    ------
    InputError
        On a missing or malformed export, or an invalid table of ours.
    """
    export = epoch.read_export(path)
    tables = load_tables(
        ["models", "training_runs_power", "training_costs"],
        directory=directory,
        frontier=frontier,
    )
    compared = [f for f in fields(export.header) if f.export_column in export.header]
    if "frontier" not in {f.column for f in compared} and epoch.COMPUTE_RANK in export.header:
        compared += [f for f in fields(export.header) if f.column == "frontier"]
    result = {
        table: compare_table(
            table, tables[table], export.rows, [f for f in compared if f.table == table]
        )
        for table in ("models", "training_runs_power", "training_costs")
    }
    return CompareReport(str(path), export.sha256, len(export.rows), RELATIVE_TOLERANCE, result)


def _value(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def report_lines(report: CompareReport, limit: int | None = None) -> list[str]:
    """Return a comparison as lines of text (``limit``: differences shown per field)."""
    lines = [
        f"compare {report.path} ({report.rows_read} rows, sha256 {report.sha256[:12]}) with "
        f"data/: numbers agree within {report.tolerance:.1%}; partial export dates match at "
        "their precision"
    ]
    for name, table in report.tables.items():
        renamed = f" ({len(table.by_normalised_name)} by normalised name)"
        lines.append(
            f"{name}: {table.in_both} models in both"
            + (renamed if table.by_normalised_name else "")
            + f", {len(table.only_ours)} only in ours, {len(table.only_export)} only in the "
            "export (with a figure of this table)"
        )
        for column, f in table.fields.items():
            lines.append(
                f"  {column} (export '{f.export_column}'): {f.matched} match, {len(f.differs)} "
                f"differ, {f.blank_in_ours} blank in ours, {f.blank_in_export} blank in the export"
                + (f", {f.unreadable} unreadable in the export" if f.unreadable else "")
            )
            shown = f.differs if limit is None else f.differs[:limit]
            for d in shown:
                lines.append(
                    f"    {d.model} (export line {d.line}): ours {_value(d.ours)}, "
                    f"export {_value(d.export)}"
                )
            if len(shown) < len(f.differs):
                lines.append(f"    ... {len(f.differs) - len(shown)} more (--json lists all)")
    lines.append("nothing written")
    return lines


__all__ = ["CompareReport", "compare_epoch", "report_lines"]
