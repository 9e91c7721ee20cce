"""Named scenarios: parsing, what each changes, fit or levers, names and as-of cuts.

Refusals of bad scenario files on the command line are in test_bad_input.py; these test the
module's own contract on documents and the bundled files.
"""

from __future__ import annotations

import datetime as dt

import pytest

from forecast import settings
from forecast.errors import InputError
from forecast.scenarios import (
    BASELINE,
    Scenario,
    as_of_baseline,
    as_of_cut,
    check_unique_names,
    load_scenario,
    parse_scenario,
    scenario_file,
)
from forecast.tables.models import FrontierRule


def test_every_bundled_scenario_loads_with_its_name_description_and_source():
    for path in sorted(settings.scenarios_dir().glob("*.toml")):
        scenario = load_scenario(path.stem)
        assert scenario.name == path.stem and scenario.path == path
        assert scenario.description and len(scenario.sha256) == 64
        if scenario.name != BASELINE:
            assert scenario.source, f"{path.name} has no source"


def test_levers_alone_do_not_change_a_fit_but_priors_options_cuts_and_frontier_do():
    levers = parse_scenario({"datawall": {"levers": {"tokens_per_param": 40.0}}}, "x", "x")
    assert levers.for_model("datawall").levers == {"tokens_per_param": 40.0}
    assert not levers.changes_fit and levers.for_model("power").levers == {}
    prior = {"datawall": {"priors": {"dataset_slope": {"kwargs": {"mu": 0.4, "sigma": 0.05}}}}}
    changing = [
        prior,
        {"datawall": {"fit": {"population": "all"}}},
        {"scenario": {"as_of": "2024-06-30"}},
        {"data": {"frontier_top_n": 5}},
    ]
    for document in changing:
        assert parse_scenario(document, "x", "x").changes_fit, document


def test_the_frontier_rule_and_as_of_are_read_and_checked():
    scenario = parse_scenario(
        {"scenario": {"as_of": "2024-06-30"}, "data": {"frontier_top_n": 5}}, "x", "x"
    )
    assert scenario.as_of == dt.date(2024, 6, 30)
    assert scenario.frontier == FrontierRule(top_n=5, scope=FrontierRule().scope)
    with pytest.raises(InputError, match="frontier_top_n"):
        parse_scenario({"data": {"frontier_top_n": 0}}, "x", "x")


@pytest.mark.parametrize(
    ("document", "column"),
    [
        ({"chips": {}}, "chips"),
        ({"scenario": {"title": "t"}}, "scenario.title"),
        ({"datawall": {"knobs": {}}}, "datawall.knobs"),
        ({"datawall": {"levers": {"no_such_lever": 1.0}}}, None),
        ({"datawall": {"fit": {"population": "everyone"}}}, None),
    ],
)
def test_an_unknown_section_key_or_value_is_refused_naming_it(document, column):
    with pytest.raises(InputError) as info:
        parse_scenario(document, "bad.toml", "bad")
    assert "bad.toml" in str(info.value)
    if column is not None:
        assert info.value.column == column


def test_a_name_is_a_bundled_file_and_a_toml_suffix_a_path(tmp_path):
    assert scenario_file("grid_crunch") == settings.scenarios_dir() / "grid_crunch.toml"
    assert scenario_file(str(tmp_path / "mine.toml")) == tmp_path / "mine.toml"
    assert scenario_file(None).stem == BASELINE
    with pytest.raises(InputError, match="--scenario"):
        scenario_file("../outside")


def test_a_cut_is_named_apart_and_two_scenarios_may_not_share_a_name():
    cut = as_of_baseline(dt.date(2024, 6, 30))
    assert cut.name == "baseline-as-of-2024-06-30" and cut.as_of == dt.date(2024, 6, 30)
    assert as_of_cut(Scenario("x"), None) == Scenario("x")
    check_unique_names([Scenario("a"), Scenario("b")])
    with pytest.raises(InputError, match="also the name"):
        check_unique_names([Scenario("a"), Scenario("a")])
