"""Highlights and notes as a person makes them in the real app (Pilot): select with the
keyboard or the mouse, highlight, add a note, find them again after a restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import OptionList
from ui_helpers import notified, run, settled, wait_for, wait_loaded

from reader.document import Position
from reader.highlights import ArticleText
from reader.library import Library
from reader.ui.app import ReaderApp
from reader.ui.dialogs import TextPrompt
from reader.ui.screens.highlights_screen import HighlightsScreen
from reader.ui.widgets.article.body import ArticleBody

FIXTURES = Path(__file__).parent / "fixtures"
GUIDE = FIXTURES / "site" / "field-guide.html"


def styled_text(body: ArticleBody, bgcolor: object) -> str:
    """The text the body draws now with the background ``bgcolor``."""
    out = []
    for y in range(body.size.height):
        for segment in body.render_line(y):
            style = segment.style or Style()
            if style.bgcolor == bgcolor:
                out.append(segment.text)
        out.append("\n")
    return "".join(out)


def mark_colour(body: ArticleBody) -> object:
    return body._palette_now().mark.bgcolor


async def type_note(pilot: Pilot[None], note: str) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextPrompt))
    await pilot.press(*note, "enter") if note else await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, TextPrompt))
    await settled(pilot)


def test_select_across_paragraphs_highlight_note_restart_list_delete_undo(
        reader_home: Path) -> None:
    async def make() -> None:
        app = ReaderApp(str(GUIDE), images=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            body = app.article_screen.body
            await pilot.press("v")
            await settled(pilot)
            assert body.selecting and body.selected_text() == "Cities"
            # While selecting, motion keys move the cursor; the view does not scroll.
            await pilot.press("w", "w", "right_curly_bracket", "w")
            await settled(pilot)
            assert body.top_position() == Position(0)
            selected = body.selected_text()
            assert selected.startswith("Cities are full of birds")
            assert selected.endswith("centuries.\n\nBefore you")
            await pilot.press("enter")
            await type_note(pilot, "why [b]sparrows[/b]")
            assert notified(app, "Highlighted")
            assert not body.selecting

    async def after_restart() -> None:
        app = ReaderApp(str(GUIDE), images=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            await settled(pilot)
            body = app.article_screen.body
            drawn = styled_text(body, mark_colour(body))
            assert "Cities are full of birds" in drawn
            assert "Befor" in drawn  # the second paragraph too, up to its note marker
            assert "binoculars" in drawn
            await pilot.press("A")
            await wait_for(pilot, lambda: isinstance(app.screen, HighlightsScreen))
            options = app.screen.query_one(OptionList)
            prompt = str(options.get_option_at_index(0).prompt)
            assert "Cities are full of birds" in prompt
            assert "Note: why [b]sparrows[/b]" in prompt  # markup shown literally
            await pilot.press("escape")
            await settled(pilot)
            await pilot.press("d")
            await settled(pilot)
            assert notified(app, "Highlight deleted")
            assert "Cities" not in styled_text(body, mark_colour(body))
            await pilot.press("z")
            await settled(pilot)
            assert "Cities" in styled_text(body, mark_colour(body))

    run(make)
    run(after_restart)
    with Library.open(reader_home / "data") as library:
        [kept] = library.highlights()
        assert kept.note == "why [b]sparrows[/b]"
        assert kept.text.endswith("Before you")


def test_mouse_drag_selects_then_enter_highlights_and_y_copies(reader_home: Path) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE), images=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            await settled(pilot)
            body = app.article_screen.body
            first = body.render_line(0).text
            x = len(first) - len(first.lstrip())  # where "Cities" is drawn
            await pilot.mouse_down(ArticleBody, offset=(x + 1, 0))
            await pilot.hover(ArticleBody, offset=(x + 1, 1))
            await pilot.mouse_up(ArticleBody, offset=(x + 1, 1))
            await settled(pilot)
            assert body.selecting
            second = body.render_line(1).text.strip()
            expected = first.strip() + " " + second.split()[0]
            assert body.selected_text() == expected
            await pilot.press("y")
            await settled(pilot)
            assert app.clipboard == expected
            await pilot.press("escape")  # the dialog showing the copied text
            await settled(pilot)
            await pilot.press("enter")
            await type_note(pilot, "")  # Enter alone: no note
            with Library.open(reader_home / "data") as library:
                [made] = library.highlights()
            assert made.text == expected and made.note == ""

    run(scenario)


def test_escape_cancels_and_keys_scroll_again(reader_home: Path) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE), images=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            body = app.article_screen.body
            await pilot.press("v", "j", "j", "dollar_sign", "0", "k", "left_parenthesis")
            await settled(pilot)
            assert body.selecting and body.top_position() == Position(0)
            await pilot.press("escape")
            await settled(pilot)
            assert not body.selecting
            await pilot.press("j")
            await settled(pilot)
            assert body.top_position() != Position(0)  # j scrolls again

    run(scenario)


def test_edit_note_and_all_highlights_search(reader_home: Path) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE), images=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("v", "w", "enter")
            await type_note(pilot, "first")
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
            await pilot.press(*"\x1b[31m", "enter")  # an escape sequence, kept as text
            await settled(pilot)
            await pilot.press("A")
            await wait_for(pilot, lambda: isinstance(app.screen, HighlightsScreen))
            await pilot.press("a", *"cities")
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, HighlightsScreen) and screen.everywhere
            assert len(screen.items) == 1
            await pilot.press("x", "y", "z")
            await settled(pilot)
            assert screen.items == []

    run(scenario)
    with Library.open(reader_home / "data") as library:
        [made] = library.highlights()
        assert made.text == "Cities are" and "[31m" in made.note and "\x1b" not in made.note


def _highlight_words(home: Path, *passages: tuple[str, str]) -> None:
    """Store highlights of the guide directly: (exact text, note) each."""
    from reader.sources import load

    loaded = load(str(GUIDE))
    text = ArticleText(loaded.article)
    with Library.open(home / "data") as library:
        for exact, note in passages:
            start = text.text.index(exact)
            library.add_highlight(loaded.key, loaded.article,
                                  text.passage(start, start + len(exact)), note=note)


def _snapshot_with_highlights(theme: str) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ReaderApp)
        await wait_loaded(pilot, app)
        app.theme = theme
        await pilot.press("j", "j", "j", "v", "w", "w")
        await settled(pilot)

    return run_before


def test_snapshot_highlights_dark(snap_compare: Callable[..., bool], reader_home: Path) -> None:
    _highlight_words(reader_home, ("full of birds", ""),
                     ("binoculars. Most of them have lived beside people", "a note"),
                     ("A phone works too", ""))
    assert snap_compare(ReaderApp(str(GUIDE), images=False), terminal_size=(100, 24),
                        run_before=_snapshot_with_highlights("textual-dark"))


def test_snapshot_highlights_light(snap_compare: Callable[..., bool], reader_home: Path) -> None:
    _highlight_words(reader_home, ("full of birds", ""),
                     ("binoculars. Most of them have lived beside people", "a note"),
                     ("A phone works too", ""))
    assert snap_compare(ReaderApp(str(GUIDE), images=False), terminal_size=(100, 24),
                        run_before=_snapshot_with_highlights("textual-light"))


def test_highlights_made_on_another_version_reattach_or_are_listed_as_not_found(
        reader_home: Path) -> None:
    from dataclasses import replace

    from reader.document import Paragraph, Span
    from reader.sources import load

    loaded = load(str(GUIDE))
    # The version the highlights were made on had a paragraph more at the top, and one
    # passage the page no longer has.
    older = replace(loaded.article, blocks=(
        Paragraph((Span("An editor's note that was later removed from the page."),)),
        *loaded.article.blocks))
    text = ArticleText(older)
    with Library.open(reader_home / "data") as library:
        for exact, note in (("a notebook never runs out of battery", "true"),
                            ("later removed from the page", "gone")):
            start = text.text.index(exact)
            library.add_highlight(loaded.key, older, text.passage(start, start + len(exact)),
                                  note=note)

    async def scenario() -> None:
        app = ReaderApp(str(GUIDE), images=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            await settled(pilot)
            body = app.article_screen.body
            drawn = styled_text(body, mark_colour(body))
            assert "never runs out of batter" in drawn and "later removed" not in drawn
            await pilot.press("A")
            await wait_for(pilot, lambda: isinstance(app.screen, HighlightsScreen))
            options = app.screen.query_one(OptionList)
            first = str(options.get_option_at_index(0).prompt)
            last = str(options.get_option_at_index(1).prompt)
            assert "a notebook never runs out of battery" in first
            assert "not found in this version" not in first
            assert "later removed from the page" in last
            assert "not found in this version" in last
            # Deleted in the list, then brought back with z.
            await pilot.press("d")
            await settled(pilot)
            assert options.option_count == 1
            assert "later removed" in str(options.get_option_at_index(0).prompt)
            await pilot.press("z")
            await settled(pilot)
            assert options.option_count == 2
            assert "never runs out of battery" in str(options.get_option_at_index(0).prompt)
            await pilot.press("escape")
            await settled(pilot)
            assert "never runs out of batter" in styled_text(body, mark_colour(body))

    run(scenario)
    with Library.open(reader_home / "data") as library:
        moved = next(h for h in library.highlights() if h.note == "true")
        assert moved.passage.start.block == 1  # remembered where it sits now
