"""Tables of the power model: training-run power, data-centre capacity, grid connection.

A training-run row names its model; the model's date, compute and frontier status are read
from ``models``. Provenance and verification of every row: ``data/sources/power.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from forecast.tables.base import (
    PUBLISHED_DOC,
    Flag,
    OptionalText,
    Row,
    TableSpec,
    Text,
    count,
    required,
)

#: All-in watts per chip (chip, server overhead and PUE) a training cluster can plausibly draw.
#: Epoch's values run from ~300 W (TPU v3, 2019) to ~1,400 W (H100, 2025); a value outside this
#: range is a unit slip (kW for MW, say).
WATTS_PER_CHIP_RANGE = (100.0, 5000.0)

Year = Annotated[float, Field(ge=2000.0, le=2100.0, allow_inf_nan=False)]
#: Columns of ``models`` each training-run row is read with.
MODEL_COLUMNS = ("organization", "domain", "publication_date", "training_compute_flop")


class TrainingRunPowerRow(Row):
    """One training run with its cluster's power draw (``data/training_runs_power.csv``)."""

    model: Text
    hardware: Text
    chip_count: count(10_000_000) = None
    power_mw: required(0.01, 1e5)
    power_is_estimate: Flag
    notes: OptionalText = None

    @model_validator(mode="after")
    def _watts_per_chip(self) -> TrainingRunPowerRow:
        if self.chip_count:
            watts = self.power_mw * 1e6 / self.chip_count
            lo, hi = WATTS_PER_CHIP_RANGE
            if not lo <= watts <= hi:
                raise ValueError(
                    f"power_mw: {self.power_mw} MW over {self.chip_count} chips is {watts:.0f} W "
                    f"per chip; expected {lo:.0f}-{hi:.0f} W (check the units: MW, not kW or W)"
                )
        return self


TRAINING_RUNS_POWER = TableSpec(
    name="training_runs_power",
    row_model=TrainingRunPowerRow,
    key=("model",),
    date_column="publication_date",
    description="Training runs 2018-2026 with their cluster power draw (MW).",
    columns_doc={
        "model": "model name, a row of models.csv (its date and compute are read there)",
        "hardware": "training hardware",
        "chip_count": "number of accelerators (blank if unpublished)",
        "power_mw": "power drawn by the training cluster, MW, with server overhead and PUE",
        "power_is_estimate": "true if we computed the power (formula in notes)",
        "published": PUBLISHED_DOC,
        "source": "dataset and pinned file URL",
        "notes": "Epoch flags, raw values, cross-snapshot differences",
    },
    references={"model": "models"},
    joined={"models": MODEL_COLUMNS},
)

CAPACITY_METRICS = ("consumption_twh", "capacity_gw", "ai_capacity_gw")
#: Plausible ranges per metric (a region's data centres, not a whole grid).
_METRIC_RANGE = {
    "consumption_twh": (0.1, 1e4),
    "capacity_gw": (0.01, 2000.0),
    "ai_capacity_gw": (0.01, 2000.0),
}


class DataCentreCapacityRow(Row):
    """One data-centre capacity or consumption figure (``data/datacenter_capacity.csv``)."""

    region: Text
    year: Year
    metric: Literal[CAPACITY_METRICS]
    value: required(1e-3, 1e5)
    kind: Literal["observed", "projection"]
    scenario: OptionalText = None
    publisher: Text
    notes: OptionalText = None

    @model_validator(mode="after")
    def _consistent(self) -> DataCentreCapacityRow:
        lo, hi = _METRIC_RANGE[self.metric]
        if not lo <= self.value <= hi:
            raise ValueError(f"value: {self.value} outside [{lo}, {hi}] for {self.metric}")
        if self.kind == "projection" and not self.scenario:
            raise ValueError("scenario: a projection must name its scenario")
        if self.kind == "observed" and self.scenario:
            raise ValueError("scenario: only projections have a scenario")
        if self.kind == "observed" and self.published.year < int(self.year):
            raise ValueError(
                f"published: {self.published} is before the year {self.year:g} it observes"
            )
        return self


DATACENTER_CAPACITY = TableSpec(
    name="datacenter_capacity",
    row_model=DataCentreCapacityRow,
    key=("region", "year", "metric", "publisher", "scenario"),
    description="Data-centre electricity use (TWh/yr) and capacity (GW), past and projected.",
    columns_doc={
        "region": "US, global, a country or a grid region",
        "year": "calendar year the figure describes",
        "metric": "consumption_twh (TWh/yr), capacity_gw or ai_capacity_gw (GW)",
        "value": "the figure, in the metric's unit",
        "kind": "observed (an estimate of the past) or projection",
        "scenario": "the projection's case (blank for observed rows)",
        "publisher": "who made the estimate (LBNL, IEA, ...)",
        "published": PUBLISHED_DOC,
        "source": "report and where its figure was read",
        "notes": "definitions and caveats",
    },
)


class GridConnectionRow(Row):
    """One figure on grid connection: queue durations and sizes, lead times."""

    region: Text
    year: Year
    metric: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    value: required(0.0, 1e5)
    notes: OptionalText = None

    @model_validator(mode="after")
    def _consistent(self) -> GridConnectionRow:
        if "years" in self.metric and self.value > 30:
            raise ValueError(f"value: {self.value} years is implausible for {self.metric}")
        if self.metric.endswith(("_rate_capacity", "_share")) and self.value > 1:
            raise ValueError(f"value: {self.metric} is a fraction, got {self.value}")
        if self.published.year < int(self.year):
            raise ValueError(
                f"published: {self.published} is before the year {self.year:g} it describes"
            )
        return self


GRID_CONNECTION = TableSpec(
    name="grid_connection",
    row_model=GridConnectionRow,
    key=("region", "year", "metric", "source"),
    description="Grid-connection evidence: interconnection queues and hookup lead times.",
    columns_doc={
        "region": "US or a grid region",
        "year": "year (decimal for a cohort's midpoint)",
        "metric": "snake_case name with its unit (..._years, ..._gw, ..._share)",
        "value": "the figure",
        "published": PUBLISHED_DOC,
        "source": "report and where its figure was read",
        "notes": "definitions, bounds and caveats",
    },
)
