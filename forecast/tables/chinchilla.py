"""The training runs of the Chinchilla loss law (Hoffmann et al. 2022, Fig. 4).

Provenance and verification: ``data/sources/chinchilla_runs.md``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from forecast.tables.base import PUBLISHED_DOC, Flag, Row, TableSpec, required


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


CHINCHILLA_RUNS = TableSpec(
    name="chinchilla_runs",
    row_model=ChinchillaRunRow,
    key=("run_id",),
    description="Chinchilla runs (N, C, final loss) as extracted by Besiroglu et al. 2024.",
    columns_doc={
        "run_id": "row number in the extracted file",
        "parameters": "model parameters N",
        "training_compute_flop": "training compute C, FLOP",
        "training_tokens": "training tokens D = C / (6 N)",
        "loss": "final training loss (nats per token)",
        "published": PUBLISHED_DOC,
        "source": "citation and pinned data URL",
        "used_in_replication_fit": "false for the 5 highest-loss runs Besiroglu et al. drop",
    },
)
