"""Memory: the HBM bandwidth roadmap and the memory wall.

HBM per-stack bandwidth
-----------------------
A robust log-linear trend of the bandwidth per HBM stack (GB/s) of the shipping standards and
products in ``data/hbm_generations.csv`` (HBM 2013 to HBM4 2026) against their year::

    log10 BW_g ~ StudentT(nu, hbm_intercept + hbm_slope * (year_g - 2020), hbm_sigma)

Accelerators: bandwidth and FLOP/s jointly
------------------------------------------
For each shipping accelerator ``i`` (``data/accelerators.csv``) the pair ``y_i = (log10 memory
bandwidth [TB/s], log10 dense 16-bit FLOP/s [TFLOP/s])`` follows two trends with correlated
scatter::

    y_i ~ MvStudentT(nu, a + b (t_i - 2020), Sigma),  Sigma = diag(s) R diag(s)
    R ~ LKJ(eta = 2),  s_k ~ HalfNormal (accel_sd)

A part that is high-end in FLOP/s is high-end in bandwidth too (R > 0); the memory wall is the
difference of the slopes, ``bytes per FLOP`` falling by ``10 ** (b_bw - b_flops)`` a year.
``eta = 2`` mildly favours small correlations (Lewandowski, Kurowicka & Joe 2009; the value the
Stan manual suggests).

Accelerator energy efficiency
-----------------------------
A robust log-linear trend of dense 16-bit FLOP/s per watt of TDP of the same shipping parts
(those with a published TDP), read by the walls comparison to turn power into FLOP (``fpw``
stands for ``flop_per_watt``)::

    log10 (FLOP/s per W)_i ~ StudentT(nu, fpw_intercept + fpw_slope (t_i - 2020), fpw_sigma)

Derived per draw
----------------
Per-stack and per-accelerator bandwidth, FLOP/s and bytes per FLOP on the year grid; the decode
ceiling (tokens/s per accelerator) of a model with ``decode_active_parameters`` at
``decode_bytes_per_param`` (batch 1, memory-bound: every active weight is read once per token);
the stacks-per-package growth implied by the two bandwidth slopes. Physical caps (stack height,
package size) enter as levers capping per-stack and per-accelerator bandwidth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from forecast.data import decimal_year
from forecast.models import compute
from forecast.models.base import FitInputs, ModelSpec, canonical_order, fit_options, lever
from forecast.models.reporting import BoxItem, FigureItem, ModelReport, Section, TrackRecord
from forecast.models.trend import (
    TREND_FORMS,
    add_trend,
    latest_log10_growth,
    log10_trend,
    log10_trend_then,
    project_log10,
    trend_curve,
    trend_kinks,
    trend_prior_defaults,
    trend_prior_names,
)
from forecast.priors import PriorSet
from forecast.settings import SETTINGS
from forecast.summary import Quantity

METRICS = ("bandwidth", "flops")
LKJ_ETA = 2.0
#: First projected year: forward levers on a fitted rate act from here on.
LEVER_START_YEAR = 2026.0
#: Years the headlines read (a lever sweep derives only these; the walls read 2030 too).
HEADLINE_YEARS = (2030,)
#: Intercepts and slopes of the two accelerator trends.
ACCEL_TREND_PRIORS = (
    "accel_bandwidth_intercept",
    "accel_flops_intercept",
    "accel_bandwidth_slope",
    "accel_flops_slope",
)
PRIOR_NAMES = (
    *trend_prior_names("hbm"),
    *ACCEL_TREND_PRIORS,
    "accel_sd",
    "accel_nu",
    *trend_prior_names("flop_per_watt"),
)
LEVER_NAMES = (
    "decode_active_parameters",
    "decode_bytes_per_param",
    "hbm_stack_bandwidth_cap_tbps",
    "accelerator_bandwidth_cap_tbps",
    "flop_per_watt_growth_per_year",
)


def select(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]) -> FitInputs:
    """Choose the HBM rows and the accelerators with both bandwidth and 16-bit FLOP/s."""
    statuses = ("shipping", "announced") if options["include_announced"] else ("shipping",)
    hbm = tables["hbm_generations"]
    hbm = hbm[hbm["status"].isin(statuses)].sort_values("year").reset_index(drop=True)
    parts = tables["accelerators"]
    parts = parts[parts["status"].isin(statuses) & parts["dense_bf16_tflops"].notna()]
    parts = parts.sort_values("release_date").reset_index(drop=True)
    log10_pair = np.column_stack(
        [
            np.log10(parts["memory_bandwidth_tbps"].to_numpy(float)),
            np.log10(parts["dense_bf16_tflops"].to_numpy(float)),
        ]
    )
    rated = parts[parts["tdp_w"].notna()]
    return FitInputs(
        rows=parts,
        arrays={
            "flop_per_watt_years_since_origin": decimal_year(rated["release_date"])
            - SETTINGS.year_origin,
            "flop_per_watt_log10": np.log10(
                rated["dense_bf16_tflops"].to_numpy(float) * 1e12 / rated["tdp_w"].to_numpy(float)
            ),
            "accel_years_since_origin": decimal_year(parts["release_date"]) - SETTINGS.year_origin,
            "accel_log10": log10_pair,
            "hbm_years_since_origin": hbm["year"].to_numpy(float) - SETTINGS.year_origin,
            "hbm_log10": np.log10(hbm["stack_bandwidth_gbps"].to_numpy(float)),
        },
        coords={
            "accelerator": parts["accelerator"].tolist(),
            "metric": list(METRICS),
            "hbm": hbm["variant"].tolist(),
            "rated_accelerator": rated["accelerator"].tolist(),
        },
        extra_rows={"hbm": hbm},
        row_tables={"fit_data": "accelerators", "fit_data_hbm": "hbm_generations"},
    )


def build(inputs: FitInputs, priors: PriorSet) -> pm.Model:
    """Build the HBM trend and the joint accelerator bandwidth / FLOP/s model."""
    a = inputs.arrays
    with pm.Model(coords=inputs.coords) as model:
        forms = fit_options(inputs, MODEL.fit_options)
        add_trend(
            "hbm",
            a["hbm_years_since_origin"],
            a["hbm_log10"],
            priors,
            dims="hbm",
            form=forms["hbm_trend_form"],
        )
        add_trend(
            "flop_per_watt",
            a["flop_per_watt_years_since_origin"],
            a["flop_per_watt_log10"],
            priors,
            dims="rated_accelerator",
            form=forms["flop_per_watt_trend_form"],
        )
        t = pm.Data("accel_years_since_origin", a["accel_years_since_origin"], dims="accelerator")
        p = {name: priors[name].create(name) for name in ACCEL_TREND_PRIORS}
        intercept = pt.stack([p["accel_bandwidth_intercept"], p["accel_flops_intercept"]])
        slope = pt.stack([p["accel_bandwidth_slope"], p["accel_flops_slope"]])
        chol, corr, _ = pm.LKJCholeskyCov(
            "accel_chol",
            n=2,
            eta=LKJ_ETA,
            sd_dist=priors["accel_sd"].distribution(),
            compute_corr=True,
        )
        pm.Deterministic("accel_correlation", corr[0, 1])
        pm.MvStudentT(
            "accel_log10_observed",
            nu=priors["accel_nu"].create("accel_nu"),
            mu=intercept + slope * t[:, None],
            chol=chol,
            observed=a["accel_log10"],
            dims=("accelerator", "metric"),
        )
    return model


def _capped(log10_value: xr.DataArray, cap: Any) -> xr.DataArray:
    """Apply an optional physical cap (same unit as ``10 ** log10_value``)."""
    return log10_value if cap is None else np.minimum(log10_value, np.log10(cap))


def flop_per_watt_log10(curve: Mapping[str, Any], years: Any) -> xr.DataArray:
    """Return log10 accelerator FLOP/s per watt of TDP at ``years``.

    The fitted trend (its stored curve), then from :data:`LEVER_START_YEAR` on the rate
    ``flop_per_watt_log10_growth_after`` where the lever sets it (NaN: the trend goes on), so a
    model downstream (the walls) evaluates it exactly at any year, log-linear between
    :func:`flop_per_watt_kinks`.
    """
    return log10_trend_then(
        curve,
        "flop_per_watt",
        years,
        LEVER_START_YEAR,
        curve["flop_per_watt_log10_growth_after"],
    )


def flop_per_watt_kinks(curve: Mapping[str, Any]) -> tuple[Any, ...]:
    """Return the years where the FLOP-per-watt path may change slope."""
    return (*trend_kinks(curve, "flop_per_watt"), LEVER_START_YEAR)


def derive(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    seed: int,
    years: xr.DataArray | None = None,
) -> xr.Dataset:
    """Project bandwidth, FLOP/s, bytes per FLOP and the decode ceiling per draw.

    At ``years`` (default: the projection grid).
    """
    origin = SETTINGS.year_origin
    years = compute.year_coord() if years is None else years
    hbm = trend_curve(posterior, "hbm", seed=seed)
    log10_stack_tbps = _capped(
        log10_trend(hbm, "hbm", years) - 3.0,
        lever(levers, "hbm_stack_bandwidth_cap_tbps"),
    )
    hbm_growth = latest_log10_growth(hbm, "hbm")
    b_bw, b_fl = posterior["accel_bandwidth_slope"], posterior["accel_flops_slope"]
    log10_bw_tbps = _capped(
        project_log10(posterior["accel_bandwidth_intercept"], b_bw, years, origin),
        lever(levers, "accelerator_bandwidth_cap_tbps"),
    )
    log10_tflops = project_log10(posterior["accel_flops_intercept"], b_fl, years, origin)
    fpw_after = lever(levers, "flop_per_watt_growth_per_year")
    fpw = trend_curve(posterior, "flop_per_watt", seed=seed).assign(
        flop_per_watt_log10_growth_after=xr.DataArray(np.nan)
        if fpw_after is None
        else np.log10(fpw_after)
    )
    weight_bytes = lever(levers, "decode_active_parameters") * lever(
        levers, "decode_bytes_per_param"
    )
    return canonical_order(
        xr.Dataset(
            {
                "hbm_stack_bandwidth_tbps": 10**log10_stack_tbps,
                "accelerator_bandwidth_tbps": 10**log10_bw_tbps,
                "accelerator_bf16_tflops": 10**log10_tflops,
                "bytes_per_flop": 10 ** (log10_bw_tbps - log10_tflops),
                "decode_tokens_per_second": 10 ** (log10_bw_tbps + 12.0) / weight_bytes,
                "hbm_stack_bandwidth_growth_per_year": 10**hbm_growth,
                "accelerator_bandwidth_growth_per_year": 10**b_bw,
                "flops_growth_per_year": 10**b_fl,
                "bytes_per_flop_change_per_year": 10 ** (b_bw - b_fl),
                "stacks_per_package_growth_per_year": 10 ** (b_bw - hbm_growth),
                "accel_correlation": posterior["accel_correlation"],
                "accelerator_flop_per_s_per_watt": 10 ** flop_per_watt_log10(fpw, years),
                "flop_per_watt_growth_per_year": 10 ** latest_log10_growth(fpw, "flop_per_watt"),
                **fpw.data_vars,
            }
        )
    )


def headline(derived: xr.Dataset) -> dict[str, Quantity]:
    """Return the memory model's headline numbers."""
    h = Quantity
    at_2030 = {"year": 2030}
    return {
        "accelerator_bandwidth_growth_per_year": h(
            derived["accelerator_bandwidth_growth_per_year"], "x/yr"
        ),
        "hbm_stack_bandwidth_2030_tbps": h(
            derived["hbm_stack_bandwidth_tbps"].sel(at_2030), "TB/s per stack"
        ),
        "flops_growth_per_year": h(derived["flops_growth_per_year"], "x/yr (dense 16-bit)"),
        "bytes_per_flop_change_per_year": h(
            derived["bytes_per_flop_change_per_year"], "x/yr (below 1: the memory wall)"
        ),
        "hbm_stack_bandwidth_growth_per_year": h(
            derived["hbm_stack_bandwidth_growth_per_year"], "x/yr"
        ),
        "accelerator_bandwidth_2030_tbps": h(
            derived["accelerator_bandwidth_tbps"].sel(at_2030), "TB/s per accelerator"
        ),
        "bytes_per_flop_2030": h(derived["bytes_per_flop"].sel(at_2030), "bytes per 16-bit FLOP"),
        "decode_tokens_per_second_2030": h(
            derived["decode_tokens_per_second"].sel(at_2030),
            "tokens/s per accelerator (batch 1; levers decode_*)",
        ),
        "stacks_per_package_growth_per_year": h(
            derived["stacks_per_package_growth_per_year"], "x/yr (implied)"
        ),
        "bandwidth_flops_correlation": h(derived["accel_correlation"], "residual correlation"),
        "flop_per_watt_growth_per_year": h(
            derived["flop_per_watt_growth_per_year"], "x/yr (dense 16-bit FLOP/s per W of TDP)"
        ),
    }


