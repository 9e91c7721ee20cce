"""Every write of datawall, staged: a new file or folder is made beside its target, then swapped in.

A run, a stress or backtest result, a figure, a report folder and the tables an import changes
are all written the same way (:func:`staged`): each target gets a staging path
``.NAME.PID.tmp`` in its own folder; the caller writes there and checks what it wrote; only
when that succeeds is each staged file or folder swapped into place (a file by
:func:`os.replace`; a folder by moving the old one aside as ``.NAME.PID.old``, renaming the new
one in, and putting the old one back if that fails). On any error nothing is swapped and the
staging paths are removed, so a target is always either what it was or the whole new version.

A process killed meanwhile leaves its staging path behind; the next write of that target (and
the lock holder of its folder, :mod:`forecast.locks`) removes it once the process that made it
no longer runs (:func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

#: A staging path (``.NAME.PID.tmp``, a file or a folder) or a folder moved aside while its new
#: version is renamed in (``.NAME.PID.old``), where PID is the writing process. ``.import`` is
#: the staging suffix imports used before every write was staged here.
TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?:tmp|old|import)$")


def temporary_beside(path: Path, suffix: str = "tmp") -> Path:
    """Return the temporary ``.NAME.PID.SUFFIX`` of ``path``, in the same folder."""
    return path.with_name(f".{path.name}.{os.getpid()}.{suffix}")


def pid_alive(pid: int) -> bool:
    """Return whether a process with this id runs on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove(path: Path) -> None:
    """Remove a file or a folder, if there is one."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_stale_temporaries(folder: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Remove the temporaries in ``folder`` left by processes that no longer run.

    Parameters
    ----------
    folder : Path
        The folder written to.
    names : iterable of str, optional
        Only the temporaries of these targets (default: of every target).

    Returns
    -------
    list of Path
        What was removed.
    """
    if not folder.is_dir():
        return []
    wanted = None if names is None else set(names)
    removed = []
    for entry in folder.iterdir():
        match = TEMPORARY.match(entry.name)
        if not match or (wanted is not None and match["name"] not in wanted):
            continue
        if pid_alive(int(match["pid"])):
            continue
        _remove(entry)
        removed.append(entry)
    return removed


def _swap(staging: Path, target: Path) -> None:
    """Put a staged file or folder in place of ``target``."""
    if not staging.is_dir():
        os.replace(staging, target)
        return
    retired = temporary_beside(target, "old")
    _remove(retired)
    if target.exists() or target.is_symlink():
        target.rename(retired)
    try:
        staging.rename(target)
    except OSError:
        if retired.exists():
            retired.rename(target)  # put the previous version back
        raise
    finally:
        _remove(retired)


@contextlib.contextmanager
def staged(*targets: str | Path) -> Iterator[tuple[Path, ...]]:
    """Stage new versions of ``targets``; swap them in when the block ends without an error.

    Yields one staging path per target (``.NAME.PID.tmp`` beside it, not yet created): the
    block writes a file or a folder there, and checks it. If the block raises, no target is
    touched. Then each staged path replaces its target, in order. The staging paths are
    removed in every case, and the temporaries of the targets that killed processes left are
    removed first.

    Parameters
    ----------
    *targets : str or Path
        The files or folders written; their folders are created if needed.

    Yields
    ------
    tuple of Path
        The staging path of each target.
    """
    paths = [Path(target) for target in targets]
    stages = tuple(temporary_beside(path) for path in paths)
    for path, stage in zip(paths, stages, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path.parent, [path.name])
        _remove(stage)  # a leftover of an earlier process with this id
    try:
        yield stages
        for path, stage in zip(paths, stages, strict=True):
            _swap(stage, path)
    finally:
        for stage in stages:
            _remove(stage)


def write_file(path: str | Path, write: Callable[[Path], Any]) -> Path:
    """Write a file atomically: ``write(staging_path)``, then the swap (see :func:`staged`)."""
    with staged(path) as (stage,):
        write(stage)
    return Path(path)


def write_bytes(path: str | Path, content: bytes) -> Path:
    """Write a file's bytes (a figure, say) atomically."""
    return write_file(path, lambda stage: stage.write_bytes(content))
