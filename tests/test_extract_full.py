"""The whole page, one key away: ``extract_full`` gives every visible text block in order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.document import Article, iter_spans
from reader.extract import extract, extract_full
from reader.sanitize import is_clean

PAGE = """<!DOCTYPE html><html><head><title>Pier to be rebuilt | Harbour Post</title>
<meta property="og:site_name" content="Harbour Post">
<style>.x{color:red}</style><script>var secret = "tracking";</script></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div style="display:none">Hidden offer</div><div hidden>Also hidden</div>
<article><h1>Pier to be rebuilt</h1>
<p>The harbour commission voted on Thursday to rebuild the old stone pier, after a winter
of storms left its eastern arm cracked and closed to walkers.</p>
<p>Work starts in <a href="/spring">spring</a> and should take two years.</p></article>
<aside><h3>Most read</h3><ul><li><a href="/ferry">Ferry timetable changes</a></li></ul></aside>
<footer><p>\u00a9 Harbour Post \x1b[31m</p></footer><noscript>Enable JavaScript</noscript>
</body></html>"""


def test_the_whole_page_in_order_with_links_and_without_scripts_or_hidden_boxes() -> None:
    article = extract_full(PAGE, "https://harbour.example/pier")
    text = article.plain_text()
    order = [text.index(p) for p in ("Home", "eastern arm cracked", "two years",
                                     "Ferry timetable changes", "Harbour Post")]
    assert order == sorted(order)
    for absent in ("tracking", "color:red", "Hidden offer", "Also hidden", "Enable JavaScript"):
        assert absent not in text
    hrefs = {s.href for b in article.blocks for s in iter_spans(b) if s.href}
    assert {"https://harbour.example/", "https://harbour.example/spring",
            "https://harbour.example/ferry"} <= hrefs
    assert article.title == "Pier to be rebuilt"
    assert is_clean(text)


def test_the_whole_page_holds_what_the_cleaned_article_drops() -> None:
    cleaned = extract(PAGE).plain_text()
    full = extract_full(PAGE).plain_text()
    assert "Ferry timetable changes" not in cleaned
    assert "Ferry timetable changes" in full
    assert "eastern arm cracked" in cleaned


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_whole_page_article(data: bytes) -> None:
    article = extract_full(data)
    assert isinstance(article, Article)
    assert all(is_clean(s.text) for b in article.blocks for s in iter_spans(b))
