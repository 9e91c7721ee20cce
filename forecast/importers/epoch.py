"""Import a CSV export of Epoch AI's models database into three data tables.

Epoch AI publishes its database of AI models (https://epoch.ai/data, CC BY 4.0) as CSV
downloads: "Notable AI Models" (https://epoch.ai/data/notable_ai_models.csv) and "All ML
Systems" / "All AI Models". One export row describes one model; this module maps it to rows of

- ``models``: models whose ``Domain`` includes Language and that have a training compute or a
  dataset size, and models of any domain that have a power or cost figure (the power and cost
  rows refer to their model's record: one record per model);
- ``training_runs_power``: models with a ``Training power draw (W)`` (converted to MW);
- ``training_costs``: models with a ``Training compute cost (2023 USD)`` (the amortized
  hardware + energy cost column).

Epoch's ``Training dataset size (total)`` is the dataset's size, read as ``dataset_tokens``;
``tokens_seen`` is that times ``Epochs`` where the export gives epochs. Every imported figure
is ``published`` on the model's publication date (the rule of ``data/README.md``: the figures
are Epoch's reading of what the release disclosed).

Every row is validated by the table's own row schema, so imported rows pass the checks curated
rows pass (ranges, 6ND consistency, watts per chip, dollars per FLOP). Rows that cannot be mapped
or that a check refuses are never dropped silently: each is reported with its line in the export
(header = line 1; the line where a row starts when a quoted cell spans lines), the column and the
value. Rows are merged by the table key (``model``): curated rows win unless ``update`` is set,
and the tables are written atomically only after every merged table validated (merging, writing
and the report: :mod:`forecast.importers.merge`).

Column names checked against public copies of Epoch's exports: the Notable AI Models download of
July 2026 (https://github.com/spragada4/ai-energy-explorer/blob/22699c8b2572068706dedd4397c1bff5e8dadf80/data/raw/notable_ai_models.csv:
``Training dataset size (total)``, ``Frontier model`` True or blank, ``Confidence``) and Epoch's
All ML Systems export of June 2025 (https://github.com/epoch-research/training-cost-trends/blob/39afc3de1beb16ee18dbe89f925759fa713dc744/data/All%20ML%20Systems%20-%20full%20view.csv:
``Training dataset size (datapoints)``, ``Compute rank when published``, ``Training compute
estimation method``, costs written ``$6770000.00``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecast import settings
from forecast.data import TABLES, Row, TableSpec, csv_records, table_path
from forecast.errors import InputError
from forecast.fingerprint import file_digest
from forecast.importers.merge import (
    ImportReport,
    RowSkipped,
    Skipped,
    TablePlan,
    merge,
    read_curated,
    validate_record,
    write_tables,
)
from forecast.tables.cost import COST_COLUMNS
from forecast.textfile import read_text

# --------------------------------------------------------------------------------------------
# Epoch's columns
# --------------------------------------------------------------------------------------------

MODEL = "Model"
DATE = "Publication date"
ORGANIZATION = "Organization"
DOMAIN = "Domain"
PARAMETERS = "Parameters"
PARAMETERS_NOTES = "Parameters notes"
COMPUTE = "Training compute (FLOP)"
COMPUTE_METHOD = "Training compute estimation method"
DATASET = "Training dataset size (total)"
EPOCHS = "Epochs"
CLOUD_COST = "Training compute cost (cloud)"
ACQUISITION_COST = "Hardware acquisition cost"
POWER = "Training power draw (W)"
COST = "Training compute cost (2023 USD)"
FRONTIER = "Frontier model"
COMPUTE_RANK = "Compute rank when published"
HARDWARE = "Training hardware"
QUANTITY = "Hardware quantity"
ACCESSIBILITY = "Model accessibility"
OPEN_WEIGHTS = "Open model weights?"
CONFIDENCE = "Confidence"
LINK = "Link"

#: Other names of a column in older or other Epoch exports (matched ignoring case and spaces).
ALIASES: dict[str, tuple[str, ...]] = {
    MODEL: ("System",),
    DATASET: (
        "Training dataset size (datapoints)",
        "(DEPRECATED) Training dataset size (datapoints)",
        "Training dataset size (gradients)",
        "Training dataset size",
    ),
}
#: Columns an export must have.
REQUIRED = (MODEL, DATE)
#: An export must have at least one of these.
VALUE_COLUMNS = (PARAMETERS, COMPUTE, DATASET, POWER, COST)
#: Columns used when present; a missing one reads as blank in every row.
OPTIONAL = (
    EPOCHS,
    CLOUD_COST,
    ACQUISITION_COST,
    ORGANIZATION,
    DOMAIN,
    PARAMETERS_NOTES,
    COMPUTE_METHOD,
    FRONTIER,
    COMPUTE_RANK,
    HARDWARE,
    QUANTITY,
    ACCESSIBILITY,
    OPEN_WEIGHTS,
    CONFIDENCE,
    LINK,
)
#: Optional columns whose absence is worth reporting (the others are fallbacks or extras).
REPORTED_IF_MISSING = (ORGANIZATION, DOMAIN, FRONTIER, HARDWARE, QUANTITY, ACCESSIBILITY, LINK)

#: Epoch's definition of a frontier model: top 10 by training compute at release.
FRONTIER_RANK = 10

# --------------------------------------------------------------------------------------------
# Reading the export
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    """One data row of the export: its line in the file and its cells by Epoch column name."""

    line: int
    cells: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    @property
    def model(self) -> str:
        """Return the model name (``Model``), stripped."""
        return self[MODEL]


@dataclass(frozen=True)
class Export:
    """A parsed export: rows, the file's digest and the columns found."""

    path: Path
    sha256: str
    rows: tuple[ExportRow, ...]
    header: Mapping[str, str]  # Epoch column name -> the name in this file's header
    missing: tuple[str, ...]  # reported optional columns absent from the header


