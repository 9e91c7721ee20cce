"""Read a text input (a table, a prior or scenario file, an export) as UTF-8, or refuse it.

Every input file is UTF-8, with or without a byte-order mark (a spreadsheet's "CSV UTF-8"
writes one; it is dropped). Anything else (Latin-1, UTF-16, a binary file) is refused with the
file, the line and the byte offset of the first byte that is not UTF-8, so it can be found and
re-saved, never half-read.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from forecast.errors import InputError


def decode(raw: bytes, path: str | Path) -> str:
    """Return file bytes decoded as UTF-8, a leading byte-order mark dropped.

    Parameters
    ----------
    raw : bytes
        The file's content.
    path : str or Path
        The file, named in the error.

    Returns
    -------
    str

    Raises
    ------
    InputError
        If the bytes hold a NUL byte (a binary file) or are not UTF-8; the message gives the
        byte offset (0-based, counted from the start of the file) and the line.
    """
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputError(
            path,
            f"NUL byte at byte offset {nul}: a binary file, not UTF-8 text",
            row=raw[:nul].count(b"\n") + 1,
        )
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        raise InputError(
            path,
            f"not UTF-8: byte 0x{raw[offset]:02x} at byte offset {offset} (save the file as UTF-8)",
            row=raw[:offset].count(b"\n") + 1,
        ) from None


def read_text(path: str | Path) -> str:
    """Return a text file decoded as UTF-8 (a byte-order mark is accepted and dropped).

    Raises
    ------
    InputError
        If the file is missing or is not UTF-8 text (see :func:`decode`).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found" if not path.exists() else "not a file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    return decode(raw, path)
