"""datawall: Bayesian forecasts of the physical limits of AI scaling.

Data flows one way: data + priors -> model -> posterior -> derived -> scenarios -> report.
"""

import os
from importlib.metadata import PackageNotFoundError, version

# Same seed + same inputs must give the same draws whatever the state of the compile cache.
# PyTensor's numba backend compiles with fastmath by default, which lets LLVM reorder floating
# point differently in a fresh compile and in code loaded from the cache: the log density then
# differs in its last bit, NUTS amplifies that into different draws, and a fresh machine's first
# fit disagreed with every later one. IEEE semantics remove it (no measurable slowdown here).
# Set in the environment, before pytensor is imported, so sampler worker processes inherit it;
# a user's own numba__fastmath setting wins.
_flags = os.environ.get("PYTENSOR_FLAGS", "")
if "numba__fastmath" not in _flags:
    os.environ["PYTENSOR_FLAGS"] = ",".join(filter(None, [_flags, "numba__fastmath=False"]))

try:
    __version__ = version("datawall")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
