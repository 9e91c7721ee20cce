"""The sweep: named axes parsed once, placed in the plan as grids, the limits checked first."""

from __future__ import annotations

import numpy as np
import pytest

from forecast import stress
from forecast.errors import InputError
from tests.helpers import run_cli


def test_bad_sweep_is_refused(capsys):
    assert run_cli("stress", "--sweep", "power.extra_grid_delay_years=0:5") == 2
    assert "LO:HI:N" in capsys.readouterr().err
    assert run_cli("stress", "--sweep", "power.extra_grid_delay_years=0:50:3") == 2


def test_a_key_is_swept_once():
    with pytest.raises(InputError, match="swept once"):
        stress.Sweep.parse(["power.lab_share=0.1:0.2:2", "power.lab_share=0.1:0.3:2"])


def test_an_axis_holds_distinct_values_as_names_show_them():
    axis = stress.SweepAxis.parse("power.lab_share=0.2:0.2:3")
    assert axis.key == "power.lab_share" and axis.values == (0.2,)
    sweep = stress.Sweep.parse(["power.lab_share=0.1:0.3:3", "walls.low_precision_speedup=1:2:2"])
    assert sweep.shape == (3, 2) and sweep.size == 6 and sweep.levers_only
    assert sweep.keys == ["power.lab_share", "walls.low_precision_speedup"]
    prior = stress.Sweep.parse(["cost.priors.flop_per_usd_sigma.kwargs.sigma=0.2:0.4:2"])
    assert not prior.levers_only


def test_sweep_grid_and_names():
    plan = stress.build_scenarios(
        ["grid_delays"],
        sets=["walls.low_precision_speedup=2"],
        sweep=["power.lab_share=0.1:0.3:3", "cost.flop_per_usd_growth_per_year=1.2:1.4:2"],
    )
    scenarios = plan.scenarios
    assert scenarios[0].name == "baseline" and len(scenarios) == 1 + 3 * 2
    last = scenarios[-1]
    assert last.name == (
        "grid_delays[walls.low_precision_speedup=2][power.lab_share=0.3]"
        "[cost.flop_per_usd_growth_per_year=1.4]"
    )
    assert last.for_model("power").levers == {"extra_grid_delay_years": 2.0, "lab_share": 0.3}
    assert last.for_model("walls").levers == {"low_precision_speedup": 2}
    np.testing.assert_allclose(plan.coords["power.lab_share"][1:], [0.1, 0.1, 0.2, 0.2, 0.3, 0.3])
    assert np.isnan(plan.coords["power.lab_share"][0])
    (grid,) = plan.grids
    assert list(grid.members) == list(range(1, 7)) and grid.sweep.shape == (3, 2)


def test_each_named_scenario_is_one_grid():
    plan = stress.build_scenarios(
        ["grid_delays", "grid_crunch"], sweep=["power.lab_share=0.1:0.3:3"]
    )
    assert [list(g.members) for g in plan.grids] == [[1, 2, 3], [4, 5, 6]]
    assert plan.scenarios[4].name == "grid_crunch[power.lab_share=0.1]"


def test_plans_add_with_their_labels_and_grids():
    swept = stress.build_scenarios(sweep=["power.lab_share=0.1:0.3:3"])
    both = swept + stress.sensitivity_plan().without("baseline")
    assert [list(g.members) for g in both.grids] == [[1, 2, 3]]
    assert len(both) == len(swept) + len(stress.sensitivity_points())
    assert np.isnan(both.coords["power.lab_share"][-1])
    assert both.coords["sensitivity_parameter"][0] == ""
    assert both.coords["sensitivity_parameter"][len(swept)] != ""
    with pytest.raises(ValueError, match="grid"):
        swept.without(swept.scenarios[2].name)


def test_a_grid_over_the_limits_is_refused_before_it_is_built():
    with pytest.raises(InputError, match="--max-scenarios"):
        stress.build_scenarios(
            sweep=["power.lab_share=0.1:0.3:400", "power.extra_grid_delay_years=0:4:400"],
            draws=100,
        )
    with pytest.raises(InputError, match="--sweep-draws"):
        stress.check_size(1_000, 4_000, max_scenario_draws=1_000_000)
