"""The feeds screen as a new user tries it: subscribing from a site that links several
feeds asks which one."""

from __future__ import annotations

from pathlib import Path

import pytest
from localserver import LocalServer
from ui_helpers import notifications, run, wait_for, wait_loaded

from reader.library import Library
from reader.library.feeds import Feeds
from reader.ui.app import ReaderApp

FIXTURES = Path(__file__).parent / "fixtures"
FEEDS = FIXTURES / "feeds"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def _titles(home: Path) -> list[str]:
    with Library.open(home) as library:
        return [f.title or f.url for f in Feeds(library).feeds()]


@pytest.mark.parametrize("answer, expected", [(("down", "enter"), ["Workshop Journal"]),
                                              (("escape",), [])])
def test_a_site_that_links_several_feeds_asks_which_one(
        tmp_path: Path, answer: tuple[str, ...], expected: list[str]) -> None:
    """`a` and a site's address whose page links three feeds: a list of the three to
    choose from (it used to take the first and point at the command line for another,
    so a person who already had the first could not subscribe to the others at all)."""
    page = FIXTURES / "ghost-blog-post.html"
    with LocalServer() as server:
        for name in ("rss20.xml", "atom10.xml", "feed11.json"):
            server.add_file(f"/feeds/{name}", FEEDS / name, "application/rss+xml")
        site = server.add_file("/feeds/many.html", FEEDS / "page-many.html",
                               "text/html; charset=utf-8")

        async def scenario() -> None:
            from reader.ui.dialogs import ChoiceDialog

            app = ReaderApp(str(page), data_dir=tmp_path)
            async with app.run_test(size=(100, 30)) as pilot:
                await wait_loaded(pilot, app)
                await pilot.press("F")
                await wait_for(pilot, lambda: type(app.screen).__name__ == "FeedsScreen")
                await pilot.press("a")
                await wait_for(pilot, lambda: type(app.screen).__name__ == "TextPrompt")
                await pilot.press(*site, "enter")
                await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
                shown = app.screen.query_one("OptionList")
                assert shown.option_count == 3
                texts = [str(shown.get_option_at_index(i).prompt) for i in range(3)]
                assert texts[0].startswith("Harbour (RSS)")
                assert "\x1b" not in texts[2] and "JSON" in texts[2]  # page text, cleaned
                await pilot.press(*answer)
                await wait_for(pilot, lambda: type(app.screen).__name__ == "FeedsScreen")
                if expected:
                    await wait_for(pilot, lambda: any(n.startswith("Subscribed")
                                                      for n in notifications(app)))
                    said = [n for n in notifications(app) if n.startswith("Subscribed")]
                    assert said[0].startswith("Subscribed: Workshop Journal")
                    assert "--pick" not in said[0]
                else:
                    await pilot.pause(0.3)
            assert _titles(tmp_path) == expected

        run(scenario)


def _contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    def lum(c: tuple[int, int, int]) -> float:
        def ch(v: int) -> float:
            x = v / 255
            return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    high, low = sorted((lum(fg), lum(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["textual-dark", "solarized-light"])
def test_a_failing_feeds_mark_stays_readable_on_the_highlighted_row(
        tmp_path: Path, theme: str) -> None:
    """The "!" of a feed whose last refresh failed was pure red: on the blue of the
    highlighted row it all but vanished (contrast about 1.1 to 1)."""
    from datetime import UTC, datetime

    from textual.widgets import OptionList

    with Library.open(tmp_path) as library:
        feeds = Feeds(library)
        feed_id, _ = feeds.add("https://dead.invalid/feed", title="Dead feed")
        from reader.feeds.parse import parse_feed
        parsed = parse_feed((FEEDS / "rss20.xml").read_bytes(), "https://dead.invalid/feed")
        feeds.store_refresh(feed_id, parsed, etag=None, last_modified=None,
                            next_check=datetime.now(UTC), problem=None)
        feeds.store_failure(feed_id, "The server dead.invalid could not be found.",
                            next_check=datetime.now(UTC))
    page = FIXTURES / "ghost-blog-post.html"

    async def scenario() -> None:
        app = ReaderApp(str(page), data_dir=tmp_path)
        async with app.run_test(size=(100, 24)) as pilot:
            app.theme = theme
            await wait_loaded(pilot, app)
            await pilot.press("F")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FeedsScreen")
            await pilot.press("down")  # the dead feed, highlighted
            await pilot.pause(0.2)
            pane = app.screen.query_one("#feeds-list", OptionList)
            assert pane.highlighted == 1
            for strip in pane.render_lines(pane.region.reset_offset):
                for segment in strip:
                    if "!" in segment.text and segment.style is not None:
                        style = segment.style
                        assert style.color is not None and style.bgcolor is not None
                        fg = style.color.get_truecolor()
                        bg = style.bgcolor.get_truecolor()
                        if tuple(bg) == tuple(pane.rich_style.bgcolor.get_truecolor()):
                            continue  # a row not highlighted
                        assert _contrast(tuple(fg), tuple(bg)) >= 3, (fg, bg)
                        return
            raise AssertionError("no highlighted ! drawn")

    run(scenario)