def _normalise_header(name: str) -> str:
    return " ".join(name.split()).casefold()


def resolve_columns(header: Iterable[str], path: str | Path) -> dict[str, str]:
    """Map each known Epoch column to its name in ``header``, accepting known aliases.

    Parameters
    ----------
    header : iterable of str
        The column names of the export.
    path : str or Path
        The export, named in errors.

    Returns
    -------
    dict of str to str
        Known column (e.g. ``"Training dataset size (total)"``) -> name in the header.

    Raises
    ------
    InputError
        If ``Model`` or ``Publication date`` is missing, or every value column is.
    """
    found = {_normalise_header(name): name for name in header}
    columns: dict[str, str] = {}
    for known in (*REQUIRED, *VALUE_COLUMNS, *OPTIONAL):
        for name in (known, *ALIASES.get(known, ())):
            if _normalise_header(name) in found:
                columns[known] = found[_normalise_header(name)]
                break
    for known in REQUIRED:
        if known not in columns:
            raise InputError(
                path,
                f"missing column '{known}'; an Epoch AI export has {', '.join(REQUIRED)} "
                f"and at least one of {', '.join(VALUE_COLUMNS)}",
                row=1,
                column=known,
            )
    if not any(known in columns for known in VALUE_COLUMNS):
        raise InputError(
            path,
            f"missing value columns: none of {', '.join(VALUE_COLUMNS)} "
            f"(or {', '.join(ALIASES[DATASET])})",
            row=1,
        )
    return columns


