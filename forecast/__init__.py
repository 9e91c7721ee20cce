"""datawall: Bayesian forecasts of the physical limits of AI scaling.

Data flows one way: data + priors -> model -> posterior -> derived -> scenarios -> report.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("datawall")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
