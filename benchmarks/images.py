"""Does drawing figures as pictures cost the reader its speed?

Serves a generated article with 50 figures (1200 × 800 JPEGs) from a local HTTP server
on 127.0.0.1, runs the real program in tmux (120x40, truecolor, no animations) and
measures, in the same run:

* first paint (launch → the first words of the article on screen) with images on and
  with ``--no-images``, alternating runs, medians, and their ratio (target: within 10 %);
* time from first paint until the first picture cells show;
* page-down through the article with images on (and off, as the baseline): time from the
  key to the changed screen, mean and worst (target: <= 20 ms a page).

    python benchmarks/images.py [--runs 5] [--pages 30] [--reader PATH]

Times come from polling ``tmux capture-pane`` every ~2 ms, so they include a few
milliseconds of polling on top of the app's own time.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from article_gen import generate  # noqa: E402
from tmux_screen import TmuxScreen  # noqa: E402

WIDTH, HEIGHT = 120, 40
SCREEN = TmuxScreen("reader-images-bench", WIDTH, HEIGHT)
FIGURES = 50


# --------------------------------------------------------------------------- the site


def make_image(n: int) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.linear_gradient("L").resize((1200, 800)).convert("RGB")
    tint = Image.new("RGB", im.size, ((n * 53) % 256, (n * 97) % 256, (n * 151) % 256))
    im = Image.blend(im, tint, 0.5)
    draw = ImageDraw.Draw(im)
    for k in range(12):
        x, y = (n * 37 + k * 91) % 1100, (n * 17 + k * 61) % 700
        draw.ellipse((x, y, x + 120, y + 90), fill=((k * 40) % 256, (n * 11) % 256, 200))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def article_with_figures(base: str, count: int) -> str:
    """Generated article HTML with exactly ``count`` figures (the smallest size that has them)."""
    url = base + "/img/{n}.jpg"
    low, high = 10_000, 2_000_000
    while low < high:
        mid = (low + high) // 2
        if generate(mid, image_url=url).count("<figure") >= count:
            high = mid
        else:
            low = mid + 1
    return generate(low, image_url=url)


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = routes.get(self.path.split("?")[0])
                if found is None:
                    self.send_error(404)
                    return
                kind, body = found
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def first_paint(reader: str, url: str, words: tuple[str, str], env: dict[str, str], images: bool,
                ) -> tuple[float, float | None]:
    flag = "" if images else "--no-images "
    launched = SCREEN.start(f"{reader} {flag}{url}", env)
    SCREEN.wait_until(lambda s: all(w in s for w in words))
    paint = time.perf_counter() - launched
    picture = None
    if images:
        picture = SCREEN.wait_until(lambda s: "▀" in s, timeout=20) + paint
    SCREEN.stop()
    return paint, picture


def page_downs(reader: str, url: str, words: tuple[str, str], env: dict[str, str], images: bool,
               pages: int) -> list[float]:
    flag = "" if images else "--no-images "
    SCREEN.start(f"{reader} {flag}{url}", env)
    SCREEN.wait_until(lambda s: all(w in s for w in words))
    time.sleep(1.0 if images else 0.3)
    times = SCREEN.key_times("PageDown", pages)
    # Back to the top before quitting: reader resumes where it was left, and the next run
    # must start at the first paint again.
    SCREEN.send("g")
    time.sleep(0.3)
    SCREEN.stop()
    return times


async def body_cost(url: str, images: bool, pages: int) -> tuple[list[float], list[float]]:
    """In-process, headless: the body's own work per page-down (scroll, lay out, paint
    every line), and the UI-thread work each arriving picture costs (re-lay out the
    figure, pane preview). No terminal, no polling: the part images could slow down."""
    import asyncio

    from reader.ui.app import ReaderApp
    from reader.ui.widgets.panes.figures import FiguresPane

    app = ReaderApp(url, images=images)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        while app.current is None or app.is_loading:
            await pilot.pause(0.02)
        screen = app.article_screen
        body = screen.body
        pane = screen.query_one(FiguresPane)
        arrivals: list[float] = []

        def timed(fn: Callable[[str], None]) -> Callable[[str], None]:
            def run(src: str) -> None:
                t = time.perf_counter()
                fn(src)
                arrivals.append(time.perf_counter() - t)
            return run

        body.figure_ready = timed(body.figure_ready)  # type: ignore[method-assign]
        pane.show_preview = timed(pane.show_preview)  # type: ignore[method-assign]
        await pilot.pause(0.5)
        times = []
        for _ in range(pages):
            t = time.perf_counter()
            body.action_page_down()
            for y in range(body.size.height):
                body.render_line(y)
            times.append(time.perf_counter() - t)
            await asyncio.sleep(0.05)  # pictures arrive between pages, as when reading
        if screen.images is not None:
            await screen.images.wait_idle(20)
    return times, arrivals


BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    n = 0
    def compose(self):
        yield Static("READY 0", id="s")
    def on_key(self, event):
        self.n += 1
        self.query_one("#s", Static).update(f"READY {self.n}")
Bare().run()
"""


