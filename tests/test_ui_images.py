"""Figures as pictures in the running app: placeholders first, then half-block cells as
the images arrive from a real HTTP server on 127.0.0.1, without the text moving under
the reader; full screen, the figures pane's previews, `O`, and images turned off."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from PIL import Image
from textual.pilot import Pilot

from reader.document import Article, Figure, Heading, Paragraph, Position, Span
from reader.sources import Loaded
from reader.ui.app import ReaderApp
from reader.ui.screens.figure_screen import FigureScreen
from reader.ui.widgets.panes.figure_view import FigureView, PreviewPrompt
from reader.ui.widgets.panes.figures import FiguresPane
from tests.localserver import LocalServer
from tests.ui_helpers import (
    FakeBrowser,
    body_lines,
    body_text,
    run,
    use_browser,
    wait_for,
    wait_loaded,
)

RED, BLUE, GREEN = (220, 30, 30), (30, 40, 220), (30, 180, 60)


def png(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> bytes:
    im = Image.new("RGB", size, bottom)
    im.paste(top, (0, 0, size[0], size[1] // 2))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


LOREM = ("The harbour wall was rebuilt in stone after the storm, and the fishing boats came "
         "back one by one as the season turned. ")


def article_html(figures: int = 2, paragraphs_between: int = 3) -> str:
    parts = ["<html><head><title>Harbour pictures</title></head><body><article>",
             "<h1>Harbour pictures</h1>"]
    for n in range(1, figures + 1):
        parts.append(f"<h2>Part {n}</h2>")
        parts += [f"<p>{LOREM * 3}Paragraph {n}.{k}.</p>" for k in range(paragraphs_between)]
        parts.append(f'<figure><img src="/img/{n}.png" alt="Boats number {n}">'
                     f"<figcaption>Caption {n}: the boats at dawn.</figcaption></figure>")
    parts.append(f"<p>{LOREM * 4}The end.</p></article></body></html>")
    return "".join(parts)


def gated(data: bytes, gate: threading.Event) -> Callable[[BaseHTTPRequestHandler], None]:
    """An image response held back until ``gate`` opens (at most 10 s)."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        gate.wait(10)
        request.send_response(200)
        request.send_header("Content-Type", "image/png")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    return handler


Site = tuple[LocalServer, threading.Event]


@pytest.fixture
def site() -> Iterator[tuple[LocalServer, threading.Event]]:
    gate = threading.Event()
    with LocalServer() as server:
        server.add("/article", body=article_html(), content_type="text/html; charset=utf-8")
        server.add_handler("/img/1.png", gated(png((300, 200), RED, BLUE), gate))
        server.add_handler("/img/2.png", gated(png((200, 200), GREEN, RED), gate))
        yield server, gate
        gate.set()


def picture_segments(app: ReaderApp) -> list:
    body = app.article_screen.body
    return [seg for y in range(body.size.height) for seg in body.render_line(y)
            if "▀" in seg.text]


def image_requests(server: LocalServer) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith("/img/")]


async def settle(pilot: Pilot, app: ReaderApp) -> None:
    images = app.article_screen.images
    assert images is not None
    await wait_for(pilot, lambda: not images._pending)
    await pilot.pause()


