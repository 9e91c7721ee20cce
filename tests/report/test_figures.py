"""Figures: the outlook's style applies while they are drawn, and importing them changes nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import matplotlib
import numpy as np
import pytest
import xarray as xr

from forecast.report import figures, items, render
from forecast.report.figures import cost, power, style
from forecast.report.figures.tornado import readable
from forecast.report.style import STYLE
from tests.conftest import FIXTURE_RUNS
from tests.helpers import REPO

IMPORT_AND_COMPARE = """
import sys
import matplotlib
before = matplotlib.rcParams.copy()
import forecast.report.figures, forecast.report.render, forecast.report.outlook
assert matplotlib.rcParams.copy() == before, "importing the report changed rcParams"
assert "matplotlib.pyplot" not in sys.modules, "the report imported pyplot"
print("unchanged")
"""


def test_importing_the_figures_changes_no_matplotlib_setting():
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(IMPORT_AND_COMPARE)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == "unchanged", done.stderr


def _scores() -> xr.Dataset:
    rng = np.random.default_rng(42)
    return xr.Dataset(
        {"pit": ("obs", rng.uniform(size=40)), "model": ("obs", np.repeat(["a", "b"], 20))}
    )


def test_a_figure_is_drawn_in_the_outlook_style_and_the_style_is_put_back():
    global_size = matplotlib.rcParams["font.size"]
    fig = figures.calibration(_scores())
    assert fig.axes[1].title.get_fontsize() == STYLE["axes.titlesize"]
    assert fig.axes[0].spines["top"].get_visible() is STYLE["axes.spines.top"]
    assert matplotlib.rcParams["font.size"] == global_size != STYLE["font.size"]
    assert render.figure_png(fig).startswith(b"\x89PNG")


def test_a_figure_renders_the_same_whatever_the_global_settings():
    reference = render.figure_png(figures.calibration(_scores()))
    with matplotlib.rc_context({"font.size": 20, "axes.grid": False, "grid.alpha": 1.0}):
        assert render.figure_png(figures.calibration(_scores())) == reference


# --- every figure, in both layouts, from the committed runs --------------------------------


@pytest.fixture(scope="module")
def drawn_from(stored_project):
    """The committed runs, and a stress result of them: the baseline and one lever scenario,
    and the one-at-a-time sweep of the walls' own parameters (with their tornado data)."""
    from forecast import fit as fitting
    from forecast import stress
    from forecast.scenarios import BASELINE, load_scenario

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_ROOT", str(stored_project))
        mp.setenv("DATAWALL_RUNS", str(stored_project / "runs"))
        plans = fitting.plan_all(["all"], load_scenario(None))
        runs = fitting.ensure_runs(plans, progressbar=False)
        named = (load_scenario(BASELINE), load_scenario("small_stock"))
        plan = stress.StressPlan(named) + stress.sensitivity_plan(["walls"]).without(BASELINE)
        result = stress.run_stress(plan, baseline=(plans, runs))
    keys = [key for key, _ in items.tornado_headlines()]
    return runs, result.sel(scenario=[s.name for s in named]), stress.tornado(result, keys)


def _png_width(png: bytes) -> int:
    """Return a PNG's width in pixels (its IHDR chunk)."""
    return int.from_bytes(png[16:20], "big")


def test_every_declared_figure_draws_in_both_layouts(in_stored, drawn_from):
    runs, result, tornado_data = drawn_from
    page = figures.all_figures(runs, result, tornado_data)
    phone = figures.all_figures(runs, result, tornado_data, phone=True)
    declared = [f.stem for f in items.model_figures()]
    declared += [f.stem for _, f in items.scenario_figures()]
    assert set(declared) <= set(page) and list(page) == list(phone)
    assert "power_published" in declared  # the power section's figure beside IEA and LBNL
    for stem in page:
        assert page[stem].get_figwidth() == style.WIDTH_IN, stem
        assert phone[stem].get_figwidth() == style.PHONE_WIDTH_IN, stem
        # Stacked on a phone: no two panels side by side.
        lefts = [round(ax.get_position().x0, 2) for ax in phone[stem].axes]
        assert len(set(lefts)) <= 1 or stem.startswith("tornado"), stem
    for stem in ("walls", "scenarios_walls", "tornado_walls_first_wall_year"):
        wide, narrow = render.figure_png(page[stem]), render.figure_png(phone[stem])
        assert _png_width(narrow) < _png_width(wide), stem
    calibration = figures.calibration(_scores(), phone=True)
    assert calibration.get_figwidth() == style.PHONE_WIDTH_IN and len(calibration.axes) == 2


def _plain(text: str) -> bool:
    """Say whether a label reads as words: no code name (``max_feasible_run_2030_flop``)."""
    return "_" not in text


def test_labels_are_plain_words(in_stored, drawn_from):
    runs, result, tornado_data = drawn_from
    for phone in (False, True):
        for stem, fig in figures.all_figures(runs, result, tornado_data, phone=phone).items():
            texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
            for ax in fig.axes:
                texts += [ax.get_xlabel(), ax.get_ylabel()]
                texts += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
                if ax.get_legend():
                    texts += [t.get_text() for t in ax.get_legend().get_texts()]
            assert all(_plain(text) for text in texts), (stem, texts)


