"""The library screen as a new user meets it: what an empty list says, and where."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from ui_helpers import run, wait_for, wait_loaded

from reader.extract import extract
from reader.library import Library
from reader.ui.app import ReaderApp
from reader.ui.screens.library_screen import LibraryScreen

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_search_that_finds_nothing_says_so_under_the_header_not_at_the_bottom(
        reader_home: Path) -> None:
    """The sentence "No saved article matches …" sits right under the column header,
    where the rows would be, not 30 lines down above the key line."""
    page = FIXTURES / "ghost-blog-post.html"
    with Library.open(reader_home / "data") as library:
        library.save(extract(page.read_bytes(), "https://workshop.example.org/a"),
                     source_url="https://workshop.example.org/a", html=page.read_bytes())

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
            await pilot.press("slash", *"zzzqqq")
            screen = app.screen
            empty = screen.query_one("#library-empty", Static)
            await wait_for(pilot, lambda: empty.display and "zzzqqq" in str(empty.render()))
            await pilot.pause(0.1)
            header = screen.query_one("#library-table").region
            assert empty.region.y <= header.y + 2, (empty.region, header)

    run(scenario)


def test_at_80_columns_titles_get_the_room_the_publication_date_and_minutes_had(
        reader_home: Path) -> None:
    """In an 80-column terminal the list used to cut every title at 14 characters
    ("Shipping a Ru…") to keep two dates, minutes and tags; the title comes first."""
    from reader.ui.screens.library_screen import EntryList

    page = FIXTURES / "ghost-blog-post.html"
    with Library.open(reader_home / "data") as library:
        library.save(extract(page.read_bytes(), "https://workshop.example.org/a"),
                     source_url="https://workshop.example.org/a", html=page.read_bytes())

    async def scenario(width: int) -> list[str]:
        app = ReaderApp(None)
        async with app.run_test(size=(width, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
            await pilot.pause(0.1)
            table = app.screen.query_one(EntryList)
            return [table.render_line(y).text.rstrip() for y in range(2)]

    header, row = asyncio.run(scenario(80))
    assert "Shipping a Rust CLI without" in row, row
    assert "Saved" in header and "Tags" in header and "Site" in header
    assert row.count("2024-03-07") == 0  # the publication date gave way
    header, row = asyncio.run(scenario(120))  # wide: every column
    assert "Published" in header and "2024-03-07" in row


def test_importing_an_opml_file_in_the_app_subscribes_to_its_feeds(reader_home: Path,
                                                                   tmp_path: Path) -> None:
    """`i` in the library with an OPML file said "Unknown import format 'opml'; use one
    of pocket, …". It subscribes to the file's feeds, as `reader import FILE` does, shows
    them, and a second import adds nothing twice."""
    from ui_helpers import notifications

    from reader.ui.screens.feeds_screen import FeedsScreen

    subs = tmp_path / "subs.opml"
    subs.write_text('<?xml version="1.0"?><opml version="2.0"><body>'
                    '<outline text="Harbour notes" xmlUrl="https://harbour.invalid/feed"/>'
                    '<outline text="Tides" xmlUrl="https://tides.invalid/rss"/>'
                    '</body></opml>')

    async def import_file(pilot: Pilot[None], app: ReaderApp) -> str:
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("i")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TextPrompt")
        before = len(notifications(app))
        await pilot.press(*str(subs), "enter")
        await wait_for(pilot, lambda: len(notifications(app)) > before)
        return notifications(app)[-1]

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)  # the first run: the welcome article
            said = await import_file(pilot, app)
            assert said.startswith("Subscribed to 2 new feeds of 2 in the file"), said
            await wait_for(pilot, lambda: isinstance(app.screen, FeedsScreen))
            await pilot.pause(0.3)
            pane = app.screen.query_one("#feeds-list", OptionList)
            shown = [str(pane.get_option_at_index(i).prompt) for i in range(pane.option_count)]
            assert any("Harbour notes" in line for line in shown), shown
            assert any("Tides" in line for line in shown), shown
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, FeedsScreen))
            said = await import_file(pilot, app)
            assert said.startswith("Subscribed to 0 new feeds of 2 in the file (2 already"), said

    run(scenario)
