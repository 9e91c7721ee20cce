"""Tables of the memory model: HBM generations and AI accelerators.

Provenance and verification of every row: ``data/sources/memory.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from forecast.tables.base import (
    PUBLISHED_DOC,
    OptionalText,
    Row,
    TableSpec,
    Text,
    count,
    date_from,
    positive,
    required,
)

Status = Literal["shipping", "announced"]


class HbmGenerationRow(Row):
    """One HBM standard or product (``data/hbm_generations.csv``)."""

    generation: Literal["HBM", "HBM2", "HBM2E", "HBM3", "HBM3E", "HBM4", "HBM4E"]
    variant: Text
    standard_or_product: Literal["standard", "product"]
    year: Annotated[int, Field(ge=2010, le=2100)]
    year_basis: Literal["standard", "mass_production", "announced"]
    interface_width_bits: Annotated[int, Field(ge=256, le=8192)]
    pin_rate_gbps: required(0.5, 100.0)
    stack_bandwidth_gbps: required(50.0, 50_000.0)
    max_stack_height: count(64) = None
    max_stack_capacity_gb: positive(0.5, 1024.0)
    status: Status
    notes: OptionalText = None

    @model_validator(mode="after")
    def _width_times_pin_rate(self) -> HbmGenerationRow:
        expected = self.interface_width_bits * self.pin_rate_gbps / 8.0
        if abs(self.stack_bandwidth_gbps / expected - 1.0) > 0.01:
            raise ValueError(
                f"stack_bandwidth_gbps: {self.stack_bandwidth_gbps} GB/s, but width x pin rate / 8 "
                f"is {expected:g} GB/s (check the units: GB/s per stack)"
            )
        if self.published.year < self.year:
            raise ValueError(f"published: {self.published} is before the row's year {self.year}")
        return self


class AcceleratorRow(Row):
    """One AI accelerator (``data/accelerators.csv``)."""

    accelerator: Text
    vendor: Text
    release_date: date_from(dt.date(2010, 1, 1))
    memory_type: Text
    hbm_stacks: count(64) = None
    memory_capacity_gb: positive(1.0, 10_000.0)
    memory_bandwidth_tbps: required(0.05, 200.0)
    dense_bf16_tflops: positive(1.0, 1e6)
    dense_fp8_tflops: positive(1.0, 1e6)
    tdp_w: positive(10.0, 10_000.0)
    status: Status
    notes: OptionalText = None

    @model_validator(mode="after")
    def _consistent(self) -> AcceleratorRow:
        if self.status == "shipping" and self.dense_bf16_tflops is None:
            raise ValueError("dense_bf16_tflops: a shipping part needs its dense 16-bit FLOP/s")
        if self.dense_bf16_tflops and self.dense_fp8_tflops:
            if self.dense_fp8_tflops < self.dense_bf16_tflops:
                raise ValueError("dense_fp8_tflops: below the 16-bit figure (check the columns)")
        return self


HBM_GENERATIONS = TableSpec(
    name="hbm_generations",
    row_model=HbmGenerationRow,
    key=("variant",),
    description="HBM standards and products, HBM (2013) to HBM4E (2026).",
    columns_doc={
        "generation": "HBM, HBM2, HBM2E, HBM3, HBM3E, HBM4, HBM4E",
        "variant": "JEDEC document or vendor product (unique)",
        "standard_or_product": "standard (JEDEC) or product (a vendor part)",
        "year": "year of the standard, mass production or announcement",
        "year_basis": "standard, mass_production or announced",
        "interface_width_bits": "data I/O bits per stack",
        "pin_rate_gbps": "Gb/s per data pin",
        "stack_bandwidth_gbps": "GB/s per stack = width x pin rate / 8",
        "max_stack_height": "DRAM dies per stack",
        "max_stack_capacity_gb": "GB per stack",
        "status": "shipping or announced",
        "published": PUBLISHED_DOC,
        "source": "URLs",
        "notes": "conversions and caveats",
    },
)

ACCELERATORS = TableSpec(
    name="accelerators",
    row_model=AcceleratorRow,
    key=("accelerator",),
    date_column="release_date",
    description="AI accelerators 2016-2026: memory bandwidth and dense FLOP/s.",
    columns_doc={
        "accelerator": "product name (unique)",
        "vendor": "NVIDIA, AMD, Google, Intel, Amazon",
        "release_date": "ISO date of release (announcement for announced parts)",
        "memory_type": "HBM generation",
        "hbm_stacks": "HBM stacks per package (blank if unpublished)",
        "memory_capacity_gb": "GB of HBM",
        "memory_bandwidth_tbps": "TB/s of memory bandwidth",
        "dense_bf16_tflops": "dense BF16/FP16 TFLOP/s (tensor cores where present)",
        "dense_fp8_tflops": "dense FP8 TFLOP/s where known",
        "tdp_w": "thermal design power, W",
        "status": "shipping or announced (not yet shipped)",
        "published": PUBLISHED_DOC,
        "source": "URLs",
        "notes": "conversions and caveats",
    },
)
