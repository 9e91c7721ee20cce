"""Row schemas of every table in ``data/``, and the one registry of them.

Each module declares one topic's tables; :data:`TABLES` names every one of them explicitly, in
the order ``datawall data check`` reads them (a table comes after those it refers to). Nothing
registers itself on import: a table is known once it is in this dict. The loading machinery
(line numbers, headers, duplicates, references, as-of cuts) lives in :mod:`forecast.data`.
"""

from __future__ import annotations

from forecast.tables.base import TableSpec
from forecast.tables.capex import AI_CAPEX, PRICE_INDEX
from forecast.tables.chinchilla import CHINCHILLA_RUNS
from forecast.tables.cost import HARDWARE_PRICE_PERFORMANCE, TRAINING_COSTS
from forecast.tables.memory import ACCELERATORS, HBM_GENERATIONS
from forecast.tables.models import MODELS
from forecast.tables.power import DATACENTER_CAPACITY, GRID_CONNECTION, TRAINING_RUNS_POWER

#: Every table, by name, referenced tables first.
TABLES: dict[str, TableSpec] = {
    "models": MODELS,
    "chinchilla_runs": CHINCHILLA_RUNS,
    "training_runs_power": TRAINING_RUNS_POWER,
    "datacenter_capacity": DATACENTER_CAPACITY,
    "grid_connection": GRID_CONNECTION,
    "hbm_generations": HBM_GENERATIONS,
    "accelerators": ACCELERATORS,
    "training_costs": TRAINING_COSTS,
    "hardware_price_performance": HARDWARE_PRICE_PERFORMANCE,
    "ai_capex": AI_CAPEX,
    "price_index": PRICE_INDEX,
}
