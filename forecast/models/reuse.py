"""Reusing what a lever sweep's chunks share: results of pure functions of unchanged inputs.

A lever sweep derives the models its chunk axis reaches once per chunk, from the same
upstream objects for every model the axis does not reach. A function of those objects alone
(the walls' data and money constraints in a sweep of power levers) gives the same result in
every chunk. Marked :func:`reusable`, it is computed once while :func:`reusing_results` is
active, and reused in the other chunks.

A call is the same as an earlier one when each argument is the very same object (a dataset,
a DataArray: never compared by value) or an equal plain value (a number, a string, ``None``, a
tuple of these or of objects). The results kept hold their arguments, so an object's identity
cannot be taken by another while its result may be reused. Nothing is kept outside the block.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any

#: Results kept per function (the most recently used): a chunk reuses one, and a function
#: whose arguments change with every chunk keeps no more than this many (they can be large).
KEPT_PER_FUNCTION = 2

_PLAIN = (int, float, str, bool, type(None))
_kept: list[tuple[Callable[..., Any], tuple[Any, ...], Any]] | None = None
_lock = threading.Lock()


@contextlib.contextmanager
def reusing_results() -> Iterator[None]:
    """Reuse the results of :func:`reusable` functions called again with the same arguments.

    For the duration of the block, in every thread (a sweep's chunks run on Dask's threads).
    """
    global _kept
    with _lock:
        previous, _kept = _kept, []
    try:
        yield
    finally:
        with _lock:
            _kept = previous


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(map(_same, a, b))
    return isinstance(a, _PLAIN) and type(a) is type(b) and a == b


def reusable(function: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a pure function of its positional arguments as reusable (see the module doc)."""

    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        kept = _kept
        if kept is None:
            return function(*args)
        with _lock:
            for i, (kept_function, kept_args, result) in enumerate(kept):
                if kept_function is wrapper and _same(kept_args, args):
                    kept.append(kept.pop(i))  # most recently used last
                    return result
        result = function(*args)
        with _lock:
            kept.append((wrapper, args, result))
            own = [i for i, (kept_function, _, _) in enumerate(kept) if kept_function is wrapper]
            for i in reversed(own[:-KEPT_PER_FUNCTION]):
                del kept[i]
        return result

    return wrapper
