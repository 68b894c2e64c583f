"""Helpers for driving the app in Pilot tests: waiting, and reading what the screen shows."""

from __future__ import annotations

import asyncio
import webbrowser
from collections.abc import Callable, Coroutine
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from reader.ui.app import ReaderApp
from reader.ui.widgets.article.body import ArticleBody


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``condition`` holds; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)


async def wait_loaded(pilot: Pilot, app: ReaderApp, timeout: float = 10.0) -> None:
    await wait_for(pilot, lambda: app.current is not None and not app.is_loading, timeout)
    await pilot.pause()


def body_lines(app: ReaderApp) -> list[str]:
    """The text of every line the body shows now."""
    body = app.article_screen.query_one(ArticleBody)
    return [body.render_line(y).text for y in range(body.size.height)]


def body_text(app: ReaderApp) -> str:
    return "\n".join(line.strip() for line in body_lines(app))


def run(scenario: Callable[[], Coroutine[Any, Any, None]] | Coroutine[Any, Any, None]
        ) -> None:
    """Run one Pilot scenario (a coroutine, or a function that makes one) to the end."""
    asyncio.run(scenario() if callable(scenario) else scenario)


def notifications(app: App[Any]) -> list[str]:
    """The messages of the notifications the app shows now, oldest first."""
    return [n.message for n in app._notifications]


def last_notification(app: App[Any]) -> str:
    """The newest notification's message ("" when there is none)."""
    found = notifications(app)
    return found[-1] if found else ""


def notified(app: App[Any], words: str) -> bool:
    """Whether a notification showing now contains ``words``."""
    return any(words in message for message in notifications(app))


def toasts_shown(app: App[Any]) -> list[str]:
    """The notifications as drawn on the screen (needs ``run_test(notifications=True)``):
    what a person reads, after any markup was (or was not) applied."""
    from textual.widgets._toast import Toast

    return [str(toast.render()) for toast in app.screen.query(Toast)]


class FakeBrowser(webbrowser.BackgroundBrowser):
    """A graphical browser that records the addresses it is given instead of starting."""

    def __init__(self) -> None:
        super().__init__("fake-browser")
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


class FakeTerminalBrowser(webbrowser.GenericBrowser):
    """A browser that would run in this terminal (as lynx or w3m do)."""

    def __init__(self) -> None:
        super().__init__("fake-lynx")
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


def use_browser(monkeypatch: Any, browser: webbrowser.BaseBrowser) -> None:
    """Make ``browser`` the one Python's webbrowser picks."""
    monkeypatch.setattr(webbrowser, "get", lambda using=None: browser)


async def settled(pilot: Pilot[Any]) -> None:
    """Let the messages in flight, the refreshes they ask for and the work scheduled
    after those refreshes run (what a fixed pause only hopes for)."""
    for _ in range(3):
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
