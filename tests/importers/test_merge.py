"""Merging imported rows into a curated table by its key, and writing tables all or nothing."""

from __future__ import annotations

import pytest

from forecast.data import TABLES
from forecast.errors import InputError
from forecast.importers.merge import (
    TablePlan,
    merge,
    read_curated,
    validate_record,
    write_tables,
)

SPEC = TABLES["models"]


@pytest.fixture
def curated(project):
    return read_curated(project / "data" / "models.csv", SPEC)


def _imported(curated, name: str, **changes) -> object:
    """An imported row: a curated row's cells with ``changes`` (a new name makes a new key)."""
    cells = next(dict(c) for c, row in curated if row.model == name)
    cells.update({k: str(v) for k, v in changes.items()})
    return validate_record(SPEC, cells)


def test_new_keys_are_appended_and_equal_values_are_unchanged(curated):
    new = _imported(curated, "GNMT", model="GNMT-2", source="an import")
    same = _imported(curated, "Xception", source="another source", notes="")
    records, report = merge(SPEC, curated, [(2, new), (3, same)], update=False)
    assert report.added == ["GNMT-2"] and report.unchanged == ["Xception"]
    assert len(records) == len(curated) + 1 and records[-1]["model"] == "GNMT-2"
    assert records[: len(curated)] == [cells for cells, _ in curated]  # curated rows untouched


def test_a_value_that_differs_is_kept_unless_updated_and_a_blank_keeps_the_curated_cell(curated):
    row = _imported(curated, "Xception", training_compute_flop="9e20", parameters="")
    _, kept = merge(SPEC, curated, [(2, row)], update=False)
    assert kept.differs == ["Xception"] and not kept.updated
    records, report = merge(SPEC, curated, [(2, row)], update=True)
    assert report.updated == ["Xception"]
    updated = next(r for r in records if r["model"] == "Xception")
    assert float(updated["training_compute_flop"]) == 9e20
    assert float(updated["parameters"]) == 2.2856e7  # blank in the import: curated cell kept
    assert "kept from the curated row (blank in the import): parameters" in updated["notes"]


def test_a_value_within_rounding_is_the_same_value(curated):
    row = _imported(curated, "Xception", training_compute_flop="4.3601e20")
    _, report = merge(SPEC, curated, [(2, row)], update=True)
    assert report.unchanged == ["Xception"] and not report.updated


def test_a_new_key_equal_but_for_case_and_punctuation_is_skipped(curated):
    row = _imported(curated, "Xception", model="X-ception ")
    records, report = merge(SPEC, curated, [(7, row)], update=False)
    assert not report.added and len(records) == len(curated)
    (skipped,) = report.skipped
    assert skipped.line == 7 and skipped.column == "model" and "but for case" in skipped.reason


def test_tables_are_written_together_or_not_at_all(project, curated):
    path = project / "data" / "models.csv"
    before = path.read_bytes()
    new = _imported(curated, "GNMT", model="GNMT-2", source="an import")
    records, report = merge(SPEC, curated, [(2, new)], update=False)
    # A record the table's checks refuse once written (a duplicate key): nothing is replaced.
    broken = TablePlan(SPEC, path, [*records, records[-1]], report)
    with pytest.raises(InputError, match="merged table refused"):
        write_tables([broken])
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary left
    assert write_tables([TablePlan(SPEC, path, records, report)]) == [path]
    assert "GNMT-2" in path.read_text() and path.read_bytes() != before