def _records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and every non-blank record with its line, refusing a truncated file.

    A record with fewer fields than the header (an export cut mid-row), or one with more, is
    refused naming its line; so is a file ending inside a quoted cell, and one whose last
    record has no line break after a non-blank last cell (cut mid-value, maybe mid-number).
    """
    text = read_text(path)
    records = [(line, record) for line, record in csv_records(path, text) if record]
    if not records:
        raise InputError(path, "empty: no header row", row=1)
    (_, header), rows = records[0], records[1:]
    for line, record in rows:
        if len(record) != len(header):
            fewer = len(record) < len(header)
            why = ": a truncated export (the record ends early)? download it again"
            raise InputError(
                path,
                f"{len(record)} fields for the header's {len(header)}" + (why if fewer else ""),
                row=line,
            )
    if rows and not text.endswith(("\n", "\r")) and rows[-1][1][-1].strip():
        raise InputError(
            path,
            "the file ends inside its last record (no line break after it): a truncated "
            "export? download it again",
            row=rows[-1][0],
        )
    return header, rows


def read_export(path: str | Path) -> Export:
    """Read an Epoch AI CSV export, every cell as a string.

    Parameters
    ----------
    path : str or Path
        The CSV file downloaded from https://epoch.ai/data.

    Returns
    -------
    Export
        Its rows (with their line numbers), its SHA-256 and the columns found.

    Raises
    ------
    InputError
        If the file is missing, is not UTF-8, is not a CSV, is truncated (a record with fewer
        fields than the header), has no data rows, or lacks a required column.
    """
    path = Path(path)
    names, records = _records(path)
    header = resolve_columns(names, path)
    if not records:
        raise InputError(path, "no data rows")
    index = {name: names.index(name) for name in header.values()}  # a repeated name: its first
    rows = tuple(
        ExportRow(line, {known: record[index[name]] for known, name in header.items()})
        for line, record in records
    )
    stand_ins = {FRONTIER: COMPUTE_RANK}  # a missing column another one replaces
    missing = tuple(
        c for c in REPORTED_IF_MISSING if c not in header and stand_ins.get(c) not in header
    )
    return Export(path, file_digest(path), rows, header, missing)


# --------------------------------------------------------------------------------------------
# Cells to values
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A number read from a cell; ``estimate`` if the cell marked it approximate."""

    value: float | None
    estimate: bool = False
    note: str | None = None


#: Cells that say the value is unknown: read as blank.
_UNKNOWN = frozenset({"unknown", "n/a", "na", "?", "-", "none", "not known"})
_APPROXIMATE = re.compile(r"^(?:~|≈|approximately|approx\.?)\s*", re.IGNORECASE)
_ESTIMATE = re.compile(r"\s*\((?:estimate|estimated|est\.?)\)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?$")


def parse_number(text: str, column: str) -> Number:
    """Read a number from an export cell.

    Accepted besides plain numbers: thousands separators (``1,000``), a leading ``$``, and an
    approximate value marked ``~1e25``, ``≈1e25``, ``approx. 1e25`` or ``1.2e24 (estimate)``
    (read with ``estimate=True``). ``unknown``, ``n/a``, ``?`` and ``-`` read as blank.

    Parameters
    ----------
    text : str
        The cell.
    column : str
        The column, named in the note or the error.

    Returns
    -------
    Number
        The value (``None`` for a blank cell), whether it is marked as an estimate, and a note
        when the cell needed reading.

    Raises
    ------
    RowSkipped
        If the cell holds several values or text that is not a number.
    """
    raw = " ".join(text.split())
    if not raw:
        return Number(None)
    if raw.casefold() in _UNKNOWN:
        return Number(None, note=f"Epoch {column} {raw!r} read as blank")
    cleaned = raw.removeprefix("$").strip()
    marked = bool(_APPROXIMATE.search(cleaned) or _ESTIMATE.search(cleaned))
    cleaned = _ESTIMATE.sub("", _APPROXIMATE.sub("", cleaned)).removeprefix("$")
    if "," in cleaned:
        if not _THOUSANDS.match(cleaned):
            raise RowSkipped(column, "several values", raw)
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise RowSkipped(column, "not a number", raw) from None
    note = f"Epoch {column} {raw!r} read as {value:g} (marked approximate)" if marked else None
    return Number(value, estimate=marked, note=note)


