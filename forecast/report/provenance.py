"""What an outlook was built from, and what changed since the previous one.

Each outlook's ``summary.json`` records, beside its headlines, a fingerprint of every input:
per data table the file's SHA-256 and one short hash per row (keyed by the table's key
columns), per prior file its SHA-256 and one hash per prior and lever, per model the SHA-256 of
its module. Comparing two summaries then names the rows added, removed or revised, the priors
and levers changed, the models whose code changed, and a changed package version, and
attributes each model's headline shifts to the changed inputs it reads
(its own tables and priors and those of the models upstream of it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from forecast.data import TABLES, load_table, table_path
from forecast.fingerprint import file_digest, fingerprint
from forecast.fit import FitPlan, model_files
from forecast.models import REGISTRY, resolve

#: A headline "moved" when its median shifts by at least this much (smaller shifts are listed
#: as a count): years, ratios for other units, and probabilities of a category.
MATERIAL_YEARS = 0.05
MATERIAL_RATIO = 0.01
MATERIAL_PROBABILITY = 0.01


def _short_hash(payload: Any) -> str:
    return fingerprint(payload)[:12]


def _cell(value: Any) -> Any:
    """Return a table cell as JSON holds it: blanks as ``None``, dates as ISO text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def table_fingerprint(name: str, as_of: dt.date | None) -> dict[str, Any]:
    """Return the fingerprint of one data table, cut at ``as_of``.

    Returns
    -------
    dict
        ``file`` (path in the project), ``description``, ``sha256`` (of the whole file),
        ``rows`` (kept by the as-of cut), ``latest_row_date``, ``sources`` (``{source: rows
        citing it}``) and ``row_sha256`` (``{row key: short hash}``).
    """
    spec = TABLES[name]
    frame = load_table(name, as_of=as_of)
    rows: dict[str, str] = {}
    for record in frame.drop(columns="line").to_dict(orient="records"):
        key = " / ".join(str(_cell(record[k])) for k in spec.key)
        rows[key] = _short_hash({k: _cell(v) for k, v in record.items()})
    latest = None
    if spec.date_column and len(frame):
        latest = frame[spec.date_column].max().date().isoformat()
    # A row may cite several sources, separated by ";": count each.
    cited = frame["source"].str.split(";").explode().str.strip() if len(frame) else pd.Series()
    sources = cited[cited != ""].value_counts()
    return {
        "file": f"data/{spec.filename}",
        "description": spec.description,
        "sha256": file_digest(table_path(name)),
        "rows": len(frame),
        "latest_row_date": latest,
        "sources": {str(k): int(v) for k, v in sources.items()},
        "row_sha256": rows,
    }


def input_fingerprints(plans: Mapping[str, FitPlan], as_of: dt.date | None) -> dict[str, Any]:
    """Return the fingerprints of every data table and prior file the plans read."""
    tables = sorted({t for plan in plans.values() for t in plan.spec.tables})
    priors = {}
    for name, plan in plans.items():
        prior_set = plan.priors
        priors[name] = {
            "file": f"priors/{prior_set.path.name}",
            "sha256": prior_set.sha256,
            "priors": {k: _short_hash(v) for k, v in prior_set.to_config().items()},
            "levers": {
                k: _short_hash(v.model_dump(exclude_none=True)) for k, v in prior_set.levers.items()
            },
        }
    # The SHA-256 of the code each model's numbers come from: a change to how a model derives its
    # numbers shows up even when no input changed and the package version did not move.
    code = {
        name: {
            "files": [f"forecast/{f}" for f in model_files(plan.spec)],
            "sha256": plan.config["code_sha256"],
        }
        for name, plan in plans.items()
    }
    return {
        "data": {t: table_fingerprint(t, as_of) for t in tables},
        "priors": priors,
        "code": code,
    }


def _diff_keys(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, list[str]]:
    return {
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "revised": sorted(k for k in set(old) & set(new) if old[k] != new[k]),
    }


