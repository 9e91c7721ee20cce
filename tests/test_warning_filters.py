"""Library warnings that tell a user nothing are silenced, exactly those, in sampler children."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

from forecast import children
from forecast.warning_filters import SILENCED_LOGS, configure_warnings


def _sampler_overflow() -> None:
    """Overflow the kinetic energy in PyMC's own code, as an early tuning step does."""
    from pymc.step_methods.hmc.quadpotential import QuadPotentialDiagAdapt

    potential = QuadPotentialDiagAdapt(2, np.zeros(2), np.ones(2))
    with np.errstate(over="warn"):
        potential.velocity_energy(np.full(2, 1e200), np.empty(2))


def _unrelated_overflow() -> None:
    with np.errstate(over="warn"):
        np.dot(np.full(2, 1e200), np.full(2, 1e200))  # the same message, from this module


def _raised(*calls) -> list[str]:
    """Return the warnings the calls raise under the filters in place (``configure_warnings``)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")  # pytest's filters apart: every warning, every time
        configure_warnings()
        for call in calls:
            call()
    return [f"{w.category.__name__}: {w.message}" for w in seen]


def test_the_sampler_overflow_is_silenced_and_any_other_overflow_shown():
    raised = _raised(_sampler_overflow, _unrelated_overflow)
    assert raised == ["RuntimeWarning: overflow encountered in dot"]  # the unrelated one
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _sampler_overflow()  # without the filters: it is raised
    assert [str(w.message) for w in seen] == ["overflow encountered in dot"]


def test_pytensor_blas_warning_is_silenced_and_its_other_warnings_shown():
    from pytensor.link.c import cmodule

    def other() -> None:
        warnings.warn_explicit(
            "something else", UserWarning, cmodule.__file__, 1, module="pytensor.link.c.cmodule"
        )

    assert _raised(cmodule.default_blas_ldflags, other) == ["UserWarning: something else"]


@pytest.fixture
def blas_logger():
    ((name, _),) = SILENCED_LOGS
    logger = logging.getLogger(name)
    kept = list(logger.filters)
    yield logger
    logger.filters[:] = kept


def test_pytensor_blas_log_message_is_dropped_and_its_others_kept(blas_logger, caplog):
    configure_warnings()
    configure_warnings()  # once is enough: a second call adds nothing
    assert len(blas_logger.filters) == 1
    with caplog.at_level(logging.WARNING, logger=blas_logger.name):
        blas_logger.warning("Using NumPy C-API based implementation for BLAS functions.")
        blas_logger.warning("Something else about BLAS.")
    assert [r.getMessage() for r in caplog.records] == ["Something else about BLAS."]


def test_a_child_takes_its_parents_filters_in_their_order():
    with warnings.catch_warnings():
        configure_warnings()
        warnings.filterwarnings("error", message="x", category=DeprecationWarning, module="m")
        before = list(warnings.filters)
        children._use_filters(before)
        after = list(warnings.filters)

    def text(entry):
        action, message, category, module, lineno = entry
        return action, children._pattern(message), category, children._pattern(module), lineno

    assert [text(f) for f in after] == [text(f) for f in before]


def _child_warnings(queue) -> None:
    """In a spawned child: report the warnings both overflows raise, the filters untouched."""
    with warnings.catch_warnings(record=True) as seen:
        _sampler_overflow()
        _unrelated_overflow()
    queue.put([f"{w.category.__name__}: {w.message} ({w.filename})" for w in seen])


def test_a_spawned_sampler_child_is_silenced_like_its_parent():
    context = children.orphan_safe_context("spawn")  # starts afresh: no inherited filters
    queue = context.Queue()
    with warnings.catch_warnings():
        configure_warnings()
        process = context.Process(target=_child_warnings, args=(queue,))
        process.start()
    process.join(timeout=120)
    assert process.exitcode == 0
    raised = queue.get(timeout=10)
    assert len(raised) == 1 and raised[0].startswith("RuntimeWarning: overflow encountered in dot")
    assert __file__ in raised[0]  # the unrelated one, not the sampler's
