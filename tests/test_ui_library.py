"""The library, bookmarks and history as a person uses them, in the real app (Pilot)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList
from ui_helpers import body_text, notified, run, settled, wait_for, wait_loaded

from reader.document import Position
from reader.extract import extract
from reader.library import Library
from reader.sources import load
from reader.ui.app import ReaderApp
from reader.ui.screens.bookmarks_screen import BookmarksScreen
from reader.ui.screens.history_screen import HistoryScreen
from reader.ui.screens.library_screen import EntryList, LibraryScreen

FIXTURES = Path(__file__).parent / "fixtures"
GUIDE = FIXTURES / "site" / "field-guide.html"
PAGES = {
    "https://workshop.example.org/shipping-a-rust-cli/": FIXTURES / "ghost-blog-post.html",
    "https://courier.example.net/news/storm": FIXTURES / "harbour-news-figures.html",
    "https://dailydispatch.example/amnesty": FIXTURES / "dispatch-amnesty-letter.html",
}
FIXED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def fill_library(home: Path) -> dict[str, int]:
    """Three saved articles with fixed save times; their ids by URL."""
    ids = {}
    with Library.open(home / "data") as library:
        for day, (url, path) in enumerate(PAGES.items(), start=1):
            article = extract(path.read_bytes(), url)
            ids[url] = library.save(article, source_url=url, html=path.read_bytes(),
                                    saved_at=FIXED.replace(day=day))
    return ids


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """History and bookmark times that do not change from day to day (for snapshots)."""
    import time

    import reader.library.store as store

    monkeypatch.setattr(store, "now", lambda: FIXED)
    monkeypatch.setenv("TZ", "UTC")  # times are shown in local time
    time.tzset()


async def open_library(pilot: Pilot[None], app: ReaderApp) -> LibraryScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
    await pilot.pause()
    assert isinstance(app.screen, LibraryScreen)
    return app.screen


def rows(screen: LibraryScreen) -> list[str]:
    """The titles of the rows the list holds, as drawn (clipped to their column)."""
    table = screen.query_one(EntryList)
    return [table.drawn_cells(r)[1] if hasattr(r, "url") else r.label
            for r in screen.rows_held()]


def drawn(screen: LibraryScreen) -> list[str]:
    """The list's lines as they are on screen (header first)."""
    table = screen.query_one(EntryList)
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def at_cursor(screen: LibraryScreen) -> str:
    table = screen.query_one(EntryList)
    return rows(screen)[screen.rows_held().index(table.current())]


# --------------------------------------------------------------------------- first run


def test_first_run_shows_the_welcome_article_and_puts_it_in_the_library(
        reader_home: Path) -> None:
    async def first() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            assert app.current is not None
            assert app.current.loaded.article.title == "Welcome to reader"

    async def second() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_library(pilot, app)
            assert rows(screen) == ["Welcome to reader"]
            await pilot.press("enter")
            await wait_loaded(pilot, app)
            assert "reader shows the article inside a web page" in body_text(app)

    run(first)
    run(second)


# --------------------------------------------------------------------------- library


def test_library_lists_searches_sorts_filters_and_opens(reader_home: Path) -> None:
    fill_library(reader_home)

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_library(pilot, app)
            # newest save first
            assert rows(screen) == [
                "Russian Political Prisoners Urge Global…",  # long titles are clipped
                "Storm surge floods harbour district; fe…",
                "Shipping a Rust CLI without tears"]
            # a word that is only in the body of one article, typed into the search box
            await pilot.press("slash", *"checksum")
            await wait_for(pilot, lambda: len(rows(screen)) == 1)
            assert rows(screen) == ["Shipping a Rust CLI without tears"]
            await pilot.press("enter")  # back to the list, the filter kept
            assert rows(screen) == ["Shipping a Rust CLI without tears"]
            screen.query_one("#library-search", Input).value = ""
            await wait_for(pilot, lambda: len(rows(screen)) == 3)
            await pilot.press("S", "S")  # saved → published → title
            await pilot.pause()
            assert rows(screen) == sorted(rows(screen))
            first = at_cursor(screen).rstrip("…")
            await pilot.press("enter")
            await wait_loaded(pilot, app)
            assert not isinstance(app.screen, LibraryScreen)
            assert app.current is not None
            assert app.current.loaded.article.title.startswith(first)

    run(scenario)


