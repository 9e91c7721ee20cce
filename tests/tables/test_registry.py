"""The registry of tables, and the checks of the capex and price-index tables."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from forecast.data import check_tables
from forecast.errors import InputError
from forecast.tables import TABLES
from tests.helpers import REPO, assert_row_refused

EVERY_TABLE = [
    "models",
    "chinchilla_runs",
    "training_runs_power",
    "datacenter_capacity",
    "grid_connection",
    "hbm_generations",
    "accelerators",
    "training_costs",
    "hardware_price_performance",
    "ai_capex",
    "price_index",
]

CHECK_IN_A_FRESH_INTERPRETER = """
import sys
from forecast.data import check_all
print(" ".join(check_all(sys.argv[1])))
assert not [m for m in sys.modules if m.startswith("forecast.models")], "models imported"
"""


def test_a_fresh_interpreter_checks_every_table_without_the_models():
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHECK_IN_A_FRESH_INTERPRETER), str(REPO / "data")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == EVERY_TABLE


def test_datawall_data_check_names_every_table():
    done = subprocess.run(
        [sys.executable, "-m", "forecast.cli", "data", "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    checked = [line.split(":")[0] for line in done.stdout.splitlines() if " rows ok" in line]
    assert checked == [f"data/{name}.csv" for name in EVERY_TABLE]


def test_the_registry_names_each_table_by_its_own_name_and_every_csv_has_one():
    assert all(name == spec.name for name, spec in TABLES.items())
    assert sorted(p.stem for p in (REPO / "data").glob("*.csv")) == sorted(TABLES)


@pytest.mark.parametrize(
    ("table", "line", "column", "value", "message"),
    [
        ("ai_capex", 46, "published", "2020-12-30", "before the end of the period"),
        ("ai_capex", 57, "published", "2020-05-30", "figure covers (2020-05-31)"),
        ("ai_capex", 46, "capex_usd", "2.9e12", "less than or equal to 1000000000000"),
        ("ai_capex", 46, "kind", "actual", "'reported' or 'guidance'"),
        ("price_index", 5, "month", "2010-04-15", "not the first day of a month"),
        ("price_index", 5, "published", "2010-03-31", "before the month 2010-04-01"),
        ("price_index", 5, "value", "-1", "greater than 0"),
    ],
)
def test_a_bad_capex_or_index_row_is_refused(tmp_path, table, line, column, value, message):
    assert_row_refused(tmp_path, table, line, column, value, message)


def _checked_without(tmp_path, table: str, drop: int | None = None, **cells: tuple[int, str]):
    """Check a copy of a bundled table with one row dropped or some cells changed."""
    frame = pd.read_csv(REPO / "data" / f"{table}.csv", dtype=str, keep_default_na=False)
    for column, (line, value) in cells.items():
        frame.loc[line - 2, column] = value
    if drop is not None:
        frame = frame.drop(index=drop - 2)
    path = tmp_path / f"{table}.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        check_tables({table: path}, directory=REPO / "data")
    return info.value


def test_a_missing_reported_year_or_a_second_basis_is_refused(tmp_path):
    error = _checked_without(tmp_path, "ai_capex", drop=46)
    assert "Microsoft has no reported row for 2020" in str(error) and error.column == "year"
    error = _checked_without(tmp_path, "ai_capex", basis=(46, "calendar year, gross"))
    assert error.row == 46 and error.column == "basis" and "one basis" in str(error)


def test_a_missing_month_is_refused(tmp_path):
    error = _checked_without(tmp_path, "price_index", drop=5)
    assert "misses 2010-04-01" in str(error) and error.column == "month"
