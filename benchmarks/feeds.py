"""How fast ``reader feed refresh`` is, what concurrency buys, and what a polite second
refresh costs.

Serves N generated RSS feeds of 50 items each from a threaded HTTP server on 127.0.0.1
in this process (ETag and Last-Modified on every answer, 304 when the client sends them
back), subscribes a fresh library to them through an OPML file, and runs the real
command (``python -m reader feed refresh --force``) in a child process:

* ``--jobs 8`` against ``--jobs 1`` on a first refresh (wall time, ratio), with the
  server answering at once and after ``--latency`` milliseconds per request;
* the second refresh of the unchanged feeds (every answer a 304) against the first;
* the child's peak memory (max RSS) for each run;
* the feeds screen opening over 50,000 items against a bare Textual app (``--screen``).

    python benchmarks/feeds.py [--feeds 500] [--latency 0,30] [--quick] [--screen]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ITEMS = 50
LAST_MODIFIED = "Mon, 30 Nov 2026 08:00:00 GMT"


def make_feed(n: int) -> bytes:
    items = []
    for i in range(ITEMS):
        stamp = format_datetime(datetime.fromtimestamp(1.76e9 - i * 3600, UTC), usegmt=True)
        items.append(
            f"<item><title>{escape(f'Story {i} from feed {n} & friends')}</title>"
            f"<link>/post/{n}/{i}.html</link><guid>feed-{n}-item-{i}</guid>"
            f"<pubDate>{stamp}</pubDate><description>{escape('<p>' + 'A teaser. ' * 20)}"
            f"</description></item>")
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Feed {n}</title><link>/</link><description>Generated</description>"
            + "".join(items) + "</channel></rss>").encode()


class Feeds:
    def __init__(self, count: int) -> None:
        self.bodies = {f"/feed/{n}.xml": make_feed(n) for n in range(count)}
        self.etags = {p: '"' + hashlib.sha1(b).hexdigest()[:16] + '"'
                      for p, b in self.bodies.items()}
        self.latency = 0.0
        self.counts = {"200": 0, "304": 0}
        self.lock = threading.Lock()


def serve(feeds: Feeds) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if feeds.latency:
                time.sleep(feeds.latency)
            body = feeds.bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = feeds.etags[self.path]
            if self.headers.get("If-None-Match") == etag:
                with feeds.lock:
                    feeds.counts["304"] += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with feeds.lock:
                feeds.counts["200"] += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def reader(data: Path, *args: str) -> tuple[float, float, str]:
    """Run ``reader --data-dir DATA ARGS`` to completion: (seconds, peak MiB, stdout)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env.pop(name, None)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "reader", "--data-dir", str(data), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    out, err = proc.communicate(timeout=1800)
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # max over children so far
    if proc.returncode != 0:
        raise SystemExit(f"reader {' '.join(args)} failed ({proc.returncode}): {err[-500:]}")
    return elapsed, usage.ru_maxrss / 1024, out.strip()


def subscribe(data: Path, server: ThreadingHTTPServer, count: int, folder: Path) -> None:
    port = server.server_address[1]
    outlines = "".join(
        f"<outline type='rss' text={quoteattr(f'Feed {n}')} "
        f"xmlUrl='http://127.0.0.1:{port}/feed/{n}.xml'/>" for n in range(count))
    opml = folder / "subs.opml"
    opml.write_text(f"<opml version='2.0'><body>{outlines}</body></opml>", encoding="utf-8")
    reader(data, "import", str(opml))


def refresh_runs(count: int, latencies: list[float]) -> None:
    feeds = Feeds(count)
    server = serve(feeds)
    peak = 0.0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for latency in latencies:
                feeds.latency = latency / 1000
                times = {}
                for jobs in (1, 8):
                    data = folder / f"lib-{latency:g}-{jobs}"
                    subscribe(data, server, count, folder)
                    seconds, mib, out = reader(data, "feed", "refresh", "--force",
                                               "--jobs", str(jobs))
                    peak = max(peak, mib)
                    times[jobs] = seconds
                    print(f"  latency {latency:g} ms, --jobs {jobs}: {seconds:6.2f} s "
                          f"({count * ITEMS / seconds:,.0f} items/s)  [{out}]")
                print(f"  latency {latency:g} ms: --jobs 8 takes {times[8] / times[1]:.2f}x "
                      f"the time of --jobs 1 (speed-up {times[1] / times[8]:.2f}x)")
                before = dict(feeds.counts)
                second, mib, out = reader(folder / f"lib-{latency:g}-8", "feed", "refresh",
                                          "--force", "--jobs", "8")
                peak = max(peak, mib)
                got304 = feeds.counts["304"] - before["304"]
                print(f"  latency {latency:g} ms, second refresh (unchanged): {second:6.2f} s "
                      f"= {second / times[8]:.1%} of the first ({got304}/{count} answered 304)"
                      f"  [{out}]")
    finally:
        server.shutdown()
    print(f"  peak memory of any reader process (max RSS): {peak:.0f} MiB (limit 150 MiB)")


