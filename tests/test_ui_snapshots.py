"""SVG snapshots of the reader's main screens: what a person sees, pixel for pixel.

Regenerate after an intended change with ``pytest tests/test_ui_snapshots.py
--snapshot-update`` and look at the new SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from ui_helpers import settled, wait_for, wait_loaded

from reader.ui.app import ReaderApp
from reader.ui.screens.help_screen import HelpScreen

FIXTURES = Path(__file__).parent / "fixtures"


def reader_on(name: str) -> ReaderApp:
    # Pictures off: a snapshot must not depend on a download finishing in time.
    return ReaderApp(str(FIXTURES / name), images=False)


async def loaded(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, ReaderApp)
    await wait_loaded(pilot, app)
    await settled(pilot)


def test_article_screen_wide(snap_compare: Callable[..., bool]) -> None:
    async def second_section(pilot: Pilot[None]) -> None:
        await loaded(pilot)
        await pilot.press("right_square_bracket")
        await settled(pilot)

    assert snap_compare(reader_on("ghost-blog-post.html"), terminal_size=(120, 40),
                        run_before=second_section)


def test_article_screen_narrow(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(reader_on("harbour-news-figures.html"), terminal_size=(80, 24),
                        run_before=loaded)


def test_help_screen(snap_compare: Callable[..., bool]) -> None:
    async def help_open(pilot: Pilot[None]) -> None:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await settled(pilot)

    assert snap_compare(reader_on("site/field-guide.html"), terminal_size=(120, 40),
                        run_before=help_open)
