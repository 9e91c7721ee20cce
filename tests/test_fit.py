"""Fits: what a fit's identity depends on, reuse and re-derivation, as-of cuts, same seed."""

import ast
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import forecast
from forecast import fit as fitting
from forecast import store
from forecast.contract import model_summary
from forecast.fit import SHARED_MODEL_FILES, model_files
from forecast.models import REGISTRY
from forecast.scenarios import load_scenario
from tests.helpers import SMALL, make_project, run_cli


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


def test_a_row_outside_the_models_selection_leaves_its_fit_id(project):
    before = fitting.plan_all(["power"], load_scenario(None), sampler=SMALL)["power"].fit_id
    _append_power_run(project, "2026-08-01", frontier=False)  # not frontier: not selected
    after = fitting.plan_all(["power"], load_scenario(None), sampler=SMALL)["power"].fit_id
    assert after == before


def numerics_imported_by_models():
    """Files of forecast.numerics that the modules of forecast.models import from."""
    found = set()
    for path in (Path(forecast.__file__).parent / "models").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "forecast.numerics."
            ):
                found.add(node.module.removeprefix("forecast.").replace(".", "/") + ".py")
    return found


def test_code_fingerprint_covers_every_kernel_the_models_run():
    # A change to a compiled kernel a model's numbers come from must re-derive its runs.
    kernels = numerics_imported_by_models()
    assert kernels and kernels <= set(SHARED_MODEL_FILES)
    package = Path(forecast.__file__).parent
    for spec in REGISTRY.values():
        files = model_files(spec)
        assert all((package / f).is_file() for f in files), files