def bare_key_to_screen(env: dict[str, str], pages: int) -> list[float]:
    """The floor of this measurement: a bare Textual app redrawing one word per key."""
    path = Path(tempfile.gettempdir()) / "reader_images_bench_bare.py"
    path.write_text(BARE_APP)
    SCREEN.start(f"{sys.executable} {path}", env)
    SCREEN.wait_until(lambda s: "READY" in s)
    time.sleep(0.3)
    times = SCREEN.key_times("PageDown", pages)
    SCREEN.stop()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--reader", default=shutil.which("reader") or f"{sys.executable} -m reader")
    args = ap.parse_args()
    if not shutil.which("tmux"):
        print("tmux is needed for this benchmark", file=sys.stderr)
        return 2
    from reader.extract import extract

    site = Site()
    html = article_with_figures(site.base, FIGURES)
    site.routes["/article"] = ("text/html; charset=utf-8", html.encode())
    numbers = sorted({int(m) for m in re.findall(r"/img/(\d+)\.jpg", html)})
    sizes = []
    for n in numbers:
        data = make_image(n)
        sizes.append(len(data))
        site.routes[f"/img/{n}.jpg"] = ("image/jpeg", data)
    article = extract(html, url=site.base + "/article")
    paragraphs = [b for b in article.blocks if b.kind == "paragraph"]
    # The title (one line in the header) and the first paragraph's first word: the two
    # are set in one frame. Several words of a paragraph may wrap across lines.
    words = (article.title, paragraphs[0].text.split()[0])
    url = site.base + "/article"
    print(f"article: {len(html) / 1000:.0f} KB, {len(article.figures())} figures, "
          f"JPEGs 1200x800 of {statistics.mean(sizes) / 1000:.0f} KB on average")

    home = Path(tempfile.mkdtemp(prefix="reader-images-bench-"))
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none",
           "READER_HOME": str(home), "PATH": os.environ.get("PATH", ""), "TMUX": "1"}
    try:
        on, off, pictures = [], [], []
        for run in range(args.runs):
            shutil.rmtree(home / "cache", ignore_errors=True)  # a cold image cache each time
            order = (True, False) if run % 2 == 0 else (False, True)
            for images in order:
                paint, picture = first_paint(args.reader, url, words, env, images)
                (on if images else off).append(paint)
                if picture is not None:
                    pictures.append(picture - paint)
        ratio = statistics.median(on) / statistics.median(off)
        best = min(on) / min(off)
        print(f"first paint, images off: median {statistics.median(off) * 1000:5.0f} ms, best "
              f"{min(off) * 1000:5.0f} ms ({len(off)} runs)")
        print(f"first paint, images on:  median {statistics.median(on) * 1000:5.0f} ms, best "
              f"{min(on) * 1000:5.0f} ms  ratio {ratio:.3f} (best {best:.3f})  "
              f"{'ok' if ratio <= 1.10 else 'OVER'} (target <= 1.10)")
        print(f"first picture cells after first paint: {statistics.median(pictures) * 1000:.0f} ms")

        shutil.rmtree(home / "cache", ignore_errors=True)
        floor = bare_key_to_screen(env, args.pages)
        print(f"bare Textual app, key to changed screen: mean "
              f"{statistics.mean(floor) * 1000:5.1f} ms (the floor of this measurement)")
        with_images = page_downs(args.reader, url, words, env, True, args.pages)
        warm = page_downs(args.reader, url, words, env, True, args.pages)  # disk cache now
        without = page_downs(args.reader, url, words, env, False, args.pages)
        mean_on = statistics.mean(with_images) * 1000
        print(f"page down, images off: mean {statistics.mean(without) * 1000:5.1f} ms, "
              f"worst {max(without) * 1000:5.1f} ms ({len(without)} pages)")
        mean_off = statistics.mean(without) * 1000
        print(f"page down, images on:  mean {mean_on:5.1f} ms, worst "
              f"{max(with_images) * 1000:5.1f} ms ({len(with_images)} pages, cold cache)  "
              f"{'ok' if mean_on <= 20 else 'OVER'} (target <= 20 ms); "
              f"{mean_on - mean_off:+.1f} ms over images off")
        print(f"page down, images on:  mean {statistics.mean(warm) * 1000:5.1f} ms, worst "
              f"{max(warm) * 1000:5.1f} ms ({len(warm)} pages, warm disk cache)")
        import asyncio

        os.environ["READER_HOME"] = str(home / "inproc")
        off_cost, _ = asyncio.run(body_cost(url, False, args.pages))
        on_cost, arrivals = asyncio.run(body_cost(url, True, args.pages))
        print(f"body work per page (in process), images off: mean "
              f"{statistics.mean(off_cost) * 1000:.2f} ms, worst {max(off_cost) * 1000:.2f} ms")
        print(f"body work per page (in process), images on:  mean "
              f"{statistics.mean(on_cost) * 1000:.2f} ms, worst {max(on_cost) * 1000:.2f} ms")
        if arrivals:
            print(f"UI-thread work per arriving picture: mean "
                  f"{statistics.mean(arrivals) * 1000:.2f} ms, worst "
                  f"{max(arrivals) * 1000:.2f} ms ({len(arrivals)} calls)")
    finally:
        SCREEN.stop(quit_key=None)
        site.close()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
