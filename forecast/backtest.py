"""Backtests: fit on the data published by a date, score the projections on what came after.

For each as-of date every model is fitted on the rows published by then (the outlook's cut:
runs stored as ``runs/baseline-as-of-YYYY-MM-DD/``). Each of its plain log-linear trends
(:data:`SCORED_TRENDS`) is then scored on the rows the full data set holds and the cut one does
not: the observations published afterwards. The forecast of one held-out observation is the
posterior predictive of the trend's likelihood,

    log10 y ~ StudentT(nu_s, intercept_s + slope_s * t, sigma_s),   s = 1..S posterior draws,

a mixture over the draws, so its CDF and density are exact averages over the draws:

- the PIT value ``F(y)`` places the observation in its predictive distribution; the central
  p-interval covers it when ``|F(y) - 0.5| <= p / 2``;
- the log score is ``log mean_s p_s(y)`` (higher is better);
- the CRPS is estimated from one predictive draw per posterior draw with the energy form
  ``E|X - y| - E|X - X'| / 2`` (Gneiting & Raftery 2007, JASA 102:359), in log10 units (lower
  is better; 0.1 means the forecast missed by about 26% on average, in its own spread's terms).

A well-calibrated engine covers about 50%, 80% and 95% of held-out rows with those intervals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr
from scipy import special, stats

from forecast import __version__, parallel
from forecast import fit as fitting
from forecast.data import decimal_year
from forecast.errors import InputError
from forecast.models import get_model
from forecast.models.trend import fitted_observations
from forecast.scenarios import as_of_baseline
from forecast.settings import SETTINGS, SamplerSettings, today

#: The plain Student-t trends of each model (no covariates in the mean): the rows each is
#: fitted to are what a backtest scores. The scaling model's overtraining trend has a compute
#: covariate and its loss law is fitted to undated runs, so it is not scored; the walls have no
#: data.
SCORED_TRENDS: dict[str, tuple[str, ...]] = {
    "compute": ("compute",),
    "datawall": ("dataset",),
    "power": ("power",),
    "memory": ("hbm", "flop_per_watt"),
    "cost": ("run_compute", "flop_per_usd", "hardware"),
}
#: Central intervals whose coverage is reported.
INTERVALS = (0.5, 0.8, 0.95)
#: Seed of the predictive draws behind the CRPS.
CRPS_SEED = 20261122


# --- scoring rules -------------------------------------------------------------------------


def crps_from_samples(samples: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Return the CRPS of each observation against predictive samples (energy form).

    Parameters
    ----------
    samples : numpy.ndarray
        Shape ``(n_obs, n_samples)``: draws from each observation's predictive distribution.
    observed : numpy.ndarray
        Shape ``(n_obs,)``.

    Returns
    -------
    numpy.ndarray
        ``mean|X - y| - mean|X - X'| / 2`` per observation, with ``mean|X - X'|`` over all
        ordered pairs (including ``X = X'``), computed from the sorted samples in
        ``O(n log n)``.
    """
    samples = np.asarray(samples, dtype=float)
    observed = np.asarray(observed, dtype=float)
    n = samples.shape[-1]
    to_observed = np.mean(np.abs(samples - observed[:, None]), axis=-1)
    ordered = np.sort(samples, axis=-1)
    weights = 2.0 * np.arange(1, n + 1) - n - 1
    between = 2.0 * np.sum(weights * ordered, axis=-1) / n**2
    return to_observed - 0.5 * between


