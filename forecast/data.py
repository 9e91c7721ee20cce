"""Load and validate the curated observation tables in ``data/``.

Every table is a CSV with a header row, one observation per row and a ``source`` on every row.
Each table has a row schema (pydantic) that checks types, units and ranges; the loader adds the
checks that need the whole table (duplicates, dates in the future) and refuses the first bad row
with an :class:`~forecast.errors.InputError` naming the file, the line and the column.

Line numbers count the header as line 1, so the first data row is line 2 (as an editor shows it).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from forecast import settings
from forecast.errors import InputError, pydantic_error


def blank_to_none(value: Any) -> Any:
    """Return ``None`` for a blank CSV cell, else the value (strings stripped)."""
    if isinstance(value, str) and value.strip() == "":
        return None
    return value.strip() if isinstance(value, str) else value


def _strict_bool(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "false"}:
            return lowered == "true"
        raise ValueError("expected 'true' or 'false'")
    return value


Text = Annotated[str, BeforeValidator(blank_to_none), Field(min_length=1)]
OptionalText = Annotated[str | None, BeforeValidator(blank_to_none)]
Flag = Annotated[bool, BeforeValidator(_strict_bool)]


def positive(lo: float, hi: float) -> Any:
    """Return an optional float type restricted to ``[lo, hi]`` (blank means unknown)."""
    bounded = Annotated[float, Field(ge=lo, le=hi, allow_inf_nan=False)]
    return Annotated[bounded | None, BeforeValidator(blank_to_none)]


def required(lo: float, hi: float) -> Any:
    """Return a float type restricted to ``[lo, hi]`` that may not be blank."""
    return Annotated[
        float, BeforeValidator(blank_to_none), Field(ge=lo, le=hi, allow_inf_nan=False)
    ]


def count(hi: int) -> Any:
    """Return an optional integer type in ``[1, hi]`` (blank means unknown)."""
    return Annotated[Annotated[int, Field(ge=1, le=hi)] | None, BeforeValidator(blank_to_none)]


class Row(BaseModel):
    """Base of every row schema: no unknown columns, a non-empty source."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: Text

    @model_validator(mode="after")
    def _source_is_citation(self) -> Row:
        if len(self.source) < 8:
            raise ValueError("source: expected a URL or a citation")
        return self


class LanguageModelRow(Row):
    """One released language model (``data/language_models.csv``)."""

    model: Text
    organization: Text
    publication_date: dt.date
    parameters: positive(1e6, 1e14)
    active_parameters: positive(1e6, 1e14)
    training_tokens: positive(1e8, 1e15)
    training_compute_flop: positive(1e18, 1e30)
    frontier: Flag
    open_weights: Flag
    estimated_fields: OptionalText = None
    notes: OptionalText = None

    _NUMERIC = ("parameters", "active_parameters", "training_tokens", "training_compute_flop")

    @model_validator(mode="after")
    def _consistent(self) -> LanguageModelRow:
        if self.estimated_fields:
            for name in self.estimated_fields.split(";"):
                if name.strip() not in self._NUMERIC:
                    raise ValueError(
                        f"estimated_fields: unknown column '{name.strip()}'; "
                        f"expected names from {', '.join(self._NUMERIC)}"
                    )
        if self.parameters and self.active_parameters and self.active_parameters > self.parameters:
            raise ValueError("active_parameters: exceeds total parameters")
        # 6ND holds for the parameters active per token; skip rows where that is unknown (MoE).
        n = self.active_parameters
        if n and self.training_tokens and self.training_compute_flop:
            ratio = self.training_compute_flop / (6.0 * n * self.training_tokens)
            if not 0.1 <= ratio <= 10.0:
                raise ValueError(
                    f"training_compute_flop: {self.training_compute_flop:.3g} FLOP is "
                    f"{ratio:.2g}x 6*N*D; expected within a factor 10 (check the units)"
                )
        return self


@dataclass(frozen=True)
class TableSpec:
    """How one table in ``data/`` is read and checked."""

    name: str
    row_model: type[Row]
    key: tuple[str, ...]
    date_column: str | None
    description: str
    columns_doc: dict[str, str] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        """Return the file name of the table inside ``data/``."""
        return f"{self.name}.csv"

    def __post_init__(self) -> None:
        if set(self.columns_doc) != set(self.row_model.model_fields):
            raise ValueError(f"{self.name}: columns_doc must document every schema field")

    @property
    def columns(self) -> list[str]:
        """Return the columns of the table, in the documented (file) order."""
        return list(self.columns_doc)


TABLES: dict[str, TableSpec] = {}


def register_table(spec: TableSpec) -> TableSpec:
    """Add a table to the registry (models register the tables they read)."""
    TABLES[spec.name] = spec
    return spec


register_table(
    TableSpec(
        name="language_models",
        row_model=LanguageModelRow,
        key=("model",),
        date_column="publication_date",
        description="Language models 2018-2026: parameters, training tokens and compute.",
        columns_doc={
            "model": "model name as commonly cited (unique)",
            "organization": "developer",
            "publication_date": "ISO date of release or publication",
            "parameters": "total parameters",
            "active_parameters": "parameters active per token (= parameters for dense models)",
            "training_tokens": "pre-training tokens seen, epochs counted",
            "training_compute_flop": "total training compute, FLOP",
            "frontier": "true if among the ~10 most compute-intensive models at release",
            "open_weights": "true if the weights are public",
            "estimated_fields": "numeric columns that are estimates, ';'-separated",
            "source": "URL or citation",
            "notes": "free text",
        },
    )
)


