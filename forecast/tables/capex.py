"""Tables of the money wall's spending side: the leading AI developers' capex and its deflator.

``ai_capex`` holds what Alphabet, Amazon, Meta, Microsoft, Oracle and CoreWeave spent or plan
to spend on property and equipment (nominal USD); ``price_index`` the producer price index that
turns those dollars into the December-2023 USD of ``training_costs``. Provenance and
verification of every row: ``data/sources/capex.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Literal

import pandas as pd
from pydantic import BeforeValidator, Field, model_validator

from forecast.errors import InputError
from forecast.tables.base import (
    PUBLISHED_DOC,
    OptionalText,
    Row,
    TableSpec,
    Text,
    blank_to_none,
    date_from,
    required,
)

#: Developers with a ``reported`` row for every year of :data:`REPORTED_YEARS`.
EVERY_YEAR_REPORTED = ("Alphabet", "Amazon", "Meta", "Microsoft")
REPORTED_YEARS = range(2015, 2026)
#: How a ``basis`` naming a fiscal year ending 31 May (Oracle's) starts.
MAY_FISCAL_YEAR = "fiscal year ending 31 May"
#: The first month of the price index.
FIRST_INDEX_MONTH = dt.date(2010, 1, 1)


def _refuse(frame: pd.DataFrame, row: pd.Series | None, column: str, message: str) -> None:
    raise InputError(
        frame.attrs["path"],
        message,
        row=None if row is None else int(row["line"]),
        column=column,
    )


class AiCapexRow(Row):
    """One developer's capital spending in one year, reported or guided (``data/ai_capex.csv``)."""

    developer: Text
    year: Annotated[int, Field(ge=2000, le=2100)]
    capex_usd: required(1e8, 1e12)
    kind: Literal["reported", "guidance"]
    basis: Text
    notes: OptionalText = None

    @model_validator(mode="after")
    def _published_after_the_period(self) -> AiCapexRow:
        if self.kind == "reported":
            may = self.basis.startswith(MAY_FISCAL_YEAR)
            end = dt.date(self.year, 5, 31) if may else dt.date(self.year, 12, 31)
            if self.published < end:
                raise ValueError(
                    f"published: {self.published} is before the end of the period the reported "
                    f"figure covers ({end})"
                )
        return self


def check_reported_years(frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> None:
    """Refuse a missing reported year of a leading developer, or two bases of one developer."""
    reported = frame[frame["kind"] == "reported"]
    for developer in EVERY_YEAR_REPORTED:
        years = set(reported.loc[reported["developer"] == developer, "year"])
        missing = [y for y in REPORTED_YEARS if y not in years]
        if missing:
            _refuse(
                frame,
                None,
                "year",
                f"{developer} has no reported row for {missing[0]}: every year "
                f"{REPORTED_YEARS[0]}-{REPORTED_YEARS[-1]} is needed",
            )
    for developer, rows in reported.groupby("developer", sort=False):
        if rows["basis"].nunique() > 1:
            other = rows[rows["basis"] != rows["basis"].iloc[0]].iloc[0]
            _refuse(
                frame,
                other,
                "basis",
                f"{developer}'s reported rows take one basis; this one differs from line "
                f"{int(rows['line'].iloc[0])}'s",
            )


class PriceIndexRow(Row):
    """One month of a producer price index (``data/price_index.csv``)."""

    series: Text
    month: date_from(FIRST_INDEX_MONTH)
    value: Annotated[float, BeforeValidator(blank_to_none), Field(gt=0.0, allow_inf_nan=False)]
    notes: OptionalText = None

    @model_validator(mode="after")
    def _a_month_published_after_it(self) -> PriceIndexRow:
        if self.month.day != 1:
            raise ValueError(f"month: {self.month} is not the first day of a month")
        if self.published < self.month:
            raise ValueError(f"published: {self.published} is before the month {self.month}")
        return self


def check_every_month(frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> None:
    """Refuse a series that misses a month between its first, 2010-01, and its last."""
    for series, rows in frame.groupby("series", sort=False):
        months = pd.DatetimeIndex(rows["month"]).sort_values()
        expected = pd.date_range(FIRST_INDEX_MONTH, months[-1], freq="MS")
        missing = expected.difference(months)
        if len(missing):
            _refuse(
                frame,
                None,
                "month",
                f"{series} misses {missing[0].date().isoformat()}: every month from "
                f"{FIRST_INDEX_MONTH.isoformat()} to the last is needed",
            )


AI_CAPEX = TableSpec(
    name="ai_capex",
    row_model=AiCapexRow,
    key=("developer", "year", "kind"),
    description="Capital spending of the leading AI developers 2015-2026, reported and guided.",
    columns_doc={
        "developer": "company (Alphabet, Amazon, Meta, Microsoft, Oracle, CoreWeave)",
        "year": "calendar year the spending covers (Oracle: fiscal year ending 31 May)",
        "capex_usd": "nominal USD of purchases of property and equipment (whole company)",
        "kind": "reported (a filing's actual) or guidance (a stated plan)",
        "basis": "the line taken and what it leaves out; one per company for reported rows",
        "published": PUBLISHED_DOC,
        "source": "SEC filing and XBRL URLs, releases or news for guidance",
        "notes": "the figure in USD M, quarters summed, restatements, guidance ranges",
    },
    cross_checks=(check_reported_years,),
)

PRICE_INDEX = TableSpec(
    name="price_index",
    row_model=PriceIndexRow,
    key=("series", "month"),
    date_column="month",
    description="FRED PCU518210518210, data processing and hosting PPI, monthly from 2010.",
    columns_doc={
        "series": "FRED series id",
        "month": "first day of the month",
        "value": "index (December 2000 = 100)",
        "published": PUBLISHED_DOC,
        "source": "pinned file of the vintage",
        "notes": "values of earlier vintages where revised",
    },
    cross_checks=(check_every_month,),
)
