"""Bugs people met in use, each driven through the real app as they met it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static

from reader.document import Article, Heading, Paragraph, Position, Span, block_text
from reader.errors import LibraryError
from reader.library import Library
from reader.sources import Loaded
from reader.ui.app import ReaderApp
from reader.ui.dialogs import ConfirmDialog, ShowText, TextPrompt
from reader.ui.messages import OpenInBrowser
from reader.ui.screens.history_screen import HistoryScreen
from reader.ui.screens.library_screen import LibraryScreen
from tests.localserver import LocalServer, add_standard_routes
from tests.ui_helpers import (
    FakeTerminalBrowser,
    body_lines,
    body_text,
    notified,
    run,
    settled,
    toasts_shown,
    use_browser,
    wait_for,
    wait_loaded,
)

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
            screen = app.article_screen
            await pilot.press("slash", "p", "i")
            await pilot.pause()
            assert screen.searching
            assert screen_text(app).splitlines()[-1].startswith("/pi ")  # on the key line
            await pilot.press("escape")
            await pilot.pause()
            assert app.is_running
            assert not screen.searching
            assert "/pi" not in screen_text(app).splitlines()[-1]
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


# --------------------------------------------------------------------------- issue 12, 2-10

def status(app: ReaderApp) -> str:
    return str(app.article_screen.status.render())


def screen_text(app: ReaderApp) -> str:
    """Every row of the whole screen as text (what a person sees, dialogs included)."""
    return "\n".join(line.text for line in app.screen._compositor.render_strips())


def body_lines_segments(app: ReaderApp) -> list[list[tuple[str, object]]]:
    body = app.article_screen.body
    return [[(seg.text, seg.style) for seg in body.render_line(y)]
            for y in range(body.size.height)]


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    def lum(c: tuple[int, int, int]) -> float:
        parts = [v / 255 for v in c]
        parts = [p / 12.92 if p <= 0.03928 else ((p + 0.055) / 1.055) ** 2.4 for p in parts]
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_o_with_only_a_terminal_browser_shows_the_address_instead(
        monkeypatch: pytest.MonkeyPatch) -> None:
    browser = FakeTerminalBrowser()
    use_browser(monkeypatch, browser)

    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            app.post_message(OpenInBrowser("https://example.org/birds"))
            await wait_for(pilot, lambda: isinstance(app.screen, ShowText))
            assert "https://example.org/birds" in str(
                app.screen.query_one("#shown-text", Static).render())
            assert browser.opened == []  # never started under the app's drawing
            await pilot.press("c")
            assert app.clipboard == "https://example.org/birds"

    run(scenario)


@pytest.mark.parametrize("theme", ["textual-light", "solarized-light", "textual-dark"])
def test_link_numbers_and_links_are_readable_in_every_theme(theme: str) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            app.theme = theme
            await settled(pilot)
            body = app.article_screen.body
            background = body.styles.background.rich_color.get_truecolor()
            for line in body_lines_segments(app):
                for text, style in line:
                    if (text.startswith("[") and text.endswith("]")) or (
                            style is not None and style.underline):
                        assert style is not None and style.color is not None
                        colour = style.color.get_truecolor()
                        assert contrast(colour, background) >= 3.0, (theme, text, colour)

    run(scenario)


def test_the_status_line_names_a_section_on_the_screen_and_never_ends_early() -> None:
    async def scenario() -> None:
        app = ReaderApp(None)  # the first run: the welcome article
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await settled(pilot)
            assert "0%" in status(app) and "end" not in status(app)
            await pilot.press("g")
            for _ in range(8):
                await pilot.press("space")
                await settled(pilot)
                info = app.article_screen.status.info
                if info.section:
                    assert info.section in "\n".join(body_lines(app)[:20]) or not any(
                        isinstance(app.article_screen.article.blocks[p.block], Heading)
                        and p.block > app.article_screen.body.top_position().block
                        for p in [app.article_screen.body.reading_position()]), info
                if info.percent < 100:
                    assert "end" not in status(app)

    run(scenario)


def test_closing_an_overlay_in_a_narrow_window_keeps_the_wide_panes() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            assert screen.has_class("-show-toc") and screen.has_class("-show-figures")
            await pilot.resize_terminal(80, 24)
            await settled(pilot)
            assert not screen.has_class("-show-figures")
            await pilot.press("f")
            assert screen.has_class("-show-figures")
            await pilot.press("f")
            assert not screen.has_class("-show-figures")
            await pilot.resize_terminal(120, 40)
            await settled(pilot)
            assert screen.has_class("-show-toc") and screen.has_class("-show-figures")
            assert app.config.show_figures

    run(scenario)


def test_library_screen_tags_footer_empty_search_and_undo(reader_home: Path) -> None:
    with Library.open(reader_home / "data") as library:
        library.save_link("https://example.org/one", title="One", tags=["politics"])
        library.save_link("https://example.org/two", title="Two")

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, LibraryScreen)
            shown = screen_text(app)
            assert "politics" in shown
            footer = shown.splitlines()[-1]
            assert "Help" in footer and "Quit" in footer
            await pilot.press("slash", *"zzzz")
            await wait_for(pilot, lambda: screen.search == "zzzz")
            await settled(pilot)
            assert "No saved article matches “zzzz”" in screen_text(app)
            await pilot.press("escape")
            screen.query_one(Input).value = ""
            await wait_for(pilot, lambda: len(screen.ids) == 2)
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            await pilot.press("y")
            await wait_for(pilot, lambda: notified(app, "Press z to undo"))
            await pilot.press("z")
            await wait_for(pilot, lambda: notified(app, "Restored"))
            assert not notified(app, "Press z to undo")

    run(scenario)


def test_adjacent_links_to_one_address_are_one_link() -> None:
    article = Article(title="T", blocks=(Paragraph((
        Span("See the "), Span("Minecraft", href="https://wiki.example/p", bold=True),
        Span(" protocol", href="https://wiki.example/p"), Span(" and "),
        Span("more", href="https://other.example/"), Span("."))),))
    assert [(link.text, link.href) for link in article.links()] == [
        ("Minecraft protocol", "https://wiki.example/p"), ("more", "https://other.example/")]

    async def scenario() -> None:
        app = ReaderApp(None, loaded=Loaded(article, None, "file:///t.html"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            assert "See the Minecraft protocol[1] and more[2]." in body_text(app)

    run(scenario)


def test_long_contents_entries_keep_their_indent_on_one_line() -> None:
    long = "A sub-section whose heading is far too long to fit on one line of the pane"
    article = Article(title="T", blocks=(
        Heading(2, (Span("Top"),)), Paragraph((Span("Words. " * 30),)),
        Heading(3, (Span(long),)), Paragraph((Span("More words. " * 30),))))

    async def scenario() -> None:
        app = ReaderApp(None, loaded=Loaded(article, None, "file:///t.html"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await settled(pilot)
            toc = app.article_screen.query_one("#toc", OptionList)
            rows = [toc.render_line(y).text for y in range(toc.size.height)]
            start = next(i for i, r in enumerate(rows) if "A sub-section" in r)
            indent = rows[start].index("A sub-section")
            assert indent >= 2
            # One line per entry (issue 13: no re-wrap of every entry on a layout): the
            # heading is cut with an ellipsis, and nothing of it spills onto the next row.
            assert rows[start].rstrip().endswith("…")
            assert not rows[start + 1].strip()

    run(scenario)


def test_a_short_window_gives_the_header_one_line() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(40, 15)) as pilot:
            await wait_loaded(pilot, app)
            await settled(pilot)
            assert app.article_screen.query_one("#header").size.height == 1
            await pilot.resize_terminal(120, 40)
            await settled(pilot)
            assert app.article_screen.query_one("#header").size.height == 2

    run(scenario)


def test_o_goes_to_an_address_completed_from_history(server: LocalServer) -> None:
    async def scenario() -> None:
        app = ReaderApp(server.url("/article"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            app.open_source(str(GUIDE))
            await wait_for(pilot, lambda: app.current is not None
                           and app.current.loaded.article.title.startswith("A Field Guide"))
            await pilot.press("o")
            await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
            await pilot.press(*server.url("/art"))
            await pilot.press("right")  # accept the suggestion from history
            prompt = app.screen.query_one(Input)
            await wait_for(pilot, lambda: prompt.value == server.url("/article"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.current is not None
                           and app.current.loaded.source_url == server.url("/article"))

    run(scenario)


def test_y_and_capital_y_copy_a_link_and_the_page_address(
        monkeypatch: pytest.MonkeyPatch) -> None:
    article = Article(url="https://example.org/page", title="T", blocks=(Paragraph((
        Span("A "), Span("link", href="https://example.org/other"), Span("."))),))

    async def scenario() -> None:
        app = ReaderApp(None, loaded=Loaded(article, None, "https://example.org/page"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("1", "y")
            await wait_for(pilot, lambda: isinstance(app.screen, ShowText))
            assert app.clipboard == "https://example.org/other"
            await pilot.press("escape")
            monkeypatch.setenv("KITTY_WINDOW_ID", "1")  # a terminal known to allow OSC 52
            await pilot.press("Y")
            await wait_for(pilot, lambda: notified(app, "Copied the page address"))
            assert app.clipboard == "https://example.org/page"

    run(scenario)


def test_reader_url_that_fails_exits_1_with_the_sentence(server: LocalServer,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    async def scenario() -> None:
        app = ReaderApp(server.url("/missing"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.failure is not None)
        assert app.return_code == 1
        assert app.failure is not None and "404" in app.failure

    run(scenario)


def test_history_lists_an_article_opened_twice_in_a_row_once() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            app.open_source(str(GUIDE))
            await wait_for(pilot, lambda: not app.is_loading)
            await settled(pilot)
            await pilot.press("H")
            await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
            await settled(pilot)
            assert len(app.screen.entries) == 1

    run(scenario)


# --------------------------------------------------------------------------- issue 10: W

COMMENT = "<p>" + "Readers write long comments about everything in this section. " * 6 + "</p>"
SHORT_PAGE = ("<html><head><title>Short piece</title></head><body><main><article>"
              "<h1>Short piece</h1><p>" + "The article itself is only a few sentences long, "
              "but it is the article. " * 4 + "</p></article></main><aside class='comments'>"
              "<h2>Comments</h2>" + COMMENT * 8 + "</aside></body></html>")


def test_w_toggles_the_whole_page_and_back_near_the_same_text() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            cleaned = app.article_screen.article
            assert "Home About Archive" not in body_text(app)
            app.article_screen.body.scroll_to_position(Position(6))
            await settled(pilot)
            top = block_text(cleaned.blocks[app.article_screen.body.top_position().block])
            await pilot.press("W")
            await settled(pilot)
            whole = app.article_screen.article
            assert whole is not cleaned and len(whole.blocks) > len(cleaned.blocks)
            assert top[:40] in block_text(whole.blocks[app.article_screen.body.top_position()
                                                      .block])
            await pilot.press("g")
            await settled(pilot)
            assert "Home" in body_text(app)  # the page's navigation is part of the page
            await pilot.press("W")
            await settled(pilot)
            assert app.article_screen.article is cleaned

    run(scenario)


def test_a_thin_article_says_the_whole_page_is_a_key_away(tmp_path: Path) -> None:
    page = tmp_path / "short.html"
    page.write_text(SHORT_PAGE, encoding="utf-8")

    async def scenario() -> None:
        app = ReaderApp(str(page))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await wait_for(pilot, lambda: "W: whole page" in status(app))
            await pilot.press("W")
            await settled(pilot)
            assert "Readers write long comments" in body_text(app)
            assert "W: whole page" not in status(app)

    run(scenario)
