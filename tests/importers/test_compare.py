"""``datawall data compare``: an Epoch AI export set against our tables, field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forecast.importers.compare import RELATIVE_TOLERANCE, compare_epoch
from tests.helpers import EPOCH_EXPORT, run_cli


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAWALL_TODAY", "2026-11-23")


def _bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "data").glob("*.csv"))}


def test_compare_counts_per_table_and_field_on_the_47_column_fixture(project, capsys):
    before = _bytes(project)
    assert run_cli("data", "compare", str(EPOCH_EXPORT), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["relative_tolerance"] == RELATIVE_TOLERANCE
    models = report["tables"]["models"]
    # The six real models of the fixture that models.csv holds (the Fixture-... rows it does not).
    assert models["rows_in_both"] == 6
    assert "Fixture-LM-A" in models["only_in_export"]
    compute = models["fields"]["training_compute_flop"]
    assert (compute["matched"], compute["differ"]) == (6, 0)
    dataset = models["fields"]["dataset_tokens"]
    differences = {d["model"]: (d["ours"], d["export"]) for d in dataset["differences"]}
    # GPT-3: the paper's 499B-token mixture against Epoch's 238B (its dataset definition).
    assert differences["GPT-3 175B (davinci)"] == (4.99e11, 2.38e11)
    assert dataset["matched"] + dataset["differ"] + dataset["blank_in_ours"] <= 6
    # The frontier: our rule against Epoch's flag (BERT-Large leads the language models of 2018).
    frontier = models["fields"]["frontier"]
    assert ("BERT-Large", True, False) in {
        (d["model"], d["ours"], d["export"]) for d in frontier["differences"]
    }
    costs = report["tables"]["training_costs"]
    amortized = costs["fields"]["amortized_hw_energy_cost_usd_2023"]
    grok = next(d for d in amortized["differences"] if d["model"] == "Grok 3")
    assert grok["ours"] == pytest.approx(3.001e8, rel=1e-3)
    assert grok["export"] == pytest.approx(2.178e8, rel=1e-3)
    power = report["tables"]["training_runs_power"]
    assert power["fields"]["power_mw"]["matched"] == power["rows_in_both"] == 4
    assert _bytes(project) == before  # it changes nothing


def test_a_value_within_the_tolerance_matches_and_one_beyond_it_differs(project, tmp_path):
    text = EPOCH_EXPORT.read_text(encoding="utf-8")
    export = tmp_path / "export.csv"
    # GPT-3's compute is 3.14e+23 in both: nudge it by 0.1% (a match), then by 2% (a difference).
    export.write_text(text.replace("3.14e+23", "3.1431e+23", 1), encoding="utf-8")
    field = compare_epoch(export).tables["models"].fields["training_compute_flop"]
    assert (field.matched, len(field.differs)) == (6, 0)
    export.write_text(text.replace("3.14e+23", "3.2e+23", 1), encoding="utf-8")
    field = compare_epoch(export).tables["models"].fields["training_compute_flop"]
    assert [(d.model, d.ours, d.export) for d in field.differs] == [
        ("GPT-3 175B (davinci)", 3.14e23, 3.2e23)
    ]


def test_text_report_names_both_values(project, capsys):
    assert run_cli("data", "compare", str(EPOCH_EXPORT)) == 0
    out = capsys.readouterr().out
    assert "numbers agree within 0.5%" in out
    assert "GPT-3 175B (davinci) (export line 2): ours 4.99e+11, export 2.38e+11" in out
    assert out.rstrip().endswith("nothing written")


def test_a_missing_export_exits_2(project, capsys, tmp_path):
    assert run_cli("data", "compare", str(tmp_path / "nope.csv")) == 2
    assert "file not found" in capsys.readouterr().err
