"""Backtests: scoring rules on cases with known answers, held-out rows, the as-of cut, the CLI."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

from forecast import backtest
from forecast.errors import InputError
from forecast.scenarios import load_scenario
from tests.helpers import SMALL, run_cli

# --- scoring rules -------------------------------------------------------------------------


def test_crps_of_a_point_forecast_is_the_absolute_error():
    samples = np.full((3, 50), 2.0)
    observed = np.array([2.0, 3.5, -1.0])
    np.testing.assert_allclose(backtest.crps_from_samples(samples, observed), [0.0, 1.5, 3.0])


def test_crps_matches_the_closed_form_for_a_normal():
    # Gneiting & Raftery 2007: CRPS(N(0,1), y) = y(2 Phi(y) - 1) + 2 phi(y) - 1/sqrt(pi).
    rng = np.random.default_rng(0)
    samples = np.tile(rng.standard_normal(200_000), (3, 1))
    y = np.array([0.0, 0.7, -2.0])
    exact = y * (2 * stats.norm.cdf(y) - 1) + 2 * stats.norm.pdf(y) - 1 / np.sqrt(np.pi)
    np.testing.assert_allclose(backtest.crps_from_samples(samples, y), exact, atol=3e-3)


def test_crps_pairs_term_equals_the_brute_force_mean():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 300))
    brute = np.mean(np.abs(x[0][:, None] - x[0][None, :]))
    score = backtest.crps_from_samples(x, np.array([0.3]))
    np.testing.assert_allclose(score, np.mean(np.abs(x - 0.3)) - brute / 2)


def test_mixture_scores_of_a_single_draw_are_the_student_t_values():
    y = np.array([1.0, 1.5, 3.0])
    t = np.array([0.0, 1.0, 2.0])
    scores = backtest.student_t_mixture_scores(
        mu=(1.0 + 0.5 * t)[:, None],
        sigma=np.array([0.25]),
        nu=np.array([4.0]),
        log10_observed=y,
        rng=np.random.default_rng(2),
    )
    z = (y - (1.0 + 0.5 * t)) / 0.25
    np.testing.assert_allclose(scores["pit"], stats.t.cdf(z, 4.0))
    np.testing.assert_allclose(scores["log_score"], stats.t.logpdf(z, 4.0) - np.log(0.25))
    assert scores["pit"][0] == pytest.approx(0.5) and scores["pit"][2] > 0.99


def test_coverage_counts_observations_inside_central_intervals():
    pit = np.array([0.5, 0.3, 0.74, 0.9, 0.97, 0.01])
    assert backtest.coverage(pit, 0.5) == pytest.approx(3 / 6)  # 0.25 <= pit <= 0.75
    assert backtest.coverage(pit, 0.8) == pytest.approx(4 / 6)
    assert backtest.coverage(pit, 0.95) == pytest.approx(5 / 6)


def test_calibrated_forecasts_cover_at_their_nominal_rate():
    # Observations drawn from the predictive itself: coverage must be near nominal.
    rng = np.random.default_rng(3)
    draws = 400
    posterior = {
        "intercept": rng.normal(0.0, 0.05, draws),
        "slope": rng.normal(0.3, 0.01, draws),
        "sigma": np.full(draws, 0.2),
        "nu": np.full(draws, 30.0),
    }
    t = rng.uniform(0, 5, 4000)
    pick = rng.integers(0, draws, t.size)
    y = (
        posterior["intercept"][pick]
        + posterior["slope"][pick] * t
        + 0.2 * rng.standard_t(30.0, t.size)
    )
    mu = posterior["intercept"][None, :] + posterior["slope"][None, :] * t[:, None]
    scores = backtest.student_t_mixture_scores(
        mu, posterior["sigma"], posterior["nu"], log10_observed=y, rng=rng
    )
    for p in backtest.INTERVALS:
        assert backtest.coverage(scores["pit"], p) == pytest.approx(p, abs=0.03)


def _pits(pit: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"pit": pit, "label": [f"m{i}" for i in range(pit.size)]})


@pytest.mark.slow
def test_reading_names_narrow_wide_and_biased_forecasts():
    uniform = (np.arange(200) + 0.5) / 200
    assert backtest.reading(_pits(uniform)) == "consistent with calibration"
    narrow_low = backtest.reading(_pits(np.full(50, 0.99)))
    assert narrow_low == "intervals too narrow; forecasts too low"
    narrow_high = backtest.reading(_pits(np.full(50, 0.02)))
    assert narrow_high == "intervals too narrow; forecasts too high"
    assert backtest.reading(_pits(np.full(50, 0.5))) == "intervals too wide"
    one = pd.DataFrame({"pit": [0.99, 0.98], "label": ["m", "m"]})
    assert backtest.reading(one) == "too few releases to judge"


# --- held-out rows and the as-of cut -------------------------------------------------------


@pytest.fixture(scope="module")
def compute_backtest(fitted_project):
    """The compute model fitted at mid-2024 with the small sampler, scored on later releases."""
    return backtest_in(fitted_project, dt.date(2024, 6, 30), "compute")


def backtest_in(project, as_of, model):
    """Return ``model``'s backtest at ``as_of`` in ``project``, with the small sampler."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_ROOT", str(project))
        mp.setenv("DATAWALL_RUNS", str(project / "runs"))
        return backtest.run_backtest([as_of], model=model, sampler=SMALL)


