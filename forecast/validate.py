"""Checks of the values a user hands the command line: names, seeds and as-of dates.

Each check raises an :class:`~forecast.errors.InputError` naming where the value came from (the
option, or the file and key), so the command line exits 2 before any work is done.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from forecast import settings
from forecast.errors import InputError, parse_date

#: A scenario name: letters, digits, ``_`` and ``-``, starting with a letter or a digit. It
#: names a folder of ``runs/``, so nothing else (no ``/``, ``..``, space or markup) is allowed.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
#: Longest scenario name accepted (a folder name, with room for an as-of suffix).
NAME_MAX = 64
#: The baseline's name: only the bundled ``priors/scenarios/baseline.toml`` may take it (even
#: when the file is absent and the baseline is the bundled data and priors unchanged).
BASELINE = "baseline"
#: Names of the engine's own as-of cuts (``NAME-as-of-YYYY-MM-DD``): no scenario may take one.
AS_OF_SUFFIX = re.compile(r"-as-of-\d{4}-\d{2}-\d{2}$")
#: Largest seed accepted (NumPy and PyMC take any 32-bit unsigned integer).
SEED_MAX = 2**32 - 1


def is_identifier(name: str) -> bool:
    """Return whether ``name`` is a scenario name (see :data:`IDENTIFIER`)."""
    return bool(IDENTIFIER.fullmatch(name)) and len(name) <= NAME_MAX


def check_scenario_name(
    name: Any, where: str | Path, *, column: str = "scenario.name", source: Path | None = None
) -> str:
    """Return a scenario's name if it may name its folder of ``runs/``, else refuse it.

    A name is an identifier (:data:`IDENTIFIER`). ``baseline``, and the name of every scenario
    bundled in ``priors/scenarios/``, belong to their own file: a scenario read from elsewhere
    under that name would replace that scenario's runs (``baseline``'s: every lever-only
    scenario's draws). Names of the engine's as-of cuts are refused too.

    Parameters
    ----------
    name : Any
        The name (``[scenario] name`` of the file, or its file name).
    where : str or Path
        The file (or option) the name came from, named in the error.
    column : str
        The key named in the error.
    source : Path, optional
        The file the scenario was read from.

    Returns
    -------
    str

    Raises
    ------
    InputError
        If the name is not an identifier, names an as-of cut, or belongs to another file.
    """
    if not isinstance(name, str) or not is_identifier(name):
        raise InputError(
            where,
            f"expected a name of letters, digits, '_' and '-' (starting with a letter or a "
            f"digit, at most {NAME_MAX} characters), got {name!r}",
            column=column,
        )
    if AS_OF_SUFFIX.search(name):
        raise InputError(
            where,
            f"{name!r} ends like the engine's as-of cuts (NAME-as-of-YYYY-MM-DD); set "
            "[scenario] as_of instead",
            column=column,
        )
    own = settings.scenarios_dir() / f"{name}.toml"
    if (name == BASELINE or own.is_file()) and not (source and _same_file(source, own)):
        what = "reserved for" if name == BASELINE else "the name of"
        raise InputError(
            where,
            f"{name!r} is {what} the bundled priors/scenarios/{own.name}; give this scenario "
            "another name (its runs would replace that scenario's)",
            column=column,
        )
    return name


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def check_seed(value: Any, option: str = "--seed") -> int:
    """Return a random seed if it is a whole number in ``[0, 2**32 - 1]``, else refuse it."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SEED_MAX:
        raise InputError(option, f"expected a whole number from 0 to {SEED_MAX}, got {value!r}")
    return value


def check_as_of(date: dt.date, where: str | Path, column: str | None = None) -> dt.date:
    """Return an as-of date if it is not after today, else refuse it (every command alike)."""
    today = settings.today()
    if date > today:
        raise InputError(
            where,
            f"as-of date {date.isoformat()} is in the future (today is {today.isoformat()}); "
            "an as-of date cuts the data at a day already past",
            column=column,
        )
    return date


def parse_as_of(value: Any, where: str | Path, column: str | None = None) -> dt.date:
    """Parse an as-of date (``YYYY-MM-DD``, or a TOML date) and refuse one in the future."""
    if isinstance(value, dt.datetime):
        raise InputError(where, f"expected a date YYYY-MM-DD, got {value!r}", column=column)
    return check_as_of(parse_date(value, where, column), where, column)
