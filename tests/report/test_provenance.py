"""Provenance: what changed between two outlooks' inputs, row by row."""

import pandas as pd

from forecast.report import provenance


def test_a_revised_data_row_is_found_by_its_key(project):
    before = provenance.table_fingerprint("training_costs", None)
    path = project / "data" / "training_costs.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[3, "notes"] = "revised in a later export"
    frame.to_csv(path, index=False)
    after = provenance.table_fingerprint("training_costs", None)
    diff = provenance.input_changes(
        {"inputs": {"data": {"training_costs": before}, "priors": {}}, "version": "x"},
        {"inputs": {"data": {"training_costs": after}, "priors": {}}, "version": "x"},
    )
    assert diff["data"]["training_costs"]["revised"] == [frame.loc[3, "model"]]
    assert diff["data"]["training_costs"]["file_changed"]