def test_held_out_rows_are_those_published_after_the_cut(in_fitted, compute_backtest):
    from forecast.data import load_table

    rows = load_table("models")
    later = rows[rows["published"] > "2024-06-30"]
    frontier_later = later[
        later["frontier"] & later["training_compute_flop"].notna() & (later["domain"] == "language")
    ]
    trends = set(compute_backtest["trend"].values)
    assert {"compute", "largest_run"} <= trends
    rows_scored = compute_backtest.where(compute_backtest["trend"] == "compute", drop=True)
    assert rows_scored.sizes["obs"] == len(frontier_later) > 3
    assert set(rows_scored["label"].values) <= set(frontier_later["model"])
    # A row dated before the cut whose figures were published after it is held out too (a
    # nowcast, at a negative horizon): the cut reads when a figure became public.
    early = frontier_later[frontier_later["publication_date"] <= "2024-06-30"]
    assert (rows_scored["horizon_years"] <= 0).sum() == len(early)


def test_backtest_scores_are_finite_and_summarised(compute_backtest):
    rows = backtest.summarize(compute_backtest)
    # One row per trend scored, none pooled.
    assert {r["model"] for r in rows} == {"compute"}
    assert sorted(r["trend"] for r in rows) == sorted(set(compute_backtest["trend"].values))
    overall = next(r for r in rows if r["trend"] == "compute")
    assert overall["n"] == int((compute_backtest["trend"] == "compute").sum())
    assert 0.0 < overall["pit_mean"] < 1.0 and overall["coverage_80_se"] is not None
    for p in (50, 80, 95):
        assert 0.0 <= overall[f"coverage_{p}"] <= 1.0
    assert overall["coverage_50"] <= overall["coverage_80"] <= overall["coverage_95"]
    assert overall["crps"] > 0 and np.isfinite(overall["log_score"])
    assert json.loads(compute_backtest.attrs["as_of_dates"]) == ["2024-06-30"]


def test_backtest_runs_are_stored_apart_and_cut(in_fitted, compute_backtest):
    from forecast.store import load_run, run_path

    run = load_run(run_path("compute", "baseline-as-of-2024-06-30"))
    assert run.attrs["as_of"] == "2024-06-30"
    assert run.attrs["latest_row_date"] <= "2024-06-30"


def test_bad_backtest_requests_are_refused(in_fitted, monkeypatch):
    monkeypatch.setenv("DATAWALL_TODAY", "2026-11-23")
    with pytest.raises(InputError, match="not in the past"):
        backtest.run_backtest([dt.date(2027, 1, 1)], model="compute")
    with pytest.raises(InputError, match="no dated trend"):
        backtest.scored_models("walls")
    assert run_cli("backtest", "--as-of", "2024-13-01") == 2
    assert run_cli("backtest", "nonsense", "--as-of", "2024-06-30") == 2


def test_the_model_is_an_argument_as_in_fit_and_forecast(project, capsys):
    assert run_cli("backtest", "walls", "--as-of", "2024-06-30") == 2
    assert "'walls' has no dated trend to score" in capsys.readouterr().err
    # --model (deprecated, hidden) still names it, with a note on the new form
    assert run_cli("backtest", "--model", "walls", "--as-of", "2024-06-30") == 2
    message = capsys.readouterr().err
    assert "--model is deprecated" in message and "datawall backtest walls" in message
    assert "'walls' has no dated trend to score" in message
    assert run_cli("backtest", "compute", "--model", "cost", "--as-of", "2024-06-30") == 2
    assert "given twice" in capsys.readouterr().err
    assert not (project / "runs").exists()


def test_too_few_rows_skips_the_model_with_its_reason(in_fitted):
    plans, skipped = backtest._plans_at(
        dt.date(2017, 1, 1), ["compute", "memory"], SMALL, load_scenario("baseline")
    )
    assert "compute" in skipped and "at least" in skipped["compute"]


