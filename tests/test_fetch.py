"""The fetcher against a real (hostile) HTTP server on 127.0.0.1: each way the web can
fail gives its one sentence, in the library and through `reader dump URL`."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader import __version__
from reader.errors import FetchError
from reader.fetch import Fetcher, FetchResult, Limits, MiB, fetch_sync
from tests.localserver import (
    ARTICLE,
    PNG,
    LocalServer,
    add_standard_routes,
    serve_standard_routes,
)

FAST = Limits(connect=2, read=0.5, total=3, max_bytes=2 * MiB)
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests talk to 127.0.0.1 directly unless a test sets a proxy itself."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with serve_standard_routes() as srv:
        yield srv


def fetch(url: str, limits: Limits = FAST, *, image: bool = False) -> FetchResult:
    async def run() -> FetchResult:
        fetcher = Fetcher(limits)
        try:
            return await (fetcher.fetch_image(url) if image else fetcher.fetch(url))
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


def failure(url: str, limits: Limits = FAST, *, image: bool = False) -> str:
    with pytest.raises(FetchError) as caught:
        fetch(url, limits, image=image)
    sentence = str(caught.value)
    assert sentence.endswith(".") and "\n" not in sentence, sentence
    return sentence


def refused_url() -> str:
    """An address on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# ------------------------------------------------------------------ pages that work


def test_article_arrives_with_a_polite_user_agent(server: LocalServer) -> None:
    result = fetch(server.url("/article"))
    assert result == FetchResult(server.url("/article"), 200, "text/html", "utf-8",
                                 ARTICLE.read_bytes(), "html")
    sent = server.requests_to("/article")[-1].headers
    assert sent["User-Agent"] == (
        f"reader-tui/{__version__} (terminal article reader; +https://pypi.org/project/reader-tui/)")
    assert sent["Accept"].startswith("text/html")


@pytest.mark.parametrize(("path", "content_type", "kind"), [
    ("/xhtml", "application/xhtml+xml", "html"),
    ("/text", "text/plain", "text"),
    ("/untyped", "text/html", "html"),
    ("/gzip", "text/html", "html"),
    ("/gzip-members", "text/html", "html"),
    ("/deflate", "text/html", "html"),
    ("/deflate-raw", "text/html", "html"),
])
def test_page_kinds(server: LocalServer, path: str, content_type: str, kind: str) -> None:
    result = fetch(server.url(path))
    assert (result.content_type, result.kind) == (content_type, kind)
    if path != "/text":
        assert result.body == ARTICLE.read_bytes()  # gzip undone


def test_redirects_are_followed_and_the_final_url_kept(server: LocalServer) -> None:
    assert fetch(server.url("/chain/10")).url == server.url("/article")
    assert fetch(server.url("/relative")).url == server.url("/article?from=relative")


def test_charset_comes_from_the_header(server: LocalServer) -> None:
    result = fetch(server.url("/cyrillic"))
    assert result.charset == "windows-1251"
    assert "Белые ночи" in result.body.decode(result.charset)


def test_progress_reports_bytes_received_of_the_announced_total(server: LocalServer) -> None:
    seen: list[tuple[int, int | None]] = []

    async def run() -> None:
        fetcher = Fetcher(FAST)
        try:
            await fetcher.fetch(server.url("/article"), progress=lambda n, t: seen.append((n, t)))
        finally:
            await fetcher.aclose()

    asyncio.run(run())
    size = len(ARTICLE.read_bytes())
    assert seen[0] == (0, size) and seen[-1] == (size, size)
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)


def test_a_reset_connection_is_retried_once(server: LocalServer) -> None:
    before = len(server.requests_to("/reset-once"))
    assert fetch(server.url("/reset-once")).kind == "html"
    assert len(server.requests_to("/reset-once")) - before == 2


def test_sync_entry_for_the_cli(server: LocalServer) -> None:
    assert fetch_sync(server.url("/article"), FAST).status == 200