def test_placeholders_first_then_truecolor_half_block_cells(site: Site) -> None:
    server, gate = site

    async def scenario() -> None:
        app = ReaderApp(server.url("/article"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            # first paint: the text and framed placeholders, while the images are held
            text = body_text(app)
            assert "Paragraph 1.0" in text
            assert "┌─ picture" in text and "Boats number 1" in text
            assert "▀" not in text
            await wait_for(pilot, lambda: "/img/1.png" in image_requests(server))
            gate.set()
            await wait_for(pilot, lambda: bool(picture_segments(app)))
            for seg in picture_segments(app):
                assert seg.style.color.triplet is not None  # truecolor, not a palette index
                assert seg.style.bgcolor.triplet is not None
            top = picture_segments(app)[0].style.color.triplet
            assert abs(top.red - RED[0]) < 30 and top.blue < 80
            # the picture took the placeholder's place, with alt text and caption under it
            article = app.article_screen.article
            block = next(i for i, b in enumerate(article.blocks) if isinstance(b, Figure))
            app.article_screen.body.scroll_to_position(Position(block))
            await pilot.pause()
            lines = body_lines(app)
            rows = [i for i, ln in enumerate(lines) if "▀" in ln]
            assert rows == list(range(len(rows))) and 10 <= len(rows) <= 24
            below = "\n".join(lines[len(rows):len(rows) + 4])
            assert "Boats number 1" in below and "Caption 1: the boats at dawn." in below
            assert "┌─ picture" not in below

    run(scenario())


def test_the_text_in_view_stays_put_when_a_picture_above_it_arrives(site: Site) -> None:
    server, gate = site

    async def scenario() -> None:
        app = ReaderApp(server.url("/article"))
        async with app.run_test(size=(100, 20)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            article = screen.article
            figure_block = next(i for i, b in enumerate(article.blocks) if isinstance(b, Figure))
            target = figure_block + 2  # the paragraph after the heading after figure 1
            screen.body.scroll_to_position(Position(target))
            await pilot.pause()
            await wait_for(pilot, lambda: "/img/1.png" in image_requests(server))
            before = screen.body.top_position()
            first_line = body_lines(app)[0]
            height_before = screen.body._heights[figure_block]
            gate.set()
            await settle(pilot, app)
            assert screen.body._heights[figure_block] > height_before + 5  # it grew above us
            assert screen.images is not None and screen.images.status(
                server.url("/img/1.png")) == "ready"
            assert screen.body.top_position() == before
            assert body_lines(app)[0] == first_line
            # and scrolling back up shows the picture where the placeholder was
            screen.body.scroll_to_position(Position(figure_block))
            await pilot.pause()
            assert "▀" in body_lines(app)[0]

    run(scenario())


def test_enter_opens_the_figure_full_screen_and_escape_comes_back(site: Site) -> None:
    server, gate = site
    gate.set()

    async def scenario() -> None:
        app = ReaderApp(server.url("/article"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await settle(pilot, app)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, FigureScreen))
            view = app.screen.query_one(FigureView)
            await wait_for(pilot, lambda: view.state == "shown")
            await pilot.pause()
            picture = app.screen.query_one("#figure-picture")
            rows = [picture.render_line(y).text for y in range(picture.size.height)]
            drawn = [r for r in rows if "▀" in r]
            assert len(drawn) > 20  # bigger than in the body (24 rows at most there)
            assert "Caption 1: the boats at dawn." in str(
                app.screen.query_one("#figure-words").render())
            assert "Figure 1 of 2" in str(app.screen.query_one("#figure-title").render())
            await pilot.press("n")  # the next figure, without leaving full screen
            await wait_for(pilot, lambda: "Figure 2 of 2" in str(
                app.screen.query_one("#figure-title").render()))
            view = app.screen.query_one(FigureView)
            await wait_for(pilot, lambda: view.state == "shown")
            assert "Caption 2" in str(app.screen.query_one("#figure-words").render())
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, FigureScreen))

    run(scenario())


def test_the_figures_pane_shows_a_preview_beside_each_caption(site: Site) -> None:
    server, gate = site
    gate.set()

    async def scenario() -> None:
        app = ReaderApp(server.url("/article"))
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_loaded(pilot, app)
            pane = app.article_screen.query_one(FiguresPane)
            await wait_for(pilot, lambda: all(
                isinstance(pane.get_option_at_index(i).prompt, PreviewPrompt)
                for i in range(2)))
            prompt = pane.get_option_at_index(0).prompt
            assert "Caption 1: the boats at dawn." in str(prompt)
            assert len(prompt.strips) <= 4 and prompt.strips[0].cell_length <= 8
            # choosing a figure in the pane opens it full screen
            pane.focus()
            pane.highlighted = 1
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, FigureScreen))
            assert app.screen.figure.caption.startswith("Caption 2")

    run(scenario())