def test_cli_prints_json(in_fitted, compute_backtest, capsys, monkeypatch):
    monkeypatch.setenv("DATAWALL_TODAY", "2026-11-23")
    code = run_cli(
        "backtest",
        "compute",
        "--as-of",
        "2024-06-30",
        "--draws",
        str(SMALL.draws),
        "--chains",
        str(SMALL.chains),
        "--tune",
        str(SMALL.tune),
        "--seed",
        str(SMALL.seed),
        "--json",
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["as_of_dates"] == ["2024-06-30"]
    printed = {(r["model"], r["trend"]): r for r in report["summary"]}
    reference = {(r["model"], r["trend"]): r for r in backtest.summarize(compute_backtest)}
    assert printed.keys() == reference.keys() and ("compute", "largest_run") in printed
    for key, row in reference.items():
        assert printed[key]["n"] == row["n"]
        assert printed[key]["crps"] == pytest.approx(row["crps"])
        assert printed[key]["pit_mean"] == pytest.approx(row["pit_mean"])


def test_outlook_reports_the_stored_backtest(in_fitted, compute_backtest):
    from forecast import fit as fitting
    from forecast.report import figures, outlook, render
    from forecast.scenarios import load_scenario
    from forecast.settings import runs_dir
    from forecast.store import save_dataset

    save_dataset(compute_backtest, runs_dir() / "backtest.nc")
    runs = fitting.ensure_runs(fitting.plan_all(["compute"], load_scenario(None)))
    full_ids = {name: run.attrs["config_id"] for name, run in runs.items()}
    record, scores = outlook.track_record(full_ids)
    assert record["current"] and record["as_of_dates"] == ["2024-06-30"]
    assert record["summary"] == backtest.summarize(compute_backtest)
    assert scores.sizes["obs"] == compute_backtest.sizes["obs"]
    # A backtest scored against other full-data runs is flagged as stale.
    stale = compute_backtest.copy()
    stale.attrs["full_run_ids"] = json.dumps({"compute": "0000000000000000"})
    save_dataset(stale, runs_dir() / "backtest.nc")
    assert outlook.track_record(full_ids)[0]["current"] is False
    png = render.figure_png(figures.calibration(scores))
    assert png.startswith(b"\x89PNG")
    (runs_dir() / "backtest.nc").unlink()


# --- the data wall's two demand projections ------------------------------------------------


def _paired_scores(log_1: np.ndarray, log_2: np.ndarray) -> xr.Dataset:
    n = log_1.size
    labels = np.array([f"release {i % (n // 10)}" for i in range(n)])
    coords = {"as_of": ("obs", ["2023-01-01"] * n), "label": ("obs", labels)}
    pieces = [
        xr.Dataset(
            {"log_score": ("obs", scores), "pit": ("obs", np.full(n, 0.5))},
            coords=coords | {"trend": ("obs", [trend] * n), "year": ("obs", np.arange(n) / n)},
        )
        for trend, scores in zip(backtest.DEMAND_PROJECTIONS, (log_1, log_2), strict=True)
    ]
    return xr.concat(pieces, dim="obs")


@pytest.mark.slow
def test_stacking_weight_recovers_the_mixture_the_rows_came_from():
    rng = np.random.default_rng(3)
    n = 4000
    from_first = rng.uniform(size=n) < 0.3
    y = np.where(from_first, rng.normal(0.0, 1.0, n), rng.normal(3.0, 1.0, n))
    log_1, log_2 = stats.norm.logpdf(y, 0.0, 1.0), stats.norm.logpdf(y, 3.0, 1.0)
    result = backtest.stacking_weight(_paired_scores(log_1, log_2))
    assert result["n"] == n and result["releases"] == n // 10
    assert abs(result["weight"] - 0.3) < 3 * result["weight_se"] < 0.1
    scores = result["log_score"]
    assert scores["stacked"] > max(scores["dataset"], scores["dataset_compute"])


def test_stacking_weight_is_one_when_the_other_projection_never_helps():
    y = np.random.default_rng(4).normal(0.0, 1.0, 400)
    log_1, log_2 = stats.norm.logpdf(y, 0.0, 1.0), stats.norm.logpdf(y, 5.0, 1.0)
    assert backtest.stacking_weight(_paired_scores(log_1, log_2))["weight"] > 0.999
    assert backtest.stacking_weight(_paired_scores(log_2, log_1))["weight"] < 1e-3


@pytest.fixture(scope="module")
def datawall_backtest(fitted_project):
    """The data wall (with compute and scaling) fitted at mid-2023 and scored."""
    return backtest_in(fitted_project, dt.date(2023, 6, 30), "datawall")


def test_both_demand_projections_are_scored_on_the_same_later_rows(datawall_backtest):
    rows = {
        trend: datawall_backtest.where(datawall_backtest["trend"] == trend, drop=True)
        for trend in backtest.DEMAND_PROJECTIONS
    }
    historical, computed = rows.values()
    assert historical.sizes["obs"] == computed.sizes["obs"] > 2
    np.testing.assert_array_equal(historical["label"].values, computed["label"].values)
    np.testing.assert_array_equal(historical["observed"].values, computed["observed"].values)
    # Different paths, so different forecasts of the same rows.
    assert not np.allclose(historical["predicted_median"], computed["predicted_median"])
    stacking = backtest.stacking_weight(datawall_backtest)
    assert stacking["n"] == historical.sizes["obs"]
    assert 0.0 <= stacking["weight"] <= 1.0
