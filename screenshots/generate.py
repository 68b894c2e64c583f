"""Regenerate the README's screenshots from the real app, headless.

    python screenshots/generate.py [NAME ...]

Each shot drives ReaderApp with Textual's Pilot, exactly as a person at the keyboard
would, and saves an SVG beside this script. Everything runs offline, in a temporary
READER_HOME, so the pictures never show anyone's library.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("READER_HOME", tempfile.mkdtemp(prefix="reader-shots-"))
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from textual.pilot import Pilot  # noqa: E402
from ui_helpers import wait_loaded  # noqa: E402

from reader.ui.app import ReaderApp  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
Shot = Callable[[], Awaitable[None]]
SHOTS: dict[str, Shot] = {}


def shot(name: str) -> Callable[[Shot], Shot]:
    def register(fn: Shot) -> Shot:
        SHOTS[name] = fn
        return fn
    return register


async def _save(app: ReaderApp, pilot: Pilot[None], name: str) -> None:
    await pilot.pause(0.3)
    app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    print(f"screenshots/{name}.svg")


@shot("article-wide")
async def article_wide() -> None:
    app = ReaderApp(str(FIXTURES / "ghost-blog-post.html"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("]")
        await _save(app, pilot, "article-wide")


@shot("article-narrow")
async def article_narrow() -> None:
    app = ReaderApp(str(FIXTURES / "harbour-news-figures.html"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await _save(app, pilot, "article-narrow")


@shot("search")
async def search() -> None:
    app = ReaderApp(str(FIXTURES / "site" / "field-guide.html"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"feeder", "enter")
        await _save(app, pilot, "search")


@shot("help")
async def help_screen() -> None:
    app = ReaderApp(None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        await _save(app, pilot, "help")


async def main(names: list[str]) -> None:
    for name in names or list(SHOTS):
        await SHOTS[name]()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