def test_o_on_a_figure_opens_the_image_in_the_browser(site: Site,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    server, gate = site
    gate.set()
    browser = FakeBrowser()
    use_browser(monkeypatch, browser)

    async def scenario() -> None:
        app = ReaderApp(server.url("/article"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("O")
            await wait_for(pilot, lambda: bool(browser.opened))
            assert browser.opened == [server.url("/img/1.png")]

    run(scenario())


def test_no_images_draws_placeholders_and_fetches_nothing(site: Site) -> None:
    server, gate = site
    gate.set()

    async def scenario() -> None:
        app = ReaderApp(server.url("/article"), images=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.pause(0.3)
            assert "┌─ picture" in body_text(app)
            assert image_requests(server) == []
            assert app.article_screen.images is None

    run(scenario())


def test_a_broken_image_stays_a_placeholder() -> None:
    async def scenario(server: LocalServer) -> None:
        app = ReaderApp(server.url("/article"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await settle(pilot, app)
            images = app.article_screen.images
            assert images is not None
            assert images.status(server.url("/img/1.png")) == "failed"
            assert images.status(server.url("/img/2.png")) == "failed"
            text = body_text(app)
            assert "┌─ picture" in text and "Boats number 1" in text
            assert "Caption 1: the boats at dawn." in text
            await pilot.press("enter")  # full screen says why instead of failing
            await wait_for(pilot, lambda: isinstance(app.screen, FigureScreen))
            view = app.screen.query_one(FigureView)
            await wait_for(pilot, lambda: view.state == "failed")
            assert "Boats number 1" in str(app.screen.query_one("#figure-message").render())

    with LocalServer() as server:
        server.add("/article", body=article_html(), content_type="text/html; charset=utf-8")
        server.add("/img/1.png", body=b"\x89PNG\r\n\x1a\nbroken", content_type="image/png")
        server.add("/img/2.png", body=b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                   content_type="image/svg+xml")
        run(scenario(server))


def test_a_saved_article_takes_its_pictures_from_the_library_offline() -> None:
    from reader.library import Library

    dead = "http://127.0.0.1:9"  # nothing listens here: any fetch would fail
    article = Article(
        url=dead + "/saved", title="Saved harbour",
        blocks=(Paragraph((Span(LOREM),)),
                Figure(dead + "/img/saved.png", alt="Saved boats", caption="Kept offline.")),
    )
    library = Library.open()
    saved_id = library.save(article, source_url=dead + "/saved",
                            images={dead + "/img/saved.png": png((120, 80), GREEN, BLUE)})
    library.close()

    async def scenario() -> None:
        app = ReaderApp()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.open_saved(saved_id)
            await wait_for(pilot, lambda: app.article_screen.article.title == "Saved harbour")
            await wait_for(pilot, lambda: bool(picture_segments(app)))
            images = app.article_screen.images
            assert images is not None and images.status(dead + "/img/saved.png") == "ready"
            assert "Kept offline." in body_text(app)

    run(scenario())


@pytest.mark.parametrize("mode", ["kitty", "sixel"])
def test_full_screen_uses_textual_image_for_graphics_terminals(mode: str) -> None:
    from textual_image.widget import SixelImage, TGPImage

    figure = Figure(data_url(png((640, 480), RED, BLUE)), alt="Flag", caption="Big flag.")

    async def scenario() -> None:
        app = ReaderApp(images=False)
        async with app.run_test(size=(100, 30)) as pilot:
            from reader.ui.pictures.loader import ImageLoader

            await app.push_screen(FigureScreen(ImageLoader(), figure, mode, "Figure 1 of 1"))
            view = app.screen.query_one(FigureView)
            await wait_for(pilot, lambda: view.state == "shown")
            picture = app.screen.query_one("#figure-picture")
            assert isinstance(picture, TGPImage if mode == "kitty" else SixelImage)
            assert picture.image.size == (640, 480)  # full resolution, not the body's copy

    run(scenario())


def test_the_config_file_can_turn_images_off(site: Site, reader_home: Path) -> None:
    server, gate = site
    gate.set()
    (reader_home / "config").mkdir(parents=True, exist_ok=True)
    (reader_home / "config" / "config.toml").write_text('images = "off"\n')

    async def scenario() -> None:
        app = ReaderApp(server.url("/article"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.pause(0.3)
            assert app.article_screen.images is None
            assert "┌─ picture" in body_text(app)
            assert image_requests(server) == []

    run(scenario())


# --------------------------------------------------------------------------- snapshot


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def snapshot_app() -> ReaderApp:
    article = Article(
        url="https://harbour.example/pictures",
        title="Harbour pictures",
        byline="A. Photographer",
        blocks=(
            Heading(1, (Span("Harbour pictures"),), "top"),
            Paragraph((Span(LOREM * 2),)),
            Figure(data_url(png((160, 100), RED, BLUE)), alt="A red and blue flag",
                   caption="The harbour flag at noon.", credit="(Photo: Example)"),
            Paragraph((Span(LOREM),)),
        ),
    )
    app = ReaderApp(loaded=Loaded(article, None, "https://harbour.example/pictures"))
    app.config = type(app.config)(images="halfblock", show_toc=False, show_figures=True)
    return app


def test_snapshot_of_an_article_with_a_picture_in_half_blocks(
        snap_compare: Callable[..., bool]) -> None:
    async def until_drawn(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, ReaderApp)
        await wait_for(pilot, lambda: app.current is not None)
        await settle(pilot, app)
        await wait_for(pilot, lambda: bool(picture_segments(app)))
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=(110, 34), run_before=until_drawn)
