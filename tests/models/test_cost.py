"""The cost model: recovery on simulated runs, milestones by hand, levers, validation, contract."""

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

from forecast.data import TABLES, load_table, read_rows
from forecast.errors import InputError
from forecast.models import cost
from forecast.models.base import FitInputs, model_priors
from forecast.scenarios import load_scenario
from tests.helpers import (
    REPO,
    assert_row_refused,
    compute_upstream,
    fake_posterior,
    run_cli,
    sample_small,
)

TRUTH = {"run_compute_slope": 0.6, "flop_per_usd_slope": 0.12, "hardware_slope": 0.08}


def simulated_inputs(rng):
    n_runs, n_chips = 40, 15
    t = np.sort(rng.uniform(-2, 5.5, n_runs))
    log10_c = 23.0 + TRUTH["run_compute_slope"] * t + 0.35 * rng.standard_t(4, n_runs)
    log10_fpu = 17.3 + TRUTH["flop_per_usd_slope"] * t + 0.2 * rng.standard_t(4, n_runs)
    t_chip = np.sort(rng.uniform(-3, 4.5, n_chips))
    log10_chip = 10.2 + TRUTH["hardware_slope"] * t_chip + 0.15 * rng.standard_normal(n_chips)
    runs = [f"r{i}" for i in range(n_runs)]
    return FitInputs(
        rows=pd.DataFrame({"model": runs}),
        arrays={
            "run_years_since_origin": t,
            "run_log10_compute": log10_c,
            "run_log10_flop_per_usd": log10_fpu,
            "chip_years_since_origin": t_chip,
            "chip_log10_flop_per_s_per_usd": log10_chip,
            "cost_reference_year": 2025.5,
        },
        coords={"run": runs, "chip": [f"c{i}" for i in range(n_chips)]},
    )


@pytest.mark.slow
def test_recovers_cost_growth_and_its_factors(project, rng):
    priors = model_priors(cost.MODEL)
    post = sample_small(cost.build(simulated_inputs(rng), priors), seed=5)["posterior"]
    for name, truth in TRUTH.items():
        lo, hi = post[name].quantile([0.01, 0.99]).values
        assert lo < truth < hi, name
    growth = 10 ** (post["run_compute_slope"] - post["flop_per_usd_slope"])
    lo, hi = growth.quantile([0.01, 0.99]).values
    assert lo < 10 ** (0.6 - 0.12) < hi


HAND = dict(
    flop_per_usd_intercept=17.0,  # 1e17 FLOP per dollar at 2020
    flop_per_usd_slope=0.1,
    run_compute_intercept=23.0,
    run_compute_slope=0.5,
    hardware_intercept=1.0,
    hardware_slope=0.05,
    cost_reference_year=2025.0,
)
COMPUTE = dict(compute_intercept=23.0, compute_slope=np.log10(4.0), compute_sigma=0.3, compute_nu=5)
LEVERS = dict(flop_per_usd_growth_per_year=None)


def derive(levers=LEVERS, quantile=0.5, **hand):
    post = fake_posterior(**(HAND | hand))
    comp = compute_upstream(fake_posterior(**COMPUTE), quantile)
    return cost.derive(post, {"compute": comp}, levers, seed=0)


def test_milestones_by_hand():
    out = derive()
    slope = np.log10(4.0) - 0.1  # cost of the trend run: 6 + slope * t OOM of dollars
    np.testing.assert_allclose(out["largest_run_cost_usd"].sel(year=2020), 1e6)
    for name, usd in cost.MILESTONES_USD.items():
        np.testing.assert_allclose(out[name], 2020 + (np.log10(usd) - 6) / slope, atol=1e-6)
    np.testing.assert_allclose(out["cost_growth_per_year"], 10 ** (0.5 - 0.1))
    np.testing.assert_allclose(out["projected_cost_growth_per_year"], 4.0 / 10**0.1)
    np.testing.assert_allclose(out["flop_per_usd"].sel(year=2030), 10**18.0)
    # The largest run sits sigma * t_nu^-1(q) above the shared compute trend.
    upper = derive(quantile=0.9)
    offset = 0.3 * stats.t.ppf(0.9, 5)
    np.testing.assert_allclose(
        upper["largest_run_cost_usd"] / out["largest_run_cost_usd"], 10**offset
    )
    np.testing.assert_allclose(
        out["first_1b_run_year"] - upper["first_1b_run_year"], offset / slope
    )


