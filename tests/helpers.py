"""Helpers the tests share (fixtures are in ``conftest.py``): small sampler settings, a project
copy, the CLI in-process, bad input rows, hand-made posteriors."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from forecast.settings import SamplerSettings

REPO = Path(__file__).resolve().parents[1]
#: Files the tests read: an Epoch AI export, the committed runs (``fixtures/make_runs.py``).
FIXTURES = REPO / "tests" / "fixtures"
#: A 47-column export of Epoch AI's Notable AI Models database.
EPOCH_EXPORT = FIXTURES / "epoch_notable_models.csv"

#: Small, fixed-seed sampler settings: tests check plumbing and maths, not precision.
SMALL = SamplerSettings(draws=200, tune=300, chains=2, cores=2, seed=7)


def sample_small(model, seed: int, target_accept: float = 0.8):
    """Sample a model with the small test settings (2 chains, fixed seed)."""
    import pymc as pm

    with model:
        return pm.sample(
            draws=SMALL.draws,
            tune=SMALL.tune,
            chains=2,
            cores=2,
            random_seed=seed,
            nuts_sampler="pymc",
            progressbar=False,
            target_accept=target_accept,
            compute_convergence_checks=False,
        )


def make_project(root: Path) -> Path:
    """Copy the bundled data and priors into ``root``."""
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "priors", root / "priors")
    return root


def run_cli(*args: str) -> int:
    """Run the console entry point in-process; return its exit code."""
    import sys

    from forecast.cli import main

    argv = sys.argv
    sys.argv = ["datawall", *args]
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        sys.argv = argv
    return 0


def bad_copy(tmp_path: Path, table: str, line: int, column: str, value: str) -> Path:
    """Write a copy of a bundled table with one cell changed (``line`` counts the header as 1)."""
    import pandas as pd

    frame = pd.read_csv(REPO / "data" / f"{table}.csv", dtype=str, keep_default_na=False)
    frame.loc[line - 2, column] = value
    bad = tmp_path / f"{table}.csv"
    frame.to_csv(bad, index=False)
    return bad


def assert_row_refused(
    tmp_path: Path, table: str, line: int, column: str, value: str, message: str
) -> None:
    """Check that a bundled table with one bad cell is refused, naming that line and column."""
    from forecast.data import TABLES, read_rows
    from forecast.errors import InputError

    with pytest.raises(InputError) as info:
        read_rows(bad_copy(tmp_path, table, line, column, value), TABLES[table])
    assert info.value.row == line and info.value.column == column
    assert message in str(info.value)


def compute_upstream(posterior, quantile: float = 0.5):
    """What a model reads from the compute run: a straight trend's draws, the largest run's
    placement (at ``quantile`` of the scatter) and the current growth."""
    import xarray as xr

    from forecast.models.trend import quantile_offset

    q = xr.DataArray(quantile)
    out = posterior.assign(largest_run_quantile=q)
    offset = (
        quantile_offset(posterior["compute_sigma"], posterior["compute_nu"], q)
        if "compute_sigma" in posterior
        else xr.DataArray(0.0)
    )
    out = out.assign(largest_run_log10_offset=offset)
    if "compute_slope" in posterior:
        out = out.assign(compute_growth_per_year=10 ** posterior["compute_slope"])
    return out


def fake_posterior(**values: float) -> xr.Dataset:
    """Return a posterior of one chain and three draws, each variable constant at its value."""
    shape = (1, 3)
    coords = {"chain": [0], "draw": [0, 1, 2]}
    return xr.Dataset(
        {k: (("chain", "draw"), np.full(shape, v, dtype=float)) for k, v in values.items()},
        coords=coords,
    )


#: The two keys of :func:`sweep_result`'s grid.
ROW, COL = "power.lab_share", "power.extra_grid_delay_years"


def sweep_result(
    rows=(0.1, 0.233333, 0.366667), cols=(4.0, 2.0, 0.0), bases=("baseline",), moving=True
) -> xr.Dataset:
    """A stress result of a two-key sweep per base scenario, after the baseline row.

    ``walls.first_wall_year``'s median is ``2027 + row + col / 10`` (or 2027 if not moving);
    ``datawall.exhaustion_year`` is 2030 everywhere; ``walls.first_wall`` is categorical.
    """
    names, row_of, col_of, medians = ["baseline"], [np.nan], [np.nan], [2027.5]
    for base in bases:
        for r, c in itertools.product(rows, cols):  # the last axis fastest, as a plan orders it
            names.append(f"{base}[{ROW}={r:.6g}][{COL}={c:.6g}]")
            row_of.append(r)
            col_of.append(c)
            medians.append(2027 + r + c / 10 if moving else 2027.0)
    n = len(names)
    stats = np.stack([medians, np.array(medians) - 1, np.array(medians) + 1], axis=1)
    result = xr.Dataset(
        {
            "walls.first_wall": (("scenario", "wall"), np.full((n, 2), 0.5)),
            "walls.first_wall_year": (("scenario", "stat"), stats),
            "datawall.exhaustion_year": (("scenario", "stat"), np.full((n, 3), 2030.0)),
            "diagnostics_passed": ("scenario", np.arange(n) != 1),
        },
        coords={
            "scenario": names,
            "stat": ["median", "p10", "p90"],
            "wall": ["data", "power"],
            ROW: ("scenario", row_of),
            COL: ("scenario", col_of),
        },
    )
    for key in ("walls.first_wall_year", "datawall.exhaustion_year"):
        result[key].attrs["unit"] = "year"
    return result
