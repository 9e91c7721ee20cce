"""Backtests: fit on the data published by a date, score the forecasts on what came after.

For each as-of date every model is fitted on the rows published by then (the outlook's cut:
runs stored as ``runs/baseline-as-of-YYYY-MM-DD/``), and three kinds of forecast are scored on
what the full data hold and the cut data did not:

* **rows around a trend** (:data:`SCORED_TRENDS`): each later observation against the trend's
  posterior predictive at its date, ``log10 y ~ StudentT(nu_s, mu_s(t), sigma_s)`` over the
  draws ``s`` (``mu_s`` the trend's curve, for a local linear trend its random-walk path);
* **the data wall's compute-based demand** (trend ``dataset_compute`` of model ``datawall``):
  the same later dataset rows against ``D = sqrt(k m C / 6)`` at their dates (the projection
  the data wall sets beside its dataset-size trend), with the rows' fitted scatter about that
  trend; the two projections' log scores give the demand mixture's stacking weight
  (:func:`stacking_weight`);
* **the largest run of each later calendar year** (trend ``largest_run`` of model ``compute``):
  the year's largest frontier run against the compute model's predictive distribution of it,
  ``StudentT(nu, mu(y + 1/2) + largest_run_offset, largest_run_sigma)`` over the draws;
* **milestones** (:data:`EVENTS`): the date of the first run above 1e25 and 1e26 FLOP and of
  the first $100M and $1B run, where it came after the cut, against the predictive
  distribution of the first year whose largest run passes the threshold,
  ``P(date <= T) = 1 - prod over the years to T of P(that year's largest does not)`` (a run's
  cost: its compute over the FLOP it bought per dollar, scattered about the cost model's
  trend).

Each score is an exact average over the draws: the PIT value ``F(y)`` (coverage of the central
intervals: ``|F(y) - 0.5| <= p / 2``; a well-calibrated forecast covers about 50%, 80% and 95%
and has a mean PIT near 0.5), the log score, and the CRPS (energy form, Gneiting & Raftery
2007, JASA 102:359, from one predictive draw per posterior draw; log10 units, years for
milestones). Standard errors resample releases, not rows (:func:`bootstrap`): a release seen
at several cuts is one piece of evidence.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy import optimize, special, stats

from forecast import __version__, parallel
from forecast import fit as fitting
from forecast.data import decimal_year
from forecast.errors import InputError
from forecast.models import compute, cost, get_model
from forecast.models.trend import fitted_observations, log10_trend, trend_curve
from forecast.scenarios import Scenario, as_of_cut, load_scenario
from forecast.settings import SETTINGS, SamplerSettings, today

#: The Student-t trends of each model whose later rows are scored. The scaling model's
#: overtraining trend has a compute covariate and its loss law is fitted to undated runs, so
#: it is not scored; the walls have no data.
SCORED_TRENDS: dict[str, tuple[str, ...]] = {
    "compute": ("compute",),
    "datawall": ("dataset",),
    "power": ("power",),
    "memory": ("hbm", "flop_per_watt"),
    "cost": ("run_compute", "flop_per_usd", "hardware"),
}
#: The headline milestones scored as events: name -> (model, log10 threshold, unit).
EVENTS: dict[str, tuple[str, float, str]] = {
    "first_1e25_flop_run": ("compute", 25.0, "FLOP"),
    "first_1e26_flop_run": ("compute", 26.0, "FLOP"),
    "first_100m_usd_run": ("cost", 8.0, "USD 2023"),
    "first_1b_usd_run": ("cost", 9.0, "USD 2023"),
}
#: The data wall's two demand projections, scored on the same later rows: the dataset-size
#: trend (historical) and the compute-based projection.
DEMAND_PROJECTIONS = ("dataset", "dataset_compute")
#: Central intervals whose coverage is reported.
INTERVALS = (0.5, 0.8, 0.95)
#: Seed of the predictive draws behind the CRPS.
CRPS_SEED = 20261122
#: Points per year of a milestone's predictive date distribution (its CRPS samples).
STEPS_PER_YEAR = 24
#: Quantile points of a run's FLOP per dollar integrated over (a cost milestone).
COST_QUADRATURE = 32
#: Milestones are searched to this many years after the cut.
EVENT_HORIZON_YEARS = 25.0
#: Bootstrap resamples of the releases behind the standard errors.
BOOTSTRAP_SAMPLES = 2000


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
    mu: np.ndarray,
    sigma: np.ndarray,
    nu: np.ndarray,
    log10_observed: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Score observations against a Student-t mixture over posterior draws.

    Parameters
    ----------
    mu : numpy.ndarray
        The trend at each observation's date per draw, shape ``(n_obs, n_draws)``.
    sigma, nu : numpy.ndarray
        Posterior draws, shape ``(n_draws,)``.
    log10_observed : numpy.ndarray
        The observations, shape ``(n_obs,)``.
    rng : numpy.random.Generator
        For the predictive draws behind the CRPS.

    Returns
    -------
    dict
        ``pit``, ``log_score``, ``crps`` and ``predicted_median`` (log10), each ``(n_obs,)``.
    """
    z = (log10_observed[:, None] - mu) / sigma[None, :]
    pit = np.mean(stats.t.cdf(z, nu[None, :]), axis=-1)
    log_density = stats.t.logpdf(z, nu[None, :]) - np.log(sigma[None, :])
    log_score = special.logsumexp(log_density, axis=-1) - np.log(sigma.size)
    samples = mu + sigma[None, :] * rng.standard_t(np.broadcast_to(nu, mu.shape))
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


