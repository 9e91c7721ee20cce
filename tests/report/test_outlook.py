"""The quarterly outlook rendered from the committed runs: files, self-containment, PDF, changes."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.formatting import format_value
from forecast.report import content, render
from forecast.report import outlook as report
from forecast.report.quarter import Quarter
from forecast.scenarios import as_of_baseline
from tests.helpers import run_cli

TODAY = "2026-11-23"


# --- as-of dates -----------------------------------------------------------------------------


def test_data_cut_past_current_and_future_quarters():
    today = dt.date(2026, 11, 23)
    assert report.data_cut_for(Quarter(2026, 4), today) is None  # every row is published by then
    assert report.data_cut_for(Quarter(2026, 3), today) == dt.date(2026, 9, 30)
    assert report.data_cut_for(Quarter(2024, 2), today) == dt.date(2024, 6, 30)
    with pytest.raises(InputError, match="has not started"):
        report.data_cut_for(Quarter(2027, 1), today)


def test_past_quarter_fits_only_rows_published_by_its_end(project):
    from forecast import fit as fitting

    cut = report.data_cut_for(Quarter(2023, 4), dt.date(2026, 11, 23))
    baseline = as_of_baseline(cut)
    assert baseline.as_of == dt.date(2023, 12, 31) and baseline.name != "baseline"
    plans = fitting.plan_all(["cost"], baseline)
    rows = plans["cost"].inputs.rows
    everything = fitting.plan_all(["cost"], as_of_baseline(None))
    assert rows["publication_date"].max() <= pd.Timestamp("2023-12-31")
    assert len(rows) < len(everything["cost"].inputs.rows)
    # Runs of a cut quarter are stored apart from the current baseline's.
    assert plans["cost"].config_id != everything["cost"].config_id


def test_bad_quarter_exits_2_and_writes_nothing(project, monkeypatch, capsys):
    monkeypatch.setenv("DATAWALL_TODAY", TODAY)
    assert run_cli("outlook", "--quarter", "2026Q5") == 2
    assert run_cli("outlook", "--quarter", "2027Q2") == 2
    assert "has not started" in capsys.readouterr().err
    assert not (project / "reports").exists()


# --- the report, rendered once from the committed runs --------------------------------------


class _Resources(HTMLParser):
    """Collect every attribute that can load something, and the images."""

    def __init__(self):
        super().__init__()
        self.loads: list[tuple[str, str, str]] = []
        self.images: list[dict[str, str]] = []
        self.sources: list[dict[str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag == "img":
            self.images.append(attrs)
        if tag == "source":
            self.sources.append(attrs)
        for name in ("src", "srcset", "data", "poster", "background"):
            if name in attrs:
                self.loads.append((tag, name, attrs[name]))
        if tag == "link":
            self.loads.append((tag, "href", attrs.get("href", "")))


def test_every_file_is_written(outlook_folder, summary):
    for name in ("outlook.html", "outlook.pdf", "summary.json"):
        assert (outlook_folder / name).stat().st_size > 1000
    assert summary["figures"], "no figures listed"
    for stem, path in summary["figures"].items():
        png = (outlook_folder / path).read_bytes()
        assert png.startswith(b"\x89PNG"), stem
        # Its phone layout beside it: narrower (PNG width in the IHDR chunk).
        phone = (outlook_folder / path.replace(".png", "-phone.png")).read_bytes()
        assert phone.startswith(b"\x89PNG"), stem
        assert int.from_bytes(phone[16:20], "big") < int.from_bytes(png[16:20], "big"), stem
    stray = [
        p.name
        for p in outlook_folder.parent.iterdir()
        if p.name.startswith(".") and not p.name.endswith(".lock")  # the writers' lock stays
    ]
    assert not stray  # no staging folder left behind


def test_html_is_self_contained(outlook_folder, summary):
    html = (outlook_folder / "outlook.html").read_text()
    parser = _Resources()
    parser.feed(html)
    assert "script" not in parser.tags and "iframe" not in parser.tags
    assert all(value.startswith("data:image/png;base64,") for _, _, value in parser.loads), [
        v[:60] for *_, v in parser.loads if not v.startswith("data:")
    ]
    assert not re.search(r"url\(|@import", html), "the stylesheet loads something"
    # One inline image per figure file, each naming a file that exists.
    files = sorted(img["data-file"] for img in parser.images)
    assert files == sorted(summary["figures"].values())
    assert all((outlook_folder / f).is_file() for f in files)
    # Below 640 px each figure is its phone layout, inline too.
    assert len(parser.sources) == len(parser.images)
    for source in parser.sources:
        assert source["media"] == "(max-width: 640px)"
        assert source["srcset"].startswith("data:image/png;base64,")
        assert (outlook_folder / source["data-file"]).is_file()
        assert source["data-file"].endswith("-phone.png")


def test_summary_matches_the_stored_runs(in_stored, summary):
    from forecast.contract import model_summary
    from forecast.models import REGISTRY
    from forecast.store import load_run, run_path

    assert set(summary["models"]) == set(REGISTRY)
    for name, entry in summary["models"].items():
        run = load_run(run_path(name, "baseline"))
        expected = json.loads(json.dumps(model_summary(REGISTRY[name], run)))
        assert entry == expected, name
    assert summary["quarter"] == "2026Q4" and summary["data_cut"] is None
    # The headline box leads with the walls and quotes the models' own numbers.
    box = summary["headline_box"]
    assert [b["model"] for b in box[:3]] == ["walls"] * 3
    for item in box:
        model = summary["models"][item["model"]]
        assert item["value"] == model["headline"][item["headline"]]
    exhaustion = next(b for b in box if b["headline"] == "exhaustion_year")
    assert exhaustion["p_by_box_year"] == summary["models"]["datawall"]["p_exhausted_by"]["2030"]
    # Input fingerprints: every table the models read, row by row.
    data = summary["inputs"]["data"]
    assert data["training_costs"]["rows"] == len(data["training_costs"]["row_sha256"]) > 10
    assert set(summary["inputs"]["priors"]) == set(REGISTRY)
    assert [s["scenario"] for s in summary["scenarios"]] == ["baseline", "small_stock"]


def test_pdf_has_the_expected_pages(outlook_folder, summary):
    from pypdf import PdfReader

    reader = PdfReader(outlook_folder / "outlook.pdf")
    texts = [page.extract_text() for page in reader.pages]
    assert 15 <= len(texts) <= 60
    assert "datawall outlook, 2026 Q4" in texts[0] and "Summary" in texts[0]
    # Every section, in order, and one embedded image per figure.
    sections = [
        "Contents",
        "Headlines",
        "What changed since last quarter",
        "The walls compared",
        "Data: training sets",
        "Power: the largest run",
        "Memory bandwidth",
        "Cost of the largest",
        "Probability of each event",
        "Scenarios",
        "Which assumptions matter",
        "Track record: backtests",
        "Diagnostics",
        "Method notes",
        "Glossary",
        "Downloads",
        "Appendix A: data",
        "Appendix B: priors and levers",
        "Sources",
    ]
    full = "\n".join(texts)
    position = full.index("Summary")
    for title in sections:
        position = full.find(title, position)
        assert position >= 0, f"{title!r} missing or out of order"
    assert len(_embedded_images(reader)) == len(summary["figures"])
    assert f"page 1 of {len(texts)}" in texts[0]
    exhaustion = summary["models"]["datawall"]["headline"]["exhaustion_year"]
    # The executive summary, on the first page, quotes the exhaustion year as a month.
    assert format_value(exhaustion["median"], "year") in texts[0]


def _embedded_images(reader) -> set[int]:
    """Return the object numbers of the image XObjects the PDF's pages hold."""
    found = set()
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for ref in xobjects.get_object().values():
            if ref.get_object().get("/Subtype") == "/Image":
                found.add(ref.idnum)
    return found


