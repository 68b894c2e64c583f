"""Highlights across the library name their article by its title, saved or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList
from ui_helpers import run, wait_for, wait_loaded

from reader.ui.app import ReaderApp

FIXTURES = Path(__file__).parent / "fixtures"


def test_all_highlights_show_the_title_of_an_article_read_but_not_saved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`A` then `a` headed a highlight of an unsaved article with its bare address, cut
    mid-word over two lines at 80 columns; the title it was read under is known."""
    from localserver import LocalServer

    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)

    server = LocalServer()
    server.add_file("/amnesty", FIXTURES / "dispatch-amnesty-letter.html",
                    "text/html; charset=utf-8")

    async def scenario() -> None:
        app = ReaderApp(server.url("/amnesty"), data_dir=tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot, app)
            title = app.current.loaded.article.title
            await pilot.press("v", "w", "w", "enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "TextPrompt")
            await pilot.press("enter")  # no note
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ArticleScreen")
            await pilot.press("A")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "HighlightsScreen")
            await pilot.press("a")
            await pilot.pause(0.3)
            options = app.screen.query_one(OptionList)
            first = str(options.get_option_at_index(0).prompt)
            assert first.startswith(title.split()[0]), first
            assert not first.startswith("https://")

    with server:
        run(scenario)