# --- what a cut run forecast ---------------------------------------------------------------


def _flat(values: xr.DataArray) -> np.ndarray:
    """Return a per-draw quantity as one value per draw (chains one after another)."""
    return values.transpose("chain", "draw", ...).values.reshape(-1)


def run_curve(run: xr.DataTree, prefix: str) -> xr.Dataset:
    """Return a stored run's trend curve per draw: what its forecasts of ``prefix`` read.

    Rebuilt from the draws with the run's own seed, so it is the curve the run's derived
    quantities were computed from (a local linear trend's random-walk path included).
    """
    return trend_curve(fitting.draws(run), prefix, seed=int(run.attrs["random_seed"]))


def trend_at(run: xr.DataTree, prefix: str, years: np.ndarray) -> np.ndarray:
    """Return a run's trend ``prefix`` at ``years`` per draw, shape ``(len(years), n_draws)``."""
    at = xr.DataArray(np.asarray(years, dtype=float), dims="obs")
    mu = log10_trend(run_curve(run, prefix), prefix, at)
    return mu.transpose("obs", "chain", "draw").values.reshape(len(years), -1)


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


def _piece(
    scores: Mapping[str, np.ndarray],
    observed: np.ndarray,
    trend: str,
    labels: np.ndarray,
    year: np.ndarray,
    as_of_year: float,
) -> xr.Dataset:
    return xr.Dataset(
        {name: ("obs", value) for name, value in scores.items()} | {"observed": ("obs", observed)},
        coords={
            "trend": ("obs", [trend] * labels.size),
            "label": ("obs", labels),
            "year": ("obs", year),
            "horizon_years": ("obs", year - as_of_year),
        },
    )


def score_rows(
    fitted: xr.DataTree, full: xr.DataTree, model: str, as_of: dt.date
) -> list[xr.Dataset]:
    """Score one model's trends fitted at ``as_of`` on the rows of ``full`` published afterwards."""
    posterior = fitted["posterior"]
    as_of_year = float(decimal_year([as_of])[0])
    pieces = []
    for k, prefix in enumerate(SCORED_TRENDS[model]):
        labels, years, values = held_out(fitted, full, prefix)
        if not labels.size:
            continue
        rng = np.random.default_rng([CRPS_SEED, k, int(as_of_year)])
        scores = student_t_mixture_scores(
            trend_at(fitted, prefix, years + SETTINGS.year_origin),
            _flat(posterior[f"{prefix}_sigma"]),
            _flat(posterior[f"{prefix}_nu"]),
            values,
            rng,
        )
        year = years + SETTINGS.year_origin
        pieces.append(_piece(scores, values, prefix, labels, year, as_of_year))
    return pieces


