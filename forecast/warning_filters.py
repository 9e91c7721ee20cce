"""Library warnings that tell a datawall user nothing, silenced in one place with the reason.

A first ``make outlook`` printed, among datawall's own messages, a NumPy overflow from PyMC's
sampler and PyTensor's complaints about BLAS. Each is matched here exactly (its message and the
module that raises it, or its logger), with why it carries no information for a user; any
other warning, from the same libraries too, is shown as Python shows it.

:func:`configure_warnings` is called once, where datawall's processes start: the command line
(:func:`forecast.cli.main`) and a Dask task (:func:`forecast.parallel.sample_task`, a worker
may run anywhere). PyMC's chain processes take the filters of the process that starts them,
whatever the start method (:mod:`forecast.children`).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class Silenced:
    """One library warning silenced: matched by the start of its message and its module."""

    #: Regular expression matched at the start of the message.
    message: str
    category: type[Warning]
    #: Regular expression matched against the whole name of the module that warns.
    module: str


#: The ``warnings`` silenced (see the comment on each for why).
SILENCED = (
    # NUTS's kinetic energy 0.5 p.M^-1.p overflows when an early tuning step, taken before the
    # step size and the mass matrix are adapted, flies far out. PyMC takes the infinite energy
    # as a divergence and rejects the step; divergences in tuning are discarded and those after
    # it are counted in the diagnostics every command prints (and --strict acts on). Python
    # shows the warning once, with no count: it can only alarm.
    Silenced(
        message=r"overflow encountered in dot",
        category=RuntimeWarning,
        module=r"pymc\.step_methods\.hmc\.quadpotential\Z",
    ),
    # PyTensor found no BLAS library to link its C backend to (a pip install ships none) and
    # advises conda or the numba backend. datawall samples with the numba backend already; the
    # C backend compiles only the function PyMC runs once per chain to draw its starting point,
    # so nothing is measurably slower and there is nothing for a user to do.
    Silenced(
        message=r"PyTensor could not link to a BLAS installation",
        category=UserWarning,
        module=r"pytensor\.link\.c\.cmodule\Z",
    ),
)

#: The log records silenced: (logger, message). Same cause as the BLAS warning above: compiling
#: that starting-point function's matrix products in C on a cold cache says it falls back to
#: NumPy's C API, which is what it does everywhere a pip install runs it.
SILENCED_LOGS = (
    ("pytensor.tensor.blas", "Using NumPy C-API based implementation for BLAS functions."),
)


class _DropMessage(logging.Filter):
    """Drop one exact log message (the logger's others pass)."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.message


def configure_warnings() -> None:
    """Silence :data:`SILENCED` and :data:`SILENCED_LOGS` in this process (again: no effect)."""
    for item in SILENCED:
        warnings.filterwarnings(
            "ignore", message=item.message, category=item.category, module=item.module
        )
    for name, message in SILENCED_LOGS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropMessage) and f.message == message for f in logger.filters):
            logger.addFilter(_DropMessage(message))
