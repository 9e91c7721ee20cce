import datetime as dt
import hashlib
import json

import numpy as np
import pytest

from forecast import store
from forecast.fingerprint import canonical_json, digest, file_digest, files_digest, fingerprint


def test_key_order_does_not_matter():
    one = {"model": "datawall", "config": {"priors": {"nu": 1.0, "mu": 0.0}, "seed": 7}}
    other = {"config": {"seed": 7, "priors": {"mu": 0.0, "nu": 1.0}}, "model": "datawall"}
    assert fingerprint(one) == fingerprint(other)
    assert fingerprint(one) != fingerprint({**one, "model": "power"})


def test_a_value_is_its_sorted_key_json():
    value = {"b": [1, 2.5, None, True], "a": ("x", {"c": "é"})}
    text = json.dumps(value, sort_keys=True, allow_nan=False)
    assert canonical_json(value) == text
    assert fingerprint(value) == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"options": {"start_date": dt.date(2019, 1, 1)}}, "$.options.start_date"),
        ({"levers": {"share": np.int64(3)}}, "$.levers.share"),
        ({"names": [["a", {"b"}]]}, "$.names[0][1]"),
        ({"years": {2030: 0.5}}, "$.years"),
        (object(), "$"),
    ],
)
def test_what_json_cannot_hold_is_refused_naming_where(value, where):
    with pytest.raises(TypeError, match=rf"^{__import__('re').escape(where)}: "):
        fingerprint(value)


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinity_are_refused(number):
    with pytest.raises(ValueError, match=r"^\$\.priors\[1\]: "):
        fingerprint({"priors": [0.0, number]})


def test_bytes_and_files(tmp_path):
    path = tmp_path / "table.csv"
    path.write_bytes(b"a,b\n1,2\n" * 20_000)
    assert file_digest(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest(b"a,b\n", b"1,2\n") == digest(b"a,b\n1,2\n")
    assert files_digest([path, path]) == digest(file_digest(path).encode() * 2)


def test_config_id_is_the_short_fingerprint_of_model_version_and_config():
    config = {"options": {"form": "linear"}, "sampler": {"draws": 1000}}
    payload = json.dumps(
        {"model": "compute", "version": "1.0", "config": config}, sort_keys=True, allow_nan=False
    )
    expected = hashlib.sha256(payload.encode()).hexdigest()[:16]
    assert store.config_id("compute", config, "1.0") == expected
    with pytest.raises(TypeError, match=r"\$\.config\.as_of"):
        store.config_id("compute", {"as_of": dt.date(2025, 1, 1)})
