"""Where datawall writes: ``--out`` targets checked up front, and safe folder names.

A command writes only under ``runs/``, ``reports/`` or the ``--out`` it was given (an import,
the tables of ``data/`` it changes). An ``--out`` target is checked before any work
(:func:`check_output_file`, :func:`check_output_folder`): its folder can be created and written
in, nothing that is not a previous result is in the way, and it is not among the inputs. A
scenario's name becomes a folder only through :func:`folder_name`, which never leaves the folder
it is joined to. How every file and folder is then written (staged beside its target, swapped
in, debris of killed processes removed) is :mod:`forecast.atomic`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from forecast import settings
from forecast.atomic import temporary_beside
from forecast.errors import InputError
from forecast.fingerprint import digest

#: A folder name used as it is (the name of a scenario, or of a stress scenario built from one:
#: ``grid_delays[power.lab_share=0.2]``); anything else is named by a digest of itself.
PLAIN_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.,=+@:\[\]-]*")
#: Longest folder name used as it is (file systems allow 255 bytes).
FOLDER_MAX = 120
#: The first bytes of the files a result may replace: NetCDF-4 (HDF5), classic NetCDF, PNG,
#: and the CSV of a stress pivot (:mod:`forecast.stress.pivot`: its first line).
MAGIC = {
    ".nc": (b"\x89HDF\r\n\x1a\n", b"CDF\x01", b"CDF\x02", b"CDF\x05"),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".csv": (b"# datawall stress pivot",),
}
#: The entries of an outlook's folder: a folder holding anything else is not replaced.
REPORT_ENTRIES = frozenset(
    {"outlook.html", "outlook.pdf", "report.html", "report.pdf", "summary.json", "figures"}
    | {"downloads"}
)


def folder_name(name: str) -> str:
    """Return the folder a scenario's runs are stored in: its name, or a digest of it.

    A name made of letters, digits and ``_ . , = + @ : [ ] -`` (not starting with a dot) of at
    most :data:`FOLDER_MAX` characters is used as it is; any other (a ``/``, ``..``, a space, a
    long name) becomes ``PREFIX-DIGEST``, so a folder never lies outside the one it is joined
    to, whatever a scenario's name holds.
    """
    if PLAIN_FOLDER.fullmatch(name) and len(name) <= FOLDER_MAX:
        return name
    prefix = re.match(r"[A-Za-z0-9_-]*", name)[0][:40] or "scenario"
    return f"{prefix}-{digest(name.encode())[:16]}"


def _inputs() -> tuple[Path, ...]:
    return (settings.data_dir().resolve(), settings.priors_dir().resolve())


def _writable_folder(folder: Path, option: str, probe_name: str) -> None:
    """Create ``folder`` if needed and check a file can be written in it, or refuse."""
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise InputError(option, f"{existing} is a file, not a folder: it is in the way")
    resolved = folder.resolve()
    for inputs in _inputs():
        if resolved == inputs or inputs in resolved.parents:
            raise InputError(
                option, f"{folder} is among the inputs ({inputs}); write results elsewhere"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = temporary_beside(folder / probe_name)
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        raise InputError(option, f"cannot write in {folder} ({exc.strerror})") from None


def check_output_file(path: str | Path, option: str = "--out") -> Path:
    """Return a result file's path once it is known the result can be written there.

    Refused, before any work: a folder that cannot be created or written in, a file in the
    way of it (``README.md/x.nc``), a folder or a device at the path, an existing file that is
    not a previous result of the same kind (NetCDF for ``.nc``, PNG for ``.png``, a pivot for
    ``.csv``), and a path
    among the inputs (``data/``, ``priors/``).

    Raises
    ------
    InputError
        Naming the option and the path.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(option, f"{path} is a folder; give the path of a file")
    if path.exists() or path.is_symlink():
        if not path.is_file():
            raise InputError(option, f"{path} is not a regular file")
        magic = MAGIC.get(path.suffix.lower(), MAGIC[".nc"])
        with open(path, "rb") as handle:
            head = handle.read(max(map(len, magic)))
        if not head.startswith(magic):
            raise InputError(
                option,
                f"{path} exists and is not a previous result ({path.suffix or 'NetCDF'} file); "
                "it would be replaced: give a new path",
            )
    _writable_folder(path.parent, option, path.name)
    return path


def check_output_folder(path: str | Path, option: str = "--out") -> Path:
    """Return a report folder's path once it is known the report can be written there.

    The folder is replaced whole, so an existing one must be empty or a previous outlook's
    (only :data:`REPORT_ENTRIES`); a file in its place, or a parent that cannot be written in,
    is refused too.

    Raises
    ------
    InputError
        Naming the option and the path.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(option, f"{path} is a file, not a folder: it is in the way")
    if path.is_dir():
        foreign = sorted(e.name for e in path.iterdir() if e.name not in REPORT_ENTRIES)
        if foreign:
            raise InputError(
                option,
                f"{path} holds files that are not an outlook's ({', '.join(foreign[:3])}); "
                "it would be replaced whole: give a new or empty folder",
            )
    _writable_folder(path.parent, option, path.name)
    return path
