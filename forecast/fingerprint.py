"""Fingerprints: the one SHA-256 of a value, of bytes and of a file.

A run's ids, a prior file's hash, a stress result's name and a report's row hashes are all
fingerprints, so two inputs that are the same give the same id and two that differ never
share one. A value is fingerprinted as canonical JSON (keys sorted, no NaN or infinity, the
separators of :func:`json.dumps`), and only what JSON holds as it is is accepted: a date, a
numpy number, a set or a non-text key is refused naming where it sits, never written as
``str(value)`` (pymc-marketing's model id reads the same way: SHA-256 of the sorted-key JSON of
the config).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


def _check(value: Any, where: str) -> None:
    """Refuse a value JSON cannot hold as it is, naming its key path (``$.priors.nu``)."""
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} has no JSON form (NaN and infinity are refused)")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: key {key!r} is not text (JSON keys are strings)")
            _check(item, f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]")
        return
    raise TypeError(f"{where}: a {type(value).__name__} ({value!r}) has no JSON form")


def canonical_json(value: Any) -> str:
    """Return the canonical JSON text of a value: keys sorted, finite numbers only.

    Parameters
    ----------
    value : object
        ``None``, text, booleans, numbers, and lists, tuples and text-keyed mappings of them.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        For a value of another type (a date, a numpy number, a set) or a key that is not text,
        naming its key path (``$.options.start_date``).
    ValueError
        For NaN or an infinity, naming its key path.
    """
    _check(value, "$")
    return json.dumps(value, sort_keys=True, allow_nan=False)


def fingerprint(value: Any) -> str:
    """Return the SHA-256 (hex) of a value's canonical JSON (:func:`canonical_json`).

    Raises
    ------
    TypeError, ValueError
        For a value JSON cannot hold, as :func:`canonical_json`.
    """
    return digest(canonical_json(value).encode())


def digest(*chunks: bytes) -> str:
    """Return the SHA-256 (hex) of bytes, given whole or as consecutive chunks."""
    hashed = hashlib.sha256()
    for chunk in chunks:
        hashed.update(chunk)
    return hashed.hexdigest()


def file_digest(path: str | Path) -> str:
    """Return the SHA-256 (hex) of a file's bytes, read in blocks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def files_digest(paths: Iterable[str | Path]) -> str:
    """Return the SHA-256 (hex) of the files' digests, in order (a module set's hash, say)."""
    return digest(*(file_digest(path).encode() for path in paths))
