"""One-at-a-time sensitivity: the ends of every range, and the tornado read by labels."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from forecast import stress
from tests.helpers import run_cli


def test_sensitivity_points_cover_levers_and_prior_only_parameters():
    points = stress.sensitivity_points()
    by_key = {(p.model, p.parameter, p.end): p for p in points}
    assert by_key[("cost", "flop_per_usd_growth_per_year", "p10")].value == 1.26
    assert by_key[("walls", "low_precision_speedup", "p90")].source == "lever"
    low = by_key[("datawall", "quality_fraction", "p10")]
    high = by_key[("datawall", "quality_fraction", "p90")]
    assert low.source == "prior" and 0.1 < low.value < high.value < 0.4
    assert ("compute", "largest_run_quantile", "p10") not in by_key  # no declared range


def test_the_plan_labels_every_scenario_with_its_parameter_and_end():
    plan = stress.sensitivity_plan(["walls"])
    assert plan.scenarios[0].name == "baseline" and plan.coords["sensitivity_parameter"][0] == ""
    parameters, ends = plan.coords["sensitivity_parameter"], plan.coords["sensitivity_end"]
    labels = list(zip(parameters[1:], ends[1:], strict=True))
    assert ("walls.low_precision_speedup", "p10") in labels
    assert len(labels) == len(stress.sensitivity_points(["walls"]))


def test_tornado_reads_the_labels_not_the_names():
    # Scenario names that say nothing: the labels alone place each value.
    median = [5.0, 4.0, 7.0, 6.0, 1.0]
    result = xr.Dataset(
        {"m.h": (("scenario", "stat"), np.array([median, median, median]).T)},
        coords={
            "scenario": ["baseline", "s1", "s2", "s3", "s4"],
            "stat": ["median", "p10", "p90"],
            "sensitivity_parameter": ("scenario", ["", "a.x", "b.y", "a.x", "b.y"]),
            "sensitivity_end": ("scenario", ["", "p90", "p10", "p10", "p90"]),
        },
    )
    data = stress.tornado(result, ["m.h"])
    assert list(data["parameter"].values) == ["a.x", "b.y"]
    np.testing.assert_array_equal(data["m.h"].values, [[6.0, 4.0], [7.0, 1.0]])
    np.testing.assert_array_equal(data["m.h_swing"].values, [2.0, 6.0])
    assert float(data["m.h_baseline"]) == 5.0


@pytest.mark.slow  # derives the whole one-at-a-time sweep (41 points)
def test_sensitivity_gives_tornado_data(in_stored, capsys):
    assert run_cli("stress", "--sensitivity", "--headline", "walls.first_wall_year", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    bars = report["tornado"]["walls.first_wall_year"]
    speedup = bars["walls.low_precision_speedup"]
    assert speedup["p90"] >= speedup["p10"]  # FP8 doubles power's FLOP: later wall
    assert all(b["swing"] >= 0 for k, b in bars.items() if k != "baseline")