def test_scenario_chart_has_one_dot_per_scenario_and_marks_the_baseline(drawn_from):
    _, result, _ = drawn_from
    labels = items.labels()
    keys = ["walls.first_wall", "walls.first_wall_year", "walls.max_feasible_run_2030_flop"]
    fig = figures.scenario_intervals(result, [(k, labels[k]) for k in keys])
    scenarios = [str(s) for s in result["scenario"].values]
    assert scenarios[0] == "baseline" and len(scenarios) == 2
    bars, *intervals = fig.axes
    assert bars.get_title(loc="left").startswith("Which wall")
    for ax, key in zip(intervals, keys[1:], strict=True):
        gids = {line.get_gid(): line for line in ax.lines}
        dots = {gid: line for gid, line in gids.items() if str(gid).startswith("median:")}
        assert sorted(dots) == sorted(f"median:{s}" for s in scenarios)
        median = result[key].sel(stat="median")
        for name in scenarios:
            x = dots[f"median:{name}"].get_xdata()[0]
            assert x == pytest.approx(float(median.sel(scenario=name)))
        # The baseline: its own marker and a reference line through its median.
        assert dots["median:baseline"].get_marker() != dots["median:small_stock"].get_marker()
        (reference,) = [line for line in ax.lines if line.get_gid() == "baseline"]
        assert reference.get_xdata()[0] == pytest.approx(float(median.sel(scenario="baseline")))
        assert ax.get_title(loc="left").replace("\n", " ") == labels[key]  # the label, wrapped
    # The first wall: one bar per scenario and category, its width the probability.
    widths = [patch.get_width() for patch in bars.patches]
    p = result["walls.first_wall"].transpose("constraint", "scenario").values.ravel()
    np.testing.assert_allclose(widths[: p.size], p)


def test_tornado_labels_carry_the_p10_and_p90_values_and_draws_zero_swing(drawn_from):
    from forecast.formatting import format_value

    _, _, tornado_data = drawn_from
    key = "walls.first_wall_year"
    fig = figures.tornado(tornado_data, key, "year of the first wall")
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    swing = tornado_data[f"{key}_swing"]
    shown = tornado_data[key].sel(parameter=swing.sortby(swing, ascending=False)["parameter"][:10])
    unit = tornado_data[key].attrs["unit"]
    for p10, p90 in shown.values:
        assert format_value(p10, unit) in texts and format_value(p90, unit) in texts
    # Parameter names in words: no dots or underscores.
    assert all(_plain(t.get_text()) and "." not in t.get_text() for t in ax.get_yticklabels())
    # The walls' sweep leaves the exhaustion year where it is: every end is a marker.
    fig = figures.tornado(tornado_data, "datawall.exhaustion_year", "exhaustion year")
    (ax,) = fig.axes
    markers = [line for line in ax.lines if str(line.get_gid()).startswith("unchanged:")]
    assert sum(len(line.get_xdata()) for line in markers) == 2 * len(ax.get_yticks())
    base = float(tornado_data["datawall.exhaustion_year_baseline"])
    assert all(np.allclose(line.get_xdata(), base) for line in markers)


def test_readable_parameter_names():
    assert readable("walls.run_duration_2030_s") == "run duration 2030 seconds (walls)"
    assert readable("walls.ai_capex_2025_usd_2023") == "AI capex 2025 USD 2023 (walls)"


def test_cost_figure_is_bounded_and_draws_the_spend_ceiling(in_stored, drawn_from):
    runs, _, _ = drawn_from
    fig = cost.cost_wall(runs)
    (ax,) = fig.axes
    assert ax.get_ylim() == pytest.approx(cost.COST_RANGE_USD)
    (ceiling,) = [line for line in ax.lines if line.get_label().startswith("spend ceiling")]
    expected = runs["walls"]["derived"]["spend_ceiling_usd"].median(("chain", "draw"))
    expected = expected.sel(year=slice(None, style.LAST_YEAR_SHOWN))
    np.testing.assert_allclose(ceiling.get_ydata(), expected.values)
    marks = {line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == "--"}
    assert marks == {1e9, 1e10, 1e11}


def _iea_points(fig) -> dict[str, np.ndarray]:
    world = fig.axes[0]
    return {
        c.get_label(): c.get_offsets().data for c in world.collections if "IEA" in c.get_label()
    }


def test_power_figure_reads_the_published_points_from_the_table(project):
    from forecast.store import load_run

    runs = {"power": load_run(FIXTURE_RUNS / "baseline" / "power.nc")}
    points = _iea_points(power.power_published(runs))
    assert {"IEA 2025: Base", "IEA 2025: Headwinds", "IEA 2025: High Efficiency"} <= set(points)
    assert [2030.0, 945.0] in points["IEA 2025: Base"].tolist()
    # Change the table in this project copy: the point moves with it, and a new case appears.
    table = project / "data" / "datacenter_capacity.csv"
    text = table.read_text()
    row = ",2030,consumption_twh,945,projection,IEA Energy and AI 2025 Base Case,"
    assert row in text
    text = text.replace(row, row.replace(",945,", ",990,"))
    text += (
        "global,2032,consumption_twh,800,projection,IEA Energy and AI 2025 Test Case,IEA,"
        "2025-04-10,\"IEA (Apr 2025), 'Energy and AI', https://www.iea.org/reports/energy-and-ai\","
        "a row of this test only\r\n"
    )
    table.write_text(text)
    moved = _iea_points(power.power_published(runs))
    assert [2030.0, 990.0] in moved["IEA 2025: Base"].tolist()
    assert [2030.0, 945.0] not in moved["IEA 2025: Base"].tolist()
    assert moved["IEA 2025: Test"].tolist() == [[2032.0, 800.0]]
    # LBNL's 2028 range beside the US series.
    us = power.power_published(runs).axes[1]
    (lbnl,) = [line for line in us.lines if line.get_label().startswith("LBNL")]
    assert list(lbnl.get_xdata()) == [2028, 2028] and sorted(lbnl.get_ydata()) == [325, 580]
