"""The report's words, generated from a summary: ties said as ties, verdicts, notes."""

from __future__ import annotations

import copy

import pytest

from forecast.report import narrative


def _summary(p_binds_first=None):
    year = {"median": 2027.2, "p10": 2026.7, "p90": 2029.5, "unit": "year"}
    flop = {"median": 3e28, "p10": 4e27, "p90": 2e29, "unit": "FLOP"}
    box = [
        {
            "model": "walls",
            "headline": "first_wall_year",
            "value": year,
            "p_by_box_year": 0.97,
            "event": "the compute trend hits its first wall",
            "track_record": [
                {"model": "compute", "trend": "largest_run", "what": "later years' largest runs"}
            ],
        },
        {
            "model": "datawall",
            "headline": "exhaustion_year",
            "value": {**year, "median": 2028.5},
            "p_by_box_year": 0.7,
            "event": "frontier training sets exhaust the stock of public text",
            "track_record": [
                {"model": "datawall", "trend": "dataset_compute", "what": "later datasets"}
            ],
        },
    ]
    walls = {
        "headline": {
            "first_wall_year": year,
            "max_feasible_run_2030_flop": flop,
            "largest_run_2030_flop": {**flop, "median": 3e30},
            "data_wall_year": {**year, "median": 2027.6},
        },
        "p_binds_first": p_binds_first
        or {"data": 0.43, "money": 0.33, "power": 0.24, "none_by_grid_end": 0.0},
    }
    return {
        "box_year": "2030",
        "headline_box": box,
        "models": {
            "walls": walls,
            "datawall": {"headline": {"exhaustion_year": box[1]["value"]}},
        },
        "backtest": {
            "summary": [
                {
                    "model": "compute",
                    "trend": "largest_run",
                    "coverage_80": 0.87,
                    "reading": "consistent with calibration",
                },
                {
                    "model": "datawall",
                    "trend": "dataset_compute",
                    "coverage_80": 0.59,
                    "reading": "intervals too narrow",
                },
            ]
        },
        "sensitivity": {
            "walls.first_wall_year": [
                {
                    "parameter": "power.lab_share",
                    "label": "share of AI resources",
                    "p10": 2026.8,
                    "p90": 2027.9,
                    "swing": 1.1,
                }
            ]
        },
        "prior_sensitivity": {
            "datawall.exhaustion_year": {
                "prior": 0.2,
                "likelihood": 0.01,
                "diagnosis": "rests on the prior",
            }
        },
    }


def test_a_near_tie_names_every_wall_it_is_between_and_a_clear_first_is_named_alone():
    text = narrative.who_binds_first(_summary()["models"]["walls"])
    assert text.startswith("Which wall binds first is a near-tie between data (43%)")
    assert "money (33%) and power (24%)" in text
    clear = _summary({"data": 0.7, "money": 0.2, "power": 0.1})["models"]["walls"]
    assert narrative.who_binds_first(clear) == "The first wall is data (P = 70%)"


def test_the_summary_has_four_to_six_sentences_from_the_numbers():
    sentences = narrative.executive_summary(_summary())
    assert 4 <= len(sentences) <= 6
    text = " ".join(sentences)
    assert "Mar 2027" in text and "near-tie" in text  # the first wall's month, said as a tie
    assert "100 times less" in text  # 3e30 / 3e28
    assert "rests on its priors" in text  # the exhaustion year, by its prior sensitivity
    assert "87% of later years' largest runs (calibrated)" in text
    assert "59% of later datasets (intervals too narrow)" in text
    assert "share of AI resources" in text and "at its P10" in text


def test_without_a_backtest_the_summary_says_there_is_no_track_record():
    summary = _summary()
    summary["backtest"] = None
    assert any("No backtest is stored" in s for s in narrative.executive_summary(summary))
    assert narrative.track_record_verdict(summary, summary["headline_box"][0]) is None


def test_notes_reconcile_the_two_data_years():
    notes = narrative.notes(_summary())
    (walls,) = notes["walls"]
    assert "Aug 2027" in walls and "Jul 2028" in walls  # data cap year, exhaustion year


@pytest.mark.parametrize("p", [0.05, 0.5])
def test_a_rests_on_priors_mark_needs_the_diagnosis(p):
    summary = copy.deepcopy(_summary())
    summary["prior_sensitivity"]["datawall.exhaustion_year"]["diagnosis"] = (
        "rests on the prior" if p < 0.1 else "data-driven"
    )
    marked = narrative.rests_on_priors(summary, "datawall", "exhaustion_year")
    assert marked == (p < 0.1)
