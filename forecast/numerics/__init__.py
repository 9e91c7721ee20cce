"""Compiled kernels: the loops over draws that array operations cannot express cheaply.

Only numba code lives here, each kernel behind a plain function on bare arrays that the
xarray-facing code of the domain modules calls. Each is benchmarked against the library function
it would replace (``benchmarks/numerics.py``) and kept only for a margin a user notices; its
docstring says by how much.
"""