def test_failed_diagnostics_are_flagged_wherever_their_numbers_appear(summary):
    failing = copy.deepcopy(summary)
    for name, entry in failing["models"].items():  # the small fits fail their ESS gate
        entry["diagnostics"]["passed"] = name != "power"
    failing["diagnostics_passed"] = False
    for item in failing["headline_box"]:
        item["diagnostics_passed"] = item["model"] != "power"
    html = render.render_html(
        report._context(Quarter(2026, 4), failing, None, figures={}, plans={})
    )
    banner = html[html.index('class="warning"') : html.index("</p>", html.index('class="warning"'))]
    assert "power" in banner and "scaling" not in banner
    box = html[html.index('class="box"') : html.index("</table>", html.index('class="box"'))]
    assert box.count("diagnostics failed") == 1  # the power row only
    assert "diagnostics failed: do not quote" in html  # power's headline table
    diagnostics = html[html.index('id="diagnostics"') :]
    assert 'class="failed"' in diagnostics and "FAILED" in diagnostics


def test_first_outlook_says_there_is_nothing_to_compare(outlook_folder):
    html = (outlook_folder / "outlook.html").read_text()
    assert "No previous outlook was found" in html and "2026-Q3" in html


# --- what changed since last quarter --------------------------------------------------------


def test_changes_name_rows_priors_version_and_shifts(summary):
    previous = copy.deepcopy(summary)
    previous["quarter"], previous["version"] = "2026Q3", "0.0.9"
    costs = previous["inputs"]["data"]["training_costs"]
    removed_key = sorted(costs["row_sha256"])[0]
    revised_key = sorted(costs["row_sha256"])[1]
    del costs["row_sha256"][removed_key]
    costs["row_sha256"][revised_key] = "0" * 12
    costs["sha256"] = "f" * 64
    power = previous["inputs"]["priors"]["power"]
    power["priors"]["lab_share"] = "1" * 12
    power["sha256"] = "e" * 64
    previous["inputs"]["code"]["memory"]["sha256"] = "d" * 64
    exhaustion = previous["models"]["datawall"]["headline"]["exhaustion_year"]
    exhaustion["median"] -= 1.5

    changes = report.compare(previous, summary)
    training_costs = changes["inputs"]["data"]["training_costs"]
    assert training_costs["added"] == [removed_key]  # in this quarter, not in the previous
    assert training_costs["revised"] == [revised_key]
    assert set(changes["inputs"]["data"]) == {"training_costs"}
    assert changes["inputs"]["priors"]["power"]["priors"]["revised"] == ["lab_share"]
    assert changes["inputs"]["version"] == ["0.0.9", summary["version"]]
    assert changes["inputs"]["code"] == ["memory"]
    # Causes reach the models that read the changed inputs, and those downstream only.
    causes = changes["causes"]
    assert any("training_costs" in c for c in causes["cost"])
    assert any("training_costs" in c for c in causes["walls"])
    assert not any("training_costs" in c for c in causes["datawall"])
    assert any("lab_share" in c for c in causes["power"])
    assert any("memory model" in c for c in causes["walls"])  # downstream of memory
    assert any("memory model" in c for c in causes["power"])  # it reads its FLOP/W growth
    assert all(any("version" in c for c in cs) for cs in causes.values())
    shift = next(r for r in changes["shifts"] if r["headline"] == "exhaustion_year")
    assert shift["shift"] == pytest.approx(1.5)

    html = render.render_html(
        report._context(Quarter(2026, 4), summary, changes, figures={}, plans={})
    )
    assert "Compared with the 2026Q3 outlook" in html and "+1.5 yr" in html
    assert "model code changed: <code>forecast/models/memory.py</code>" in html
    assert removed_key.split(" / ")[0] in html