def parse_count(text: str, column: str) -> int | None:
    """Read a whole count (e.g. chips) from a cell: ``16384.0`` and ``1,024`` are accepted.

    Raises
    ------
    RowSkipped
        If the cell is not a number or not a whole number.
    """
    number = parse_number(text, column)
    if number.value is None:
        return None
    if not number.value.is_integer():
        raise RowSkipped(column, "not a whole number", text.strip())
    return int(number.value)


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_publication_date(text: str) -> tuple[dt.date, str | None]:
    """Read Epoch's publication date; a year or a year-month becomes the end of that period.

    ``2023`` -> 2023-12-31 and ``2023-05`` -> 2023-05-31: a model is never dated before it
    could have been published, so a fit cut at an as-of date never sees it early.

    Returns
    -------
    (datetime.date, str or None)
        The date and, for a partial date, the note that says how it was completed.

    Raises
    ------
    RowSkipped
        If the cell is blank or not a date.
    """
    raw = text.strip()
    match = _DATE.match(raw)
    if not raw:
        raise RowSkipped(DATE, "blank")
    if match is None:
        raise RowSkipped(DATE, "not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)", raw)
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            date, period = dt.date(year, 12, 31), "year only"
        elif day is None:
            date = dt.date(year, month, calendar.monthrange(year, month)[1])
            period = "year and month only"
        else:
            return dt.date(year, month, day), None
    except ValueError:  # day or month out of range
        raise RowSkipped(DATE, "not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)", raw) from None
    note = f"Epoch date {raw!r} ({period}) taken as {date}, the end of the period"
    return date, note


def has_language(domain: str) -> bool:
    """Return True if an Epoch ``Domain`` cell (one or several, comma-separated) has Language."""
    return any(part.strip().casefold() == "language" for part in re.split(r"[,;]", domain))


#: Epoch ``Domain`` values (lower case) and the ``models`` domain each maps to, when the cell
#: has no Language (which maps to ``language``, multimodal language models included).
DOMAIN_NAMES = {
    "vision": "vision",
    "image generation": "image_generation",
    "video": "vision",
    "games": "games",
    "speech": "speech",
    "audio": "speech",
    "biology": "biology",
    "medicine": "biology",
    "multimodal": "multimodal",
    "recommendation": "recommendation",
    "robotics": "other",
}


def model_domain(domain: str) -> str:
    """Return the ``models`` domain of an Epoch ``Domain`` cell (its first known domain)."""
    if has_language(domain):
        return "language"
    for part in re.split(r"[,;]", domain):
        name = DOMAIN_NAMES.get(part.strip().casefold())
        if name:
            return name
    return "other"


_MIXTURE_OF_EXPERTS = re.compile(
    r"\bactiv(?:e|ated)\b|mixture[- ]of[- ]experts|\bMoE\b|\bsparse\b", re.IGNORECASE
)


def is_mixture_of_experts(parameter_notes: str) -> bool:
    """Return True if Epoch's ``Parameters notes`` describe a sparse (mixture-of-experts) model."""
    return bool(_MIXTURE_OF_EXPERTS.search(parameter_notes))


_TRUE = frozenset({"true", "yes", "1", "checked"})
_FALSE = frozenset({"false", "no", "0", ""})


def _flag(text: str, column: str) -> bool:
    lowered = text.strip().casefold()
    if lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    raise RowSkipped(column, "expected True, False or blank", text.strip())


def frontier_flag(row: ExportRow, header: Mapping[str, str]) -> bool | None:
    """Return Epoch's frontier flag of a row, or ``None`` if the export has none.

    ``Frontier model`` is Epoch's flag (True, or blank for false). Exports without it (All ML
    Systems) give ``Compute rank when published``: rank 1-10 is frontier, Epoch's definition.
    Our tables hold no flag (the frontier is a rule on ``models``): ``datawall data compare``
    sets the two side by side.
    """
    if FRONTIER in header:
        return _flag(row[FRONTIER], FRONTIER)
    if COMPUTE_RANK in header:
        rank = parse_count(row[COMPUTE_RANK], COMPUTE_RANK)
        return rank is not None and rank <= FRONTIER_RANK
    return None


def open_weights(row: ExportRow) -> tuple[bool, str | None]:
    """Return True if Epoch's ``Model accessibility`` starts with "Open weights".

    A blank accessibility falls back on ``Open model weights?`` (Yes/No); with neither the
    flag is false and the note says so.
    """
    access = row[ACCESSIBILITY]
    if access:
        return access.casefold().startswith("open weights"), None
    if row[OPEN_WEIGHTS]:
        return _flag(row[OPEN_WEIGHTS], OPEN_WEIGHTS), None
    return False, "Epoch accessibility blank: open_weights set false"


