"""Compiled kernels: the loops over draws that array operations cannot express cheaply.

Only numba code lives here, each kernel a plain function on bare arrays that the xarray-facing
code of the domain modules calls. Each is benchmarked against the library functions that would
replace it (``benchmarks/numerics.py``) and kept only for a margin a user notices; its docstring
says by how much. :mod:`~forecast.numerics.segments`: the crossing walk's step and the log-sum
crossing's Newton steps (:mod:`forecast.models.crossing`).
"""