def input_changes(previous: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Return the inputs that differ between two summaries' fingerprints.

    Returns
    -------
    dict
        ``data``: ``{table: {"added", "removed", "revised": [row keys], "file_changed"}}``
        for tables that differ; ``priors``: ``{model: {"priors": {...}, "levers": {...}}}``
        (added / removed / revised names); ``code``: the models whose module changed;
        ``version``: ``(previous, current)`` or None.
    """
    data = {}
    old_data = previous.get("inputs", {}).get("data", {})
    for table, now in current["inputs"]["data"].items():
        before = old_data.get(table, {"row_sha256": {}, "sha256": None})
        rows = _diff_keys(before["row_sha256"], now["row_sha256"])
        file_changed = before["sha256"] != now["sha256"]
        if file_changed or any(rows.values()):
            data[table] = rows | {"file_changed": file_changed}
    priors = {}
    old_priors = previous.get("inputs", {}).get("priors", {})
    for model, now in current["inputs"]["priors"].items():
        before = old_priors.get(model, {"priors": {}, "levers": {}, "sha256": None})
        changed = {kind: _diff_keys(before[kind], now[kind]) for kind in ("priors", "levers")}
        if before["sha256"] != now["sha256"] or any(
            v for d in changed.values() for v in d.values()
        ):
            priors[model] = changed | {"file_changed": before["sha256"] != now["sha256"]}
    # Summaries written before model code was fingerprinted cannot tell: no code change is named.
    old_code = previous.get("inputs", {}).get("code")
    code = sorted(
        model
        for model, now in current["inputs"].get("code", {}).items()
        if old_code is not None and old_code.get(model, {}).get("sha256") != now["sha256"]
    )
    old_version, new_version = previous.get("version"), current.get("version")
    return {
        "data": data,
        "priors": priors,
        "code": code,
        "version": None if old_version == new_version else [old_version, new_version],
    }


def causes_by_model(changes: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return, per model, the changed inputs its numbers depend on (in words)."""
    out: dict[str, list[str]] = {}
    for name in REGISTRY:
        causes = []
        for spec in resolve([name]):
            for table in spec.tables:
                if table in changes["data"]:
                    d = changes["data"][table]
                    parts = [f"{len(d[k])} {k}" for k in ("added", "revised", "removed") if d[k]]
                    what = ", ".join(parts) if parts else "file edited, rows unchanged"
                    causes.append(f"data/{table}.csv: {what}")
            if spec.name in changes["priors"]:
                d = changes["priors"][spec.name]
                names = sorted(
                    {n for kind in ("priors", "levers") for keys in d[kind].values() for n in keys}
                )
                causes.append(f"priors/{spec.name}.toml: " + (", ".join(names) or "edited"))
            if spec.name in changes.get("code", ()):
                causes.append(
                    f"code of the {spec.name} model (forecast/models/, forecast/numerics/)"
                )
        if changes["version"]:
            old, new = changes["version"]
            causes.append(f"datawall version {old} -> {new}")
        out[name] = list(dict.fromkeys(causes))
    return out


def headline_shifts(
    previous: Mapping[str, Any], current: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Return the shift of every headline present in both summaries.

    Numeric headlines give ``previous``/``current`` medians and P10-P90 and the median's
    ``shift`` (difference for years, ratio for other units); categorical ones (the first wall)
    give the previous and current label and probability. ``material`` marks shifts of at
    least :data:`MATERIAL_YEARS`, :data:`MATERIAL_RATIO` or :data:`MATERIAL_PROBABILITY`.
    """
    rows = []
    for model, entry in current["models"].items():
        before = previous.get("models", {}).get(model, {}).get("headline", {})
        for key, now in entry["headline"].items():
            if key not in before:
                continue
            then = before[key]
            row = {"model": model, "headline": key, "unit": now["unit"]}
            if "label" in now:
                row |= {
                    "previous": f"{then.get('label')} (P = {then['median']:.0%})",
                    "current": f"{now['label']} (P = {now['median']:.0%})",
                    "shift": None,
                    "kind": "category",
                    "material": then.get("label") != now["label"]
                    or abs(then["median"] - now["median"]) >= MATERIAL_PROBABILITY,
                }
            else:
                shift = _shift(then["median"], now["median"], now["unit"])
                kind = "year" if now["unit"] == "year" else "ratio"
                row |= {
                    "previous": then,
                    "current": now,
                    "shift": shift,
                    "kind": kind,
                    "material": _material(shift, kind, then["median"], now["median"]),
                }
            rows.append(row)
    return rows


def _material(shift: float | None, kind: str, old: float | None, new: float | None) -> bool:
    if shift is None:  # appeared, vanished or moved past the horizon
        return old != new
    if kind == "year":
        return abs(shift) >= MATERIAL_YEARS
    return abs(shift - 1.0) >= MATERIAL_RATIO


def _shift(old: float | None, new: float | None, unit: str) -> float | None:
    if old is None or new is None:
        return None
    if unit == "year":
        return new - old
    return new / old if old else None
