"""One writer per folder: commands writing the same runs or report folder take turns.

Two ``fit``s (or ``forecast``s, ``outlook``s, backtests...) writing one folder of ``runs/``, or
two outlooks writing one report folder, would each fit and replace the other's files. Each holds
the folder's lock file (``.NAME.lock`` beside the folder, an OS lock through :mod:`filelock`,
released by the kernel if the process dies) while it writes; the second waits, says so, and then
reuses what the first stored.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import filelock

from forecast.atomic import remove_stale_temporaries

log = logging.getLogger(__name__)


def lock_path(folder: Path) -> Path:
    """Return the lock file of a folder: ``.NAME.lock`` beside it."""
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def holding(folder: Path, *, say: Callable[[str], None] | None = None) -> Iterator[float]:
    """Hold a folder's lock while the block writes in it; yield the seconds waited for it.

    Once the lock is held, temporaries that killed processes left in the folder (and of the
    folder itself, beside it) are removed: no live writer can own them.

    Parameters
    ----------
    folder : Path
        The folder written (``runs/baseline``, ``reports/2026-Q4``); it need not exist yet.
    say : callable, optional
        Called with the message that the lock is held elsewhere, and with how long it took
        (default: a warning on the ``forecast.locks`` logger, shown on standard error).
    """
    tell = say or log.warning
    path = lock_path(Path(folder))
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(path, is_singleton=True)
    waited = 0.0
    try:
        lock.acquire(blocking=False)
    except filelock.Timeout:
        tell(f"{folder} is being written by another datawall command: waiting for it to finish")
        start = time.monotonic()
        lock.acquire()
        waited = time.monotonic() - start
        tell(f"waited {waited:.1f} s for {folder} (another datawall command was writing it)")
    try:
        remove_stale_temporaries(path.parent, [Path(folder).name])
        remove_stale_temporaries(Path(folder))
        yield waited
    finally:
        lock.release()
