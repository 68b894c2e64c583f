"""The `?` screen scrolls with the keys a reader already uses."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from ui_helpers import run, wait_for, wait_loaded

from reader.ui.app import ReaderApp
from reader.ui.screens.help_screen import HelpScreen

FIXTURES = Path(__file__).parent / "fixtures"


def test_help_scrolls_with_j_k_space_b_g_and_G(tmp_path: Path) -> None:
    """j, space and G went nowhere in the help (only the arrows scrolled it), though the
    list is three screens long at 80x24."""
    async def scenario() -> None:
        app = ReaderApp(str(FIXTURES / "ghost-blog-post.html"), data_dir=tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.pause()
            box = app.screen.query_one("#dialog", VerticalScroll)
            assert box.max_scroll_y > 10
            await pilot.press("j", "j")
            await pilot.pause()
            assert box.scroll_y == 2
            await pilot.press("k")
            await pilot.pause()
            assert box.scroll_y == 1
            await pilot.press("space")
            await pilot.pause()
            assert box.scroll_y > 5
            await pilot.press("G")
            await pilot.pause()
            assert box.scroll_y == box.max_scroll_y
            await pilot.press("b")
            await pilot.pause()
            assert box.scroll_y < box.max_scroll_y
            await pilot.press("g")
            await pilot.pause()
            assert box.scroll_y == 0
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))

    run(scenario)


def test_the_library_help_and_palette_list_each_key_once(tmp_path: Path) -> None:
    """The library's help listed Home, End and Enter twice (once for the screen, once
    under "Entry list", the name of a class) and the palette offered "Open" twice."""
    from reader.ui.commands import ReaderCommands
    from reader.ui.screens.help_screen import binding_rows
    from reader.ui.screens.library_screen import LibraryScreen

    async def scenario() -> None:
        app = ReaderApp(str(FIXTURES / "ghost-blog-post.html"), data_dir=tmp_path)
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("s")
            await pilot.pause(0.5)
            await pilot.press("L")
            await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
            rows = binding_rows(app.screen)
            headings = {where for where, _, _ in rows}
            assert "Entry list" not in headings
            keys = [key for _, keys, _ in rows for key in keys.split()]
            assert keys.count("Enter") == 1 and keys.count("Home") == 1, rows
            names = [name for name, _, _ in ReaderCommands(app.screen).commands()]
            assert names.count("Open") == 1, names

    run(scenario)


def test_the_palette_keys_entry_opens_the_help_screen(tmp_path: Path) -> None:
    """Textual's own "Keys" entry opened a panel of internal keys that Esc did not close;
    in reader it is the help screen, and Textual's "Maximize" (which hides the panes) is
    not offered."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    async def scenario() -> None:
        app = ReaderApp(str(FIXTURES / "ghost-blog-post.html"), data_dir=tmp_path)
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_loaded(pilot, app)
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "Keys" in titles and "Theme" in titles and "Maximize" not in titles
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press(*"keys")
            palette = app.screen
            await wait_for(pilot, lambda: palette.query_one(OptionList).option_count > 0)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
            assert not app.screen.query("HelpPanel")

    run(scenario)


def test_every_selection_key_in_the_help_says_it_is_for_selecting(tmp_path: Path) -> None:
    """`w` and `b` were listed as "Word →" and "← Word" beside "Page up" for `b`: without
    "Selecting:", `b` seemed to do two things."""
    from reader.ui.screens.help_screen import binding_rows

    async def scenario() -> None:
        app = ReaderApp(str(FIXTURES / "ghost-blog-post.html"), data_dir=tmp_path)
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_loaded(pilot, app)
            rows = [(keys, what) for _, keys, what in binding_rows(app.screen)]
            assert ("w", "Selecting: next word") in rows, rows
            assert ("b", "Selecting: previous word") in rows, rows
            assert not [row for row in rows if "Word" in row[1]], rows

    run(scenario)
