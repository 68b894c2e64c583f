"""Highlights and notes as a person makes them in the real app (Pilot): select with the
keyboard or the mouse, highlight, add a note, find them again after a restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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


def test_probe(reader_home: Path) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE), images=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            body = app.article_screen.body
            print(ArticleText(body.article).text[:1500])
            await pilot.press("v")
            await settled(pilot)
            print(body.selected_text(), body.selecting)
            await pilot.press("w", "w", "right_curly_bracket", "w")
            await settled(pilot)
            print(repr(body.selected_text()))
            await pilot.press("enter")
            await type_note(pilot, "my note")
            print(app.screen, [n for n in app._notifications])
            print(styled_text(body, mark_colour(body)))
    run(scenario)