def compute_is_estimate(row: ExportRow, header: Mapping[str, str]) -> bool:
    """Return True if ``Training compute estimation method`` names a method and not "Reported"."""
    if COMPUTE_METHOD not in header:
        return False
    methods = {m.strip().casefold() for m in row[COMPUTE_METHOD].split(",") if m.strip()}
    return bool(methods) and "reported" not in methods


def _links(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text) if part.startswith(("http://", "https://"))]


# --------------------------------------------------------------------------------------------
# Export rows to table records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What every row of one export shares: its file, digest, columns and today's date."""

    file_name: str
    sha12: str
    header: Mapping[str, str]
    today: dt.date

    @classmethod
    def of(cls, export: Export, today: dt.date | None = None) -> Context:
        """Return the context of an export (``today`` defaults to :func:`settings.today`)."""
        return cls(export.path.name, export.sha256[:12], export.header, today or settings.today())

    def source(self, row: ExportRow) -> str:
        """Return a row's provenance: the export, its SHA-256 prefix, the line, the links."""
        text = (
            f"Epoch AI database export (https://epoch.ai/data, CC BY 4.0) {self.file_name} "
            f"sha256:{self.sha12} line {row.line}"
        )
        return " ; ".join([text, *_links(row[LINK])])


def _common(row: ExportRow, context: Context, notes: list[str]) -> dict[str, Any]:
    """Fields every table shares: the model's name, the date its figures are public, source."""
    date, date_note = parse_publication_date(row[DATE])
    if date > context.today:
        raise RowSkipped(DATE, "after today", f"{row[DATE]} (today is {context.today})")
    notes.extend([date_note] if date_note else [])
    return {"model": row.model, "published": date, "source": context.source(row)}


def _numbers(row: ExportRow, columns: Iterable[str], notes: list[str]) -> dict[str, Number]:
    numbers = {column: parse_number(row[column], column) for column in columns}
    notes.extend(n.note for n in numbers.values() if n.note)
    return numbers


def _active_parameters(parameters: float | None, row: ExportRow, notes: list[str]) -> float | None:
    if parameters is None:
        return None
    if is_mixture_of_experts(row[PARAMETERS_NOTES]):
        notes.append(
            "active_parameters blank: Epoch's parameter notes describe a mixture-of-experts "
            "model and the export has no active-parameter column"
        )
        return None
    notes.append("active_parameters = parameters (dense assumed; Epoch has no active count)")
    return parameters


def _estimated_fields(
    numbers: dict[str, Number], active: float | None, compute_estimated: bool, seen: bool
) -> str | None:
    marked = {
        "parameters": numbers[PARAMETERS].estimate,
        "active_parameters": numbers[PARAMETERS].estimate and active is not None,
        "dataset_tokens": numbers[DATASET].estimate,
        "tokens_seen": seen and (numbers[DATASET].estimate or numbers[EPOCHS].estimate),
        "training_compute_flop": numbers[COMPUTE].estimate or compute_estimated,
    }
    return ";".join(name for name, estimate in marked.items() if estimate) or None


def _finish(record: dict[str, Any], row: ExportRow, notes: list[str]) -> dict[str, Any]:
    if row[CONFIDENCE]:
        notes.append(f"Epoch confidence: {row[CONFIDENCE]}")
    return record | {"notes": "; ".join(["Imported from Epoch AI", *notes])}


