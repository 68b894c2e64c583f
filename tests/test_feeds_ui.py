"""The feeds screen under Textual's Pilot, in a bare host app (the real app wires ``F``).

What a person sees: feeds with unread counts under their folders, items newest first,
Enter opening the cleaned article, ``A`` marking all read, ``R`` refreshing in the
background with a progress line.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from localserver import LocalServer
from textual.app import App
from textual.widgets import OptionList, Static

from reader.feeds.parse import parse_feed
from reader.fetch import Fetcher
from reader.library import Library
from reader.library.feeds import Feeds
from reader.ui.screens.feeds_screen import FeedsScreen

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Feeds]:
    library = Library.open(tmp_path)
    try:
        yield Feeds(library)
    finally:
        library.close()


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async scenario as a plain test (the suite has no async plugin)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


class Host(App[None]):
    def __init__(self, feeds: Feeds) -> None:
        super().__init__()
        self.store = feeds
        self.opened: list[FeedsScreen.OpenArticle] = []
        self._fetcher: Fetcher | None = None

    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher()
        return self._fetcher

    def on_mount(self) -> None:
        self.push_screen(FeedsScreen(self.store, self.fetcher))

    def on_feeds_screen_open_article(self, message: FeedsScreen.OpenArticle) -> None:
        self.opened.append(message)


def subscribe(feeds: Feeds, name: str, url: str, tags: tuple[str, ...] = (),
              full_text: bool = False) -> int:
    from datetime import UTC, datetime

    parsed = parse_feed((FEEDS / name).read_bytes(), url)
    feed_id, _ = feeds.add(url, title=parsed.title, tags=tags)
    feeds.set_options(feed_id, full_text=full_text)
    feeds.store_refresh(feed_id, parsed, etag=None, last_modified=None,
                        next_check=datetime.now(UTC), problem=None)
    return feed_id


def title(row: str) -> str:
    """An item row without its date and feed: "● Title" (unread) or "  Title"."""
    mark, rest = row[:2], row[2:]
    return mark + re.sub(r"^\d{4}-\d\d-\d\d  ", "", rest).split("  · ")[0]


def prompts(app: App[Any], selector: str) -> list[str]:
    options = app.screen.query_one(selector, OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@sync
async def test_feeds_with_folders_unread_counts_and_items_newest_first(store: Feeds) -> None:
    subscribe(store, "rss20.xml", "https://harbour.invalid/feed", tags=("News",))
    subscribe(store, "atom10.xml", "https://workshop.invalid/atom")
    app = Host(store)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        rows = prompts(app, "#feeds-list")
        assert rows[0].split() == ["4", "All", "items"]
        assert rows[1].split() == ["2", "▾", "News"]  # few feeds: folders open
        assert rows[2].split() == ["2", "Harbour", "Notes"]
        assert rows[3].split() == ["2", "Workshop", "Journal"]
        items = prompts(app, "#feed-items")
        assert [title(i) for i in items] == [
            "● The new breakwater", "● Tide tables for December", "● Planing oak boards",
            "● Glue < screws?"]
        await pilot.press("down", "down", "down")  # the Workshop Journal
        await pilot.pause()
        assert [title(i) for i in prompts(app, "#feed-items")] == [
            "● Planing oak boards", "● Glue < screws?"]
        await pilot.press("up", "up", "enter")  # fold "News"
        await pilot.pause()
        assert [r.split() for r in prompts(app, "#feeds-list")][1:] == [
            ["2", "▸", "News"], ["2", "Workshop", "Journal"]]


@sync
async def test_a_long_list_comes_a_page_at_a_time_as_the_highlight_reaches_its_end(
        store: Feeds) -> None:
    from datetime import UTC, datetime

    from reader.feeds.parse import FeedItem as Parsed
    from reader.feeds.parse import ParsedFeed
    from reader.ui.screens.feeds_screen import ITEMS_PAGE

    feed_id, _ = store.add("https://many.invalid/rss", title="Many")
    entries = tuple(Parsed(f"k{n}", None, f"Story {n}", None,
                           datetime.fromtimestamp(1.7e9 - n * 60, UTC).isoformat(), "", None)
                    for n in range(ITEMS_PAGE * 2 + 50))
    store.store_refresh(feed_id, ParsedFeed("Many", None, entries), etag=None,
                        last_modified=None, next_check=datetime.now(UTC))
    app = Host(store)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one("#feed-items", OptionList)
        assert pane.option_count == ITEMS_PAGE
        await pilot.press("tab", "end")
        await pilot.pause()
        assert pane.option_count == ITEMS_PAGE * 2
        await pilot.press("end")
        await pilot.pause()
        assert pane.option_count == ITEMS_PAGE * 2 + 50
        assert title(prompts(app, "#feed-items")[-1]) == f"● Story {ITEMS_PAGE * 2 + 49}"


@sync
async def test_enter_opens_the_cleaned_item_which_stays_unread_until_read(
        store: Feeds) -> None:
    subscribe(store, "atom10.xml", "https://workshop.invalid/atom", full_text=True)
    app = Host(store)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # "All items" -> the items pane
        await pilot.press("enter")  # the newest item
        for _ in range(300):  # bounded: 15 s at most
            if app.opened:
                break
            await pilot.pause(0.05)
        assert app.opened, "no article was opened"
        message = app.opened[0]
        assert message.article.title == "Planing oak boards"
        assert "read the board first" in message.article.plain_text()
        assert message.html is None and message.note is None
        await pilot.pause()  # opened is not read: reading it to the end is (below)
        assert prompts(app, "#feeds-list")[0].split() == ["2", "All", "items"]
        assert title(prompts(app, "#feed-items")[0]) == "● Planing oak boards"


@sync
async def test_A_marks_all_read_and_u_shows_unread_only(store: Feeds) -> None:
    subscribe(store, "rss20.xml", "https://harbour.invalid/feed")
    app = Host(store)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert prompts(app, "#feeds-list")[0].split() == ["All", "items"]
        await pilot.press("u")
        await pilot.pause()
        assert prompts(app, "#feed-items") == ["No unread items."]


@sync
async def test_R_refreshes_in_the_background_with_a_progress_line(store: Feeds) -> None:
    with LocalServer() as server:
        url = server.add("/feed.xml", body=(FEEDS / "rss20.xml").read_bytes(),
                         content_type="application/rss+xml")
        bad = server.add("/gone.xml", status=404, body=b"gone", content_type="text/plain")
        store.add(url)
        store.add(bad, title="Gone feed")
        app = Host(store)
        async with app.run_test(size=(110, 30)) as pilot:
            await pilot.pause()
            await pilot.press("R")
            status = app.screen.query_one("#feeds-status", Static)
            for _ in range(300):  # bounded: 15 s at most
                if "Refreshed" in str(status.render()):
                    break
                await pilot.pause(0.05)
            assert str(status.render()) == ("Refreshed 2 feeds: 2 new items, 1 failed (marked "
                                            "! in the list).")
            assert prompts(app, "#feeds-list")[0].split() == ["2", "All", "items"]
            rows = prompts(app, "#feeds-list")
            assert any(r.strip().endswith("Gone feed !") for r in rows)
            if app._fetcher is not None:
                await app._fetcher.aclose()


def test_F_in_the_reader_opens_the_feeds_and_back_from_an_item_returns_to_them(
        tmp_path: Path) -> None:
    """The real app: F shows the subscriptions, Enter reads an item in the reader, and
    Backspace comes back to the list on the same item."""
    from ui_helpers import body_text, run, wait_for, wait_loaded

    from reader.ui.app import ReaderApp

    with Library.open(tmp_path) as library:
        subscribe(Feeds(library), "atom10.xml", "https://workshop.invalid/atom",
                  full_text=True)
    page = Path(__file__).parent / "fixtures" / "ghost-blog-post.html"

    async def scenario() -> None:
        app = ReaderApp(str(page), data_dir=tmp_path)
        async with app.run_test(size=(110, 30)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("F")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FeedsScreen")
            await pilot.press("enter", "down", "up", "enter")  # All items → the newest
            await wait_for(pilot, lambda: app.screen is app.article_screen
                           and app.current is not None
                           and app.current.loaded.article.title == "Planing oak boards")
            assert "read the board first" in body_text(app)
            await pilot.press("backspace")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FeedsScreen")
            items = app.screen.query_one("#feed-items", OptionList)
            assert items.highlighted == 0 and items.has_focus  # the list kept its place
            await pilot.press("escape", "escape")  # the feed list, then out
            await wait_for(pilot, lambda: app.screen is app.article_screen)

    run(scenario)


def test_an_item_is_read_when_read_to_the_end_not_when_opened(tmp_path: Path) -> None:
    """The real app: opening a long item and coming back leaves it unread; scrolling it
    to the end first marks it read; a short one that fits on the screen is read at a
    glance."""
    from ui_helpers import run, wait_for, wait_loaded

    from reader.ui.app import ReaderApp

    with Library.open(tmp_path) as library:
        subscribe(Feeds(library), "walks.xml", "https://walks.invalid/rss", full_text=True)
    page = Path(__file__).parent / "fixtures" / "ghost-blog-post.html"

    async def open_newest(pilot: Any, app: ReaderApp, wanted: str, down: int = 0) -> None:
        await pilot.press("F")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "FeedsScreen")
        if not app.screen.query_one("#feed-items", OptionList).has_focus:
            await pilot.press("tab")  # to the items
        await pilot.press("home", *(["down"] * down), "enter")
        await wait_for(pilot, lambda: app.screen is app.article_screen
                       and app.current is not None
                       and app.current.loaded.article.title == wanted)
        await pilot.pause(0.2)

    def rows(app: ReaderApp) -> list[str]:
        return [title(r) for r in prompts(app, "#feed-items")]

    async def scenario() -> None:
        app = ReaderApp(str(page), data_dir=tmp_path)
        async with app.run_test(size=(110, 30)) as pilot:
            await wait_loaded(pilot, app)
            await open_newest(pilot, app, "The long walk")
            await pilot.press("backspace")  # read only the top of it
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FeedsScreen")
            await pilot.pause()
            assert rows(app) == ["● The long walk", "● A short stroll"]
            await open_newest(pilot, app, "The long walk")
            await pilot.press("end")  # to the end
            await pilot.pause(0.2)
            await pilot.press("backspace")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FeedsScreen")
            await wait_for(pilot, lambda: rows(app)[0] == "  The long walk")
            await open_newest(pilot, app, "A short stroll", down=1)  # fits on the screen
            await pilot.press("backspace")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FeedsScreen")
            await wait_for(pilot, lambda: rows(app) == ["  The long walk", "  A short stroll"])
            assert prompts(app, "#feeds-list")[0].split() == ["All", "items"]

    run(scenario)


def notes(app: App[Any]) -> list[str]:
    return [str(n.message) for n in app._notifications]


@sync
async def test_with_no_subscriptions_a_adds_a_feed_by_a_sites_address(store: Feeds) -> None:
    with LocalServer() as server:
        for name in ("rss20.xml", "atom10.xml", "feed11.json"):
            server.add_file(f"/feeds/{name}", FEEDS / name, "application/rss+xml")
        page = server.add_file("/feeds/many.html", FEEDS / "page-many.html",
                               "text/html; charset=utf-8")
        app = Host(store)
        async with app.run_test(size=(110, 30)) as pilot:
            await pilot.pause()
            assert prompts(app, "#feed-items") == [
                "No subscriptions yet: press a to add one."]
            status = app.screen.query_one("#feeds-status", Static)
            assert "press a to add a feed" in str(status.render())
            await pilot.press("R")
            await pilot.pause()
            assert str(status.render()) == "No subscriptions to refresh: press a to add one."
            await pilot.press("a")
            await pilot.pause()
            await pilot.press(*"nonsense", "enter")  # not an address: one sentence
            for _ in range(200):  # bounded: 10 s at most
                if notes(app):
                    break
                await pilot.pause(0.05)
            assert notes(app) == ["nonsense is not an http or https address."]
            assert store.feeds() == []
            assert "press a to add a feed" in str(status.render())  # the hint stays
            await pilot.press("a")
            await pilot.pause()
            await pilot.press(*page, "enter")
            for _ in range(300):  # bounded: 15 s at most: the page links 3, which one?
                if type(app.screen).__name__ == "ChoiceDialog":
                    break
                await pilot.pause(0.05)
            await pilot.press("enter")  # the first
            for _ in range(300):  # bounded: 15 s at most
                if len(notes(app)) > 1:
                    break
                await pilot.pause(0.05)
            assert notes(app)[1] == "Subscribed: Harbour Notes (2 items)."
            assert [f.title for f in store.feeds()] == ["Harbour Notes"]
            rows = prompts(app, "#feeds-list")
            assert rows[0].split() == ["2", "All", "items"]
            assert app.screen.query_one("#feeds-list", OptionList).highlighted == 1
            assert [title(i) for i in prompts(app, "#feed-items")] == [
                "● The new breakwater", "● Tide tables for December"]
            if app._fetcher is not None:
                await app._fetcher.aclose()


@sync
async def test_f_n_and_x_set_a_feeds_options_and_unsubscribe(store: Feeds) -> None:
    feed_id = subscribe(store, "rss20.xml", "https://harbour.invalid/feed")
    subscribe(store, "atom10.xml", "https://workshop.invalid/atom")
    app = Host(store)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f")  # on "All items": which feed?
        await pilot.pause()
        assert notes(app)[-1].startswith("Choose a feed in the list first")
        await pilot.press("down")  # Harbour Notes
        await pilot.pause()
        status = app.screen.query_one("#feeds-status", Static)
        assert str(status.render()).startswith("https://harbour.invalid/feed · checked ")
        await pilot.press("f", "n")
        await pilot.pause()
        feed = store.get(feed_id)
        assert feed.full_text and feed.save_new
        assert str(status.render()).endswith("full text (f) · saves new items (n)")
        await pilot.press("f")
        await pilot.pause()
        assert not store.get(feed_id).full_text
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("n")  # keep it
        await pilot.pause()
        assert [f.id for f in store.feeds()].count(feed_id) == 1
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert [f.title for f in store.feeds()] == ["Workshop Journal"]
        assert notes(app)[-1] == "Unsubscribed from Harbour Notes."
        assert [r.split() for r in prompts(app, "#feeds-list")] == [
            ["2", "All", "items"], ["2", "Workshop", "Journal"]]


@sync
async def test_esc_cancels_a_refresh_and_the_outcome_line_outlives_the_list_rebuild(
        store: Feeds) -> None:
    with LocalServer() as server:
        def slow(h: Any) -> None:
            server.stopping.wait(20)  # answers only when the server closes

        quick = server.add("/quick.xml", body=(FEEDS / "rss20.xml").read_bytes(),
                           content_type="application/rss+xml")
        store.add(server.add_handler("/slow.xml", slow), title="Slow feed")
        store.add(quick, title="Quick feed")
        app = Host(store)
        async with app.run_test(size=(110, 30)) as pilot:
            await pilot.pause()
            status = app.screen.query_one("#feeds-status", Static)
            await pilot.press("R")
            for _ in range(200):  # bounded: 10 s at most
                if str(status.render()).startswith("Refreshing 1/2"):
                    break
                await pilot.pause(0.05)
            assert str(status.render()) == "Refreshing 1/2 · 2 new · 0 failed — Esc cancels"
            await pilot.press("escape")
            await pilot.pause()
            assert str(status.render()) == ("Refresh cancelled; the feeds already done are "
                                            "kept.")
            assert prompts(app, "#feeds-list")[0].split() == ["2", "All", "items"]
            await pilot.press("down")  # Quick feed: its address and last refresh
            await pilot.pause()
            assert str(status.render()).startswith(f"{quick} · checked ")
            await pilot.press("r")  # refresh just this one: the outcome stays shown
            for _ in range(200):  # bounded: 10 s at most
                if str(status.render()).startswith("Refreshed"):
                    break
                await pilot.pause(0.05)
            await pilot.pause(0.2)
            assert str(status.render()) == "Refreshed 1 feed: 0 new items."
            await pilot.press("u")
            await pilot.pause()
            title_line = str(app.screen.query_one("#feeds-title", Static).render())
            assert title_line == ("Feeds — 2 subscriptions, 2 unread · showing unread "
                                  "items only (u)")
            if app._fetcher is not None:
                await app._fetcher.aclose()


def test_in_a_narrow_terminal_every_item_and_feed_is_one_line_cut_with_an_ellipsis(
        tmp_path: Path) -> None:
    """At 80 columns long titles do not wrap into a ragged second line: each entry keeps
    one line (the keys move one item per line), its end cut with "…"."""
    from ui_helpers import run, wait_for, wait_loaded

    from reader.ui.app import ReaderApp

    with Library.open(tmp_path) as library:
        feeds = Feeds(library)
        subscribe(feeds, "rss20.xml", "https://harbour.invalid/feed")
        subscribe(feeds, "atom10.xml", "https://workshop.invalid/atom")
    page = Path(__file__).parent / "fixtures" / "ghost-blog-post.html"

    async def scenario() -> None:
        app = ReaderApp(str(page), data_dir=tmp_path)
        async with app.run_test(size=(64, 24)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("F")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FeedsScreen")
            await pilot.pause(0.2)
            for selector in ("#feeds-list", "#feed-items"):
                pane = app.screen.query_one(selector, OptionList)
                assert pane.option_count >= 3
                assert pane.virtual_size.height == pane.option_count, selector
            items = app.screen.query_one("#feed-items", OptionList)
            shown = [strip.text for strip in items.render_lines(items.region.reset_offset)]
            assert any(line.rstrip().endswith("…") for line in shown)

    run(scenario)