def test_proxy_environment_is_honoured(server: LocalServer,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # The local server plays the proxy: it gets the absolute URL as the request path.
    server.add("http://example.test/via-proxy", body="<p>proxied</p>", content_type="text/html")
    monkeypatch.setenv("HTTP_PROXY", server.url())
    result = fetch("http://example.test/via-proxy")
    assert result.body == b"<p>proxied</p>" and result.url == "http://example.test/via-proxy"


# ------------------------------------------------------------------ one sentence each


CASES = [
    ("/stall", "sent nothing for 0.5 seconds; reader gave up waiting."),
    ("/huge", "/huge is larger than 2 MiB, the most reader will download."),
    ("/huge-unannounced", "/huge-unannounced is larger than 2 MiB, the most reader will "
                          "download."),
    ("/bomb", "/bomb is larger than 2 MiB, the most reader will download."),
    ("/loop", "/loop redirected more than 10 times; the server may be sending it round in a "
              "loop."),
    ("/chain/11", "redirected more than 10 times"),
    ("/to-file", "/to-file redirected to a file: address, which reader refuses to follow."),
    ("/missing", "The server answered 404 Not Found for http://"),
    ("/broken", "The server answered 500 Internal Server Error for http://"),
    ("/pdf", "/pdf is a PDF document (application/pdf), not a web page."),
    ("/png", "/png is an image (image/png), not a web page."),
    ("/octet", "/octet is a binary file (application/octet-stream), not a web page."),
    ("/untyped-pdf", "/untyped-pdf is a PDF document (application/pdf), not a web page."),
    ("/reset", "was reset before the page arrived."),
    ("/empty", "/empty sent an empty page."),
    ("/truncated", "broke before http://"),
]


@pytest.mark.parametrize(("path", "sentence"), CASES, ids=[c[0] for c in CASES])
def test_each_failure_has_its_sentence(server: LocalServer, path: str, sentence: str) -> None:
    started = time.monotonic()
    assert sentence in failure(server.url(path))
    assert time.monotonic() - started < FAST.total + 1


def test_total_deadline_stops_a_page_that_never_ends(server: LocalServer) -> None:
    limits = Limits(connect=2, read=2, total=1)
    started = time.monotonic()
    assert failure(server.url("/trickle"), limits) == (
        f"{server.url('/trickle')} took longer than 1 second to download.")
    assert time.monotonic() - started < 3


def test_the_reset_was_retried_before_giving_up(server: LocalServer) -> None:
    before = len(server.requests_to("/reset"))
    failure(server.url("/reset"))
    assert len(server.requests_to("/reset")) - before == 2


def test_gzip_bomb_stops_at_the_cap_with_bounded_memory(server: LocalServer) -> None:
    cap = 4 * MiB
    tracemalloc.start()
    try:
        sentence = failure(server.url("/bomb"), Limits(max_bytes=cap))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "larger than 4 MiB" in sentence
    assert peak < 3 * cap  # the bomb inflates to 200 MiB


@pytest.mark.parametrize(("url", "sentence"), [
    ("http://[::1/", "http://[::1/ is not a valid web address."),
    ("http://", "http:// is not a valid web address: it names no server."),
    ("ftp://example.org/file", "ftp://example.org/file is not an http or https address."),
])
def test_malformed_addresses(url: str, sentence: str) -> None:
    assert failure(url) == sentence


def test_dns_failure() -> None:
    # .invalid is reserved (RFC 6761): it never resolves, anywhere.
    assert failure("http://no-such-host.invalid/") == (
        "The server no-such-host.invalid could not be found (the DNS lookup failed).")


def test_connection_refused() -> None:
    url = refused_url()
    assert failure(url) == f"{url.removeprefix('http://').rstrip('/')} refused the connection."


def test_connect_timeout() -> None:
    # A listening socket whose backlog is full: the kernel drops further SYNs.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        try:
            started = time.monotonic()
            assert failure(f"http://127.0.0.1:{port}/", Limits(connect=0.5, total=5)) == (
                f"127.0.0.1:{port} did not answer within 0.5 seconds.")
            assert time.monotonic() - started < 3
        finally:
            for filler in fillers:
                filler.close()


def test_untrusted_certificate() -> None:
    with LocalServer(tls=True) as tls:
        tls.add("/", body="<p>secret</p>", content_type="text/html")
        assert failure(tls.url("/")) == (
            f"The certificate of 127.0.0.1:{tls.port} is not trusted: self-signed certificate.")


def test_tls_to_a_plain_http_server(server: LocalServer) -> None:
    url = server.url("/article").replace("http:", "https:")
    assert failure(url).startswith(f"A secure (TLS) connection to 127.0.0.1:{server.port} failed")


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_TUI_CONNECT_TIMEOUT", "1.5")
    monkeypatch.setenv("READER_TUI_READ_TIMEOUT", "2")
    monkeypatch.setenv("READER_TUI_TOTAL_TIMEOUT", "7")
    monkeypatch.setenv("READER_TUI_MAX_BYTES", "1000")
    assert Limits.from_env() == Limits(connect=1.5, read=2, total=7, max_bytes=1000)
    monkeypatch.setenv("READER_TUI_MAX_BYTES", "lots")
    with pytest.raises(FetchError, match="READER_TUI_MAX_BYTES must be a positive number of bytes"):
        Limits.from_env()


# ------------------------------------------------------------------ images


def test_images_come_through_the_same_client(server: LocalServer) -> None:
    result = fetch(server.url("/png"), image=True)
    assert (result.kind, result.content_type, result.body) == ("image", "image/png",
                                                               PNG.read_bytes())
    assert fetch(server.url("/octet"), image=True).content_type == "image/png"  # sniffed
    assert failure(server.url("/article"), image=True).endswith(
        "/article is a web page (text/html), not an image.")
    assert failure(server.url("/png"), Limits(image_max_bytes=32), image=True).endswith(
        "/png is larger than 32 bytes, the most reader will download.")


# ------------------------------------------------------------------ cancellation


def test_cancelling_closes_the_download_at_once() -> None:
    with LocalServer() as srv:
        add_standard_routes(srv)

        async def run() -> float:
            fetcher = Fetcher(Limits(read=5, total=30))
            task = asyncio.create_task(fetcher.fetch(srv.url("/trickle")))
            await asyncio.sleep(0.3)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, 2)
            elapsed = time.monotonic() - started
            await fetcher.aclose()
            return elapsed

        assert asyncio.run(run()) < 1
        assert srv.client_gone.wait(5), "the server kept streaming to a cancelled client"


