"""A stress result: P(by year) curves, its file name, its JSON and the saved dataset."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from forecast import stress
from forecast.settings import SETTINGS
from tests.helpers import run_cli


def test_p_by_year_counts_like_probability_by():
    from forecast.summary import probability_by

    draws = xr.DataArray([[2026.2, 2027.0, 2031.5, np.inf, np.nan, 2024.0]], dims=("chain", "draw"))
    years = SETTINGS.probability_years.stress_curves
    curve = probability_by(draws, years)
    # The definition, by comparison: the event no later than the end of year Y.
    grid = xr.DataArray(np.asarray(years, float), dims="by_year")
    expected = (draws <= grid + 1.0).mean(("chain", "draw"))
    np.testing.assert_allclose(curve.values, expected.values)


def test_result_names_differ_by_request():
    plain = stress.result_name(["grid_crunch"], [], [])
    assert plain == "grid_crunch.nc"
    swept = stress.result_name([], [], ["power.lab_share=0.1:0.3:3"])
    assert swept.startswith("baseline-") and swept != stress.result_name(
        [], [], ["power.lab_share=0.1:0.3:4"]
    )
    assert stress.result_name([], [], [], sensitivity=True) == "sensitivity.nc"


def test_cli_stress_json_table_and_saved_dataset(in_stored, capsys):
    code = run_cli(
        "stress", "--scenario", "grid_crunch", "--scenario", "hardware_slowdown", "--json"
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    names = [s["scenario"] for s in report["scenarios"]]
    assert names == ["baseline", "grid_crunch", "hardware_slowdown"]
    crunch = report["scenarios"][1]["headline"]
    base = report["scenarios"][0]["headline"]
    assert (
        crunch["power.lab_run_capacity_2030_gw"]["median"]
        < base["power.lab_run_capacity_2030_gw"]["median"]
    )
    assert set(crunch["walls.first_wall"]["p"]) == {"data", "power", "money"}
    saved = xr.open_dataset(report["saved"])
    assert saved.sizes["scenario"] == 3 and "datawall.exhaustion_year_p_by" in saved
    assert run_cli("stress", "--scenario", "grid_crunch", "--headline", "nosuch.x") == 2
