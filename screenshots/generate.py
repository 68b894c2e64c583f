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
from ui_helpers import settled, wait_loaded  # noqa: E402

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
    await settled(pilot)
    app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    print(f"screenshots/{name}.svg")


@shot("article-wide")
async def article_wide() -> None:
    app = ReaderApp(str(FIXTURES / "ghost-blog-post.html"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("]")
        await _save(app, pilot, "article-wide")


@shot("article-light")
async def article_light() -> None:
    """A light theme: link numbers and links must read as well as in the dark."""
    # its own config file: the theme it chooses must not stay for the other shots
    config = Path(tempfile.mkdtemp(prefix="reader-shots-")) / "config.toml"
    app = ReaderApp(str(FIXTURES / "site" / "field-guide.html"), config_path=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        app.theme = "solarized-light"
        await _save(app, pilot, "article-light")


@shot("article-narrow")
async def article_narrow() -> None:
    app = ReaderApp(str(FIXTURES / "harbour-news-figures.html"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await _save(app, pilot, "article-narrow")


def _scene(seed: int, size: tuple[int, int]) -> bytes:
    """A made-up harbour photo (sky, sun, sea, a boat): real pixels without real photos."""
    import io

    from PIL import Image, ImageDraw

    w, h = size
    im = Image.new("RGB", size)
    draw = ImageDraw.Draw(im)
    horizon = h * 3 // 5
    for y in range(h):
        t = y / h
        color = ((int(250 - 120 * t), int(170 + 40 * t), int(90 + 150 * t)) if y < horizon else
                 (int(20 + 30 * t), int(70 + 40 * t), int(120 + 50 * t)))
        draw.line([(0, y), (w, y)], fill=color)
    sun = w * (3 + seed) // 8
    draw.ellipse((sun - h // 8, horizon - h // 4, sun + h // 8, horizon), fill=(255, 220, 120))
    hull = (w // 5, horizon + h // 10)
    draw.polygon([hull, (hull[0] + w // 4, hull[1]), (hull[0] + w // 5, hull[1] + h // 12),
                  (hull[0] + w // 20, hull[1] + h // 12)], fill=(120, 40, 30))
    draw.line([(hull[0] + w // 8, hull[1]), (hull[0] + w // 8, hull[1] - h // 4)],
              fill=(60, 40, 30), width=max(1, w // 200))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


@shot("article-picture")
async def article_picture() -> None:
    """Figures drawn as half-block pictures, served by a local HTTP server."""
    from localserver import LocalServer

    from reader.extract import extract

    with LocalServer() as server:
        # the page's <base href> points at its real site: point it here instead
        html = (FIXTURES / "harbour-news-figures.html").read_text(encoding="utf-8").replace(
            "https://courier.example.net/", server.url("/"))
        url = server.add("/news/harbour.html", body=html, content_type="text/html; charset=utf-8")
        article = extract(html, url)
        for n, (_, figure) in enumerate(article.figures()):
            if figure.src and figure.src.startswith(server.url("/")):
                path = figure.src[len(server.url("")):]
                server.add(path, body=_scene(n, (figure.width or 800, figure.height or 450)),
                           content_type="image/jpeg")
        app = ReaderApp(url)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.pause(1.0)
            await _save(app, pilot, "article-picture")


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


def _fill_library() -> None:
    """Three saved articles, a few bookmarks and a reading position, in READER_HOME."""
    from reader.document import Position
    from reader.extract import extract
    from reader.library import Library

    pages = {
        "https://workshop.example.org/shipping-a-rust-cli/": "ghost-blog-post.html",
        "https://courier.example.net/news/storm": "harbour-news-figures.html",
        "https://dailydispatch.example/amnesty": "dispatch-amnesty-letter.html",
    }
    with Library.open() as library:
        for url, name in pages.items():
            if library.find(url) is not None:
                continue  # filled by an earlier shot in this run
            data = (FIXTURES / name).read_bytes()
            article = extract(data, url)
            library.save(article, source_url=url, html=data,
                         tags=("rust", "ci") if "rust" in url else ("news",))
            library.set_position(article.url or url, Position(3), 0.4)
            library.add_bookmark(article.url or url, Position(4), title=article.title,
                                 snippet=article.plain_text()[:70].rsplit(" ", 1)[0] + " …",
                                 note="quote this" if "amnesty" in url else "")


@shot("library")
async def library() -> None:
    _fill_library()
    app = ReaderApp(None)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause(0.3)
        await _save(app, pilot, "library")


@shot("bookmarks")
async def bookmarks() -> None:
    _fill_library()
    app = ReaderApp(None)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("B")
        await _save(app, pilot, "bookmarks")


@shot("highlights")
async def highlights() -> None:
    """Two highlights made with the keys, one with a note (its marker at the end)."""
    from reader.ui.dialogs import TextPrompt

    app = ReaderApp(str(FIXTURES / "site" / "field-guide.html"), images=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)

        async def note(text: str) -> None:
            for _ in range(100):
                if isinstance(app.screen, TextPrompt):
                    break
                await pilot.pause(0.02)
            await pilot.press(*text, "enter")
            await settled(pilot)

        await pilot.press("v", "w", "w", "w", "w", "enter")
        await note("")
        await pilot.press("j", "j", "j", "v", "right_parenthesis", "enter")
        await note("count them in spring")
        await pilot.press("g")
        await _save(app, pilot, "highlights")


def _fill_feeds() -> None:
    """Four subscriptions from the test suite's feed files, two in folders, in READER_HOME."""
    from datetime import UTC, datetime

    from reader.feeds.parse import parse_feed
    from reader.library import Library
    from reader.library.feeds import Feeds

    subscriptions = {
        "rss20.xml": ("https://harbour.example/feed", ("News",)),
        "rss10.rdf": ("https://field-station.example/rdf", ("News",)),
        "atom10.xml": ("https://workshop.example/atom", ("Crafts",)),
        "feed11.json": ("https://eleven.example/feed.json", ()),
    }
    with Library.open() as library:
        feeds = Feeds(library)
        for name, (url, tags) in subscriptions.items():
            parsed = parse_feed((FIXTURES / "feeds" / name).read_bytes(), url)
            feed_id, _ = feeds.add(url, title=parsed.title, tags=tags)
            feeds.store_refresh(feed_id, parsed, etag=None, last_modified=None,
                                next_check=datetime.now(UTC), problem=None)


@shot("feeds")
async def feeds() -> None:
    _fill_feeds()
    app = ReaderApp(None)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("F")
        await pilot.pause(0.5)
        await _save(app, pilot, "feeds")


async def main(names: list[str]) -> None:
    for name in names or list(SHOTS):
        await SHOTS[name]()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
