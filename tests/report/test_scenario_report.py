"""Scenario reports: the chosen scenarios beside the baseline, in HTML, PDF and CSV."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.helpers import run_cli


@pytest.fixture(scope="module")
def report_folder(stored_project):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_ROOT", str(stored_project))
        mp.setenv("DATAWALL_RUNS", str(stored_project / "runs"))
        assert run_cli("report", "--scenario", "small_stock", "--scenario", "grid_crunch") == 0
    return stored_project / "reports" / "scenarios" / "small_stock+grid_crunch"


def test_every_file_is_written_with_a_box_per_scenario(report_folder):
    for name in ("report.html", "report.pdf", "summary.json"):
        assert (report_folder / name).stat().st_size > 1000
    summary = json.loads((report_folder / "summary.json").read_text())
    names = [s["name"] for s in summary["scenarios"]]
    assert names == ["baseline", "small_stock", "grid_crunch"]
    assert set(summary["headline_box"]) == set(names)
    boxes = [[i["headline"] for i in summary["headline_box"][n]] for n in names]
    assert boxes[0] == boxes[1] == boxes[2]
    # A smaller stock of text brings exhaustion forward; the baseline's own numbers are unchanged.
    exhaustion = {
        n: summary["models"][n]["datawall"]["headline"]["exhaustion_year"]["median"] for n in names
    }
    assert exhaustion["small_stock"] < exhaustion["baseline"]
    assert any(r["headline"] == "exhaustion_year" for r in summary["shifts"]["small_stock"])
    assert len(summary["executive_summary"]) == 2


def test_the_report_shows_each_definition_and_the_overlaid_series(report_folder):
    html = (report_folder / "report.html").read_text()
    assert html.count('<th class="num">small_stock</th>') >= 1
    assert "[scenario]" in html  # the scenario's TOML
    figures = sorted(p.name for p in (report_folder / "figures").iterdir())
    assert "overlay_datawall_effective_stock_tokens.png" in figures
    index = pd.read_csv(report_folder / "downloads" / "index.csv")
    assert set(index["file"]) | {"index.csv"} == {
        p.name for p in (report_folder / "downloads").iterdir()
    }
    series = pd.read_csv(
        report_folder / "downloads" / "series_small_stock_datawall_effective_stock_tokens.csv"
    )
    assert list(series.columns) == ["year", "p10", "p25", "median", "p75", "p90"]


def test_an_unknown_scenario_is_refused_before_any_work(in_stored, capsys):
    assert run_cli("report", "--scenario", "no_such_scenario") == 2
    assert "no_such_scenario" in capsys.readouterr().err
    assert not (in_stored / "reports" / "scenarios" / "no_such_scenario").exists()