def model_record(row: ExportRow, context: Context) -> dict[str, Any]:
    """Map an export row to a ``models`` record (unvalidated).

    Raises
    ------
    RowSkipped
        If the row is not a language model and has no power or cost figure (only those need a
        record), it has no figure at all, or a cell cannot be read.
    """
    language = has_language(row[DOMAIN])
    if not language and not (row[POWER] or row[COST]):
        raise RowSkipped(DOMAIN, "no Language, and no power or cost figure", row[DOMAIN])
    notes: list[str] = []
    # A vision or games model's datapoints are images or games, not tokens: not read.
    counted = (DATASET, EPOCHS) if language else ()
    numbers = {DATASET: Number(None), EPOCHS: Number(None)}
    numbers |= _numbers(row, (PARAMETERS, COMPUTE, *counted), notes)
    if language and numbers[COMPUTE].value is None and numbers[DATASET].value is None:
        raise RowSkipped(COMPUTE, "blank, and no dataset size either")
    record = _common(row, context, notes)
    date, _ = parse_publication_date(row[DATE])
    compute_estimated = compute_is_estimate(row, context.header)
    if compute_estimated:
        notes.append(f"Epoch compute estimation method: {row[COMPUTE_METHOD]}")
    dataset, epochs = numbers[DATASET].value, numbers[EPOCHS].value
    if dataset is not None:
        notes.append(
            f"dataset_tokens = Epoch '{context.header.get(DATASET, DATASET)}' (datapoints: for "
            "language models tokens, words in some older entries)"
        )
    seen = dataset is not None and epochs is not None
    if seen:
        notes.append(f"tokens_seen = dataset x Epoch's {epochs:g} epochs")
    weights, weights_note = open_weights(row)
    notes.extend([weights_note] if weights_note else [])
    parameters = numbers[PARAMETERS].value
    active = _active_parameters(parameters, row, notes)
    record |= {
        "organization": row[ORGANIZATION] or None,
        "domain": model_domain(row[DOMAIN]),
        "publication_date": date,
        "parameters": parameters,
        "active_parameters": active,
        "dataset_tokens": dataset,
        "tokens_seen": dataset * epochs if seen else None,
        "training_compute_flop": numbers[COMPUTE].value,
        "open_weights": weights,
        "estimated_fields": _estimated_fields(numbers, active, compute_estimated, seen),
        "frontier_exclusion": None,
    }
    return _finish(record, row, notes)


def power_record(row: ExportRow, context: Context) -> dict[str, Any]:
    """Map an export row to a ``training_runs_power`` record (W -> MW; unvalidated).

    Raises
    ------
    RowSkipped
        If ``Training power draw (W)`` is blank or a cell cannot be read.
    """
    notes: list[str] = []
    numbers = _numbers(row, (POWER,), notes)
    watts = numbers[POWER].value
    if watts is None:
        raise RowSkipped(POWER, "blank")
    record = _common(row, context, notes)
    notes.append(f"Epoch value {watts:.4g} W (chips x TDP x server overhead x PUE)")
    record |= {
        "hardware": row[HARDWARE] or None,
        "chip_count": parse_count(row[QUANTITY], QUANTITY),
        "power_mw": watts / 1e6,
        "power_is_estimate": False,
    }
    return _finish(record, row, notes)


def known_cost(number: Number) -> float | None:
    """Return a cost cell's value, ``None`` for Epoch's 0 (written where the cost is unknown)."""
    return None if not number.value else number.value


def cost_record(row: ExportRow, context: Context) -> dict[str, Any]:
    """Map an export row to a ``training_costs`` record, amortized cost only (unvalidated).

    Raises
    ------
    RowSkipped
        If ``Training compute cost (2023 USD)`` is blank or a cell cannot be read.
    """
    notes: list[str] = []
    numbers = _numbers(row, (COST, CLOUD_COST, ACQUISITION_COST), notes)
    cost = numbers[COST].value
    if cost is None:
        raise RowSkipped(COST, "blank")
    record = _common(row, context, notes)
    notes.append(
        f"amortized = Epoch '{COST}' as labelled, not converted (Epoch's downloads since "
        "August 2025 write June-2025 USD in it: see data/sources/cost.md)"
    )
    record |= {
        COST_COLUMNS["amortized"]: cost,
        COST_COLUMNS["cloud"]: known_cost(numbers[CLOUD_COST]),
        COST_COLUMNS["acquisition"]: known_cost(numbers[ACQUISITION_COST]),
        "hardware": row[HARDWARE] or None,
    }
    return _finish(record, row, notes)


@dataclass(frozen=True)
class TableImporter:
    """How one table is filled from an export: the table and the row mapping."""

    table: str
    build: Callable[[ExportRow, Context], dict[str, Any]]

    @property
    def spec(self) -> TableSpec:
        """Return the table's schema."""
        return TABLES[self.table]


