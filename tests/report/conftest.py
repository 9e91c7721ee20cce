"""Fixtures of the report's tests: one outlook rendered from the committed runs, shared."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_cli

#: The date the committed outlook is rendered as of.
TODAY = "2026-11-23"


@pytest.fixture(scope="session")
def outlook_folder(stored_project):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_ROOT", str(stored_project))
        mp.setenv("DATAWALL_RUNS", str(stored_project / "runs"))
        mp.setenv("DATAWALL_TODAY", TODAY)
        assert run_cli("outlook", "--quarter", "2026Q4", "--scenario", "small_stock") == 0
    return stored_project / "reports" / "2026-Q4"


@pytest.fixture(scope="session")
def summary(outlook_folder):
    return json.loads((outlook_folder / "summary.json").read_text())