#: The memory wall in the outlook: reported, not a training cap.
REPORT = ModelReport(
    rank=3,
    section=Section(
        "memory",
        "Memory bandwidth: the roadmap and bytes per FLOP",
        figures=(
            FigureItem(
                "memory_wall",
                "Left: memory bandwidth per HBM stack and per accelerator, with the generations "
                "and accelerators fitted. Right: bytes of memory bandwidth per dense 16-bit "
                "FLOP, falling because FLOP/s grows faster than bandwidth (the memory wall).",
                "forecast.report.figures.memory:memory_wall",
            ),
        ),
    ),
    box=(
        BoxItem(
            "hbm_stack_bandwidth_2030_tbps",
            "HBM bandwidth per stack in 2030 (TB/s); an inference-side limit, not a training cap",
            track_record=(TrackRecord("memory", "hbm", "later HBM generations"),),
        ),
    ),
    stress_headlines=("hbm_stack_bandwidth_2030_tbps",),
    labels={
        "accelerator_bandwidth_growth_per_year": (
            "Growth of accelerator memory bandwidth (times per year)"
        ),
        "hbm_stack_bandwidth_2030_tbps": "HBM bandwidth per stack in 2030 (TB/s)",
        "flops_growth_per_year": "Growth of accelerator dense 16-bit FLOP/s (times per year)",
        "bytes_per_flop_change_per_year": (
            "Change of memory bytes per FLOP (times per year; below 1 is the memory wall)"
        ),
        "hbm_stack_bandwidth_growth_per_year": "Growth of HBM bandwidth per stack (times per year)",
        "accelerator_bandwidth_2030_tbps": "Accelerator memory bandwidth in 2030 (TB/s)",
        "bytes_per_flop_2030": "Memory bytes per dense 16-bit FLOP in 2030",
        "decode_tokens_per_second_2030": (
            "Decoding speed memory bandwidth allows in 2030 (tokens/s per accelerator, batch 1)"
        ),
        "stacks_per_package_growth_per_year": (
            "Growth of HBM stacks per accelerator (times per year)"
        ),
        "bandwidth_flops_correlation": "Correlation of bandwidth and FLOP/s about their trends",
        "flop_per_watt_growth_per_year": "Growth of FLOP/s per watt (times per year)",
    },
)


MODEL = ModelSpec(
    name="memory",
    description="HBM bandwidth per stack and per accelerator against accelerator FLOP/s.",
    tables=("accelerators", "hbm_generations"),
    prior_names=PRIOR_NAMES,
    lever_names=LEVER_NAMES,
    select=select,
    build=build,
    derive=derive,
    headline=headline,
    headline_years=HEADLINE_YEARS,
    fit_options={
        "include_announced": False,
        "hbm_trend_form": "linear",
        "flop_per_watt_trend_form": "linear",
    },
    fit_choices={"hbm_trend_form": TREND_FORMS, "flop_per_watt_trend_form": TREND_FORMS},
    prior_defaults=trend_prior_defaults("hbm", "flop_per_watt") | {"accel_nu": "trend_nu"},
    report=REPORT,
)