class ChinchillaRunRow(Row):
    """One training run of Hoffmann et al. 2022, Fig. 4 (``data/chinchilla_runs.csv``)."""

    run_id: Annotated[int, Field(ge=1)]
    parameters: required(1e6, 1e12)
    training_compute_flop: required(1e16, 1e25)
    training_tokens: required(1e7, 1e14)
    loss: required(1.0, 10.0)
    used_in_replication_fit: Flag

    @model_validator(mode="after")
    def _six_nd(self) -> ChinchillaRunRow:
        ratio = self.training_compute_flop / (6 * self.parameters * self.training_tokens)
        if abs(ratio - 1) > 1e-3:
            raise ValueError(f"training_tokens: expected C / (6 N), off by a factor {ratio:.4g}")
        return self


register_table(
    TableSpec(
        name="chinchilla_runs",
        row_model=ChinchillaRunRow,
        key=("run_id",),
        date_column=None,
        description="Chinchilla runs (N, C, final loss) as extracted by Besiroglu et al. 2024.",
        columns_doc={
            "run_id": "row number in the extracted file",
            "parameters": "model parameters N",
            "training_compute_flop": "training compute C, FLOP",
            "training_tokens": "training tokens D = C / (6 N)",
            "loss": "final training loss (nats per token)",
            "source": "citation and pinned data URL",
            "used_in_replication_fit": "false for the 5 highest-loss runs Besiroglu et al. drop",
        },
    )
)


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


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


def _format_error(exc: ValidationError) -> tuple[str | None, str]:
    column, message, err = pydantic_error(exc)
    got = err.get("input")
    if got is None and err.get("type") in {"string_type", "date_type", "bool_type", "float_type"}:
        return column, "required value is blank"
    if column is not None and isinstance(got, str | int | float) and "got" not in message:
        message += f" (got {got!r})"
    return column, message


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
        On a missing file, a bad header, a bad value, a duplicate key or a future date.
    """
    path = Path(path)
    today = today or settings.today()
    if not path.is_file():
        raise InputError(path, "file not found")
    rows: list[tuple[int, Row]] = []
    seen: dict[tuple, int] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in spec.columns if c not in header]
        unknown = [c for c in header if c not in spec.columns]
        if missing:
            raise InputError(path, f"missing column(s) {missing}", row=1, column=missing[0])
        if unknown:
            raise InputError(
                path, f"unknown column; expected only {spec.columns}", row=1, column=unknown[0]
            )
        for record in reader:
            line = reader.line_num
            if None in record:
                raise InputError(path, "more fields than the header has", row=line)
            if any(v is None for v in record.values()):
                raise InputError(path, "fewer fields than the header has", row=line)
            try:
                row = spec.row_model.model_validate(record)
            except ValidationError as exc:
                column, message = _format_error(exc)
                raise InputError(path, message, row=line, column=column) from None
            if spec.date_column:
                date = getattr(row, spec.date_column)
                if date > today:
                    raise InputError(
                        path,
                        f"date {date} is in the future (today is {today})",
                        row=line,
                        column=spec.date_column,
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


def load_table(
    name: str,
    *,
    as_of: dt.date | None = None,
    directory: str | Path | None = None,
) -> pd.DataFrame:
    """Load a validated table as a DataFrame, optionally keeping only rows published by ``as_of``.

    Parameters
    ----------
    name : str
        Registered table name, e.g. ``"language_models"``.
    as_of : datetime.date, optional
        Keep only rows dated on or before this date (tables without a date column are kept whole).
    directory : str or Path, optional
        Directory holding the CSV (default ``data/`` of the project).

    Returns
    -------
    pandas.DataFrame
        One row per observation, columns as in the file plus ``line`` (line in the file).
    """
    spec = _spec(name)
    path = table_path(name, directory)
    rows = read_rows(path, spec)
    frame = pd.DataFrame([{"line": line, **row.model_dump()} for line, row in rows])
    if spec.date_column:
        frame[spec.date_column] = pd.to_datetime(frame[spec.date_column])
        if as_of is not None:
            frame = frame[frame[spec.date_column] <= pd.Timestamp(as_of)]
    return frame.reset_index(drop=True)


def decimal_year(dates: pd.Series | Iterable[dt.date]) -> np.ndarray:
    """Convert dates to decimal years (2024-07-02 -> about 2024.5)."""
    stamps = pd.to_datetime(pd.Series(list(dates)))
    start = pd.to_datetime(stamps.dt.year.astype(str) + "-01-01")
    length = np.where(stamps.dt.is_leap_year, 366.0, 365.0)
    return (stamps.dt.year + (stamps - start).dt.days / length).to_numpy(dtype=float)


def check_all(
    directory: str | Path | None = None,
    on_table: Callable[[TableSpec, int], None] | None = None,
) -> dict[str, int]:
    """Validate every registered table present in ``directory``; return rows per table."""
    counts: dict[str, int] = {}
    for name, spec in TABLES.items():
        path = table_path(name, directory)
        if not path.exists():
            continue
        counts[name] = len(read_rows(path, spec))
        if on_table:
            on_table(spec, counts[name])
    return counts
