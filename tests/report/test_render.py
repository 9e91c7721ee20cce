"""Rendering: a report folder is written all at once or not at all."""

import pytest

from forecast.report import render


def test_a_failed_write_leaves_the_previous_report(tmp_path):
    target = tmp_path / "reports" / "2026-Q4"
    render.write_report({"summary.json": b"old"}, target)
    with pytest.raises(TypeError):
        render.write_report({"summary.json": b"new", "outlook.pdf": None}, target)
    assert (target / "summary.json").read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["2026-Q4"]
    render.write_report({"summary.json": b"new"}, target)
    assert (target / "summary.json").read_bytes() == b"new"