def score_demand_projection(
    plan: fitting.FitPlan,
    runs: Mapping[str, xr.DataTree],
    full: xr.DataTree,
    as_of: dt.date,
) -> list[xr.Dataset]:
    """Score the data wall's compute-based demand projection on the later dataset rows.

    The projection ``D = sqrt(k m C / 6)`` (:mod:`forecast.models.datawall`) at each row's
    date, per draw of the cut's compute, scaling and data-wall runs, with the scatter of the
    releases about the dataset-size trend (``dataset_sigma``, ``dataset_nu``): the two demand
    projections are scored on the same rows with the same scatter and differ only in their path.
    """
    fitted = runs["datawall"]
    labels, years, values = held_out(fitted, full, "dataset")
    if not labels.size:
        return []
    at = years + SETTINGS.year_origin
    grid = np.unique(at)
    upstream = {
        name: fitting.with_derived(fitting.draws(runs[name]), runs[name]["derived"].to_dataset())
        for name in plan.spec.requires
    }
    derived = fitting.derive_from(
        plan,
        fitting.draws(fitted),
        upstream,
        years=xr.DataArray(grid, dims="year", coords={"year": grid}),
    )
    tokens = derived["dataset_tokens_compute"].sel(year=xr.DataArray(at, dims="obs"))
    mu = np.log10(tokens.transpose("obs", "chain", "draw").values.reshape(at.size, -1))
    as_of_year = float(decimal_year([as_of])[0])
    rng = np.random.default_rng([CRPS_SEED, 50, int(as_of_year)])
    sigma, nu = _run_scatter(fitted, "dataset")
    scores = student_t_mixture_scores(mu, sigma, nu, values, rng)
    return [_piece(scores, values, DEMAND_PROJECTIONS[1], labels, at, as_of_year)]


def stacking_weight(
    result: xr.Dataset, projections: tuple[str, str] = DEMAND_PROJECTIONS
) -> dict[str, Any] | None:
    """Return the stacking weight of the first of two projections scored on the same rows.

    Stacking of predictive distributions (Yao, Vehtari, Simpson & Gelman 2018, Bayesian
    Analysis 13:917), with out-of-sample predictive densities from the cuts in place of
    leave-one-out ones: over the rows both projections were scored on (same cut, release and
    date), ``w`` maximises ``sum_i log(w p_1(y_i) + (1 - w) p_2(y_i))``, which is concave in
    ``w``. Its standard error resamples releases (:func:`bootstrap`).

    Returns
    -------
    dict or None
        ``weight`` (of the first projection), ``weight_se``, ``n``, ``releases`` and the mean
        log score of each projection and of the stacked mixture; ``None`` if no row was scored
        by both.
    """
    frame = result.reset_coords().to_dataframe().reset_index(drop=True)
    first, second = (frame[frame["trend"] == name] for name in projections)
    keys = ["as_of", "label", "year"]
    pairs = first[[*keys, "log_score"]].merge(
        second[[*keys, "log_score"]], on=keys, suffixes=("_1", "_2")
    )
    if pairs.empty:
        return None

    def weight(rows: pd.DataFrame) -> float:
        return _stacked_weight(rows["log_score_1"].to_numpy(), rows["log_score_2"].to_numpy())

    w = weight(pairs)
    log_1, log_2 = pairs["log_score_1"].to_numpy(), pairs["log_score_2"].to_numpy()
    return {
        "projections": list(projections),
        "weight": w,
        "weight_se": _finite(bootstrap(pairs, weight)),
        "n": int(len(pairs)),
        "releases": int(pairs["label"].nunique()),
        "log_score": {
            projections[0]: float(log_1.mean()),
            projections[1]: float(log_2.mean()),
            "stacked": float(np.mean(_mixture_log_density(w, log_1, log_2))),
        },
    }


def _mixture_log_density(w: float, log_1: np.ndarray, log_2: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.logaddexp(np.log(w) + log_1, np.log1p(-w) + log_2)


def _stacked_weight(log_1: np.ndarray, log_2: np.ndarray) -> float:
    """Return ``argmax_w sum log(w exp(log_1) + (1 - w) exp(log_2))`` over ``[0, 1]``."""

    def loss(w: float) -> float:
        return -float(np.sum(_mixture_log_density(w, log_1, log_2)))

    inner = optimize.minimize_scalar(
        loss, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-4}
    )
    candidates = [0.0, 1.0, float(inner.x)]
    return min(candidates, key=loss)