def screen_run(total_items: int) -> None:
    """Open the feeds screen over ``total_items`` items against a bare Textual app."""
    import asyncio
    from collections.abc import Callable

    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Footer

    sys.path.insert(0, str(ROOT))
    from reader.feeds.parse import FeedItem, ParsedFeed
    from reader.library import Library
    from reader.library.feeds import Feeds as Store
    from reader.ui.screens.feeds_screen import FeedsScreen

    with tempfile.TemporaryDirectory() as tmp:
        library = Library.open(Path(tmp))
        store = Store(library)
        per_feed = 50
        for n in range(total_items // per_feed):
            feed_id, _ = store.add(f"https://feed{n}.invalid/rss", title=f"Feed {n}",
                                   tags=(f"Folder {n % 10}",))
            items = tuple(FeedItem(f"k{i}", f"https://feed{n}.invalid/{i}", f"Story {i}",
                                   None, f"2026-11-{1 + i % 28:02d}T00:00:00+00:00",
                                   "teaser", None) for i in range(per_feed))
            store.store_refresh(feed_id, ParsedFeed(f"Feed {n}", None, items), etag=None,
                                last_modified=None, next_check=datetime.now(UTC))

        class Bare(App[None]):
            pass

        empty = Store(Library.open(Path(tmp) / "empty"))

        class Host(App[None]):
            source = store

            def on_mount(self) -> None:
                self.push_screen(FeedsScreen(self.source, lambda: None))  # type: ignore[arg-type,return-value]

        class Empty(Host):
            source = empty

        cpu: dict[str, list[float]] = {"bare": [], "empty": [], "full": []}

        async def timed(app: App[None], kind: str) -> float:
            start, used = time.perf_counter(), time.process_time()
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                cpu[kind].append(time.process_time() - used)
                return time.perf_counter() - start

        async def pushed(make: Callable[[], Screen[None]]) -> float:
            """Pressing F in a running app: push the screen, wait for it to be shown."""
            app = Bare()
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                start = time.perf_counter()
                await app.push_screen(make())
                await pilot.pause()
                return time.perf_counter() - start

        class Plain(Screen[None]):
            def compose(self) -> ComposeResult:
                yield Footer()

        runs: dict[str, list[float]] = {k: [] for k in ("bare", "empty", "full", "plain",
                                                         "push")}
        for _ in range(5):  # interleaved, best of five: the machine is shared
            runs["bare"].append(asyncio.run(timed(Bare(), "bare")))
            runs["empty"].append(asyncio.run(timed(Empty(), "empty")))
            runs["full"].append(asyncio.run(timed(Host(), "full")))
            runs["plain"].append(asyncio.run(pushed(Plain)))
            runs["push"].append(asyncio.run(pushed(lambda: FeedsScreen(store, None))))  # type: ignore[arg-type]
        bare, nothing, full, plain, push = (min(runs[k]) for k in (
            "bare", "empty", "full", "plain", "push"))
        library.close()
        empty.library.close()
    print(f"  pressing F in a running app over {total_items:,} items: {push * 1000:.0f} ms "
          f"(a screen holding only a Footer: {plain * 1000:.0f} ms)")
    print(f"  feeds screen over {total_items:,} items: {full * 1000:.0f} ms; bare Textual app "
          f"{bare * 1000:.0f} ms: +{(full - bare) * 1000:.0f} ms over the floor "
          f"(limit 300 ms), {full / bare:.2f}x")
    print(f"  of which the screen with no feeds at all: +{(nothing - bare) * 1000:.0f} ms, "
          f"and the {total_items:,} items: +{(full - nothing) * 1000:.0f} ms")
    floor, used_empty, used_full = (min(cpu[k]) for k in ("bare", "empty", "full"))
    print(f"  CPU time, which other processes on a shared machine disturb less: bare app "
          f"{floor * 1000:.0f} ms, feeds screen +{(used_full - floor) * 1000:.0f} ms "
          f"(empty +{(used_empty - floor) * 1000:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--latency", default="0,30", help="server delays in ms, comma-separated")
    parser.add_argument("--quick", action="store_true", help="100 feeds, 30 ms only")
    parser.add_argument("--screen", action="store_true",
                        help="also time the feeds screen over 50,000 items")
    args = parser.parse_args()
    count = 100 if args.quick else args.feeds
    latencies = [30.0] if args.quick else [float(x) for x in args.latency.split(",") if x]
    print(f"reader feed refresh: {count} feeds x {ITEMS} items from 127.0.0.1")
    refresh_runs(count, latencies)
    if args.screen:
        screen_run(50_000)


if __name__ == "__main__":
    main()
