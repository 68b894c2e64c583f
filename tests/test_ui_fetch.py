"""Loading a URL in the app: the status line counts bytes, Esc cancels at once, and the
app stays usable — against a real server on 127.0.0.1 that never finishes its page."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from textual.worker import WorkerState

from reader.ui.app import ReaderApp
from reader.ui.screens.help_screen import HelpScreen
from tests.localserver import ARTICLE, LocalServer, add_standard_routes
from tests.ui_helpers import body_text, notifications, run, wait_for, wait_loaded


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with LocalServer() as srv:
        yield add_standard_routes(srv)


def status_text(app: ReaderApp) -> str:
    return str(app.article_screen.status.render())


def test_esc_cancels_a_slow_download_and_the_app_stays_responsive(server: LocalServer) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(ARTICLE))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            assert "Cities are full of birds" in body_text(app)

            app.open_source(server.url("/trickle"))
            worker = app._loading
            assert worker is not None
            # The status line counts what has arrived, e.g. "… 12 KiB of 10 MiB (Esc cancels)".
            await wait_for(pilot, lambda: " KiB of 10 MiB" in status_text(app), timeout=10)
            assert "Loading http://127.0.0.1" in status_text(app)
            assert "Esc cancels" in status_text(app)

            await pilot.press("escape")
            await wait_for(pilot, lambda: worker.state == WorkerState.CANCELLED)
            assert not app.is_loading
            assert "Loading" not in status_text(app)
            # the server sees the connection closed, not merely ignored
            assert await asyncio.to_thread(server.client_gone.wait, 5)

            # still the same article, and keys still work
            assert "Cities are full of birds" in body_text(app)
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), timeout=5)

    run(scenario)


def test_a_failed_download_is_reported_and_the_article_kept(server: LocalServer) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(ARTICLE))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            app.open_source(server.url("/pdf"))
            await wait_for(pilot, lambda: not app.is_loading, timeout=10)
            await pilot.pause()
            messages = notifications(app)
            assert any("is a PDF document (application/pdf), not a web page." in m
                       for m in messages), messages
            assert "Cities are full of birds" in body_text(app)

    run(scenario)


def test_a_url_source_opens_through_the_fetcher(server: LocalServer) -> None:
    async def scenario() -> None:
        app = ReaderApp(server.url("/chain/3"))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            assert app.current is not None
            assert app.current.loaded.source_url == server.url("/article")
            assert "Cities are full of birds" in body_text(app)

    run(scenario)
