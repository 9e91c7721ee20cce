"""The memory model: recovery on simulated parts, derived quantities by hand, validation."""

import json

import numpy as np
import pandas as pd
import pytest

from forecast.data import TABLES, load_table, read_rows
from forecast.models import memory
from forecast.models.base import FitInputs, model_priors
from tests.helpers import REPO, assert_row_refused, fake_posterior, run_cli, sample_small


def simulated_inputs(rng, bw_slope=0.11, flops_slope=0.18, rho=0.6, n=40):
    t = np.sort(rng.uniform(-4, 6, n))
    cov = np.array([[0.15**2, rho * 0.15 * 0.2], [rho * 0.15 * 0.2, 0.2**2]])
    noise = rng.multivariate_normal([0, 0], cov, n)
    pair = np.column_stack([0.2 + bw_slope * t, 2.5 + flops_slope * t]) + noise
    years = np.arange(2013, 2027)
    hbm = 2.66 + 0.1 * (years - 2020) + 0.05 * rng.standard_normal(years.size)
    efficiency = 11.9 + 0.12 * t + 0.1 * rng.standard_normal(n)
    return FitInputs(
        rows=pd.DataFrame({"accelerator": [f"a{i}" for i in range(n)]}),
        arrays={
            "accel_years_since_origin": t,
            "accel_log10": pair,
            "hbm_years_since_origin": years - 2020.0,
            "hbm_log10": hbm,
            "flop_per_watt_years_since_origin": t,
            "flop_per_watt_log10": efficiency,
        },
        coords={
            "accelerator": [f"a{i}" for i in range(n)],
            "metric": list(memory.METRICS),
            "hbm": [str(y) for y in years],
            "rated_accelerator": [f"a{i}" for i in range(n)],
        },
    )


@pytest.mark.slow
def test_recovers_slopes_and_correlation(project, rng):
    priors = model_priors(memory.MODEL)
    tree = sample_small(memory.build(simulated_inputs(rng), priors), seed=13, target_accept=0.9)
    post = tree["posterior"]
    truth = {
        "accel_bandwidth_slope": 0.11,
        "accel_flops_slope": 0.18,
        "accel_correlation": 0.6,
        "hbm_slope": 0.1,
        "flop_per_watt_slope": 0.12,
    }
    for name, value in truth.items():
        lo, hi = post[name].quantile([0.01, 0.99]).values
        assert lo < value < hi, name


HAND = dict(
    hbm_intercept=3.0,  # 1 TB/s per stack at 2020
    hbm_slope=0.1,
    accel_bandwidth_intercept=0.0,  # 1 TB/s at 2020
    accel_bandwidth_slope=0.1,
    accel_flops_intercept=3.0,  # 1000 TFLOP/s at 2020
    accel_flops_slope=0.2,
    accel_correlation=0.5,
    flop_per_watt_intercept=12.0,  # 1e12 FLOP/s per W at 2020
    flop_per_watt_slope=0.1,
)
LEVERS = dict(
    decode_active_parameters=1e11,
    decode_bytes_per_param=1.0,
    hbm_stack_bandwidth_cap_tbps=None,
    accelerator_bandwidth_cap_tbps=None,
)


def test_derived_by_hand_and_caps():
    out = memory.derive(fake_posterior(**HAND), {}, LEVERS, seed=0)
    at = {"year": 2030}
    np.testing.assert_allclose(out["accelerator_bandwidth_tbps"].sel(at), 10.0)
    np.testing.assert_allclose(out["hbm_stack_bandwidth_tbps"].sel(at), 10.0)
    # 10 TB/s over 1e5 TFLOP/s = 1e-4 bytes per FLOP; falls by 10^-0.1 a year
    np.testing.assert_allclose(out["bytes_per_flop"].sel(at), 1e-4)
    np.testing.assert_allclose(out["bytes_per_flop_change_per_year"], 10**-0.1)
    # decode: 10 TB/s / (1e11 params x 1 byte) = 100 tokens/s
    np.testing.assert_allclose(out["decode_tokens_per_second"].sel(at), 100.0)
    np.testing.assert_allclose(out["accelerator_flop_per_s_per_watt"].sel(at), 1e13)
    capped = memory.derive(
        fake_posterior(**HAND), {}, LEVERS | {"accelerator_bandwidth_cap_tbps": 5.0}, seed=0
    )
    np.testing.assert_allclose(capped["decode_tokens_per_second"].sel(at), 50.0)
    np.testing.assert_allclose(capped["accelerator_bandwidth_tbps"].sel(year=2025), 10**0.5)


@pytest.mark.parametrize(
    ("table", "line", "column", "value", "message"),
    [
        ("hbm_generations", 4, "stack_bandwidth_gbps", "2048", "width x pin rate"),
        ("accelerators", 3, "dense_bf16_tflops", "", "needs its dense"),
        ("accelerators", 6, "status", "rumoured", "shipping"),
    ],
)
def test_bad_rows_are_refused_with_line_and_column(tmp_path, table, line, column, value, message):
    assert_row_refused(tmp_path, table, line, column, value, message)


def test_bundled_memory_tables():
    parts = read_rows(REPO / "data" / "accelerators.csv", TABLES["accelerators"])
    assert len(parts) >= 15
    assert {r.vendor for _, r in parts} >= {"NVIDIA", "AMD", "Google"}
    assert any(r.status == "announced" for _, r in parts)
    hbm = read_rows(REPO / "data" / "hbm_generations.csv", TABLES["hbm_generations"])
    assert {r.generation for _, r in hbm} >= {"HBM", "HBM2", "HBM3", "HBM4", "HBM4E"}


def test_forecast_memory_json_contract(in_stored, capsys):
    assert run_cli("forecast", "memory", "--json") == 0
    entry = json.loads(capsys.readouterr().out)["memory"]
    for name in ("accelerator_bandwidth_growth_per_year", "hbm_stack_bandwidth_2030_tbps"):
        h = entry["headline"][name]
        assert set(h) == {"median", "p10", "p90", "unit"} and h["p10"] <= h["median"] <= h["p90"]
    # The newest shipping accelerator fitted (the announced ones are left out).
    parts = load_table("accelerators")
    newest = parts[parts["status"] == "shipping"]["release_date"].max()
    assert entry["run"]["latest_row_date"] == newest.date().isoformat()
