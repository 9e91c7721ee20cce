"""Row schemas of every table in ``data/``, and the one registry of them.

Each module declares one domain's tables; :data:`TABLES` lists them all, in the order
``datawall data check`` reads them (a table comes after those it refers to). The loading
machinery (line numbers, headers, duplicates, references, as-of cuts) lives in
:mod:`forecast.data`.
"""

from __future__ import annotations

from forecast.tables.base import TableSpec
from forecast.tables.chinchilla import CHINCHILLA_RUNS
from forecast.tables.cost import HARDWARE_PRICE_PERFORMANCE, TRAINING_COSTS
from forecast.tables.memory import ACCELERATORS, HBM_GENERATIONS
from forecast.tables.models import MODELS
from forecast.tables.power import DATACENTER_CAPACITY, GRID_CONNECTION, TRAINING_RUNS_POWER

#: Every table, by name, referenced tables first.
TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        MODELS,
        CHINCHILLA_RUNS,
        TRAINING_RUNS_POWER,
        DATACENTER_CAPACITY,
        GRID_CONNECTION,
        HBM_GENERATIONS,
        ACCELERATORS,
        TRAINING_COSTS,
        HARDWARE_PRICE_PERFORMANCE,
    )
}
