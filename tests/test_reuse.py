import numpy as np
import xarray as xr

from forecast.models import reuse


def _counting():
    calls = []

    @reuse.reusable
    def total(data, scale):
        calls.append(1)
        return data * scale

    return total, calls


def test_results_reused_only_inside_the_block_and_for_the_same_objects():
    total, calls = _counting()
    data = xr.DataArray(np.arange(3.0))
    total(data, 2.0)
    total(data, 2.0)
    assert len(calls) == 2  # outside the block: every call computes
    with reuse.reusing_results():
        first = total(data, 2.0)
        assert total(data, 2.0) is first  # same object, equal plain value: reused
        assert len(calls) == 3
        total(data, 3.0)  # another value
        total(data.copy(), 2.0)  # equal values, another object: never compared by value
        total(data, 2)  # an int is not the float it equals
        assert len(calls) == 6
    total(data, 2.0)
    assert len(calls) == 7  # nothing kept after the block


def test_each_function_keeps_its_latest_results_only():
    total, calls = _counting()
    arrays = [xr.DataArray(float(i)) for i in range(reuse.KEPT_PER_FUNCTION + 1)]
    with reuse.reusing_results():
        for array in arrays:
            total(array, 1.0)
        total(arrays[-1], 1.0)  # among the latest: reused
        assert len(calls) == len(arrays)
        total(arrays[0], 1.0)  # the oldest was dropped
        assert len(calls) == len(arrays) + 1


def test_tuples_of_arguments_compared_item_by_item():
    calls = []
    data = xr.DataArray(1.0)

    @reuse.reusable
    def first_set(values, data):
        calls.append(1)
        return next(v for v in values if v is not None) * data

    with reuse.reusing_results():
        first_set((None, 2.0, data), data)
        first_set((None, 2.0, data), data)
        assert len(calls) == 1
        first_set((None, 2.0, data.copy()), data)
        assert len(calls) == 2