# --- the largest run of a year -------------------------------------------------------------


def _run_scatter(run: xr.DataTree, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    posterior = run["posterior"]
    return _flat(posterior[f"{prefix}_sigma"]), _flat(posterior[f"{prefix}_nu"])


def _largest_run_at(run: xr.DataTree, years: np.ndarray) -> tuple[np.ndarray, ...]:
    """Return the largest run's median (``(len(years), n_draws)``), scatter and degrees of freedom.

    A year's largest frontier run: ``StudentT(nu, mu(y + 1/2) + largest_run_offset,
    largest_run_sigma)`` per draw (the compute model's second likelihood).
    """
    posterior = run["posterior"]
    mu = trend_at(run, compute.PREFIX, np.asarray(years, dtype=float) + 0.5)
    offset = _flat(posterior["largest_run_offset"])
    return mu + offset, _flat(posterior["largest_run_sigma"]), _flat(posterior["compute_nu"])


def largest_run_cdf(run: xr.DataTree, year: int, log10_flop: np.ndarray) -> np.ndarray:
    """Return ``P(the year's largest frontier run <= x)`` per draw, shape ``(len(x), n_draws)``."""
    centre, sigma, nu = _largest_run_at(run, np.array([year]))
    x = np.asarray(log10_flop, dtype=float)[:, None]
    return stats.t.cdf((x - centre) / sigma, nu)


def largest_run_samples(run: xr.DataTree, year: int, rng: np.random.Generator) -> np.ndarray:
    """Return one draw of the year's largest run per posterior draw."""
    centre, sigma, nu = _largest_run_at(run, np.array([year]))
    return centre[0] + sigma * rng.standard_t(nu)


def observed_largest_runs(full: xr.DataTree, after: dt.date) -> pd.DataFrame:
    """Return the largest frontier run of each whole calendar year after ``after``.

    Years the cut had not begun (from ``after``'s year if it is 1 January, else the next) up to
    last year: the current year is not over.
    """
    labels, years, values = _observations(full, compute.PREFIX)
    frame = pd.DataFrame({"label": labels, "year": years + SETTINGS.year_origin, "log10": values})
    frame["calendar"] = np.floor(frame["year"]).astype(int)
    first = after.year if (after.month, after.day) == (1, 1) else after.year + 1
    frame = frame[(frame["calendar"] >= first) & (frame["calendar"] < today().year)]
    rows = frame.loc[frame.groupby("calendar")["log10"].idxmax()]
    return rows.sort_values("calendar").reset_index(drop=True)


def score_largest_runs(fitted: xr.DataTree, full: xr.DataTree, as_of: dt.date) -> list[xr.Dataset]:
    """Score the forecast of each later calendar year's largest frontier run."""
    observed = observed_largest_runs(full, as_of)
    if observed.empty:
        return []
    as_of_year = float(decimal_year([as_of])[0])
    rng = np.random.default_rng([CRPS_SEED, 99, int(as_of_year)])
    pits, logs, crps, medians = [], [], [], []
    for row in observed.itertuples():
        x = row.log10
        cdf = largest_run_cdf(fitted, row.calendar, np.array([x - 1e-3, x, x + 1e-3]))
        pits.append(float(cdf[1].mean()))
        density = (cdf[2] - cdf[0]).mean() / 2e-3
        logs.append(float(np.log(max(density, 1e-300))))
        samples = largest_run_samples(fitted, row.calendar, rng)
        crps.append(float(crps_from_samples(samples[None], np.array([x]))[0]))
        medians.append(float(np.median(samples)))
    scores = {
        "pit": np.array(pits),
        "log_score": np.array(logs),
        "crps": np.array(crps),
        "predicted_median": np.array(medians),
    }
    labels = observed["label"].to_numpy().astype(str)
    year = observed["calendar"].to_numpy(dtype=float) + 0.5
    return [_piece(scores, observed["log10"].to_numpy(), "largest_run", labels, year, as_of_year)]


# --- milestones ----------------------------------------------------------------------------


def _exceedance_compute(run: xr.DataTree, years: np.ndarray, threshold: float) -> np.ndarray:
    """Return P(each calendar year's largest run exceeds ``threshold`` log10 FLOP), per draw."""
    centre, sigma, nu = _largest_run_at(run, years)
    return stats.t.sf((threshold - centre) / sigma, nu)


def _exceedance_cost(
    comp: xr.DataTree, cost_run: xr.DataTree, years: np.ndarray, threshold: float
) -> np.ndarray:
    """Return P(each calendar year's largest run costs more than ``10**threshold`` USD), per draw.

    Its cost is its compute (the year's largest run) over the FLOP it bought per dollar
    (Student-t about the cost model's FLOP-per-dollar curve, independently): the probability
    is integrated over quantile points of the second.
    """
    centre, sigma_c, nu_c = _largest_run_at(comp, years)
    up = fitting.with_derived(fitting.draws(cost_run), cost_run["derived"].to_dataset())
    at = xr.DataArray(np.asarray(years, dtype=float) + 0.5, dims="obs")
    mu_f = cost.flop_per_usd_log10(up, at).transpose("obs", "chain", "draw").values
    mu_f = mu_f.reshape(len(years), -1)
    sigma_f, nu_f = _run_scatter(cost_run, "flop_per_usd")
    q = (np.arange(COST_QUADRATURE) + 0.5) / COST_QUADRATURE
    log_fpu = mu_f[None] + sigma_f * stats.t.ppf(q[:, None, None], nu_f)  # (q, years, draws)
    return stats.t.sf((threshold + log_fpu - centre[None]) / sigma_c, nu_c).mean(axis=0)


def observed_event_dates(full: Mapping[str, xr.DataTree]) -> dict[str, tuple[str, float] | None]:
    """Return each milestone's first run and its date (decimal year), ``None`` if not yet."""
    out: dict[str, tuple[str, float] | None] = {}
    for name, (model, threshold, _) in EVENTS.items():
        run = full.get(model)
        if run is None:
            continue
        if model == "compute":
            labels, years, values = _observations(run, compute.PREFIX)
        else:  # a costed run's cost: its compute over the FLOP it bought per dollar
            labels, years, log10_compute = _observations(run, "run_compute")
            values = log10_compute - _observations(run, "flop_per_usd")[2]
        hits = np.flatnonzero(values >= threshold)
        if not hits.size:
            out[name] = None
            continue
        first = hits[np.argmin(years[hits])]
        out[name] = (str(labels[first]), float(years[first] + SETTINGS.year_origin))
    return out


def event_cdf(
    runs: Mapping[str, xr.DataTree], name: str, as_of: dt.date, times: np.ndarray
) -> np.ndarray:
    """Return P(the milestone's first run comes by each of ``times``), per draw.

    Year by year from the cut: the first run above the threshold is the largest of the first
    year whose largest exceeds it, ``P(by T) = 1 - prod over years of (1 - p_y)``, the hazard
    ``-log(1 - p_y)`` spread evenly over each year (the cut's year from the cut on).
    """
    model, threshold, _ = EVENTS[name]
    start = float(decimal_year([as_of])[0])
    years = np.arange(int(np.floor(start)), int(np.floor(np.max(times))) + 1)
    if model == "compute":
        p = _exceedance_compute(runs["compute"], years, threshold)
    else:
        p = _exceedance_cost(runs["compute"], runs["cost"], years, threshold)
    rate = -np.log1p(-np.clip(p, 0.0, 1.0 - 1e-12))  # (years, draws) per whole year
    exposed = np.clip(
        np.minimum(np.asarray(times, dtype=float)[:, None], years[None, :] + 1.0)
        - np.maximum(years[None, :], start),
        0.0,
        1.0,
    )  # (times, years): the part of each year between the cut and each time
    return 1.0 - np.exp(-(exposed @ rate))


def score_events(
    runs: Mapping[str, xr.DataTree], full: Mapping[str, xr.DataTree], as_of: dt.date
) -> tuple[list[xr.Dataset], dict[str, str]]:
    """Score each milestone that came after the cut; say why the others are not scored."""
    as_of_year = float(decimal_year([as_of])[0])
    observed = observed_event_dates(full)
    pieces, unscored = [], {}
    for name, (model, _, _) in EVENTS.items():
        if "compute" not in runs or (model == "cost" and "cost" not in runs):
            unscored[name] = f"the {model} model was not fitted at this cut"
            continue
        event = observed.get(name)
        if event is None:
            unscored[name] = "not yet observed (censored: the first such run is still to come)"
            continue
        label, when = event
        if when <= as_of_year:
            unscored[name] = f"came before the cut ({label}, {when:.2f})"
            continue
        horizon = as_of_year + EVENT_HORIZON_YEARS
        grid = np.linspace(as_of_year, horizon, int(EVENT_HORIZON_YEARS * STEPS_PER_YEAR) + 1)
        cdf = event_cdf(runs, name, as_of, np.concatenate([[when - 1e-3, when, when + 1e-3], grid]))
        pit = float(cdf[1].mean())
        density = float((cdf[2] - cdf[0]).mean() / 2e-3)
        rng = np.random.default_rng([CRPS_SEED, len(pieces) + 200, int(as_of_year)])
        u = rng.uniform(size=cdf.shape[1])
        on_grid = cdf[3:]  # (grid, draws), increasing in time
        reached = on_grid >= u[None, :]
        samples = np.where(reached.any(axis=0), grid[np.argmax(reached, axis=0)], horizon)
        scores = {
            "pit": np.array([pit]),
            "log_score": np.array([np.log(max(density, 1e-300))]),
            "crps": crps_from_samples(samples[None], np.array([when])),
            "predicted_median": np.array([np.median(samples)]),
        }
        pieces.append(
            _piece(
                scores, np.array([when]), name, np.array([label]), np.array([when]), as_of_year
            ).assign_coords(model=("obs", [model]))
        )
    return pieces, unscored


# --- fitting at each as-of date ------------------------------------------------------------


def scored_models(model: str) -> list[str]:
    """Return the models a backtest of ``model`` (or ``all``) scores."""
    if model == "all":
        return list(SCORED_TRENDS)
    name = get_model(model).name  # an unknown name is refused with the known ones
    if name not in SCORED_TRENDS:
        raise InputError(
            "command line",
            f"{model!r} has no dated trend to score; expected one of {list(SCORED_TRENDS)} or all",
        )
    return [name]


def _plans_at(
    as_of: dt.date, models: Sequence[str], sampler: SamplerSettings | None, scenario: Scenario
) -> tuple[dict[str, fitting.FitPlan], dict[str, str]]:
    """Plan each model at ``as_of``; return the plans and, per model, why it cannot be fitted."""
    plans: dict[str, fitting.FitPlan] = {}
    skipped: dict[str, str] = {}
    scenario = as_of_cut(scenario, as_of)
    for name in models:
        try:
            plans.update(fitting.plan_all([name], scenario, sampler=sampler))
        except InputError as exc:  # too few rows published by then
            skipped[name] = exc.detail
    return plans, skipped


def _fit_dates(
    planned: Mapping[dt.date, tuple[dict[str, fitting.FitPlan], dict[str, str]]],
    *,
    scheduler: str | None,
    progress: Callable[[int, int], None] | None,
) -> dict[dt.date, dict[str, xr.DataTree]]:
    """Return the runs at each date: reused, or sampled on Dask and stored here.

    One task per date whose models need sampling (its plans sent, its draws returned:
    :func:`forecast.parallel.map_on_cluster`); each date's runs are derived and stored in this
    process as its task returns. One such date and no ``scheduler``: sampled here.
    """
    tick = progress or (lambda done, total: None)
    fitted: dict[dt.date, dict[str, xr.DataTree]] = {}
    pending = {d: fitting.to_sample(plans) for d, (plans, _) in planned.items()}
    pending = {d: p for d, p in pending.items() if p}
    if scheduler is None and len(pending) < 2:
        pending = {}
    for date, (plans, _) in planned.items():
        if date not in pending:
            fitted[date] = fitting.ensure_runs(plans, progressbar=False)
            tick(len(fitted), len(planned))
    order = list(pending)

    def store_date(position: int, sampled: dict[str, fitting.Sampled]) -> None:
        date = order[position]
        fitted[date] = fitting.ensure_runs(planned[date][0], progressbar=False, sampled=sampled)
        tick(len(fitted), len(planned))

    tasks = [parallel.Task(f"as-of date {d.isoformat()}", pending[d]) for d in order]
    parallel.map_on_cluster(tasks, scheduler=scheduler, on_result=store_date)
    return fitted


def _with_model(piece: xr.Dataset, model: str, date: dt.date) -> xr.Dataset:
    n = piece.sizes["obs"]
    coords = {"as_of": ("obs", [date.isoformat()] * n)}
    if "model" not in piece.coords:
        coords["model"] = ("obs", [model] * n)
    return piece.assign_coords(coords)


def run_backtest(
    as_of_dates: Sequence[dt.date],
    *,
    model: str = "all",
    sampler: SamplerSettings | None = None,
    scheduler: str | None = None,
    scenario: Scenario | None = None,
    on_event: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Fit every model at each date and score it on what was published afterwards.

    Several dates are fitted in parallel on Dask (a local cluster by default, ``scheduler``
    for an existing one; see :func:`_fit_dates`); one date without ``scheduler`` is fitted in
    this process. ``progress`` is called as ``progress(done, total)`` as each date's runs are
    stored. ``scenario`` (default: the
    baseline) backtests another configuration: its fit options and priors at every cut (a
    trend form, say), scored against the same configuration fitted on all the data.

    Returns
    -------
    xarray.Dataset
        Per scored observation (dim ``obs``): ``pit``, ``log_score``, ``crps``, ``observed``,
        ``predicted_median``, with coords ``as_of``, ``model``, ``trend`` (a trend's prefix,
        ``largest_run`` or a milestone of :data:`EVENTS`), ``label`` (the release), ``year``
        and ``horizon_years``. attrs: ``version``, ``as_of_dates``, ``skipped`` (JSON: per
        date, the models with too few rows to fit), ``unscored_events`` and the run ids.
    """
    say = on_event or (lambda message: None)
    scenario = scenario or load_scenario(None)
    if scenario.as_of is not None:
        raise InputError(
            scenario.path or scenario.name, "a backtested scenario sets its cuts itself: no as_of"
        )
    models = scored_models(model)
    dates = sorted(set(as_of_dates))
    for date in dates:
        if date >= today():
            raise InputError("--as-of", f"{date} is not in the past; nothing to score against")

    say("fitting the full data")
    full_plans = fitting.plan_all(models, scenario, sampler=sampler)
    full = fitting.ensure_runs(full_plans, progressbar=False)

    say(f"fitting at {len(dates)} as-of date(s)")
    planned = {date: _plans_at(date, models, sampler, scenario) for date in dates}
    fitted = _fit_dates(planned, scheduler=scheduler, progress=progress)
    pieces = []
    skipped: dict[str, dict[str, str]] = {}
    unscored: dict[str, dict[str, str]] = {}
    run_ids: dict[str, str] = {}
    for date in dates:
        skipped[date.isoformat()] = planned[date][1]
        runs = fitted[date]
        for name in models:
            if name not in runs:
                continue
            run_ids[f"{date.isoformat()}/{name}"] = runs[name].attrs["config_id"]
            pieces += [
                _with_model(p, name, date) for p in score_rows(runs[name], full[name], name, date)
            ]
        if "datawall" in models and "datawall" in runs:
            pieces += [
                _with_model(p, "datawall", date)
                for p in score_demand_projection(
                    planned[date][0]["datawall"], runs, full["datawall"], date
                )
            ]
        if "compute" in models and "compute" in runs:
            pieces += [
                _with_model(p, "compute", date)
                for p in score_largest_runs(runs["compute"], full["compute"], date)
            ]
        events, unscored[date.isoformat()] = score_events(
            {k: runs[k] for k in ("compute", "cost") if k in runs and k in models},
            {k: full[k] for k in ("compute", "cost") if k in full},
            date,
        )
        pieces += [_with_model(p, "", date) for p in events]
    if not pieces:
        raise InputError(
            "--as-of", "no row was published after the as-of date(s): nothing to score"
        )
    result = xr.concat(pieces, dim="obs")
    result.attrs = {
        "version": __version__,
        "scenario": scenario.name,
        "as_of_dates": json.dumps([d.isoformat() for d in dates]),
        "skipped": json.dumps(skipped),
        "unscored_events": json.dumps(unscored),
        "run_ids": json.dumps(run_ids),
        "full_run_ids": json.dumps({n: r.attrs["config_id"] for n, r in full.items()}),
    }
    return result


# --- summaries -----------------------------------------------------------------------------


def bootstrap(
    frame: pd.DataFrame, statistic: Callable[[pd.DataFrame], float], seed: int = CRPS_SEED
) -> float:
    """Return the standard error of ``statistic`` by resampling releases (block bootstrap).

    Each resample draws the group's releases (``label``) with replacement and keeps all of each
    drawn release's rows (every cut and trend it was scored in): rows of one release are not
    independent pieces of evidence.
    """
    groups = [g for _, g in frame.groupby("label", sort=True)]
    if len(groups) < 2:
        return float("nan")
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(BOOTSTRAP_SAMPLES):
        pick = rng.integers(0, len(groups), size=len(groups))
        values.append(statistic(pd.concat([groups[i] for i in pick])))
    return float(np.std(values, ddof=1))


def summarize(result: xr.Dataset, by: Iterable[str] = ("model", "trend")) -> list[dict[str, Any]]:
    """Return one row per group: count, coverage, mean PIT (with bootstrap errors), CRPS, log score.

    No row pools the groups: a pool that averages trends scored on different things (rows,
    years' largest runs, milestones) says nothing about any of them.
    """
    frame = result.reset_coords().to_dataframe().reset_index(drop=True)
    keys = list(by)
    rows = []
    for key, group in frame.groupby(keys, sort=True):
        values = key if isinstance(key, tuple) else (key,)
        pit = group["pit"].to_numpy()
        rows.append(
            dict(zip(keys, values, strict=True))
            | {
                "n": int(len(group)),
                "releases": int(group["label"].nunique()),
                "horizon_years_max": float(group["horizon_years"].max()),
                **{f"coverage_{round(p * 100)}": coverage(pit, p) for p in INTERVALS},
                "coverage_80_se": _finite(
                    bootstrap(group, lambda g: coverage(g["pit"].to_numpy(), 0.8))
                ),
                "pit_mean": float(np.mean(pit)),
                "pit_mean_se": _finite(bootstrap(group, lambda g: float(g["pit"].mean()))),
                "crps": float(group["crps"].mean()),
                "log_score": float(group["log_score"].mean()),
                "reading": reading(group),
            }
        )
    return rows


def _finite(value: float) -> float | None:
    """Return ``value``, or ``None`` where it is not a number (one release: no error to give)."""
    return value if np.isfinite(value) else None


def reading(group: pd.DataFrame) -> str:
    """Return what a group's PIT values say, judged against two bootstrap standard errors.

    The 80% interval's coverage against 0.8 says whether the intervals are too narrow or too
    wide; the mean PIT against 0.5 whether later observations fall systematically above or
    below the forecast. With one release there is no error to judge by.
    """
    pit = group["pit"].to_numpy()
    if group["label"].nunique() < 2:
        return "too few releases to judge"
    words = []
    covered, spread = coverage(pit, 0.8), 2.0 * bootstrap(group, lambda g: coverage(g["pit"], 0.8))
    if covered < 0.8 - spread:
        words.append("intervals too narrow")
    elif covered > 0.8 + spread:
        words.append("intervals too wide")
    bias = float(np.mean(pit)) - 0.5
    if abs(bias) > 2.0 * bootstrap(group, lambda g: float(g["pit"].mean())):
        words.append("forecasts too low" if bias > 0 else "forecasts too high")
    return "; ".join(words) or "consistent with calibration"