# ------------------------------------------------------------------ the CLI


def dump(url: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "READER_READ_TIMEOUT": "0.5",
                   "READER_TOTAL_TIMEOUT": "5", "READER_MAX_BYTES": str(2 * MiB), **env}
    return subprocess.run([sys.executable, "-m", "reader", "dump", url], capture_output=True,
                          text=True, encoding="utf-8", env=environment, timeout=60,
                          cwd=Path(__file__).parent.parent)


CLI_CASES = [*CASES, ("/trickle", "took longer than 1 second to download.")]


@pytest.mark.parametrize(("path", "sentence"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_dump_prints_the_sentence_and_no_traceback(server: LocalServer, path: str,
                                                   sentence: str) -> None:
    # /trickle announces 10 MiB: let the 1-second deadline, not the cap, stop it. The other
    # pages keep the 5-second deadline, so that on a loaded machine the whole-download clock
    # never races the half-second read timeout /stall is about.
    limits = ({"READER_MAX_BYTES": str(20 * MiB), "READER_TOTAL_TIMEOUT": "1"}
              if path == "/trickle" else {})
    done = dump(server.url(path), **limits)
    assert done.returncode == 1
    assert done.stdout == ""
    assert re.fullmatch(r"reader: error: [^\n]+\.\n", done.stderr), done.stderr
    assert sentence in done.stderr
    assert "Traceback" not in done.stderr


def test_dump_of_unreachable_hosts() -> None:
    for url in (refused_url(), "http://no-such-host.invalid/"):
        done = dump(url)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith("reader: error: ") and (
            "refused the connection." in done.stderr or "DNS lookup failed" in done.stderr)


def test_dump_reads_cyrillic_declared_only_in_the_header(server: LocalServer) -> None:
    done = dump(server.url("/cyrillic"))
    assert done.returncode == 0, done.stderr
    assert "Белые ночи в Петербурге" in done.stdout
    assert "Разводные мосты поднимаются над Невой" in done.stdout


def test_dump_of_a_fetched_article_and_plain_text(server: LocalServer) -> None:
    done = dump(server.url("/chain/2"))
    assert done.returncode == 0, done.stderr
    assert "A Field Guide to Urban Birds" in done.stdout
    done = dump(server.url("/text"))
    assert done.returncode == 0, done.stderr
    assert "A second paragraph." in done.stdout
