"""Fitted runs on disk: one NetCDF file per (scenario, model), written atomically.

A run is one ``xarray.DataTree`` with the groups PyMC returns (``posterior``, ``sample_stats``,
``observed_data``, ``constant_data``) plus ``fit_data`` (the table rows the fit used) and
``derived`` (projections and wall quantities per draw). Its root attrs hold everything needed to
rebuild the model from the file alone (pymc-marketing's ``model_builder`` convention):

``model``, ``version``, ``config`` (JSON: options, priors, levers, sampler, input hashes),
``config_id`` (short SHA-256 of the config, version and model), ``scenario``, ``random_seed``,
``as_of``, ``created_at``, ``data_sha256``, ``priors_sha256``, ``diagnostics`` (JSON),
``diagnostics_passed``.

A file whose ``config_id`` or ``version`` does not match what the current inputs would produce is
never reused silently: :func:`load_current` returns ``None`` so the caller refits.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from forecast import __version__, settings
from forecast.atomic import write_file
from forecast.fingerprint import fingerprint
from forecast.paths import folder_name


def config_id(model: str, config: dict[str, Any], version: str = __version__) -> str:
    """Return a short, stable id of a model configuration (its fingerprint, with version and model).

    Raises
    ------
    TypeError, ValueError
        If the config holds a value JSON cannot hold (:func:`forecast.fingerprint.fingerprint`).
    """
    return fingerprint({"model": model, "version": version, "config": config})[:16]


def run_path(model: str, scenario: str = "baseline", directory: Path | None = None) -> Path:
    """Return where the run of ``model`` under ``scenario`` is stored.

    The folder is the scenario's name when it is a plain one, else a digest of it
    (:func:`forecast.paths.folder_name`): never a folder outside ``runs/``.
    """
    return Path(directory or settings.runs_dir()) / folder_name(scenario) / f"{model}.nc"


def frame_to_dataset(frame: pd.DataFrame, dim: str = "row") -> xr.Dataset:
    """Convert a table to a Dataset that survives NetCDF (text as str, blanks as '')."""
    data = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            values = series.to_numpy(dtype=bool)
        elif pd.api.types.is_numeric_dtype(series):
            values = series.to_numpy(dtype=float)
        elif pd.api.types.is_datetime64_any_dtype(series):
            values = series.to_numpy(dtype="datetime64[ns]")
        else:
            values = np.array(
                ["" if v is None or v is pd.NA else str(v) for v in series], dtype=object
            )
        data[column] = (dim, values)
    return xr.Dataset(data)


def _compressed(dataset: xr.Dataset) -> dict[str, dict[str, Any]]:
    """Return the encoding that compresses every numeric variable of a dataset."""
    return {
        name: {"zlib": True, "complevel": 4}
        for name, var in dataset.data_vars.items()
        if var.dtype.kind in "fiu"
    }


def save_run(tree: xr.DataTree, path: Path) -> Path:
    """Write a run atomically (:func:`forecast.atomic.write_file`), numbers compressed."""
    encoding = {node.path: _compressed(node.dataset) for node in tree.subtree}
    encoding = {group: spec for group, spec in encoding.items() if spec}
    return write_file(
        path, lambda stage: tree.to_netcdf(stage, encoding=encoding, engine="netcdf4")
    )


def save_dataset(dataset: xr.Dataset, path: Path) -> Path:
    """Write a Dataset (a stress or backtest result) atomically, numbers compressed."""
    encoding = _compressed(dataset)
    return write_file(
        path, lambda stage: dataset.to_netcdf(stage, encoding=encoding, engine="netcdf4")
    )


def load_run(path: Path) -> xr.DataTree:
    """Read a run fully into memory (the file is closed afterwards)."""
    with xr.open_datatree(path, engine="netcdf4") as tree:
        return tree.load().copy()


def stored_attrs(path: Path) -> dict[str, Any] | None:
    """Return a stored run's root attrs without reading its arrays (``None`` if unreadable)."""
    import netCDF4  # the root group's attributes only: no group or variable is decoded

    if not path.is_file():
        return None
    try:
        with netCDF4.Dataset(path) as root:
            return {name: _plain(root.getncattr(name)) for name in root.ncattrs()}
    except (OSError, ValueError):
        return None


def _plain(value: Any) -> Any:
    """Return a netCDF attribute as xarray reads it back: numpy scalars as Python numbers."""
    return value.item() if isinstance(value, np.generic) else value


def stored_config(path: Path) -> dict[str, Any] | None:
    """Return the config in a stored run's attrs without reading its arrays (None if absent)."""
    attrs = stored_attrs(path)
    return json.loads(attrs["config"]) if attrs and "config" in attrs else None


def load_current(path: Path, expected_id: str) -> xr.DataTree | None:
    """Return the stored run if its config id (which covers the version) matches, else ``None``.

    Only the attrs are read to decide; the arrays are read only for a run that is reused.
    """
    return load_run(path) if is_current(path, expected_id) else None


def is_current(path: Path, expected_id: str) -> bool:
    """Return whether a run is stored at ``path`` with config id ``expected_id`` (attrs only)."""
    return (stored_attrs(path) or {}).get("config_id") == expected_id


def diagnostics(tree: xr.DataTree) -> dict[str, Any]:
    """Return the diagnostics stored in a run's attrs."""
    return json.loads(tree.attrs["diagnostics"])
