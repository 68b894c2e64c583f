"""Bugs people met in use, each driven through the real app as they met it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import OptionList

from reader.errors import LibraryError
from reader.library import Library
from reader.ui.app import ReaderApp
from reader.ui.screens.article_screen import SearchBar
from reader.ui.screens.library_screen import LibraryScreen
from tests.localserver import LocalServer, add_standard_routes
from tests.ui_helpers import body_lines, notified, run, toasts_shown, wait_for, wait_loaded

FIXTURES = Path(__file__).parent / "fixtures"
GUIDE = FIXTURES / "site" / "field-guide.html"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with LocalServer() as srv:
        yield add_standard_routes(srv)


def test_esc_in_the_search_bar_closes_it_and_the_app_goes_on() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("slash", "p", "i")
            bar = app.article_screen.query_one(SearchBar)
            assert bar.display and app.focused is bar
            await pilot.press("escape")
            await pilot.pause()
            assert app.is_running
            assert not bar.display
            assert app.focused is app.article_screen.body
            await pilot.press("j")  # keys reach the body again
            assert app.is_running

    run(scenario)


def test_a_server_sentence_holding_markup_is_shown_as_text(server: LocalServer) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await wait_loaded(pilot, app)
            app.open_source(server.url("/nope/[@click=app.quit]x[/]"))
            await wait_for(pilot, lambda: notified(app, "404"))
            await wait_for(pilot, lambda: any("404" in t for t in toasts_shown(app)))
            assert app.is_running
            assert "Loading" not in str(app.article_screen.status.render())
            assert any("[@click=app.quit]x[/]" in t for t in toasts_shown(app))

    run(scenario)


def test_following_a_mailto_link_with_markup_in_it_says_so_in_plain_text() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await wait_loaded(pilot, app)
            app.follow_link("mailto:x[/]y")
            await wait_for(pilot, lambda: any("address: x[/]y" in t for t in toasts_shown(app)))
            assert app.is_running
            assert not notified(app, "mailto: mailto:")

    run(scenario)


def test_a_failed_import_with_markup_in_its_address_opens_from_the_library(
        reader_home: Path) -> None:
    url = "http://127.0.0.1:9/a[/x]b"
    with Library.open(reader_home / "data") as library:
        library.save_link(url, title="Broken [/x] title",
                          error=f"The server answered 404 Not Found for {url}.")

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
            await pilot.pause()
            await pilot.press("enter")
            await wait_for(pilot, lambda: notified(app, "Trying again"))
            await wait_for(pilot, lambda: not app.is_loading)
            await wait_for(pilot, lambda: any("a[/x]b" in t for t in toasts_shown(app)))
            assert app.is_running

    run(scenario)


def test_a_busy_library_is_a_sentence_on_the_library_screen_not_a_crash(
        reader_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Library.open(reader_home / "data") as library:
        library.save_link("https://example.org/one", title="One")

    def busy(*args: object, **kwargs: object) -> None:
        raise LibraryError("The library is busy in another reader; try again in a moment.")

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
            await pilot.pause()
            for name in ("set_archived", "set_favourite", "bookmarks", "history",
                         "delete", "get"):
                monkeypatch.setattr(Library, name, busy)
            for key in ("a", "F", "d", "B", "H"):
                await pilot.press(key)
                await pilot.pause()
                assert app.is_running, key
            assert notified(app, "busy in another reader")

    run(scenario)


def test_choosing_a_contents_entry_gives_the_keys_back_to_the_text() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            toc = app.article_screen.query_one("#toc", OptionList)
            await pilot.click(toc, offset=(3, 3))
            await pilot.pause()
            assert app.focused is app.article_screen.body
            before = body_lines(app)
            await pilot.press("space")
            await pilot.pause()
            assert body_lines(app) != before

    run(scenario)