def test_archive_favourite_delete_and_undo(reader_home: Path) -> None:
    fill_library(reader_home)

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_library(pilot, app)
            first = rows(screen)[0]
            await pilot.press("a")  # archive
            await pilot.pause()
            await pilot.press("v", "v")  # all → unread → archived
            await pilot.pause()
            assert rows(screen) == [first]
            await pilot.press("v", "v")  # → favourites → all
            await pilot.pause()
            assert len(rows(screen)) == 3
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("y")  # confirm
            await wait_for(pilot, lambda: len(rows(screen)) == 2)
            assert first not in rows(screen)
            await pilot.press("z")
            await wait_for(pilot, lambda: len(rows(screen)) == 3)
            assert first in rows(screen)

    run(scenario)


def test_saving_from_the_reader_puts_the_article_in_the_library(reader_home: Path) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(FIXTURES / "ghost-blog-post.html"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("s")
            await wait_for(pilot, lambda: notified(app, "Saved to the library"))
            await pilot.press("L")
            screen = await open_library(pilot, app)
            assert rows(screen) == ["Shipping a Rust CLI without tears"]

    run(scenario)


# --------------------------------------------------------------------------- bookmarks


def test_bookmarks_add_list_jump_delete_and_survive_a_restart(reader_home: Path) -> None:
    marked: list[Position] = []

    async def add() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            body = app.article_screen.body
            await pilot.press("right_square_bracket", "right_square_bracket")
            await pilot.pause()
            marked.append(body.top_position())
            await pilot.press("m")
            await pilot.pause()
            await pilot.press(*"sparrows here", "enter")
            await wait_for(pilot, lambda: notified(app, "Bookmarked"))
            await pilot.press("g")
            await pilot.pause()
            assert body.top_position() == Position(0)
            await pilot.press("apostrophe")
            await wait_for(pilot, lambda: isinstance(app.screen, BookmarksScreen))
            options = app.screen.query_one(OptionList)
            assert options.option_count == 1
            assert "sparrows here" in str(options.get_option_at_index(0).prompt)
            assert "Sparrows and finches" in str(options.get_option_at_index(0).prompt)
            await pilot.press("enter")
            await pilot.pause()
            assert body.top_position() == marked[0]

    async def after_restart() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("B")
            await wait_for(pilot, lambda: isinstance(app.screen, BookmarksScreen))
            options = app.screen.query_one(OptionList)
            assert "sparrows here" in str(options.get_option_at_index(0).prompt)
            await pilot.press("d")
            await pilot.pause()
            assert "No bookmarks yet" in str(options.get_option_at_index(0).prompt)
            await pilot.press("z")  # undo brings it back, note and all
            await pilot.pause()
            assert "sparrows here" in str(options.get_option_at_index(0).prompt)
            await pilot.press("d")
            await pilot.pause()

    run(add)
    run(after_restart)
    with Library.open(reader_home / "data") as library:
        assert library.bookmarks() == []


@pytest.mark.parametrize("preloaded", [False, True], ids=["loaded-in-app", "loaded-by-cli"])
def test_reading_position_is_saved_on_quit_and_resumed(reader_home: Path,
                                                       preloaded: bool) -> None:
    """Both ways an article reaches the screen: loaded by the app (URLs, links) and read
    before the app starts (files given on the command line), twice over."""
    where: list[Position] = []

    def reader_app() -> ReaderApp:
        if preloaded:
            return ReaderApp(str(GUIDE), loaded=load(str(GUIDE)))
        return ReaderApp(str(GUIDE))

    async def read() -> None:
        app = reader_app()
        async with app.run_test(size=(100, 24)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("space", "j", "j")
            await pilot.pause()
            where.append(app.article_screen.body.top_position())
            assert where[0] != Position(0)

    async def reopen() -> None:
        app = reader_app()
        async with app.run_test(size=(100, 24)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.pause()
            assert app.article_screen.body.top_position() == where[0]

    run(read)
    run(reopen)
    run(reopen)  # opening without moving must not lose the place


# --------------------------------------------------------------------------- history


def test_history_lists_what_was_opened_and_reopens_it(reader_home: Path) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            app.open_source(str(FIXTURES / "site" / "checklist.html"))
            await wait_for(pilot, lambda: app.current is not None and "checklist" in
                           app.current.loaded.source_url)
            await pilot.press("H")
            await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
            options = app.screen.query_one(OptionList)
            prompts = [str(options.get_option_at_index(i).prompt)
                       for i in range(options.option_count)]
            assert "Field Guide" in prompts[1] and "checklist" in prompts[0].lower()
            options.highlighted = 1
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.current is not None and
                           app.current.loaded.article.title == "A Field Guide to Urban Birds")

    run(scenario)


# --------------------------------------------------------------------------- snapshots


def test_snapshot_library_screen(snap_compare: Callable[..., bool], reader_home: Path,
                                 fixed_clock: None) -> None:
    fill_library(reader_home)
    async def show(pilot: Pilot[None]) -> None:
        await open_library(pilot, pilot.app)
        await settled(pilot)

    assert snap_compare(ReaderApp(None), terminal_size=(120, 30), run_before=show)


def test_snapshot_bookmarks_screen(snap_compare: Callable[..., bool], reader_home: Path,
                                   fixed_clock: None) -> None:
    ids = fill_library(reader_home)
    with Library.open(reader_home / "data") as library:
        for url in PAGES:
            saved = library.get(ids[url])
            for block in (2, 5):
                library.add_bookmark(url, Position(block, 0), title=saved.article.title,
                                     section="", snippet=saved.article.plain_text()[:60],
                                     note="check this" if block == 5 else "")

    async def show(pilot: Pilot[None]) -> None:
        await open_library(pilot, pilot.app)
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BookmarksScreen))
        await settled(pilot)

    assert snap_compare(ReaderApp(None), terminal_size=(120, 30), run_before=show)


