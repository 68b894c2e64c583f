"""The Article model: derived views, output formats, and a lossless JSON round trip."""

from __future__ import annotations

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.document import (
    Article,
    CodeBlock,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Position,
    Quote,
    Rule,
    Span,
    Table,
    block_text,
    link_count,
)
from reader.export.html import article_to_html
from reader.export.markdown import article_to_markdown
from reader.sanitize import clean_text, is_clean

# ---------------------------------------------------------------- strategies

texts = st.text(max_size=30)
spans = st.builds(
    Span, texts, st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans(),
    st.booleans(), st.none() | st.text(max_size=20),
)
span_tuples = st.lists(spans, max_size=4).map(tuple)
leaf_blocks = st.one_of(
    st.builds(Heading, st.integers(1, 6), span_tuples, texts),
    st.builds(Paragraph, span_tuples),
    st.builds(CodeBlock, texts, st.none() | st.sampled_from(["python", "js", ""])),
    st.builds(Figure, st.none() | texts, texts, texts, texts, st.none() | st.integers(0, 5000),
              st.none() | st.integers(0, 5000)),
    st.builds(Table, st.lists(texts, max_size=3).map(tuple),
              st.lists(st.lists(texts, max_size=3).map(tuple), max_size=3).map(tuple), texts),
    st.just(Rule()),
)
blocks = st.recursive(
    leaf_blocks,
    lambda inner: st.one_of(
        st.builds(Quote, st.lists(inner, max_size=3).map(tuple)),
        st.builds(ListBlock, st.booleans(),
                  st.lists(st.lists(inner, max_size=2).map(tuple), max_size=3).map(tuple),
                  st.integers(0, 100)),
    ),
    max_leaves=8,
)
optional = st.none() | texts
articles = st.builds(
    Article, optional, texts, optional, optional, optional, optional, optional, optional,
    st.lists(blocks, max_size=6).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(articles)
def test_json_round_trip_is_lossless(article: Article) -> None:
    assert Article.from_json(article.to_json()) == article


@settings(max_examples=300, deadline=None)
@given(articles)
def test_pickle_round_trip_is_lossless(article: Article) -> None:
    """A big page's Article comes from the extracting child process pickled: the app
    must get the very article the page gives."""
    again = pickle.loads(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == article and repr(again) == repr(article)


@settings(max_examples=300, deadline=None)
@given(articles)
def test_each_blocks_link_count_numbers_the_articles_links(article: Article) -> None:
    """The reader numbers links block by block (link_count); the numbers must be those
    of the article's links list, which following a number opens."""
    numbered = [i for i, block in enumerate(article.blocks) for _ in range(link_count(block))]
    assert numbered == [link.position.block for link in article.links()]


def test_from_json_rejects_what_is_not_an_article() -> None:
    for bad in ("", "[]", '{"title": "x"}', '{"blocks": [{"type": "marquee"}]}', "{nope"):
        with pytest.raises(ValueError):
            Article.from_json(bad)


# ---------------------------------------------------------------- derived views


def sample() -> Article:
    return Article(
        url="https://example.org/a",
        title="Title",
        blocks=(
            Paragraph((Span("Intro with "), Span("a link", href="https://x.example/1"),
                       Span("."))),
            Heading(2, (Span("First"),), "first"),
            Paragraph((Span("one two three four five"),)),
            Figure("https://img.example/1.jpg", "alt", "Caption (Source: Agency)"),
            Heading(3, (Span("Second"),), "second"),
            ListBlock(False, ((Paragraph((Span("item "), Span("b", href="/b"))),),)),
            Quote((Paragraph((Span("quoted"),)),)),
        ),
    )


def test_toc_lists_headings_with_positions() -> None:
    toc = sample().toc()
    assert [(e.level, e.title, e.position) for e in toc] == [
        (2, "First", Position(1)), (3, "Second", Position(4))]


def test_toc_of_an_article_without_headings_has_landmarks() -> None:
    paragraphs = tuple(Paragraph((Span(f"Paragraph number {i} says something"),))
                       for i in range(14))
    toc = Article(blocks=paragraphs).toc(landmark_every=6)
    assert [e.position.block for e in toc] == [0, 6, 12]
    assert all(e.landmark for e in toc)
    assert toc[1].title.startswith("Paragraph number 6")


def test_links_in_reading_order_with_positions() -> None:
    links = sample().links()
    assert [(lk.text, lk.href, lk.position) for lk in links] == [
        ("a link", "https://x.example/1", Position(0, 11)), ("b", "/b", Position(5, 0))]


def test_figures_word_count_and_reading_time() -> None:
    article = sample()
    assert [p for p, _ in article.figures()] == [Position(3)]
    assert article.word_count == len(article.plain_text().split()) - 0  # words, not symbols
    long = Article(blocks=(Paragraph((Span("word " * 1000),)),))
    assert long.reading_minutes == 5


def test_plain_text_is_the_body_alone() -> None:
    text = sample().plain_text()
    assert not text.startswith("Title")
    assert "Caption (Source: Agency)" in text
    assert text.split("\n\n")[0] == "Intro with a link."


def test_block_text_of_nested_blocks() -> None:
    nested = ListBlock(True, ((Paragraph((Span("a"),)),
                               ListBlock(False, ((Paragraph((Span("b"),)),),))),
                              (Paragraph((Span("c"),)),)))
    assert block_text(nested) == "a\nb\nc"


# ---------------------------------------------------------------- output formats

HOSTILE = "\x1b[31mred\x1b[0m [bold]x[/bold] [link=file:///etc/passwd]y[/] <script>z</script>"


def hostile_article() -> Article:
    clean = clean_text(HOSTILE)
    return Article(title=clean, blocks=(
        Paragraph((Span(clean), Span(clean, href="https://x.example/?a=1&b=2"))),
        Figure("https://img.example/a.jpg", clean, clean),
    ))


def test_sanitiser_removes_escape_sequences_and_c1() -> None:
    dirty = "a\x1b[31mb\x1b]52;c;ZXZpbA==\x07c\x9b2Jd\x07e\u202ef\x00g\r\nh"
    out = clean_text(dirty)
    assert out == "abcdef" + "g\nh"
    assert is_clean(out) and clean_text(out) == out
    assert clean_text("tab\tand\nnewline") == "tab\tand\nnewline"


def test_markdown_escapes_markup_and_keeps_brackets_literal() -> None:
    md = article_to_markdown(hostile_article())
    assert "\x1b" not in md
    assert r"\[bold\]x\[/bold\]" in md  # literal brackets, escaped for Markdown


def test_html_escapes_text() -> None:
    page = article_to_html(hostile_article())
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "[bold]x[/bold]" in page
    assert 'href="https://x.example/?a=1&amp;b=2"' in page


def test_html_drops_script_urls() -> None:
    article = Article(blocks=(Paragraph((Span("x", href="javascript:alert(1)"),)),))
    assert "javascript:" not in article_to_html(article)


def test_markdown_of_every_block_kind() -> None:
    article = Article(title="T", blocks=(
        Heading(2, (Span("H"),)),
        Paragraph((Span("bold", bold=True), Span(" and "), Span("code", code=True))),
        ListBlock(True, ((Paragraph((Span("one"),)),), (Paragraph((Span("two"),)),)), 3),
        Quote((Paragraph((Span("q"),)),)),
        CodeBlock("x = 1\n", "python"),
        Table(("a", "b"), (("1", "2"),)),
        Rule(),
    ))
    md = article_to_markdown(article)
    for piece in ("# T", "## H", "**bold** and `code`", "3. one\n4. two", "> q",
                  "```python\nx = 1\n```", "| a | b |", "| 1 | 2 |", "---"):
        assert piece in md, piece


def test_json_output_is_plain_json() -> None:
    data = json.loads(sample().to_json())
    assert data["title"] == "Title" and data["blocks"][1]["type"] == "heading"
