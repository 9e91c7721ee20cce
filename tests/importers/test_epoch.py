"""``datawall data import-epoch``: Epoch AI exports into the data tables.

The fixture ``fixtures/epoch_notable_models.csv`` has the 47 columns of Epoch's Notable AI
Models download (July 2026). Nine rows are real models with Epoch's published values; the rest
are invented ("Fixture-...") to exercise messy cells. Where each row starts (header = line 1;
three cells span several lines): GPT-3 2, BERT-Large 5, Llama 3.1-405B 6, DeepSeek-V3 7,
Llama 3.2 11B 8, Claude 3.7 Sonnet 9, Grok 3 10, Segment Anything Model 11, EfficientNetV2-XL 14,
Fixture-LM-A 15, -B 16, -C 17, -D 19, -E 20, -F 21, -G 22, -H 23, -I 24, -A again 25, -J 26,
Fixture-Vision-K 27, blank model 28.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from forecast.data import load_table
from forecast.errors import InputError
from forecast.fingerprint import file_digest
from forecast.importers import epoch
from forecast.importers.merge import RowSkipped
from tests.helpers import EPOCH_EXPORT, bad_copy, run_cli

TABLES = ("models", "training_runs_power", "training_costs")
ROWS = 22
#: The rows that are no cost and no power row (lines), for the two value-driven tables.
NO_VALUE = [8, 9, 15, 16, 17, 19, 20, 21, 22, 23, 24, 26]


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAWALL_TODAY", "2026-11-23")


def _bytes(root: Path) -> dict[str, bytes]:
    return {name: (root / "data" / f"{name}.csv").read_bytes() for name in TABLES}


def _import(capsys: pytest.CaptureFixture[str], *options: str) -> dict:
    assert run_cli("data", "import-epoch", str(EPOCH_EXPORT), "--json", *options) == 0
    return json.loads(capsys.readouterr().out)


def _row(table: str, model: str) -> dict:
    frame = load_table(table)
    return frame[frame["model"] == model].iloc[0].to_dict()


# ---------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    ("text", "value", "estimate"),
    [
        ("3.14e+23", 3.14e23, False),
        ("1,000", 1000.0, False),
        ("1,300,000,000", 1.3e9, False),
        ("$6770000.00", 6.77e6, False),
        ("$2,500", 2500.0, False),
        ("~1e25", 1e25, True),
        ("≈ 2e24", 2e24, True),
        ("approx. 3e20", 3e20, True),
        ("1.2e24 (estimate)", 1.2e24, True),
        ("", None, False),
        ("unknown", None, False),
        ("N/A", None, False),
    ],
)
def test_parse_number_reads_messy_cells(text, value, estimate):
    number = epoch.parse_number(text, "Parameters")
    assert number.value == value
    assert number.estimate is estimate
    if text and value is None:
        assert number.note == f"Epoch Parameters {text!r} read as blank"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("about 5 billion", "not a number"),
        ("1e24 (lower bound)", "not a number"),
        ("2260275840,2290000001", "several values"),
        ("1,00", "several values"),
    ],
)
def test_parse_number_refuses_text_with_column_and_value(text, reason):
    with pytest.raises(RowSkipped) as info:
        epoch.parse_number(text, "Training compute (FLOP)")
    assert (info.value.column, info.value.reason, info.value.value) == (
        "Training compute (FLOP)",
        reason,
        text,
    )


def test_parse_count_wants_whole_numbers():
    assert epoch.parse_count("16384.0", "Hardware quantity") == 16384
    assert epoch.parse_count("10,000", "Hardware quantity") == 10000
    assert epoch.parse_count("", "Hardware quantity") is None
    with pytest.raises(RowSkipped, match="not a whole number"):
        epoch.parse_count("12.5", "Hardware quantity")


@pytest.mark.parametrize(
    ("text", "date", "partial"),
    [
        ("2023", dt.date(2023, 12, 31), True),
        ("2023-05", dt.date(2023, 5, 31), True),
        ("2024-02", dt.date(2024, 2, 29), True),
        ("2023-02", dt.date(2023, 2, 28), True),
        ("2023-05-17", dt.date(2023, 5, 17), False),
    ],
)
def test_partial_dates_become_the_end_of_their_period(text, date, partial):
    parsed, note = epoch.parse_publication_date(text)
    assert parsed == date
    assert (note is not None) is partial
    if partial:
        assert f"taken as {date}, the end of the period" in note


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "blank"), ("May 2023", "not a date"), ("2023-13", "not a date"), ("2023-02-30", "not")],
)
def test_bad_dates_are_refused(text, reason):
    with pytest.raises(RowSkipped) as info:
        epoch.parse_publication_date(text)
    assert info.value.column == "Publication date"
    assert info.value.reason.startswith(reason)


@pytest.mark.parametrize(
    ("domain", "language"),
    [
        ("Language", True),
        ("language", True),
        ("Multimodal,Language,Vision", True),
        ("Vision, Language", True),
        ("Vision", False),
        ("Languages", False),
        ("", False),
    ],
)
def test_language_domain_among_several(domain, language):
    assert epoch.has_language(domain) is language


def test_mixture_of_experts_is_read_from_parameter_notes():
    deepseek = "Mixture-of-Experts (MoE) language model with 671B total parameters"
    mixtral = "46.7B *sparse* params. 12.9B params used on average"
    gpt3 = "we train GPT-3 ... with 175 billion parameters\nTable D.1: 174,600 million parameters"
    assert epoch.is_mixture_of_experts(deepseek)
    assert epoch.is_mixture_of_experts(mixtral)
    assert not epoch.is_mixture_of_experts(gpt3)


# ---------------------------------------------------------------------------- the fixture


def test_fixture_report_counts_every_row_once(project, capsys):
    report = _import(capsys, "--dry-run")
    assert report["rows_read"] == ROWS
    assert report["sha256"] == file_digest(EPOCH_EXPORT)
    assert report["missing_columns"] == []
    assert report["written"] == []
    for name in TABLES:
        table = report["tables"][name]
        parts = ("added", "updated", "unchanged", "differs", "skipped")
        assert sum(table[p] for p in parts) == ROWS, name
        assert len(table["skipped_rows"]) == table["skipped"]


def test_fixture_models(project, capsys):
    table = _import(capsys, "--dry-run")["tables"]["models"]
    assert table["added_models"] == [
        "Llama 3.2 11B",
        "Segment Anything Model",  # a vision model: its record, for its power and cost rows
        "EfficientNetV2-XL",
        "Fixture-LM-A",
        "Fixture-LM-B",
        "Fixture-LM-C",
        "Fixture-LM-D",
        "Fixture-Vision-K",
    ]
    assert (table["updated"], table["unchanged"]) == (0, 3)
    assert table["differs_models"] == ["GPT-3 175B (davinci)", "BERT-Large", "Grok 3"]
    assert table["skipped_by_reason"] == {
        "Parameters: not a number": {"count": 1, "lines": [20]},
        "Training dataset size (total): several values": {"count": 1, "lines": [21]},
        "organization: refused by the row checks": {"count": 1, "lines": [22]},
        "Publication date: blank": {"count": 1, "lines": [23]},
        "Training compute (FLOP): blank, and no dataset size either": {"count": 1, "lines": [24]},
        "Model: repeats the model of line 15": {"count": 1, "lines": [25]},
        "Publication date: after today": {"count": 1, "lines": [26]},
        "Model: blank": {"count": 1, "lines": [28]},
    }
    by_line = {row["line"]: row for row in table["skipped_rows"]}
    assert by_line[20]["value"] == "about 5 billion"
    assert by_line[21]["value"] == "2000000000000,1800000000000"
    assert by_line[22]["value"] == "required value is blank"
    assert by_line[26]["value"] == "2099-06-01 (today is 2026-11-23)"


def test_fixture_dataset_size_is_dataset_tokens_and_epochs_give_tokens_seen():
    export = epoch.read_export(EPOCH_EXPORT)
    context = epoch.Context.of(export, today=dt.date(2026, 11, 23))
    rows = {row.model: row for row in export.rows}
    bert = epoch.model_record(rows["BERT-Large"], context)
    # Epoch's 3.3B-word BooksCorpus + Wikipedia, seen 40 times: the 6ND check reads tokens seen.
    assert bert["dataset_tokens"] == pytest.approx(2.6499e9)
    assert bert["tokens_seen"] == pytest.approx(40 * 2.6499e9)
    assert bert["published"] == bert["publication_date"] == dt.date(2018, 10, 11)
    epoch.validate_record(epoch.TABLES["models"], bert)
    sam = epoch.model_record(rows["Segment Anything Model"], context)
    assert sam["domain"] == "vision"  # its datapoints are images: no token columns
    assert sam["dataset_tokens"] is None and sam["tokens_seen"] is None


def test_fixture_power_and_cost_tables(project, capsys):
    tables = _import(capsys, "--dry-run")["tables"]
    power, cost = tables["training_runs_power"], tables["training_costs"]
    assert power["added_models"] == ["BERT-Large", "Segment Anything Model", "EfficientNetV2-XL"]
    assert (power["updated"], power["unchanged"], power["differs"]) == (0, 4, 0)
    assert power["skipped_by_reason"] == {
        "Training power draw (W): blank": {"count": 12, "lines": NO_VALUE},
        "Model: repeats the model of line 15": {"count": 1, "lines": [25]},
        "power_mw: refused by the row checks": {"count": 1, "lines": [27]},
        "Model: blank": {"count": 1, "lines": [28]},
    }
    refused = next(r for r in power["skipped_rows"] if r["line"] == 27)
    assert "30 W per chip" in refused["value"]  # 300,000 W over "10,000" chips
    assert cost["added_models"] == [
        "BERT-Large",
        "DeepSeek-V3",
        "Segment Anything Model",
        "EfficientNetV2-XL",
        "Fixture-Vision-K",
    ]
    assert cost["differs_models"] == ["GPT-3 175B (davinci)", "Llama 3.1-405B", "Grok 3"]
    assert cost["skipped_by_reason"] == {
        "Training compute cost (2023 USD): blank": {"count": 12, "lines": NO_VALUE},
        "Model: repeats the model of line 15": {"count": 1, "lines": [25]},
        "Model: blank": {"count": 1, "lines": [28]},
    }


def test_text_report(project, capsys):
    assert run_cli("data", "import-epoch", str(EPOCH_EXPORT), "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"{ROWS} rows, sha256 {file_digest(EPOCH_EXPORT)[:12]}" in out
    assert "models: 8 added, 0 updated, 3 unchanged, 3 differ, 8 skipped" in out
    assert "training_runs_power: 3 added, 0 updated, 4 unchanged, 0 differ, 15 skipped" in out
    assert "training_costs: 5 added, 0 updated, 0 unchanged, 3 differ, 14 skipped" in out
    assert (
        "differ (curated rows kept; --update replaces them): GPT-3 175B (davinci), BERT-Large, "
        "Grok 3" in out
    )
    assert "Parameters: not a number (1): line 20 Fixture-LM-E: about 5 billion" in out
    assert out.rstrip().endswith("dry run: nothing written")


def test_dry_run_writes_nothing(project, capsys):
    before = _bytes(project)
    _import(capsys, "--dry-run", "--update")
    assert _bytes(project) == before
    assert not list((project / "data").glob(".*.tmp"))


# ---------------------------------------------------------------------------- writing


def test_import_appends_rows_with_provenance_and_keeps_curated_rows(project, capsys):
    before = _bytes(project)
    report = _import(capsys)
    assert sorted(Path(p).name for p in report["written"]) == sorted(f"{t}.csv" for t in TABLES)
    for name in TABLES:  # curated rows untouched, byte for byte; new rows appended
        assert (project / "data" / f"{name}.csv").read_bytes().startswith(before[name])
    sha = file_digest(EPOCH_EXPORT)[:12]
    a = _row("models", "Fixture-LM-A")
    assert a["publication_date"] == a["published"] == dt.datetime(2023, 12, 31)
    assert "'2023' (year only) taken as 2023-12-31" in a["notes"]
    assert a["source"].endswith(f"epoch_notable_models.csv sha256:{sha} line 15")
    assert _row("models", "Fixture-LM-B")["publication_date"] == dt.datetime(2024, 3, 31)
    llama = _row("models", "Llama 3.2 11B")
    assert f"sha256:{sha} line 8 ; https://ai.meta.com/blog/llama-3-2" in llama["source"]
    assert llama["active_parameters"] == llama["parameters"] == 1.06e10
    assert "dense assumed" in llama["notes"]
    assert _row("models", "Fixture-LM-C")["estimated_fields"] == "training_compute_flop"
    assert _row("models", "Fixture-LM-D")["training_compute_flop"] == 1.2e24
    gpt3 = _row("models", "GPT-3 175B (davinci)")
    assert gpt3["tokens_seen"] == 3.0e11  # curated, not Epoch's 2.38e11 x 0.6 epochs
    assert _row("training_runs_power", "Segment Anything Model")["domain"] == "vision"
    assert _row("training_costs", "GPT-3 175B (davinci)")["amortized_hw_energy_cost_usd_2023"] == (
        2211639
    )
    bert = _row("training_runs_power", "BERT-Large")
    assert bert["power_mw"] == pytest.approx(0.037049928524)
    assert (bert["chip_count"], bert["hardware"]) == (64, "Google TPU v2")
    assert _row("training_costs", "Fixture-Vision-K")["amortized_hw_energy_cost_usd_2023"] == 2500
    assert run_cli("data", "check") == 0


def test_end_of_period_date_keeps_rows_out_of_earlier_as_of_cuts(project, capsys):
    _import(capsys)
    models = set(load_table("models", as_of=dt.date(2023, 12, 30))["model"])
    assert "Fixture-LM-A" not in models  # published "2023": not known before 2023-12-31
    assert "Fixture-LM-A" in set(load_table("models", as_of=dt.date(2023, 12, 31))["model"])


def test_update_replaces_differing_rows_and_keeps_what_the_export_lacks(project, capsys):
    report = _import(capsys, "--update")
    assert report["tables"]["models"]["updated_models"] == [
        "GPT-3 175B (davinci)",
        "BERT-Large",
        "Grok 3",
    ]
    assert report["tables"]["training_costs"]["updated_models"] == [
        "GPT-3 175B (davinci)",
        "Llama 3.1-405B",
        "Grok 3",
    ]
    gpt3 = _row("models", "GPT-3 175B (davinci)")
    assert gpt3["dataset_tokens"] == 2.38e11
    assert gpt3["tokens_seen"] == pytest.approx(0.6 * 2.38e11)  # Epoch's 0.6 epochs
    assert gpt3["source"].startswith("Epoch AI database export")
    cost = _row("training_costs", "GPT-3 175B (davinci)")
    assert cost["amortized_hw_energy_cost_usd_2023"] == pytest.approx(2116866.243)
    assert cost["cloud_cost_usd_2023"] == pytest.approx(4493219.86)
    # Epoch writes 0 where the cluster's price is unknown: read as blank, the curated value kept.
    assert cost["hardware_acquisition_cost_usd_2023"] > 1e6
    assert "kept from the curated row (blank in the import)" in cost["notes"]
    assert "curated source of the kept values: Cottier et al. 2024" in cost["source"]
    assert _row("models", "DeepSeek-V3")["active_parameters"] == 3.7e10  # unchanged
    assert run_cli("data", "check") == 0


def test_nothing_is_written_when_a_curated_table_is_invalid(project, capsys, tmp_path):
    bad = bad_copy(tmp_path, "training_costs", 5, "hardware", "")
    (project / "data" / "training_costs.csv").write_bytes(bad.read_bytes())
    before = _bytes(project)
    assert run_cli("data", "import-epoch", str(EPOCH_EXPORT)) == 2
    err = capsys.readouterr().err
    assert "training_costs.csv, line 5, column 'hardware'" in err
    assert _bytes(project) == before


def test_nothing_is_written_when_a_merged_table_fails_its_check(project, capsys, monkeypatch):
    from forecast import data

    checks = []
    read_rows = data.read_rows

    def refuse_merged_costs(path, spec, **kwargs):
        if Path(path).suffix == ".tmp":
            checks.append(spec.name)
            if spec.name == "training_costs":
                raise InputError(path, "simulated failure", row=3, column="hardware")
        return read_rows(path, spec, **kwargs)

    monkeypatch.setattr(data, "read_rows", refuse_merged_costs)
    before = _bytes(project)
    assert run_cli("data", "import-epoch", str(EPOCH_EXPORT)) == 2
    err = capsys.readouterr().err
    assert "training_costs.csv, line 3, column 'hardware': merged table refused" in err
    assert checks == list(TABLES)  # the other two validated but were not moved into place
    assert _bytes(project) == before
    assert not list((project / "data").glob(".*.tmp"))


def test_a_merged_row_naming_an_unknown_model_is_refused_and_nothing_written(project, capsys):
    # A cost row whose model's record cannot be imported is skipped, never written dangling.
    report = _import(capsys, "--dry-run")
    skipped = report["tables"]["training_costs"]["skipped_rows"]
    assert all(
        r["reason"] != "no record in models (its row was skipped)" or r["line"] for r in skipped
    )
    costs = project / "data" / "training_costs.csv"
    frame = pd.read_csv(costs, dtype=str, keep_default_na=False)
    frame.loc[0, "model"] = "Nobody's Model"
    frame.to_csv(costs, index=False)
    before = _bytes(project)
    assert run_cli("data", "import-epoch", str(EPOCH_EXPORT)) == 2
    assert 'unknown model "Nobody\'s Model"' in capsys.readouterr().err
    assert _bytes(project) == before


# ---------------------------------------------------------------------------- bad input


def _write(path: Path, header: list[str], rows: list[list[str]], encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_missing_column_exits_2_naming_file_and_column(project, capsys, tmp_path):
    path = _write(tmp_path / "export.csv", ["Model", "Parameters"], [["X", "1e9"]])
    before = _bytes(project)
    assert run_cli("data", "import-epoch", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}, line 1, column 'Publication date': missing column 'Publication date'" in err
    assert _bytes(project) == before


def test_export_without_value_columns_exits_2(project, capsys, tmp_path):
    path = _write(tmp_path / "export.csv", ["Model", "Publication date"], [["X", "2024"]])
    assert run_cli("data", "import-epoch", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}, line 1: missing value columns: none of Parameters" in err


def test_missing_file_exits_2(project, capsys, tmp_path):
    assert run_cli("data", "import-epoch", str(tmp_path / "nope.csv")) == 2
    assert f"error: {tmp_path / 'nope.csv'}: file not found" in capsys.readouterr().err


def test_export_with_no_rows_exits_2(project, capsys, tmp_path):
    path = _write(tmp_path / "export.csv", ["Model", "Publication date", "Parameters"], [])
    assert run_cli("data", "import-epoch", str(path)) == 2
    assert "no data rows" in capsys.readouterr().err


# ---------------------------------------------------------------------------- other exports


def test_all_ml_systems_export_with_aliases_rank_and_estimation_method(project, capsys, tmp_path):
    # The columns of Epoch's All ML Systems export (no "Frontier model"; costs written "$...").
    header = [
        "Model",
        "Domain",
        "Organization",
        "Publication date",
        "Parameters",
        "Parameters notes",
        "Training compute (FLOP)",
        "Training dataset size (datapoints)",
        "Training hardware",
        "Model accessibility",
        "Training compute cost (2023 USD)",
        "Training compute estimation method",
        "Compute rank when published",
    ]
    rows = [
        ["Fixture-Rank-X", "Language", "Fixture Lab", "2024-05-01", "1e10", "", "6e23", "1e13",
         "NVIDIA H100 SXM5 80GB", "API access", "$1200000.00", "Hardware", "3"],
        ["Fixture-MoE-Y", "Language", "Fixture Lab", "2024-06-01", "1e11",
         "Mixture-of-Experts, 10B active", "6e22", "1e13", "", "", "", "Reported", "40"],
    ]  # fmt: skip
    path = _write(tmp_path / "all_ml_systems.csv", header, rows, encoding="utf-8-sig")
    report = _import_file(capsys, path)
    assert report["missing_columns"] == ["Hardware quantity", "Link"]
    assert report["tables"]["models"]["added_models"] == [
        "Fixture-Rank-X",
        "Fixture-MoE-Y",
    ]
    assert report["tables"]["training_costs"]["added_models"] == ["Fixture-Rank-X"]
    x = _row("models", "Fixture-Rank-X")
    assert x["dataset_tokens"] == 1e13 and pd.isna(x["tokens_seen"])  # no epochs: unknown
    assert x["estimated_fields"] == "training_compute_flop"  # method "Hardware", not "Reported"
    assert "'Training dataset size (datapoints)'" in x["notes"]
    # The rank is Epoch's answer, not ours: the flag comes from the rule over models.csv.
    assert x["frontier"] == bool(
        load_table("models").set_index("model")["frontier"]["Fixture-Rank-X"]
    )
    y = _row("models", "Fixture-MoE-Y")
    assert pd.isna(y["active_parameters"])
    assert pd.isna(y["estimated_fields"]) and not y["open_weights"]
    assert "open_weights set false" in y["notes"]
    assert _row("training_costs", "Fixture-Rank-X")["amortized_hw_energy_cost_usd_2023"] == 1.2e6


def _import_file(capsys: pytest.CaptureFixture[str], path: Path) -> dict:
    assert run_cli("data", "import-epoch", str(path), "--json") == 0
    return json.loads(capsys.readouterr().out)


def test_models_are_fitted_on_the_imported_rows(project, capsys):
    from forecast import fit as fitting
    from forecast.scenarios import load_scenario

    report = _import(capsys)
    added = {n for table in report["tables"].values() for n in table["added_models"]}
    plans = fitting.plan_all(["all"], load_scenario(None))
    fitted = set()
    for plan in plans.values():
        for rows in plan.inputs.all_rows().values():
            if "model" in rows:
                fitted |= set(rows["model"])
    reached = added & fitted
    assert reached, (sorted(added), "none reach a model")
    # Their provenance travels with them into the rows the fits store.
    sources = [
        source
        for plan in plans.values()
        for rows in plan.inputs.all_rows().values()
        if "model" in rows
        for model, source in zip(rows["model"], rows["source"], strict=True)
        if model in reached
    ]
    assert any(EPOCH_EXPORT.name in source for source in sources)
