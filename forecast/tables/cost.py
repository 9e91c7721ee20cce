"""Tables of the cost model: frontier training-run costs and AI-hardware price-performance.

A cost row names its model; the model's date and compute are read from ``models``. Provenance
and verification of every row: ``data/sources/cost.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from forecast.errors import InputError
from forecast.tables.base import (
    PUBLISHED_DOC,
    OptionalText,
    Row,
    TableSpec,
    Text,
    date_from,
    positive,
    required,
)

#: Amortized hardware + energy dollars per training FLOP a run can plausibly cost (2023 USD).
#: Cottier et al.'s runs span ~5e-19 (2025, H100) to ~4e-17 (2016, K80); a value outside this
#: range is a unit slip (millions of dollars for dollars, say).
USD_PER_FLOP_RANGE = (1e-21, 1e-14)

#: The three cost estimates of a run, by method.
COST_COLUMNS = {
    "amortized": "amortized_hw_energy_cost_usd_2023",
    "cloud": "cloud_cost_usd_2023",
    "acquisition": "hardware_acquisition_cost_usd_2023",
}
#: Methods costing the run itself (not the cluster), checked per FLOP.
PER_FLOP_METHODS = ("amortized", "cloud")
#: Columns of ``models`` each cost row is read with.
MODEL_COLUMNS = ("organization", "domain", "publication_date", "training_compute_flop")


class TrainingCostRow(Row):
    """One training run with Epoch AI's cost estimates (``data/training_costs.csv``)."""

    model: Text
    hardware: Text
    amortized_hw_energy_cost_usd_2023: positive(1.0, 1e13)
    cloud_cost_usd_2023: positive(1.0, 1e13)
    hardware_acquisition_cost_usd_2023: positive(1.0, 1e14)
    notes: OptionalText = None

    @model_validator(mode="after")
    def _plausible_costs(self) -> TrainingCostRow:
        if all(getattr(self, c) is None for c in COST_COLUMNS.values()):
            raise ValueError(f"{COST_COLUMNS['amortized']}: a row needs at least one cost estimate")
        amortized = self.amortized_hw_energy_cost_usd_2023
        bought = self.hardware_acquisition_cost_usd_2023
        if amortized is not None and bought is not None and bought < amortized:
            raise ValueError(
                "hardware_acquisition_cost_usd_2023: below the amortized cost of one run "
                f"(${bought:,.0f} < ${amortized:,.0f}); the cluster's price cannot be"
            )
        return self


def check_cost_per_flop(frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> None:
    """Refuse a run whose cost per FLOP of its model's compute is implausible (a unit slip)."""
    compute = frame["model"].map(tables["models"].set_index("model")["training_compute_flop"])
    lo, hi = USD_PER_FLOP_RANGE
    for column in (COST_COLUMNS[m] for m in PER_FLOP_METHODS):
        per_flop = frame[column] / compute
        bad = per_flop.notna() & ~per_flop.between(lo, hi)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            row = frame.iloc[i]
            raise InputError(
                frame.attrs["path"],
                f"${row[column]:,.0f} for {compute.iloc[i]:.3g} FLOP (models.csv) is "
                f"{per_flop.iloc[i]:.2g} $/FLOP; expected {lo:g}-{hi:g} (check the units: "
                "whole 2023 dollars, not millions)",
                row=int(row["line"]),
                column=column,
            )


Precision = Literal["fp32", "fp16_tensor", "fp16"]
Market = Literal["datacenter", "workstation", "consumer"]


class HardwarePriceRow(Row):
    """One chip at one precision (``data/hardware_price_performance.csv``)."""

    hardware: Text
    market: Market
    release_date: date_from(dt.date(2010, 1, 1))
    price_usd: required(50.0, 1e7)
    price_year: Annotated[int, Field(ge=2010, le=2100)]
    dense_flop_per_s: required(1e11, 1e18)
    precision: Precision
    flop_per_s_per_usd: required(1e6, 1e14)
    notes: OptionalText = None

    @model_validator(mode="after")
    def _ratio(self) -> HardwarePriceRow:
        expected = self.dense_flop_per_s / self.price_usd
        if abs(self.flop_per_s_per_usd / expected - 1.0) > 0.01:
            raise ValueError(
                f"flop_per_s_per_usd: {self.flop_per_s_per_usd:.4g}, but dense_flop_per_s / "
                f"price_usd is {expected:.4g}"
            )
        if self.price_year < self.release_date.year - 1:
            raise ValueError(
                f"price_year: {self.price_year} is before the release ({self.release_date})"
            )
        if self.price_year > self.published.year:
            raise ValueError(
                f"price_year: {self.price_year} is after the figure was published "
                f"({self.published})"
            )
        return self


TRAINING_COSTS = TableSpec(
    name="training_costs",
    row_model=TrainingCostRow,
    key=("model",),
    description="Training runs 2016-2025 with their cost in 2023 USD (Epoch AI).",
    columns_doc={
        "model": "model name, a row of models.csv (its date and compute are read there)",
        "hardware": "training hardware ('(imputed)': filled in by Epoch's code)",
        "amortized_hw_energy_cost_usd_2023": (
            "amortized hardware CapEx + energy of the final run, December-2023 USD"
        ),
        "cloud_cost_usd_2023": "cloud-rental cost of the final run, December-2023 USD",
        "hardware_acquisition_cost_usd_2023": (
            "purchase price of the training cluster, December-2023 USD"
        ),
        "published": PUBLISHED_DOC,
        "source": "pinned file URLs",
        "notes": "how chip-hours were found, imputation, conversions",
    },
    references={"model": "models"},
    joined={"models": MODEL_COLUMNS},
    cross_checks=(check_cost_per_flop,),
    date_column="publication_date",
)

HARDWARE_PRICE_PERFORMANCE = TableSpec(
    name="hardware_price_performance",
    row_model=HardwarePriceRow,
    key=("hardware", "precision"),
    date_column="release_date",
    description="AI accelerators 2016-2026: price and dense FLOP/s per dollar.",
    columns_doc={
        "hardware": "chip name as in Epoch AI's chip database",
        "market": "datacenter, workstation or consumer part",
        "release_date": "ISO date of release",
        "price_usd": "price per accelerator, nominal USD (basis in notes)",
        "price_year": "year the price was observed",
        "dense_flop_per_s": "peak dense FLOP/s at the precision given",
        "precision": "fp32 (non-tensor), fp16_tensor (dense FP16/BF16 tensor), fp16",
        "flop_per_s_per_usd": "dense_flop_per_s / price_usd (nominal)",
        "published": PUBLISHED_DOC,
        "source": "pinned file URLs with row and column",
        "notes": "price basis and caveats",
    },
)