def test_snapshot_history_screen(snap_compare: Callable[..., bool], reader_home: Path,
                                 fixed_clock: None) -> None:
    fill_library(reader_home)
    with Library.open(reader_home / "data") as library:
        for url, path in PAGES.items():
            library.record_history(url, extract(path.read_bytes(), url).title)

    async def show(pilot: Pilot[None]) -> None:
        await open_library(pilot, pilot.app)
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
        await settled(pilot)

    assert snap_compare(ReaderApp(None), terminal_size=(120, 30), run_before=show)


# --------------------------------------------------------------------------- import


def test_import_from_the_library_screen_shows_entries_as_they_arrive(
        reader_home: Path, tmp_path: Path) -> None:
    from localserver import LocalServer

    with LocalServer() as server:
        urls = [server.add_file("/blog", FIXTURES / "ghost-blog-post.html", "text/html"),
                server.add_file("/news", FIXTURES / "harbour-news-figures.html", "text/html"),
                server.add("/gone", status=404, body="no")]
        reading_list = tmp_path / "reading-list.txt"
        reading_list.write_text("\n".join(urls) + "\n")

        async def scenario() -> None:
            app = ReaderApp(None)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_loaded(pilot, app)  # first run: the welcome article
                await pilot.press("L")
                screen = await open_library(pilot, app)
                assert len(rows(screen)) == 1
                await pilot.press("i")
                await pilot.pause()
                await pilot.press(*str(reading_list), "enter")
                await wait_for(pilot, lambda: len(rows(screen)) == 4, timeout=20)
                await wait_for(pilot, lambda: notified(app, "Imported 2, failed 1"))
                titles = rows(screen)
                assert "Shipping a Rust CLI without tears" in titles
                assert "Storm surge floods harbour district; fe…" in titles

        run(scenario)


def test_a_saved_page_opens_from_the_library_when_its_site_is_down(
        reader_home: Path) -> None:
    from localserver import LocalServer

    with LocalServer() as server:
        url = server.add_file("/blog", FIXTURES / "ghost-blog-post.html", "text/html")

        async def save_it() -> None:
            app = ReaderApp(url, images=False)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_loaded(pilot, app)
                await pilot.press("s")
                await wait_for(pilot, lambda: notified(app, "Saved to the library"))

        run(save_it)

    async def offline() -> None:  # the server is gone now
        app = ReaderApp(url, images=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.current is not None, timeout=20)
            assert app.current is not None
            assert app.current.loaded.article.title == "Shipping a Rust CLI without tears"
            assert notified(app, "saved copy")

    run(offline)