def test_price_performance_lever_acts_after_the_newest_run_only():
    base = derive()
    faster = derive(LEVERS | {"flop_per_usd_growth_per_year": 10**0.3})
    # Up to the newest costed run (2025) the fitted FLOP per dollar stands.
    years = [2020, 2023, 2025]
    xr.testing.assert_allclose(
        faster["flop_per_usd"].sel(year=years), base["flop_per_usd"].sel(year=years)
    )
    # After it: 6 + log10(4) t - 0.1 * 5 - 0.3 (t - 5) = 9 for the first $1B run.
    expected = 2020 + (9 - 6 + 0.5 - 1.5) / (np.log10(4.0) - 0.3)
    np.testing.assert_allclose(faster["first_1b_run_year"], expected, atol=1e-6)
    # The lever moves projections, never what was fitted.
    for name in ("cost_growth_per_year", "flop_per_usd_growth_per_year"):
        xr.testing.assert_equal(faster[name], base[name])
    sweep = xr.DataArray([1.2, 1.5, 2.0], dims="scenario")
    swept = derive(LEVERS | {"flop_per_usd_growth_per_year": sweep})
    assert swept["first_10b_run_year"].dims == ("scenario", "chain", "draw")
    assert (swept["first_10b_run_year"].diff("scenario") > 0).all()


@pytest.mark.parametrize(
    ("table", "line", "column", "value", "message"),
    [
        ("training_costs", 37, "hardware_acquisition_cost_usd_2023", "1000000", "cannot be"),
        ("training_costs", 5, "amortized_hw_energy_cost_usd_2023", "", "at least one cost"),
        ("hardware_price_performance", 17, "flop_per_s_per_usd", "2e11", "dense_flop_per_s"),
        ("hardware_price_performance", 17, "precision", "tf32", "fp16_tensor"),
    ],
)
def test_bad_rows_are_refused_with_line_and_column(tmp_path, table, line, column, value, message):
    assert_row_refused(tmp_path, table, line, column, value, message)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("cost_method", '"rental"', "expected one of ['amortized', 'cloud', 'acquisition']"),
        ("include_tpu", '"no"', "expected true or false"),
        ("start_date", '"2016-13-01"', "2016-13-01"),
    ],
)
def test_bad_fit_options_are_refused(project, tmp_path, option, value, message):
    path = tmp_path / "bad.toml"
    path.write_text(f'[scenario]\nname = "bad"\n[cost.fit]\n{option} = {value}\n')
    with pytest.raises(InputError) as info:
        load_scenario(str(path))
    assert info.value.column == f"cost.fit.{option}" and message in str(info.value)


def test_a_cost_per_flop_of_its_models_compute_catches_a_unit_slip(project, capsys):
    # GPT-4's $40.6M typed in millions: checked against the compute models.csv gives it.
    path = project / "data" / "training_costs.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    line = int(frame.index[frame["model"] == "GPT-4 (Mar 2023)"][0]) + 2
    frame.loc[line - 2, "amortized_hw_energy_cost_usd_2023"] = "40.6"
    frame.to_csv(path, index=False)
    assert run_cli("data", "check") == 2
    err = capsys.readouterr().err
    assert f"training_costs.csv, line {line}, column 'amortized_hw_energy_cost_usd_2023'" in err
    assert "not millions" in err and "(models.csv)" in err


def test_bundled_cost_tables():
    runs = load_table("training_costs", directory=REPO / "data")
    amortized = runs[runs["amortized_hw_energy_cost_usd_2023"].notna()]
    assert len(amortized) >= 25
    assert set(amortized["publication_date"].dt.year) >= set(range(2016, 2026))
    gpt4 = runs.set_index("model").loc["GPT-4 (Mar 2023)"]
    assert gpt4["amortized_hw_energy_cost_usd_2023"] == pytest.approx(40.6e6, rel=0.01)  # $40M
    chips = read_rows(
        REPO / "data" / "hardware_price_performance.csv", TABLES["hardware_price_performance"]
    )
    tensor = [r for _, r in chips if r.precision == "fp16_tensor" and r.market == "datacenter"]
    assert len(tensor) >= 10


def test_forecast_cost_json_contract(in_stored, capsys):
    assert run_cli("forecast", "cost", "--json") == 0
    entry = json.loads(capsys.readouterr().out)["cost"]
    names = (
        "cost_growth_per_year",
        "first_1b_run_year",
        "first_10b_run_year",
        "first_100b_run_year",
    )
    for name in names:
        h = entry["headline"][name]
        assert set(h) == {"median", "p10", "p90", "unit"} and h["p10"] <= h["median"]
        assert h["p90"] is None or h["median"] <= h["p90"]  # None: after the horizon
    years = [entry["headline"][n]["median"] for n in names[1:]]
    assert years == sorted(years)
    probs = list(entry["p_first_1b_run_by"].values())
    assert probs == sorted(probs)
    assert set(entry["diagnostics"]) >= {"rhat_max", "ess_bulk_min", "divergences"}
