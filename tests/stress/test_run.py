"""One stress run: thinned draws, the sweep's values as coords, both paths in plan order."""

from __future__ import annotations

import json

import numpy as np

from forecast import stress
from tests.helpers import run_cli


def test_sweep_draws_thin_every_chain_evenly_and_say_so(in_stored, baseline, capsys):
    plans, runs, _ = baseline
    thinned = stress.thin_runs(runs, 100)
    draws = thinned["power"]["posterior"]["draw"]
    assert thinned["power"]["posterior"].sizes["draw"] == 50  # of 100 per chain
    np.testing.assert_array_equal(draws, runs["power"]["posterior"]["draw"][::2])
    assert all((run["posterior"]["draw"] == draws).all() for run in thinned.values())  # paired
    plan = stress.build_scenarios(sweep=["power.lab_share=0.1:0.3:3"])
    result = stress.run_stress(plan, baseline=(plans, runs), draws=100)
    assert result.attrs["draws"] == 100 and result.attrs["draws_stored"] == 200
    np.testing.assert_allclose(result["power.lab_share"].values[1:], [0.1, 0.2, 0.3])
    expected, _ = stress.summarize_runs(thinned)  # the baseline row: over the same 100 draws
    for key, value in expected.data_vars.items():
        got = result[key].isel(scenario=0).values
        if key.startswith("walls."):
            # The walls condition on history over the draws they are derived from (rejection
            # of the joint draws with a cap below a trained run), so re-deriving 100 draws
            # resamples among those 100: equal within Monte Carlo error, not draw for draw.
            continue
        np.testing.assert_allclose(got, value.values)
    first = "walls.first_wall"
    if first in expected:
        np.testing.assert_allclose(
            result[first].isel(scenario=0).values, expected[first].values, atol=0.1
        )
    args = ("stress", "--sweep", "power.lab_share=0.1:0.3:3", "--sweep-draws")
    assert run_cli(*args, "50") == 2
    assert "--sweep-draws" in capsys.readouterr().err
    assert run_cli(*args, "100", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["draws"] == 100 and report["draws_stored"] == 200
