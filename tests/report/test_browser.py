"""The outlook in a real browser and on paper: headless Chromium at desktop and phone width
(Debian's package, driven by Playwright), and the PDF through poppler's pdftotext/pdftoppm.

Nothing may load from outside the file; nothing may stick out of the page at 390 px but inside
a box that scrolls; every link of the contents and every source cited must lead somewhere;
no word of the PDF may run past the page. ``DATAWALL_SCREENSHOTS=DIR`` keeps a full-page
screenshot at each width, for a human to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Flags for a closed network: no background connections, no first-run or component updates.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": 1440, "phone": 390}
#: The smallest text a reader is asked to read on a phone (CSS pixels).
MIN_PHONE_TEXT_PX = 10.0

HAVE_TOOLS = Path(CHROMIUM).is_file() and shutil.which("pdftotext") is not None
#: CI sets DATAWALL_REQUIRE_BROWSER=1: there a missing browser fails instead of skipping.
pytestmark = pytest.mark.skipif(
    not HAVE_TOOLS and not os.environ.get("DATAWALL_REQUIRE_BROWSER"),
    reason="needs Debian's chromium and poppler-utils (.ci/run installs them)",
)

OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.scroll'))
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.width > 0 && (r.right > window.innerWidth + 1 || r.left < -1); })
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className)"""
SMALLEST_TEXT = """() => Math.min(...[...document.querySelectorAll('body *')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .filter(e => e.getBoundingClientRect().width > 0)
  .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
BROKEN_ANCHORS = """() => [...document.querySelectorAll('a[href^="#"]')]
  .map(a => a.getAttribute('href').slice(1))
  .filter(id => !document.getElementById(id))"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_outlook_reads_at_every_width_and_loads_nothing_from_outside(
    browser, outlook_folder, width
):
    page = browser.new_page(viewport={"width": WIDTHS[width], "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((outlook_folder / "outlook.html").as_uri())
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate(BROKEN_ANCHORS) == []
    if width == "phone":
        assert page.evaluate(SMALLEST_TEXT) >= MIN_PHONE_TEXT_PX
        for image in page.query_selector_all("figure img"):
            assert image.bounding_box()["width"] <= WIDTHS[width]
        # Each figure shows its phone drawing (narrow, larger text), not the page's.
        shown = page.eval_on_selector_all(
            "figure picture",
            "ps => ps.map(p => p.querySelector('img').currentSrc"
            " === p.querySelector('source').srcset)",
        )
        assert shown and all(shown)
    keep = os.environ.get("DATAWALL_SCREENSHOTS")
    if keep:
        page.screenshot(path=str(Path(keep) / f"outlook-{width}.png"), full_page=True)
    page.close()


def test_the_contents_link_every_section(browser, outlook_folder):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto((outlook_folder / "outlook.html").as_uri())
    targets = page.eval_on_selector_all("nav#contents a", "links => links.map(a => a.hash)")
    assert len(targets) >= 10 and "#summary" in targets and "#sources" in targets
    page.close()


def test_no_word_of_the_pdf_runs_past_its_page(outlook_folder, tmp_path):
    pdf = outlook_folder / "outlook.pdf"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(tmp_path / "boxes.html")], check=True)
    boxes = (tmp_path / "boxes.html").read_text()
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', boxes, re.S)
    assert pages
    outside = [
        (n, word)
        for n, (width, height, body) in enumerate(pages, start=1)
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            body,
        )
        if float(x0) < 0 or float(x1) > float(width) or float(y1) > float(height)
    ]
    assert outside == []
    # Every page renders (pdftoppm), the first at a glance's resolution.
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page*.png"))) == len(pages)
