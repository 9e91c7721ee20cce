"""What every table schema shares: the row base, cell types and the table's declaration.

Every table in ``data/`` is a CSV with a header row and one observation per row. Every row
carries a ``source`` and a ``published`` date: when the figure became public, the date every
as-of cut (past quarters, backtests, replication scenarios) compares with, so a fit cut at a
date sees only what was public then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

#: The earliest ``published`` date any table accepts: no figure in ``data/`` is older.
EARLIEST_PUBLISHED = dt.date(1990, 1, 1)


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


def date_from(earliest: dt.date) -> Any:
    """Return a required date type refusing dates before ``earliest`` (a typo like 1900)."""
    return Annotated[dt.date, BeforeValidator(blank_to_none), Field(ge=earliest)]


class Row(BaseModel):
    """Base of every row schema: no unknown columns, a source and a publication date."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    #: When the figure became public (the source's date): what an as-of cut compares with.
    published: date_from(EARLIEST_PUBLISHED)
    source: Text

    @model_validator(mode="after")
    def _source_is_citation(self) -> Row:
        if len(self.source) < 8:
            raise ValueError("source: expected a URL or a citation")
        return self


#: A check of a whole table, or of a table against the tables it refers to: ``check(frame,
#: tables)`` raises an :class:`~forecast.errors.InputError` naming the file, the line (where one
#: row is at fault) and the column.
CrossCheck = Callable[[pd.DataFrame, Mapping[str, pd.DataFrame]], None]


@dataclass(frozen=True)
class TableSpec:
    """How one table in ``data/`` is read and checked."""

    name: str
    row_model: type[Row]
    key: tuple[str, ...]
    description: str
    columns_doc: dict[str, str] = field(default_factory=dict)
    #: Columns holding the key of a row of another table (``{"model": "models"}``): the row
    #: is refused if that table has no such key, and an as-of cut drops the row with its target.
    references: Mapping[str, str] = field(default_factory=dict)
    #: Columns of the referenced table joined onto each row when the tables are loaded for a
    #: fit (``{"models": ("publication_date", ...)}``): one record per model, read everywhere.
    joined: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Checks that need the whole table (every month present) or the referenced tables (a cost
    #: per FLOP needs the model's compute).
    cross_checks: tuple[CrossCheck, ...] = ()
    #: The date column a trend reads as its time axis, if any (the cut reads ``published``).
    date_column: str | None = None

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


#: The column every as-of cut compares with.
CUT_COLUMN = "published"
#: Its documentation, shared by every table.
PUBLISHED_DOC = "ISO date the figure became public (its source's date): what an as-of cut reads"
