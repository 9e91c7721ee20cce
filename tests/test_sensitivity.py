"""Prior sensitivity (power-scaling, ``arviz_stats.psense``) of every headline, on stored runs."""

from __future__ import annotations

import json
import math

import pytest

from forecast import fit as fitting
from forecast import sensitivity
from forecast.models import REGISTRY
from forecast.scenarios import load_scenario
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def frame(stored_project):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_ROOT", str(stored_project))
        mp.setenv("DATAWALL_RUNS", str(stored_project / "runs"))
        plans = fitting.plan_all(["all"], load_scenario(None))
        runs = fitting.ensure_runs(plans)
        return sensitivity.prior_sensitivity(plans, runs), runs


def test_every_scalar_headline_of_every_model_has_a_row(frame):
    table, runs = frame
    for name, spec in REGISTRY.items():
        quantities = spec.headline(runs[name]["derived"].to_dataset())
        scalar = {
            k
            for k, q in quantities.items()
            if q.category_dim is None and set(q.draws.dims) == {"chain", "draw"}
        }
        assert {f"{name}.{k}" for k in scalar} <= set(table.index), name


def test_the_walls_have_no_likelihood_and_the_others_are_measured(frame):
    # The walls' records are checked against, not fitted: no likelihood, so no psense.
    table, _ = frame
    walls = table[table.index.str.startswith("walls.")]
    assert len(walls) and (walls["diagnosis"] == "no likelihood: own parameters are priors").all()
    fitted = table[~table.index.str.startswith("walls.")]
    measured = fitted[fitted["prior"].notna()]
    assert len(measured) > 0.9 * len(fitted)
    assert (measured["prior"] >= 0).all() and (measured["likelihood"] >= 0).all()


def test_the_stock_of_text_rests_on_its_priors(frame):
    # No table informs the stock's parts (pages, bytes, quality, repetition): its priors set it.
    table, _ = frame
    assert table.loc["datawall.effective_stock_tokens", "prior"] >= sensitivity.THRESHOLD


@pytest.mark.parametrize(
    ("prior", "likelihood", "diagnosis"),
    [
        (0.2, 0.01, "rests on the prior"),
        (0.2, 0.2, "prior and data (check for conflict)"),
        (0.01, 0.3, "data-driven"),
        (0.01, 0.01, "data-driven"),
    ],
)
def test_a_diagnosis_reads_both_sensitivities_against_the_threshold(prior, likelihood, diagnosis):
    assert sensitivity._diagnosis(prior, likelihood) == diagnosis


@pytest.mark.slow  # the whole power-scaling analysis again, through the command line
def test_cli_prints_the_prior_sensitivity_of_every_headline(in_stored, capsys):
    assert run_cli("stress", "--prior-sensitivity", "--json") == 0
    report = json.loads(capsys.readouterr().out)["prior_sensitivity"]
    assert report["walls.first_wall_year"]["prior"] is None
    stock = report["datawall.effective_stock_tokens"]
    assert stock["diagnosis"] in {"rests on the prior", "prior and data (check for conflict)"}
    assert all(v["prior"] is None or math.isfinite(v["prior"]) for v in report.values())
