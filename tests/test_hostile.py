"""Pages built to break a reader: absurd nesting, giant words, junk bytes, tables of
thousands of columns. Each must give an article (or a clear sentence), never an
exception, never a hang, in extraction and on the screen."""

from __future__ import annotations

import pytest
from ui_helpers import body_text, run, wait_loaded

from reader.document import ListBlock, Quote, block_text
from reader.extract import extract
from reader.sanitize import is_clean
from reader.sources import Loaded
from reader.ui.app import ReaderApp
from reader.ui.widgets.article.body import MAX_LAID

SENTENCE = "Some words of text in a paragraph that a person would read. "
PARA = f"<p>{SENTENCE * 8}</p>"


def nested(tag: str, depth: int, inner: str) -> str:
    close = tag.split()[0]
    return f"<html><body>{f'<{tag}>' * depth}{inner}{f'</{close}>' * depth}</body></html>"


def nesting_depth(block: object) -> int:
    if isinstance(block, Quote):
        return 1 + max((nesting_depth(b) for b in block.blocks), default=0)
    if isinstance(block, ListBlock):
        return 1 + max((nesting_depth(b) for item in block.items for b in item), default=0)
    return 0


HOSTILE = {
    "divs nested 1000 deep": nested("div", 1000, PARA * 3),
    "quotes nested 200 deep": nested("blockquote", 200, PARA * 3),
    "lists nested 200 deep": nested("ul><li", 200, SENTENCE * 8),
    "bold nested 1000 deep": nested("b", 1000, SENTENCE * 8),
    "one 200,000-letter word": f"<html><body><article>{PARA}<p>{'x' * 200_000}</p>{PARA}"
                               f"</article></body></html>",
    "a table 2,000 columns wide": "<html><body><article>" + PARA + "<table>" + (
        "<tr>" + "<td>cell</td>" * 2000 + "</tr>") * 3 + "</table>" + PARA
                                  + "</article></body></html>",
    "nul bytes and junk controls": "<html><body><article>" + PARA.replace(
        "words", "wo\x00rds\x07\x1b[2J") * 3 + "</article></body></html>",
    "10,000 links in a row": "<html><body><article>" + PARA + "<p>" + " ".join(
        f"<a href='/l{i}'>l{i}</a>" for i in range(10_000)) + "</p>" + PARA
                             + "</article></body></html>",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_pages_extract_to_clean_bounded_articles(name: str) -> None:
    article = extract(HOSTILE[name])
    assert article.blocks, name
    assert is_clean(article.plain_text())
    assert max(nesting_depth(b) for b in article.blocks) <= 6
    if "words" in HOSTILE[name] and "nested" in name:
        assert "Some words of text" in article.plain_text()


def test_nesting_beyond_what_the_parser_reads_gives_an_empty_article_not_an_error() -> None:
    article = extract(nested("div", 5000, PARA))
    assert all(block_text(b) for b in article.blocks)  # whatever survives is real text


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_pages_open_and_scroll_in_the_app(name: str) -> None:
    """The work stays bounded by the screen, not the page: whatever the page, the body
    keeps at most MAX_LAID blocks laid out. (How long it takes is measured beside an
    ordinary article in benchmarks/hostile_ui.py, not asserted here.)"""
    article = extract(HOSTILE[name])

    async def scenario() -> None:
        app = ReaderApp(None, loaded=Loaded(article, None, "file:///hostile.html"))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot, app)
            body = app.article_screen.body
            for key in ("end", "home", "space", "minus", "plus"):
                await pilot.press(key)
                assert body.laid_count <= MAX_LAID
            await pilot.press("end")
            await pilot.pause()
            last_words = block_text(article.blocks[-1]).split()[-1]
            assert last_words in body_text(app)  # End reached the real end
            await pilot.resize_terminal(40, 12)
            await pilot.pause()
            assert body_text(app).strip()
            assert body.laid_count <= MAX_LAID
            assert app.is_running

    run(scenario)
