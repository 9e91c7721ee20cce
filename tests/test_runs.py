"""Fit, store, forecast: the run file, its round trip, reproducibility, and the JSON contract."""

import datetime as dt
import json

import numpy as np
import pytest
import xarray as xr

from forecast import fit as fitting
from forecast import store
from forecast.models import REGISTRY
from forecast.scenarios import load_scenario
from forecast.summary import model_summary
from tests.helpers import SMALL, make_project, run_cli

ATTRS = {
    "model",
    "version",
    "config",
    "config_id",
    "fit_id",
    "scenario",
    "random_seed",
    "as_of",
    "created_at",
    "data_sha256",
    "priors_sha256",
    "diagnostics",
    "diagnostics_passed",
}


def test_run_file_holds_groups_and_attrs(in_stored):
    run = store.load_run(store.run_path("datawall"))
    assert ATTRS <= set(run.attrs)
    assert {"posterior", "sample_stats", "observed_data", "fit_data", "derived"} <= set(
        run.children
    )
    config = json.loads(run.attrs["config"])
    assert config["sampler"]["draws"] == SMALL.draws
    # unset levers: k and m come from the scaling posterior, recorded as null
    assert config["levers"]["tokens_per_param"] is None
    assert config["upstream"].keys() == {"compute", "scaling"}
    assert run["derived"]["exhaustion_year"].dims == ("chain", "draw")
    assert run["derived"]["effective_stock_tokens"].dims == ("chain", "draw", "year")
    assert int(run["derived"]["year"].max()) >= 2040
    assert run["fit_data"].sizes["row"] == run["observed_data"].sizes["release"] >= 5


def test_saved_run_reads_back_identically(in_stored, tmp_path):
    run = store.load_run(store.run_path("datawall"))
    copy = store.save_run(run, tmp_path / "copy.nc")
    again = store.load_run(copy)
    xr.testing.assert_identical(run["posterior"].to_dataset(), again["posterior"].to_dataset())
    xr.testing.assert_identical(run["derived"].to_dataset(), again["derived"].to_dataset())
    spec = REGISTRY["datawall"]
    assert model_summary(spec, run) == model_summary(spec, again)
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write leaves no temporary file


def test_derived_is_recomputable_from_the_file(in_stored):
    plans = fitting.plan_all(["datawall"], load_scenario(None))
    runs = {n: store.load_run(store.run_path(n)) for n in plans}
    recomputed = fitting.derive(plans["datawall"], runs["datawall"], runs)
    xr.testing.assert_allclose(recomputed, runs["datawall"]["derived"].to_dataset())


def test_same_seed_same_summaries(in_fitted, tmp_path, monkeypatch):
    first = model_summary(REGISTRY["datawall"], store.load_run(store.run_path("datawall")))
    other = make_project(tmp_path / "again")
    monkeypatch.setenv("DATAWALL_ROOT", str(other))
    monkeypatch.setenv("DATAWALL_RUNS", str(other / "runs"))
    plans = fitting.plan_all(["datawall"], load_scenario(None), sampler=SMALL)
    runs = fitting.ensure_runs(plans)
    second = model_summary(REGISTRY["datawall"], runs["datawall"])
    assert first["headline"] == second["headline"]
    assert first["diagnostics"] == second["diagnostics"]
    assert first["run"]["config_id"] == second["run"]["config_id"]


def test_changed_inputs_are_not_reused(in_stored, tmp_path, monkeypatch):
    other = make_project(tmp_path / "changed")
    monkeypatch.setenv("DATAWALL_ROOT", str(other))
    priors = other / "priors" / "datawall.toml"
    text = priors.read_text().replace("mu = 11.5, sigma = 2.0", "mu = 11.0, sigma = 2.0")
    priors.write_text(text)
    plan = fitting.plan_all(["datawall"], load_scenario(None), sampler=SMALL)["datawall"]
    assert store.load_current(store.run_path("datawall"), plan.config_id) is None


def test_lever_only_scenario_reuses_draws(in_stored, tmp_path):
    path = tmp_path / "lever.toml"
    path.write_text('[scenario]\nname = "lever"\n[datawall.levers]\ntokens_per_param = 40.0\n')
    events = {}
    plans = fitting.plan_all(["datawall"], load_scenario(str(path)))
    runs = fitting.ensure_runs(plans, on_event=lambda m, e: events.__setitem__(m, e))
    assert events == {"compute": "rederived", "scaling": "rederived", "datawall": "rederived"}
    base = store.load_run(store.run_path("datawall"))
    np.testing.assert_array_equal(
        runs["datawall"]["posterior"]["dataset_slope"], base["posterior"]["dataset_slope"]
    )
    later = runs["datawall"]["derived"]["exhaustion_year_compute"].median()
    assert later < base["derived"]["exhaustion_year_compute"].median()  # more tokens per FLOP


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


@pytest.mark.slow
def test_an_as_of_fit_is_stored_apart_from_the_current_runs(project):
    from forecast.store import load_run, run_path

    args = ("--draws", "20", "--tune", "20", "--chains", "1", "--seed", "3")
    assert run_cli("fit", "compute", *args) == 0
    current = load_run(run_path("compute")).attrs["config_id"]
    assert run_cli("fit", "compute", "--as-of", "2024-06-30", *args) == 0
    cut = load_run(run_path("compute", "baseline-as-of-2024-06-30"))
    assert cut.attrs["as_of"] == "2024-06-30" and cut.attrs["config_id"] != current
    assert load_run(run_path("compute")).attrs["config_id"] == current


def _append_power_run(root, date: str, frontier: bool) -> None:
    """Append a model and its power row; a frontier one has more compute than any before it."""
    compute = "1e+28" if frontier else "1e+20"
    models = root / "data" / "models.csv"
    record = f'Test run,Test lab,language,{date},{date},,,,,{compute},false,,,"added by a test",\n'
    models.write_text(models.read_text() + record)
    path = root / "data" / "training_runs_power.csv"
    row = f'Test run,NVIDIA H100 SXM5 80GB,100000,140.0,false,{date},"a row added by a test",\n'
    path.write_text(path.read_text() + row)


@pytest.mark.slow
def test_a_row_the_fit_does_not_read_leaves_its_fit_id(project):
    """Fits hash the rows they read, not whole files: a later row leaves an as-of cut's fit."""
    as_of = dt.date(2025, 6, 30)

    def ids(**kwargs):
        plans = fitting.plan_all(["power"], load_scenario(None), sampler=SMALL, **kwargs)
        return plans["power"].fit_id, plans["power"].data_sha256["training_runs_power"]

    cut_before, file_before = ids(as_of=as_of)
    now_before, _ = ids()
    _append_power_run(project, "2026-08-01", frontier=True)
    cut_after, file_after = ids(as_of=as_of)
    assert file_after != file_before  # the file changed...
    assert cut_after == cut_before  # ...but not the rows the 2024 cut reads
    assert ids()[0] != now_before  # today's fit reads the new row


@pytest.mark.slow
def test_a_row_outside_the_models_selection_leaves_its_fit_id(project):
    before = fitting.plan_all(["power"], load_scenario(None), sampler=SMALL)["power"].fit_id
    _append_power_run(project, "2026-08-01", frontier=False)  # not frontier: not selected
    after = fitting.plan_all(["power"], load_scenario(None), sampler=SMALL)["power"].fit_id
    assert after == before
