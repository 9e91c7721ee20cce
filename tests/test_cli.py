"""The command line: ``datawall forecast``'s JSON contract and table (refusals: test_bad_input)."""

import json

import numpy as np

from forecast import store
from tests.helpers import run_cli


def test_forecast_json_contract(in_stored, capsys):
    before = store.run_path("datawall").stat().st_mtime_ns
    assert run_cli("forecast", "datawall", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["datawall"]
    entry = result["datawall"]
    for name in ("exhaustion_year", "dataset_growth_per_year", "effective_stock_tokens"):
        h = entry["headline"][name]
        assert set(h) == {"median", "p10", "p90", "unit"}
        # None: beyond the projection's horizon (an exhaustion year after 2100)
        assert h["p10"] <= h["median"] <= (np.inf if h["p90"] is None else h["p90"])
    assert set(entry["diagnostics"]) >= {"rhat_max", "ess_bulk_min", "divergences"}
    assert set(entry["p_exhausted_by"]) >= {"2026", "2028", "2030", "2032", "2035"}
    probs = list(entry["p_exhausted_by"].values())
    assert probs == sorted(probs) and all(0 <= p <= 1 for p in probs)
    assert store.run_path("datawall").stat().st_mtime_ns == before  # reused, not refitted


def test_forecast_table_and_strict(in_stored, capsys):
    assert run_cli("forecast", "datawall") == 0
    text = capsys.readouterr().out
    assert "exhaustion_year" in text and "P(exhausted by Y)" in text and "diagnostics" in text
