"""Prior sensitivity: which conclusions rest on the priors rather than on the data.

Power-scaling sensitivity (Kallioinen et al. 2023, "Detecting and diagnosing prior and likelihood
sensitivity with power-scaling", Statistics and Computing 34:57) as implemented by
``arviz_stats.psense``: each posterior is reweighted as if the prior (or the likelihood) were
raised to a power near 1, and the change in each quantity's distribution is measured (cumulative
Jensen-Shannon distance per unit of log power). Applied to every scalar headline of every fitted
model, through the draws it is computed from, so it speaks about conclusions, not parameters.

A quantity sensitive to the prior but not to the likelihood rests on the prior (the stock of
text, say, which no data in this project informs); sensitive to both signals a prior-data
conflict. The walls model has no likelihood: all its own parameters are priors by construction.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from arviz_stats import psense

from forecast import fit as fitting
from forecast.settings import SETTINGS

#: Sensitivity above this (the arviz-stats default) is flagged.
THRESHOLD = 0.05


def _log_densities(model: pm.Model, run: xr.DataTree) -> xr.DataTree:
    """Return the run's posterior with ``log_prior`` and ``log_likelihood`` groups."""
    tree = xr.DataTree.from_dict({"posterior": run["posterior"].to_dataset()})
    with model:
        prior = pm.stats.compute_log_prior(tree, extend_inferencedata=False, progressbar=False)
        likelihood = pm.stats.compute_log_likelihood(
            tree, extend_inferencedata=False, progressbar=False
        )
    tree["log_prior"] = xr.DataTree(prior)
    tree["log_likelihood"] = xr.DataTree(likelihood)
    return tree


def prior_sensitivity(
    plans: Mapping[str, fitting.FitPlan], runs: Mapping[str, xr.DataTree]
) -> pd.DataFrame:
    """Return the prior and likelihood sensitivity of every scalar headline of the fitted models.

    Parameters
    ----------
    plans, runs : mapping
        Plans and stored runs of the baseline (from :func:`forecast.fit.plan_all` and
        :func:`forecast.fit.ensure_runs`).

    Returns
    -------
    pandas.DataFrame
        One row per ``model.headline``: ``prior`` and ``likelihood`` sensitivity and a
        ``diagnosis`` ("rests on the prior", "prior and data (check for conflict)" (sensitive to
        both), "data-driven", or "no likelihood" for the walls, whose own parameters are all
        priors).
    """
    rows = []
    for name, fit_plan in plans.items():
        spec = fit_plan.spec
        quantities = spec.headline(runs[name]["derived"].to_dataset())
        scalar = {
            k: q.draws
            for k, q in quantities.items()
            if q.category_dim is None and set(q.draws.dims) == {"chain", "draw"}
        }
        if not scalar:
            continue
        model = spec.build(fit_plan.inputs, fit_plan.priors)
        if not model.observed_RVs:  # the walls: the records are checked against, not fitted
            rows += [
                (f"{name}.{k}", np.nan, np.nan, "no likelihood: own parameters are priors")
                for k in scalar
            ]
            continue
        tree = _log_densities(model, runs[name])
        names = {k: f"headline__{k}" for k in scalar}
        # A year never reached by the horizon counts as the horizon (an atom there), so the
        # distribution stays comparable under reweighting.
        horizon = SETTINGS.horizon_year
        capped = {
            k: v.clip(max=horizon) if quantities[k].unit == "year" else v for k, v in scalar.items()
        }
        computable = {k: v for k, v in capped.items() if bool(np.isfinite(v).all())}
        rows += [
            (f"{name}.{k}", np.nan, np.nan, "not computed (infinite draws)")
            for k in scalar
            if k not in computable
        ]
        if not computable:
            continue
        tree["posterior"] = xr.DataTree(
            xr.Dataset(
                {names[k]: v.astype(float).reset_coords(drop=True) for k, v in computable.items()}
            )
        )
        var_names = [names[k] for k in computable]
        prior = psense(tree, var_names=var_names, group="prior")
        likelihood = psense(tree, var_names=var_names, group="likelihood")
        for k in computable:
            p, lik = float(prior[names[k]]), float(likelihood[names[k]])
            rows.append((f"{name}.{k}", p, lik, _diagnosis(p, lik)))
    frame = pd.DataFrame(rows, columns=["headline", "prior", "likelihood", "diagnosis"])
    return frame.set_index("headline")


def _diagnosis(prior: float, likelihood: float) -> str:
    if prior >= THRESHOLD and likelihood >= THRESHOLD:
        return "prior and data (check for conflict)"
    if prior >= THRESHOLD:
        return "rests on the prior"
    return "data-driven"
