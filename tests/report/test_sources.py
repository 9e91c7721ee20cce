"""Sources numbered once in the order first cited, and their addresses made links."""

from forecast.report.sources import Bibliography, linkify


def test_a_source_is_numbered_once_whatever_its_spacing():
    sources = Bibliography()
    assert sources.cite("Villalobos et al. 2024, https://arxiv.org/abs/2211.04325") == 1
    assert sources.cite("IEA 2025") == 2
    assert sources.cite("Villalobos et al.  2024,\nhttps://arxiv.org/abs/2211.04325") == 1
    entries = sources.entries()
    assert [e["number"] for e in entries] == [1, 2]
    assert entries[0]["urls"] == ["https://arxiv.org/abs/2211.04325"]


def test_addresses_become_links_and_the_rest_is_escaped():
    html = str(linkify("a <b> & https://example.org/x?a=1&b=2; then (https://e.org/p)."))
    assert '<a href="https://example.org/x?a=1&amp;b=2" rel="noopener">' in html
    assert '<a href="https://e.org/p" rel="noopener">' in html  # no trailing bracket or dot
    assert "&lt;b&gt; &amp; " in html