def test_a_link_whose_import_failed_says_why_and_tries_again(reader_home: Path) -> None:
    from localserver import LocalServer

    with LocalServer() as server:
        url = server.add_file("/later", FIXTURES / "ghost-blog-post.html", "text/html")
        with Library.open(reader_home / "data") as library:
            article_id = library.save_link(
                url, title="Imported", error="The server answered 503 Service Unavailable.")

        async def scenario() -> None:
            app = ReaderApp(None, saved_id=article_id, images=False)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.current is not None, timeout=20)
                assert notified(app, "503 Service Unavailable")
                assert app.current is not None
                assert app.current.loaded.article.title == "Shipping a Rust CLI without tears"

        run(scenario)


def test_history_reopens_a_file_from_the_file_not_its_canonical_address(
        reader_home: Path) -> None:
    page = FIXTURES / "ghost-blog-post.html"  # its canonical address is not reachable here

    async def scenario() -> None:
        app = ReaderApp(str(page), images=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            app.open_source(str(GUIDE))
            await wait_for(pilot, lambda: app.current is not None and
                           app.current.loaded.article.title.startswith("A Field Guide"))
            await pilot.press("H")
            await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
            app.screen.query_one(OptionList).highlighted = 1
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.current is not None and
                           app.current.loaded.article.title.startswith("Shipping"))

    run(scenario)


def test_single_keys_act_on_the_list_and_the_search_box_hands_back_with_down(
        reader_home: Path) -> None:
    fill_library(reader_home)

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_library(pilot, app)
            await pilot.press("slash", *"harbour")
            await wait_for(pilot, lambda: len(rows(screen)) == 1)
            assert screen.query_one("#library-search", Input).value == "harbour"
            await pilot.press("down")
            assert isinstance(app.focused, EntryList)
            await pilot.press("enter")
            await wait_loaded(pilot, app)
            assert app.current is not None
            assert app.current.loaded.article.title.startswith("Storm surge")

    run(scenario)


