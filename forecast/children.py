"""Sampler worker processes that end with the process that started them.

PyMC samples each chain in a child process. Killed with ``kill -9``, a parent runs no cleanup,
and its children would sample on with no one to read their draws. :func:`orphan_safe_context`
gives PyMC (``pm.sample(mp_ctx=...)``) a multiprocessing context whose processes ask the kernel
to kill them when their parent dies (Linux ``PR_SET_PDEATHSIG``; elsewhere, and for a fork
server's children, a thread that watches the parent). The start method and everything else are
the platform default's: the draws are the same.

A child also warns as its parent would: a forked child has the parent's warning filters, but a
spawned one (or a fork server's) starts with Python's defaults, so it is given the filters its
parent had when it was made (:mod:`forecast.warning_filters` silences library warnings that
tell a user nothing, and the chains are where most of them are raised).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import multiprocessing
import multiprocessing.context as mpc
import os
import pickle
import signal
import sys
import threading
import warnings
from typing import Any

#: ``prctl`` option: the signal the kernel sends this process when its parent thread exits.
PR_SET_PDEATHSIG = 1
#: Seconds between two looks at the parent's id where ``prctl`` is missing.
WATCH_INTERVAL = 1.0


def _die_with_parent(parent: int | None, *, served: bool = False) -> None:
    """In a child: arrange to be killed when ``parent`` exits (now, if it already has).

    ``served``: the child was started by a fork server, so its parent process is the server,
    and ``parent`` (the process that asked for it) is watched by its process id instead.
    """
    armed = False
    if sys.platform.startswith("linux") and not served:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if parent is None:
        return
    if not _parent_alive(parent, served):  # it died before the signal was armed
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch, args=(parent, served), daemon=True).start()


def _parent_alive(parent: int, served: bool) -> bool:
    if not served:
        return os.getppid() == parent
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(parent: int, served: bool) -> None:
    stop = threading.Event()
    while not stop.wait(WATCH_INTERVAL):
        if not _parent_alive(parent, served):
            os._exit(1)


def _sendable(entry: tuple[Any, ...]) -> bool:
    """Whether a warning filter can be sent to a child (not one of a class made in a function)."""
    try:
        pickle.dumps(entry)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def _pattern(field: Any) -> str:
    """Return a filter's message or module as text: a compiled pattern's, a name, or ''."""
    return "" if field is None else getattr(field, "pattern", field)


def _use_filters(filters: list[tuple[Any, ...]]) -> None:
    """Make ``filters`` (entries of :data:`warnings.filters`) this process's, in their order."""
    warnings.resetwarnings()
    for action, message, category, module, lineno in reversed(filters):
        warnings.filterwarnings(
            action,
            message=_pattern(message),
            category=category,
            module=_pattern(module),
            lineno=lineno,
        )


class _OrphanSafe:
    """Mixin of a multiprocessing ``Process``: the child dies with its parent, warns as it."""

    _parent_pid: int | None
    _start_method: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._warning_filters = [f for f in warnings.filters if _sendable(f)]

    def run(self) -> None:
        served = getattr(self, "_start_method", None) == "forkserver"
        _die_with_parent(getattr(self, "_parent_pid", None), served=served)
        if getattr(self, "_start_method", None) != "fork":  # a forked child has them all
            _use_filters(self._warning_filters)
        super().run()  # type: ignore[misc]


class ForkProcess(_OrphanSafe, mpc.ForkProcess):
    """A forked process that dies with its parent."""


class SpawnProcess(_OrphanSafe, mpc.SpawnProcess):
    """A spawned process that dies with its parent."""


class ForkContext(mpc.ForkContext):
    """The ``fork`` context, its processes dying with their parent."""

    Process = ForkProcess


class SpawnContext(mpc.SpawnContext):
    """The ``spawn`` context, its processes dying with their parent."""

    Process = SpawnProcess


if sys.platform != "win32":

    class ForkServerProcess(_OrphanSafe, mpc.ForkServerProcess):
        """A process started by the fork server that dies with its parent."""

    class ForkServerContext(mpc.ForkServerContext):
        """The ``forkserver`` context, its processes dying with their parent."""

        Process = ForkServerProcess


@functools.cache
def orphan_safe_context(method: str | None = None) -> Any:
    """Return a multiprocessing context whose processes die with their parent.

    Parameters
    ----------
    method : str, optional
        ``"fork"``, ``"spawn"`` or ``"forkserver"`` (default: the platform's start method,
        the one PyMC would use).
    """
    method = method or multiprocessing.get_start_method()
    contexts = {"fork": ForkContext, "spawn": SpawnContext}
    if sys.platform != "win32":
        contexts["forkserver"] = ForkServerContext
    return contexts[method]()
