"""The table of record for models: one row per model, read by every table that names one.

A model's date, parameters, tokens and training compute live here and nowhere else; the cost
and power tables refer to a model by its name and hold only what is theirs. Provenance of every
row: ``data/sources/models.md``.

The frontier is a rule computed from the data, not a flag (:func:`frontier_flags`): a model is
frontier if it is among the ``top_n`` most compute-intensive models of its domain scope
published on or before its own publication date (Epoch AI's definition, top 10 at release).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import model_validator

from forecast.tables.base import (
    PUBLISHED_DOC,
    Flag,
    OptionalText,
    Row,
    TableSpec,
    Text,
    date_from,
    positive,
)

#: Domains a model may have; ``language`` covers multimodal language models (GPT-4, Gemini).
DOMAINS = (
    "language",
    "vision",
    "games",
    "image_generation",
    "speech",
    "biology",
    "multimodal",
    "recommendation",
    "other",
)
#: Scopes of the frontier ranking: language models only, or every domain (Epoch's database).
FRONTIER_SCOPES = ("language", "all")
#: Epoch AI's definition: among the 10 most compute-intensive models at release.
FRONTIER_TOP_N = 10
#: The numeric columns ``estimated_fields`` may name.
NUMERIC_COLUMNS = (
    "parameters",
    "active_parameters",
    "dataset_tokens",
    "tokens_seen",
    "training_compute_flop",
)
#: Tokens seen over dataset tokens (epochs): below 0.1 or above 1,000 is a slip.
EPOCHS_RANGE = (0.1, 1000.0)
#: Training compute over 6 N D (tokens seen): outside this range is a unit slip.
SIX_ND_RANGE = (0.1, 10.0)
#: The earliest publication date of a model in the table.
EARLIEST_MODEL = dt.date(2010, 1, 1)


class ModelRow(Row):
    """One model (``data/models.csv``)."""

    model: Text
    organization: Text
    domain: Literal[DOMAINS]  # type: ignore[valid-type]
    publication_date: date_from(EARLIEST_MODEL)
    parameters: positive(1e6, 1e14)
    active_parameters: positive(1e6, 1e14)
    dataset_tokens: positive(1e8, 1e15)
    tokens_seen: positive(1e8, 1e16)
    training_compute_flop: positive(1e15, 1e31)
    open_weights: Flag
    estimated_fields: OptionalText = None
    frontier_exclusion: OptionalText = None
    notes: OptionalText = None

    @model_validator(mode="after")
    def _consistent(self) -> ModelRow:
        if self.estimated_fields:
            for name in self.estimated_fields.split(";"):
                if name.strip() not in NUMERIC_COLUMNS:
                    raise ValueError(
                        f"estimated_fields: unknown column '{name.strip()}'; "
                        f"expected names from {', '.join(NUMERIC_COLUMNS)}"
                    )
        if self.published < self.publication_date:
            raise ValueError(
                f"published: {self.published} is before the model's publication_date "
                f"{self.publication_date}; a figure cannot be public before its model"
            )
        if self.parameters and self.active_parameters and self.active_parameters > self.parameters:
            raise ValueError("active_parameters: exceeds total parameters")
        if self.dataset_tokens and self.tokens_seen:
            epochs = self.tokens_seen / self.dataset_tokens
            lo, hi = EPOCHS_RANGE
            if not lo <= epochs <= hi:
                raise ValueError(
                    f"tokens_seen: {self.tokens_seen:.3g} is {epochs:.3g} epochs over "
                    f"dataset_tokens {self.dataset_tokens:.3g}; expected {lo:g}-{hi:g}"
                )
        # 6ND holds for the parameters active per token and the tokens seen.
        n, d, c = self.active_parameters, self.tokens_seen, self.training_compute_flop
        if n and d and c:
            ratio = c / (6.0 * n * d)
            lo, hi = SIX_ND_RANGE
            if not lo <= ratio <= hi:
                raise ValueError(
                    f"training_compute_flop: {c:.3g} FLOP is {ratio:.2g}x 6*N*D (N active "
                    f"parameters, D tokens seen); expected within a factor 10 (check the units)"
                )
        if self.frontier_exclusion is not None and len(self.frontier_exclusion) < 8:
            raise ValueError("frontier_exclusion: give the reason the model is left out")
        return self


@dataclass(frozen=True)
class FrontierRule:
    """How the frontier is ranked: the ``top_n`` models at release, over ``scope``'s domains.

    Read from a scenario's ``[data]`` section (``frontier_top_n``, ``frontier_scope``), the same
    for every table and every model of the scenario.
    """

    top_n: int = FRONTIER_TOP_N
    scope: str = "language"

    def to_config(self) -> dict[str, int | str]:
        """Return the rule as plain data (recorded in every fit's config)."""
        return {"frontier_top_n": self.top_n, "frontier_scope": self.scope}


def frontier_flags(
    models: pd.DataFrame, top_n: int = FRONTIER_TOP_N, scope: str = "language"
) -> pd.Series:
    """Return whether each model is frontier by the rule, aligned with ``models``' index.

    A model is frontier if fewer than ``top_n`` models of the scope published on or before its
    publication date have more training compute: it is among the ``top_n`` most
    compute-intensive at release. Models without a known compute, outside the scope, or with a
    ``frontier_exclusion`` are never frontier and never count against another model.

    Parameters
    ----------
    models : pandas.DataFrame
        The ``models`` table (cut at an as-of date or whole): ``publication_date``,
        ``training_compute_flop``, ``domain``, ``frontier_exclusion``.
    top_n : int
        How many models at release count as frontier (Epoch AI: 10).
    scope : {"language", "all"}
        The domains ranked together.

    Returns
    -------
    pandas.Series of bool
    """
    if top_n < 1:
        raise ValueError(f"top_n must be at least 1, got {top_n}")
    if scope not in FRONTIER_SCOPES:
        raise ValueError(f"scope must be one of {FRONTIER_SCOPES}, got {scope!r}")
    compute = models["training_compute_flop"].to_numpy(dtype=float)
    ranked = np.isfinite(compute) & models["frontier_exclusion"].isna().to_numpy()
    if scope == "language":
        ranked &= (models["domain"] == "language").to_numpy()
    dates = models["publication_date"].to_numpy(dtype="datetime64[ns]")
    c, d = compute[ranked], dates[ranked]
    # For each ranked model: the ranked models published by its date with more compute.
    above = ((d[None, :] <= d[:, None]) & (c[None, :] > c[:, None])).sum(axis=1)
    flags = np.zeros(len(models), dtype=bool)
    flags[np.flatnonzero(ranked)] = above < top_n
    return pd.Series(flags, index=models.index, name="frontier")


MODELS = TableSpec(
    name="models",
    row_model=ModelRow,
    key=("model",),
    date_column="publication_date",
    description="Models 2016-2026, one record each: date, parameters, tokens and compute.",
    columns_doc={
        "model": "model name as in Epoch AI's database (unique; other tables refer to it)",
        "organization": "developer(s)",
        "domain": f"one of {', '.join(DOMAINS)} (language includes multimodal LLMs)",
        "publication_date": "ISO date of release or publication (a trend's time axis)",
        "published": PUBLISHED_DOC,
        "parameters": "total parameters",
        "active_parameters": "parameters active per token (= parameters for dense models)",
        "dataset_tokens": "unique tokens in the training dataset (what a text stock limits)",
        "tokens_seen": "pre-training tokens seen: dataset tokens x epochs (6ND reads this)",
        "training_compute_flop": "total training compute, FLOP",
        "open_weights": "true if the weights are public",
        "estimated_fields": "numeric columns that are estimates, ';'-separated",
        "frontier_exclusion": "blank, or why the model is left out of the frontier ranking",
        "source": "URL or citation",
        "notes": "free text: conversions, disagreements between sources and the value kept",
    },
)