def student_t_mixture_scores(
    intercept: np.ndarray,
    slope: np.ndarray,
    sigma: np.ndarray,
    nu: np.ndarray,
    years_since_origin: np.ndarray,
    log10_observed: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Score held-out observations against a log-linear Student-t trend's posterior predictive.

    Parameters
    ----------
    intercept, slope, sigma, nu : numpy.ndarray
        Posterior draws, shape ``(n_draws,)``.
    years_since_origin, log10_observed : numpy.ndarray
        The held-out observations, shape ``(n_obs,)``.
    rng : numpy.random.Generator
        For the predictive draws behind the CRPS.

    Returns
    -------
    dict
        ``pit``, ``log_score``, ``crps`` and ``predicted_median`` (the predictive median,
        log10), each of shape ``(n_obs,)``.
    """
    mu = intercept[None, :] + slope[None, :] * years_since_origin[:, None]
    z = (log10_observed[:, None] - mu) / sigma[None, :]
    pit = np.mean(stats.t.cdf(z, nu[None, :]), axis=-1)
    log_density = stats.t.logpdf(z, nu[None, :]) - np.log(sigma[None, :])
    log_score = special.logsumexp(log_density, axis=-1) - np.log(intercept.size)
    noise = rng.standard_t(np.broadcast_to(nu, mu.shape))
    samples = mu + sigma[None, :] * noise
    return {
        "pit": pit,
        "log_score": log_score,
        "crps": crps_from_samples(samples, log10_observed),
        "predicted_median": np.median(samples, axis=-1),
    }


def coverage(pit: np.ndarray, probability: float) -> float:
    """Return the share of observations inside their central ``probability`` interval."""
    pit = np.asarray(pit, dtype=float)
    return float(np.mean(np.abs(pit - 0.5) <= probability / 2.0)) if pit.size else float("nan")


# --- held-out rows -------------------------------------------------------------------------


def _observations(run: xr.DataTree, prefix: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the labels, years since origin and log10 values a run's trend was fitted to."""
    years, observed = fitted_observations(run, prefix)
    labels = observed[observed.dims[0]].values.astype(str)
    return labels, years.values.astype(float), observed.values.astype(float)


def held_out(
    fitted: xr.DataTree, full: xr.DataTree, prefix: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the observations of ``full``'s trend that ``fitted`` was not fitted to.

    An observation is matched by its label and its date, so a row revised in value still counts
    as seen. Returns labels, years since origin and log10 values.
    """
    seen = set(zip(*_observations(fitted, prefix)[:2], strict=True))
    labels, years, values = _observations(full, prefix)
    keep = np.array(
        [(label, t) not in seen for label, t in zip(labels, years, strict=True)], dtype=bool
    )
    return labels[keep], years[keep], values[keep]


def score_run(
    fitted: xr.DataTree, full: xr.DataTree, model: str, as_of: dt.date
) -> xr.Dataset | None:
    """Score one model fitted at ``as_of`` on the rows of ``full`` published afterwards.

    Returns
    -------
    xarray.Dataset or None
        Over dim ``obs``: ``pit``, ``log_score``, ``crps``, ``observed`` and ``predicted_median``
        (log10), with coords ``trend``, ``label``, ``year`` and ``horizon_years`` (time after
        the as-of date); None when nothing was published afterwards.
    """
    posterior = fitted["posterior"]
    as_of_year = float(decimal_year([as_of])[0])
    pieces = []
    for prefix in SCORED_TRENDS[model]:
        labels, years, values = held_out(fitted, full, prefix)
        if not labels.size:
            continue
        draws = {
            name: posterior[f"{prefix}_{name}"].values.reshape(-1)
            for name in ("intercept", "slope", "sigma", "nu")
        }
        rng = np.random.default_rng([CRPS_SEED, len(pieces), int(as_of_year)])
        scores = student_t_mixture_scores(
            **draws, years_since_origin=years, log10_observed=values, rng=rng
        )
        year = years + SETTINGS.year_origin
        pieces.append(
            xr.Dataset(
                {name: ("obs", value) for name, value in scores.items()}
                | {"observed": ("obs", values)},
                coords={
                    "trend": ("obs", [prefix] * labels.size),
                    "label": ("obs", labels),
                    "year": ("obs", year),
                    "horizon_years": ("obs", year - as_of_year),
                },
            )
        )
    return xr.concat(pieces, dim="obs") if pieces else None


# --- fitting at each as-of date ------------------------------------------------------------


def scored_models(model: str) -> list[str]:
    """Return the models a backtest of ``model`` (or ``all``) scores."""
    if model == "all":
        return list(SCORED_TRENDS)
    name = get_model(model).name  # an unknown name is refused with the known ones
    if name not in SCORED_TRENDS:
        raise InputError(
            "--model",
            f"{model!r} has no dated trend to score; expected one of {list(SCORED_TRENDS)} or all",
        )
    return [name]


def _plans_at(
    as_of: dt.date, models: Sequence[str], sampler: SamplerSettings | None
) -> tuple[dict[str, fitting.FitPlan], dict[str, str]]:
    """Plan each model at ``as_of``; return the plans and, per model, why it cannot be fitted."""
    plans: dict[str, fitting.FitPlan] = {}
    skipped: dict[str, str] = {}
    scenario = as_of_baseline(as_of)
    for name in models:
        try:
            plans.update(fitting.plan_all([name], scenario, sampler=sampler))
        except InputError as exc:  # too few rows published by then
            skipped[name] = exc.detail
    return plans, skipped


def _fit_at(
    item: tuple[dt.date, tuple[str, ...], SamplerSettings | None], root: str, runs_dir: str
) -> dict[str, str]:
    """Fit (or reuse) the models at one as-of date in a Dask worker; return the skipped ones."""
    parallel.use_project(root, runs_dir)
    as_of, models, sampler = item
    plans, skipped = _plans_at(as_of, models, sampler)
    fitting.ensure_runs(plans, progressbar=False)
    return skipped


def run_backtest(
    as_of_dates: Sequence[dt.date],
    *,
    model: str = "all",
    sampler: SamplerSettings | None = None,
    scheduler: str | None = None,
    on_event: Callable[[str], None] | None = None,
) -> xr.Dataset:
    """Fit every model at each date and score it on what was published afterwards.

    Several dates are fitted in parallel on Dask (a local cluster by default, ``scheduler``
    for an existing one); one date is fitted in this process.

    Returns
    -------
    xarray.Dataset
        Per held-out observation (dim ``obs``): ``pit``, ``log_score``, ``crps``,
        ``observed``, ``predicted_median``, with coords ``as_of``, ``model``, ``trend``,
        ``label``, ``year`` and ``horizon_years``. attrs: ``version``, ``as_of_dates``,
        ``skipped`` (JSON: per date, the models with too few rows to fit) and the run ids.
    """
    import json

    say = on_event or (lambda message: None)
    models = scored_models(model)
    dates = sorted(set(as_of_dates))
    for date in dates:
        if date >= today():
            raise InputError("--as-of", f"{date} is not in the past; nothing to score against")

    say("fitting the full data")
    full_plans = fitting.plan_all(models, as_of_baseline(None), sampler=sampler)
    full = fitting.ensure_runs(full_plans, progressbar=False)

    say(f"fitting at {len(dates)} as-of date(s)")
    if len(dates) > 1:
        parallel.map_on_cluster(
            _fit_at, [(d, tuple(models), sampler) for d in dates], scheduler=scheduler
        )
    pieces = []
    skipped: dict[str, dict[str, str]] = {}
    run_ids: dict[str, str] = {}
    for date in dates:
        plans, skipped[date.isoformat()] = _plans_at(date, models, sampler)
        runs = fitting.ensure_runs(plans, progressbar=False)
        for name in models:
            if name not in runs:
                continue
            run_ids[f"{date.isoformat()}/{name}"] = runs[name].attrs["config_id"]
            scores = score_run(runs[name], full[name], name, date)
            if scores is not None:
                pieces.append(
                    scores.assign_coords(
                        as_of=("obs", [date.isoformat()] * scores.sizes["obs"]),
                        model=("obs", [name] * scores.sizes["obs"]),
                    )
                )
    if not pieces:
        raise InputError(
            "--as-of", "no row was published after the as-of date(s): nothing to score"
        )
    result = xr.concat(pieces, dim="obs")
    result.attrs = {
        "version": __version__,
        "as_of_dates": json.dumps([d.isoformat() for d in dates]),
        "skipped": json.dumps(skipped),
        "run_ids": json.dumps(run_ids),
        "full_run_ids": json.dumps({n: r.attrs["config_id"] for n, r in full.items()}),
    }
    return result


# --- summaries -----------------------------------------------------------------------------


def summarize(result: xr.Dataset, by: Iterable[str] = ("model", "trend")) -> list[dict[str, Any]]:
    """Return one row per group (and an ``all`` row): count, coverage, mean CRPS and log score."""
    frame = result.reset_coords().to_dataframe().reset_index(drop=True)
    keys = list(by)
    rows = []
    groups: list[tuple[Mapping[str, Any], Any]] = [
        (dict(zip(keys, k if isinstance(k, tuple) else (k,), strict=True)), g)
        for k, g in frame.groupby(keys, sort=True)
    ]
    groups.append(({k: "all" for k in keys}, frame))
    for key, group in groups:
        rows.append(
            key
            | {
                "n": int(len(group)),
                "horizon_years_max": float(group["horizon_years"].max()),
                **{
                    f"coverage_{round(p * 100)}": coverage(group["pit"].values, p)
                    for p in INTERVALS
                },
                "crps_log10": float(group["crps"].mean()),
                "log_score": float(group["log_score"].mean()),
                "reading": reading(group["pit"].values),
            }
        )
    return rows


def reading(pit: np.ndarray) -> str:
    """Return what a group's PIT values say, judged against sampling error (two s.e.).

    The 80% interval's coverage against 0.8 (binomial s.e.) says whether the intervals are
    too narrow or too wide; the mean PIT against 0.5 (s.e. ``sqrt(1/12n)``, a uniform's) says
    whether later observations fall systematically above or below the forecast.
    """
    n = pit.size
    words = []
    covered = coverage(pit, 0.8)
    spread = 2.0 * np.sqrt(0.8 * 0.2 / n)
    if covered < 0.8 - spread:
        words.append("intervals too narrow")
    elif covered > 0.8 + spread:
        words.append("intervals too wide")
    bias = float(np.mean(pit)) - 0.5
    if abs(bias) > 2.0 * np.sqrt(1.0 / (12.0 * n)):
        words.append("forecasts too low" if bias > 0 else "forecasts too high")
    return "; ".join(words) or "consistent with calibration"