IMPORTERS = (
    TableImporter("models", model_record),
    TableImporter("training_runs_power", power_record),
    TableImporter("training_costs", cost_record),
)


# --------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------


def _repeats(export: Export) -> dict[int, int]:
    """Return line -> line of the first row with the same model name, for repeated names."""
    first: dict[str, int] = {}
    for row in export.rows:
        if row.model:
            first.setdefault(row.model, row.line)
    return {
        row.line: first[row.model]
        for row in export.rows
        if row.model and first[row.model] != row.line
    }


def _check_identity(row: ExportRow, repeats: Mapping[int, int]) -> None:
    if not row.model:
        raise RowSkipped(MODEL, "blank")
    if row.line in repeats:
        raise RowSkipped(MODEL, f"repeats the model of line {repeats[row.line]}", row.model)


def collect(
    export: Export, importer: TableImporter, context: Context
) -> tuple[list[tuple[int, Row]], list[Skipped]]:
    """Map and validate every export row for one table.

    Returns
    -------
    (list of (int, Row), list of Skipped)
        The validated rows with their export lines, and the rows left out with their reasons.
    """
    repeats = _repeats(export)
    spec = importer.spec
    rows: list[tuple[int, Row]] = []
    skipped: list[Skipped] = []
    for row in export.rows:
        try:
            _check_identity(row, repeats)
            rows.append((row.line, validate_record(spec, importer.build(row, context))))
        except RowSkipped as why:
            skipped.append(Skipped(row.line, row.model, why.column, why.reason, why.value))
    return rows, skipped


def plan_table(
    importer: TableImporter,
    export: Export,
    context: Context,
    *,
    update: bool,
    directory: str | Path | None = None,
    known_models: set[str] | None = None,
) -> TablePlan:
    """Collect, validate and merge one table's rows from an export (nothing is written).

    ``known_models``: the models the merged ``models`` table holds; a row of a table referring
    to a model outside it is skipped (and reported), never written with a dangling name.
    """
    spec = importer.spec
    path = table_path(spec.name, directory)
    imported, skipped = collect(export, importer, context)
    if known_models is not None and "model" in spec.references:
        unknown = [(line, row) for line, row in imported if row.model not in known_models]
        imported = [(line, row) for line, row in imported if row.model in known_models]
        skipped += [
            Skipped(line, row.model, "model", "no record in models (its row was skipped)", "")
            for line, row in unknown
        ]
    records, report = merge(spec, read_curated(path, spec), imported, update=update)
    report.skipped = sorted([*skipped, *report.skipped], key=lambda s: s.line)
    return TablePlan(spec, path, records, report)


def import_epoch(
    path: str | Path,
    *,
    update: bool = False,
    dry_run: bool = False,
    directory: str | Path | None = None,
) -> ImportReport:
    """Import an Epoch AI export into the models, training-power and cost tables.

    Parameters
    ----------
    path : str or Path
        The CSV export.
    update : bool
        Let the export's values replace curated rows with the same key that differ.
    dry_run : bool
        Report only; write nothing.
    directory : str or Path, optional
        Directory of the tables (default ``data/`` of the project).

    Returns
    -------
    ImportReport
        Per table: models added, updated, unchanged and differing, and the rows skipped with
        their line, column, reason and value.

    Raises
    ------
    InputError
        On a missing or malformed export, an invalid curated table, or a merged table that
        fails its checks; nothing is written then.
    """
    export = read_export(path)
    context = Context.of(export)
    models_importer, *others = IMPORTERS
    models = plan_table(models_importer, export, context, update=update, directory=directory)
    known = {record["model"] for record in models.records}
    plans = [models] + [
        plan_table(
            importer, export, context, update=update, directory=directory, known_models=known
        )
        for importer in others
    ]
    written = [] if dry_run else [str(p) for p in write_tables(plans)]
    return ImportReport(
        path=str(path),
        sha256=export.sha256,
        rows_read=len(export.rows),
        missing_columns=list(export.missing),
        update=update,
        dry_run=dry_run,
        tables={plan.spec.name: plan.report for plan in plans},
        written=written,
    )
