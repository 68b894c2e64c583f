"""How fast ``reader import`` brings in a reading list, and what concurrency buys.

Serves N generated article pages (~600 words each, with navigation and footer
boilerplate) from a threaded HTTP server on 127.0.0.1 in this process, writes a plain
URL list, and runs the real command (``python -m reader import``) into a fresh library:

* ``--jobs 4`` against ``--jobs 1`` (wall time, articles per second, ratio), with the
  server answering at once and, to stand in for the real web, after a delay per page
  (``--latency``, milliseconds);
* a second run of the same list (everything already in the library, nothing fetched);
* per-article time of the import against ``reader dump URL`` of one such page (a whole
  process: start-up, fetch, extraction, output), measured in the same run.

    python benchmarks/import_bench.py [--pages 1000] [--latency 0,30] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

_VOCABULARY = ("harbour river town evening weather harvest winter bridge ferry market lantern "
               "council archive garden orchard mill quarry station tide lighthouse workshop "
               "festival choir bakery meadow railway library school chapel square fountain")
WORDS = _VOCABULARY.split(" ")


def make_page(n: int) -> bytes:
    rng = random.Random(n)
    paragraphs = []
    for _ in range(10):
        sentences = []
        for _ in range(5):
            words = [rng.choice(WORDS) for _ in range(12)]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(f"<p>{' '.join(sentences)}</p>")
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            f"<title>Article number {n}</title></head><body>"
            "<header><nav><a href='/'>Home</a> <a href='/about'>About</a> "
            "<a href='/archive'>Archive</a></nav></header>"
            f"<main><article><h1>Article number {n}</h1>"
            f"<p class=byline>By A. Writer</p>{''.join(paragraphs)}</article>"
            "<aside><h2>Related</h2><ul><li><a href='/x'>Another story</a></li>"
            "<li><a href='/y'>And another</a></li></ul></aside></main>"
            "<footer><p>© Example News. All rights reserved.</p></footer>"
            "</body></html>").encode()


class Site:
    """Pages /p/<n> on 127.0.0.1, each answered after ``latency`` seconds."""

    def __init__(self, pages: int) -> None:
        self.pages = {f"/p/{n}": make_page(n) for n in range(pages)}
        self.latency = 0.0
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else 40 ms delayed-ACK stalls per page

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = site.pages.get(self.path)
                if site.latency:
                    time.sleep(site.latency)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

        self.httpd = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


def reader(args: list[str], home: Path) -> float:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["READER_HOME"] = str(home)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "reader", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"reader {' '.join(args[:2])} failed: {result.stderr.strip()}")
    if args[0] == "import" and "failed 0" not in result.stdout:
        raise SystemExit(f"import reported failures: {result.stdout.strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--latency", default="0,30",
                        help="server delays per page to try, in milliseconds (default 0,30)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of reader dump")
    args = parser.parse_args()

    site = Site(args.pages)
    with tempfile.TemporaryDirectory(prefix="reader-import-bench-") as tmp:
        work = Path(tmp)
        urls = work / "urls.txt"
        urls.write_text("\n".join(site.url(p) for p in site.pages) + "\n")
        print(f"reader import: {args.pages} URLs of ~{len(make_page(0)) // 1024} KB pages "
              f"from 127.0.0.1, {os.cpu_count()} CPUs")

        import_4_at_0 = None
        for delay in (float(x) for x in args.latency.split(",")):
            site.latency = delay / 1000
            times = {}
            for jobs in (1, 4):
                home = work / f"home-{delay:g}-{jobs}"
                times[jobs] = reader(["import", str(urls), "--jobs", str(jobs), "--no-images"],
                                     home)
            again = reader(["import", str(urls)], work / f"home-{delay:g}-4")
            if delay == 0:
                import_4_at_0 = times[4]
            print(f"  server latency {delay:g} ms:")
            for jobs in (1, 4):
                print(f"    --jobs {jobs}: {times[jobs]:7.2f} s  "
                      f"{args.pages / times[jobs]:7.1f} articles/s  "
                      f"{times[jobs] / args.pages * 1000:6.1f} ms/article")
            print(f"    speed-up of --jobs 4 over --jobs 1: {times[1] / times[4]:.2f}x")
            print(f"    second run (all {args.pages} already in the library): {again:.2f} s")

        site.latency = 0
        one = site.url("/p/0")
        dumps = [reader(["dump", one], work / "dump-home") for _ in range(args.repeat)]
        dump = statistics.median(dumps)
        print(f"reader dump of one page (whole process, median of {args.repeat}): "
              f"{dump * 1000:.0f} ms")
        if import_4_at_0 is not None:
            per = import_4_at_0 / args.pages
            print(f"import per article (--jobs 4, no latency): {per * 1000:.1f} ms = "
                  f"{per / dump:.3f}x a reader dump ({dump / per:.0f} articles imported in "
                  "the time of one dump)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