def test_unchanged_inputs_report_no_change(summary):
    changes = report.compare(copy.deepcopy(summary), summary)
    assert changes["inputs"] == {"data": {}, "priors": {}, "code": [], "version": None}
    # A previous summary written before code was fingerprinted names no code change.
    older = copy.deepcopy(summary)
    del older["inputs"]["code"]
    assert report.compare(older, summary)["inputs"]["code"] == []
    assert all(r["shift"] in (0.0, 1.0, None) for r in changes["shifts"])


def test_previous_summary_is_read_from_reports(project, tmp_path):
    folder = project / "reports" / "2026-Q3"
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text('{"quarter": "2026Q3"}')
    assert report.previous_summary(Quarter(2026, 4)) == {"quarter": "2026Q3"}
    (folder / "summary.json").write_text("{not json")
    with pytest.raises(InputError, match="summary.json"):
        report.previous_summary(Quarter(2026, 4))


def test_template_context_reads_every_prior_with_its_source(in_stored):
    from forecast import fit as fitting
    from forecast.scenarios import load_scenario

    plans = fitting.plan_all(["all"], load_scenario(None))
    rows = content.prior_rows(plans)
    assert {r["model"] for r in rows} == set(plans)
    assert all(len(r["source"]) >= 8 for r in rows)
    lever = next(r for r in rows if r["name"] == "extra_grid_delay_years")
    assert "P10-P90" in lever["what"] and lever["kind"] == "lever"


def test_report_folder_is_under_reports_by_default(outlook_folder):
    assert outlook_folder.parent.name == "reports"
    assert Path(outlook_folder / "figures" / "walls.png").is_file()


def test_every_table_and_yearly_series_is_downloadable_as_csv(in_stored, outlook_folder, summary):
    from forecast.store import load_run, run_path
    from forecast.summary import quantiles

    folder = outlook_folder / "downloads"
    index = pd.read_csv(folder / "index.csv")
    assert set(index["file"]) | {"index.csv"} == {p.name for p in folder.iterdir()}
    box = pd.read_csv(folder / "headline_box.csv")
    assert list(box["headline"]) == [i["headline"] for i in summary["headline_box"]]
    # A fan's series: the quantiles of the stored draws, year by year.
    series = pd.read_csv(folder / "series_datawall_effective_stock_tokens.csv")
    draws = load_run(run_path("datawall"))["derived"]["effective_stock_tokens"]
    expected = quantiles(draws, (0.1, 0.5, 0.9)).sel(year=2030).values
    got = series.set_index("year").loc[2030, ["p10", "median", "p90"]].to_numpy(float)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    html = (outlook_folder / "outlook.html").read_text()
    assert 'href="downloads/headline_box.csv"' in html and 'href="#contents"' not in html
    assert 'href="#summary"' in html and 'id="src-1"' in html
