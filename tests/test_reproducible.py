"""Same seed and inputs give bit-identical results whatever the state of the compile cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import numpy as np
from forecast.data import load_table
from forecast.models import REGISTRY
from forecast.models.base import model_priors
for spec in REGISTRY.values():
    inputs = spec.select({t: load_table(t) for t in spec.tables}, dict(spec.fit_options))
    model = spec.build(inputs, model_priors(spec))
    point = {k: v + 0.1 for k, v in model.initial_point().items()}
    print(spec.name, float(model.compile_logp()(point)).hex(),
          np.asarray(model.compile_dlogp()(point)).tobytes().hex())
"""


@pytest.mark.slow
def test_cold_and_warm_compile_cache_give_identical_logp_and_gradient(project, tmp_path):
    env = dict(os.environ)
    env["PYTENSOR_FLAGS"] = f"base_compiledir={tmp_path / 'pytensor'}"
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "numba")

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            env=env,
            cwd=Path(project),
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    cold = run()
    assert cold.count("\n") >= 3
    assert run() == cold
