"""Extraction never loses the article: no input raises, no parser edge case empties a
page, and a rule that takes the article is overruled by the page left untouched."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.document import Article, Table, block_text
from reader.extract import extract

SENTENCE = ("The harbour commission voted on Thursday to rebuild the old stone pier, "
            "after a winter of storms left its eastern arm cracked and closed to walkers. ")
STORY = "".join(f"<p>{SENTENCE * 2}Part {i}.</p>" for i in range(5))


def text(article: Article) -> str:
    return article.plain_text()


def test_an_unclosed_title_does_not_swallow_the_page() -> None:
    article = extract(f"<html><head><title>Pier to be rebuilt<body>{STORY}</body></html>")
    assert article.title == "Pier to be rebuilt"
    assert "eastern arm cracked" in text(article)


def test_an_xml_declaration_ending_in_a_bare_bracket_is_not_the_end_of_the_page() -> None:
    html = f'<?xml version="1.0" encoding="utf-8"><html><body>{STORY}</body></html>'
    assert "Part 4." in text(extract(html))
    assert "Part 4." in text(extract(html.encode()))


def test_a_table_directly_inside_a_table_keeps_its_text() -> None:
    html = ("<html><body><article>" + STORY + "<table><tr><td>Berth</td><td>Length</td></tr>"
            "<table><tr><td>North quay</td><td>120 m</td></tr>"
            "<tr><td>South quay</td><td>95 m</td></tr></table></table></article></body></html>")
    article = extract(html)
    whole = text(article) + " ".join(
        " ".join(" ".join(r) for r in b.rows) for b in article.blocks if isinstance(b, Table))
    assert "North quay" in whole and "South quay" in whole


def test_json_ld_nested_fifty_thousand_deep_is_ignored_not_fatal() -> None:
    deep = '{"@graph": ' * 50_000 + "{}" + "}" * 50_000
    html = (f'<html><head><script type="application/ld+json">{deep}</script>'
            f"<title>Pier</title></head><body>{STORY}</body></html>")
    assert "eastern arm cracked" in text(extract(html))


def test_an_unterminated_json_ld_script_is_not_fatal() -> None:
    html = ('<html><head><title>Pier</title><script type="application/ld+json">'
            '{"@type": "NewsArticle", "headline": "Pier</head><body>' + STORY)
    article = extract(html)
    assert isinstance(article, Article)
    assert all(block_text(b) for b in article.blocks)


def test_a_blog_post_in_a_box_named_widget_is_not_removed() -> None:
    html = ("<html><body><div class='sidebar'><h3>Archive</h3><ul>"
            + "".join(f"<li><a href='/{m}'>{m} 2024</a></li>" for m in ("May", "June", "July"))
            + "</ul></div><div class='widget Blog' id='Blog1'><div class='post hentry'>"
            "<h3 class='post-title'>The pier</h3><div class='post-body'>"
            + f"{SENTENCE}<br><br>{SENTENCE}<br><br>{SENTENCE}<br><br>{SENTENCE}"
            + "</div></div></div></body></html>")
    assert text(extract(html)).count("eastern arm cracked") == 4


# ------------------------------------------------------------------ no exception, ever


@settings(max_examples=120, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_give_an_article(data: bytes) -> None:
    assert isinstance(extract(data), Article)


MARKUP = st.sampled_from([
    "<title>", "</title>", "<?xml version='1.0'>", "<?xml?>", "<table>", "</table>", "<tr>",
    "<td>", "<p>", "</p>", "<br>", "<div class='widget'>", "</div>", "<article>", "<h1>",
    "<script type='application/ld+json'>", "</script>", '{"@graph": [', "]}", "<ins>",
    "<figure>", "<figcaption>", "<![CDATA[", "]]>", "<!--", "-->", "<svg>", "\x00", "&#0;",
    "<pre>", "<li>", "<ul>", "<img src='x.png'>", "<a href='javascript:1'>", "</a>",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(MARKUP, st.text(max_size=40)), max_size=60))
def test_random_markup_gives_an_article(parts: list[str]) -> None:
    html = "".join(parts)
    article = extract(html)
    assert isinstance(article, Article)
    assert isinstance(extract(html.encode("utf-8", "surrogatepass")), Article)


@pytest.mark.parametrize("page", [
    "", " ", "\x00", "<", "<?xml", "<?xml version='1.0'?>", "<html", "<title>",
    "<script type='application/ld+json'>[[[[", "<table><table><table>",
])
def test_degenerate_pages_give_an_article(page: str) -> None:
    assert isinstance(extract(page), Article)


def test_the_standfirst_in_the_article_header_is_kept_before_the_body() -> None:
    html = ("<html><body><main><header><h1>Pier to be rebuilt</h1><p class='dek'>After a "
            "winter of storms, the harbour commission has found the money to rebuild the "
            "eastern arm of the old stone pier.</p></header><div class='body'>"
            f"{STORY}</div></main></body></html>")
    text = extract(html).plain_text()
    assert text.startswith("After a winter of storms")
    assert text.index("found the money") < text.index("Part 0.")


def test_a_short_story_is_not_replaced_by_the_sidebar_sign_up_form() -> None:
    # The story is one sentence; the form's labels and consent lines, and the menu's
    # described links, have more words. Neither is the article, nor is the headline
    # (shown above the article) its first line.
    from pathlib import Path

    html = (Path(__file__).parent / "fixtures" / "short-notice-signup-form.html").read_bytes()
    article = extract(html)
    body = text(article)
    assert "The reading room of Millbrook library reopens on Monday" in body
    assert "email address" not in body and "local group" not in body
    assert "Opening hours" not in body
    assert block_text(article.blocks[0]) != article.title
