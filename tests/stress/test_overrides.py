"""``--set`` overrides: parsed, refused naming the key, and which of them refit."""

from __future__ import annotations

import pytest

from forecast import stress
from forecast.errors import InputError
from forecast.scenarios import load_scenario


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("power.lab_share", "expected KEY=VALUE"),
        ("nosuch.lever=1", "unknown model 'nosuch'"),
        ("power.nosuch=1", "unknown lever"),
        ("power.lab_share=2.0", "expected a number in [0.001, 1.0]"),
        ("power.extra_grid_delay_years=-1", "outside the allowed range"),
        ("cost.fit.cost_method=rental", "expected one of"),
        ("datawall.priors.nosuch.dist=Normal", "unknown prior"),
        ("power.fit.x.y=1", "expected MODEL.LEVER"),
    ],
)
def test_bad_overrides_are_refused_naming_the_key(text, message):
    with pytest.raises(InputError) as info:
        stress.build_scenarios(sets=[text])
    assert message in str(info.value)


def test_refit_needed_only_for_priors_options_and_as_of():
    assert not load_scenario("grid_delays").changes_fit
    assert load_scenario("cottier2024").changes_fit  # as_of and fit options
    plan = stress.build_scenarios(sets=["cost.priors.run_compute_sigma.kwargs.sigma=0.5"])
    baseline, set_prior = plan.scenarios
    assert set_prior.changes_fit and not baseline.changes_fit


def test_one_keyword_of_a_prior_keeps_the_others():
    plan = stress.build_scenarios(sets=["cost.priors.run_compute_sigma.kwargs.sigma=0.5"])
    prior = plan.scenarios[1].document["cost"]["priors"]["run_compute_sigma"]
    assert prior["kwargs"]["sigma"] == 0.5 and prior.get("dist") is None


def test_a_headline_key_names_a_known_model():
    assert stress.check_headline_key("walls.first_wall") == "walls.first_wall"
    with pytest.raises(InputError, match="MODEL.NAME"):
        stress.check_headline_key("nosuch.x")