def test_a_long_library_is_paged_through_and_the_cursor_stays_on_its_article(
        reader_home: Path) -> None:
    """350 saved articles: the table holds pages of them, End reaches the real last one,
    moving down past the first page brings the next, and acting on an article far down
    the list keeps the cursor on it."""
    import dataclasses

    base = extract(PAGES["https://courier.example.net/news/storm"].read_bytes(),
                   "https://courier.example.net/news/storm")
    with Library.open(reader_home / "data") as library:
        for n in range(350):
            library.save(dataclasses.replace(base, title=f"Item {n:03d}",
                                             url=f"https://example.org/{n}"),
                         source_url=f"https://example.org/{n}",
                         saved_at=datetime(2025, 1, 1, tzinfo=UTC).replace(
                             day=1 + n // 24, hour=n % 24))

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_library(pilot, app)
            assert at_cursor(screen) == "Item 349"  # newest first
            assert len(rows(screen)) < 350  # a page, not the whole list
            assert "350" in str(screen.query_one("#library-state").render())
            await pilot.press("end")
            await wait_for(pilot, lambda: at_cursor(screen) == "Item 000")
            assert len(rows(screen)) < 350
            await pilot.press("a")  # archive the last article: it stays under the cursor
            await wait_for(pilot, lambda: notified(app, "Archived"))
            await pilot.pause()
            assert at_cursor(screen) == "Item 000"
            assert rows(screen)[-1] == "Item 000"
            await pilot.press("home")
            await wait_for(pilot, lambda: at_cursor(screen) == "Item 349")
            await pilot.press(*["down"] * 90)
            await pilot.pause()
            assert at_cursor(screen) == "Item 259"  # the second page came as it was reached
            assert rows(screen)[-1] < "Item 200"
            await pilot.press("asterisk")  # favourite it, far down the list: the cursor stays
            await pilot.pause()
            assert at_cursor(screen) == "Item 259"
            await pilot.press(*["up"] * 95)
            await pilot.pause()
            assert at_cursor(screen) == "Item 349"

    run(scenario)


def test_search_finds_notes_and_feed_items_and_enter_reads_an_item(
        reader_home: Path) -> None:
    """A note written on a highlight finds its article; an item of a subscribed feed is
    listed under "From your feeds" after the articles, and Enter reads it (here from the
    feed's own text: the item has no link, so nothing is fetched)."""
    from reader.feeds.parse import FeedItem as Parsed
    from reader.feeds.parse import ParsedFeed
    from reader.highlights import Passage
    from reader.library.feeds import Feeds

    ids = fill_library(reader_home)
    with Library.open(reader_home / "data") as library:
        storm = "https://courier.example.net/news/storm"
        saved = library.get(ids[storm])
        library.add_highlight(storm, saved.article, Passage(Position(0), Position(0, 5)),
                              note="ask the ferrymen about the zeppelin")
        feeds = Feeds(library)
        feed_id, _ = feeds.add("https://news.invalid/rss", title="Harbour Gazette")
        feeds.store_refresh(feed_id, ParsedFeed("Harbour Gazette", None, (
            Parsed("k1", None, "Zeppelin spotted over the quay", "Ann", "2025-02-01T10:00:00",
                   "A zeppelin drifted in.", "<p>A zeppelin drifted over the quay at dawn, "
                   "and the whole harbour came out to watch it pass.</p>"),)),
            etag=None, last_modified=None, next_check=FIXED)

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_library(pilot, app)
            await pilot.press("slash", *"zeppelin")
            await wait_for(pilot, lambda: "From your feeds (1)" in rows(screen))
            assert rows(screen) == ["Storm surge floods harbour district; fe…",
                                    "From your feeds (1)", "Zeppelin spotted over the quay"]
            lines = drawn(screen)
            assert "From your feeds (1)" in lines[2]
            assert "Harbour Gazette" in lines[3] and "feed" in lines[3]
            assert "1 in feeds" in str(screen.query_one("#library-state").render())
            await pilot.press("down", "down")  # to the list, then past the heading
            assert at_cursor(screen) == "Zeppelin spotted over the quay"
            await pilot.press("up")  # the heading is stepped over
            assert at_cursor(screen).startswith("Storm surge")
            await pilot.press("end", "enter")
            await wait_for(pilot, lambda: app.current is not None
                           and app.current.loaded.article.title.startswith("Zeppelin"))
            await wait_loaded(pilot, app)
            assert "drifted over the quay at dawn" in body_text(app)
        with Library.open(reader_home / "data") as library:
            assert Feeds(library).items()[0].read  # read, as from the feeds screen

    run(scenario)


def test_slash_and_a_word_typed_in_one_burst_all_go_to_the_search_box(
        reader_home: Path) -> None:
    """A fast typist (or a paste, or tmux) sends "/" and the word before the app has
    handled "/": the letters still land in the box, none acts on the list (no "a"
    archiving, no "i" import), and "/" inside the box is a character."""
    from textual import events

    fill_library(reader_home)

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_library(pilot, app)
            for key, char in [("slash", "/"), *((c, c) for c in "harbour"), ("slash", "/"),
                              ("a", "a")]:
                app.post_message(events.Key(key, char))  # all queued before any is handled
            search = screen.query_one("#library-search", Input)
            await wait_for(pilot, lambda: search.value == "harbour/a")
            assert isinstance(app.screen, LibraryScreen)
            await pilot.pause()
            assert not any(e.archived for e in screen.rows_held())

    run(scenario)


def test_a_click_puts_the_cursor_on_a_row_and_a_second_click_opens_it(
        reader_home: Path) -> None:
    fill_library(reader_home)

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_library(pilot, app)
            await pilot.click(EntryList, offset=(10, 2))  # the header, then rows 0, 1
            await pilot.pause()
            assert at_cursor(screen).startswith("Storm surge")
            assert "Storm surge" in drawn(screen)[2]
            await pilot.click(EntryList, offset=(10, 2))
            await wait_loaded(pilot, app)
            assert app.current is not None
            assert app.current.loaded.article.title.startswith("Storm surge")

    run(scenario)
