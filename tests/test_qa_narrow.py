"""What a person sees in a narrow terminal: list entries stay one line each, cut with "…",
and the key line keeps "? Help" in view."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList
from ui_helpers import run, wait_for, wait_loaded

from reader.library import Library
from reader.ui.app import ReaderApp

FIXTURES = Path(__file__).parent / "fixtures"
LONG_URL = ("https://news.example.org/2026/11/harbour-authority-announces-the-new-"
            "breakwater-extension-and-the-dredging-schedule-for-the-winter?utm_source=feed")


def test_history_entries_are_cut_with_an_ellipsis_not_wrapped_mid_word(tmp_path: Path) -> None:
    """At 80 columns a long address does not wrap into broken pieces: each line of an
    entry (title; date and address) is one line, its end cut with "…"."""
    with Library.open(tmp_path) as library:
        library.record_history(LONG_URL, "The harbour authority announces the new breakwater "
                                         "extension and the dredging schedule for the winter")
        library.record_history("https://example.org/short", "Short")
    page = FIXTURES / "ghost-blog-post.html"

    async def scenario() -> None:
        app = ReaderApp(str(page), data_dir=tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("H")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")
            await pilot.pause(0.2)
            options = app.screen.query_one(OptionList)
            # Each entry is two lines at most (title, then date and address): nothing wraps.
            assert options.virtual_size.height <= 2 * options.option_count
            shown = [strip.text for strip in options.render_lines(options.region.reset_offset)]
            assert any(line.rstrip(" ▎").endswith("…") for line in shown), shown
            assert not any(line.strip(" ▊▎").startswith("breakwater") for line in shown)

    run(scenario)


def _key_line_text(app: ReaderApp) -> str:
    from reader.ui.widgets.keyline import KeyLine

    key_line = app.screen.query_one(KeyLine)
    return key_line.render_line(0).text


@pytest.mark.parametrize("width", [120, 80, 70, 60])
def test_the_feeds_and_library_key_lines_keep_help_in_view(tmp_path: Path, width: int) -> None:
    """However narrow the terminal (down to 60 columns), the key line at the bottom of the
    feeds and library screens still shows "? Help": the other keys give way first."""
    from reader.feeds.parse import parse_feed
    from reader.library.feeds import Feeds

    with Library.open(tmp_path) as library:
        feeds = Feeds(library)
        parsed = parse_feed((FIXTURES / "feeds" / "rss20.xml").read_bytes(),
                            "https://harbour.invalid/feed")
        feed_id, _ = feeds.add("https://harbour.invalid/feed", title=parsed.title)
        from datetime import UTC, datetime
        feeds.store_refresh(feed_id, parsed, etag=None, last_modified=None,
                            next_check=datetime.now(UTC), problem=None)
    page = FIXTURES / "ghost-blog-post.html"

    async def scenario() -> None:
        app = ReaderApp(str(page), data_dir=tmp_path)
        async with app.run_test(size=(width, 24)) as pilot:
            await wait_loaded(pilot, app)
            for key, screen in (("F", "FeedsScreen"), ("L", "LibraryScreen")):
                await pilot.press(key)
                await wait_for(pilot, lambda screen=screen: type(app.screen).__name__ == screen)
                await pilot.pause(0.2)
                line = _key_line_text(app)
                assert "? Help" in line, (screen, line)
                assert "Refresh" in line or "Search" in line, (screen, line)  # keys stay too
                if screen == "FeedsScreen":
                    await pilot.press("escape")
                    await wait_for(pilot, lambda: type(app.screen).__name__ != "FeedsScreen")

    run(scenario)


def test_links_are_cut_with_an_ellipsis_not_wrapped_mid_word(tmp_path: Path) -> None:
    """The links screen (u) at 80 columns: a long address ran on into broken pieces
    ("…?with=q" / "uery&and=…"); each link is now its text and its address, a line each."""
    url = ("https://very-long-domain-name.example.org/2026/11/30/an-extremely-long-path-"
           "segment-that-goes-on-and-on?with=query&and=more-parameters")
    words = " ".join(["Words enough to make this a paragraph of an article."] * 8)
    page = tmp_path / "links.html"
    page.write_text(
        "<!doctype html><html><head><title>Links</title></head><body><article><h1>Links"
        "</h1>" + "".join(f'<p>{words} <a href="{url}{n}">a link with a rather long text '
                          f'that may not fit on one line at all {n}</a>.</p>' for n in range(3))
        + "</article></body></html>")

    async def scenario() -> None:
        app = ReaderApp(str(page), data_dir=tmp_path / "home")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("u")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "LinksScreen")
            await pilot.pause(0.2)
            options = app.screen.query_one(OptionList)
            assert options.option_count == 3
            assert options.virtual_size.height == 2 * options.option_count
            shown = [strip.text for strip in options.render_lines(options.region.reset_offset)]
            assert any(line.rstrip(" ▎").endswith("…") for line in shown), shown

    run(scenario)
