"""A real HTTP server on 127.0.0.1 for tests, so network code is tested against sockets,
not mocks, and never against the internet.

Usage::

    with LocalServer() as server:
        server.add("/page", body=b"<p>hi</p>", headers={"Content-Type": "text/html"})
        fetch(server.url("/page"))

or ``with serve_standard_routes() as server:`` for the hostile-web set that the fetch
tests use (slow, huge, gzip bomb, redirect loop, resets …; see :func:`add_standard_routes`).
Routes are exact paths (the query string is ignored). A route is either a canned response
(status, body, headers) or a handler function that gets the
:class:`http.server.BaseHTTPRequestHandler` and writes whatever it likes. Every request is
recorded in ``server.requests`` so tests can check what the client sent. Slow handlers
watch ``server.stopping`` so that closing the server never waits long.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

FIXTURES = Path(__file__).parent / "fixtures"
Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    handler: Handler | None = None


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up (as the fetcher does at its caps) are not errors here."""
        import sys

        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class LocalServer:
    """A threaded HTTP/1.1 server on an ephemeral port of 127.0.0.1; ``tls=True`` serves
    HTTPS with a self-signed certificate (tests/fixtures/fetch/selfsigned.*) that no
    client trusts. ``host`` picks another loopback address (127.0.0.2 …), so that two
    servers differ by address, as a public and a private host do."""

    def __init__(self, *, tls: bool = False, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self.client_gone = threading.Event()  # set when a streaming handler lost its client
        self._lock = threading.Lock()
        self.tls = tls
        self._httpd = _QuietServer((host, port), _make_handler(self))
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(FIXTURES / "fetch" / "selfsigned.crt",
                                    FIXTURES / "fetch" / "selfsigned.key")
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}{path}"

    def start(self) -> LocalServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -------------------------------------------------------------- routes

    def add(self, path: str, status: int = 200, body: bytes | str = b"",
            headers: dict[str, str] | None = None, *, content_type: str | None = None
            ) -> str:
        """Serve a canned response at ``path``; returns its full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        hdrs = dict(headers or {})
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        self.routes[path] = Route(status, data, hdrs)
        return self.url(path)

    def add_file(self, path: str, file: Path, content_type: str,
                 headers: dict[str, str] | None = None) -> str:
        """Serve the bytes of ``file`` at ``path``."""
        return self.add(path, body=file.read_bytes(), content_type=content_type,
                        headers=headers)

    def add_handler(self, path: str, handler: Handler) -> str:
        """Let ``handler(request_handler)`` answer requests for ``path`` itself."""
        self.routes[path] = Route(handler=handler)
        return self.url(path)

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

        def do_GET(self) -> None:
            self._answer()

        def do_HEAD(self) -> None:
            self._answer()

        def _answer(self) -> None:
            server._record(Request(self.command, self.path, dict(self.headers.items())))
            route = server.routes.get(self.path.split("?", 1)[0])
            if route is None:
                route = Route(404, b"<h1>Not found</h1>", {"Content-Type": "text/html"})
            if route.handler is not None:
                route.handler(self)
                return
            send(self, route.status, route.body, route.headers)

    return RequestHandler


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes,
         headers: dict[str, str] | None = None) -> None:
    """Write a complete response with a Content-Length."""
    handler.send_response(status)
    hdrs = {k.lower(): (k, v) for k, v in (headers or {}).items()}
    for name, value in hdrs.values():
        handler.send_header(name, value)
    if "content-length" not in hdrs:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def reset_connection(handler: BaseHTTPRequestHandler, partial: bytes = b"") -> None:
    """Write ``partial`` bytes, then abort the TCP connection with a RST (SO_LINGER 0)."""
    if partial:
        handler.wfile.write(partial)
    sock = handler.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.rfile.close()  # the makefile() reference would otherwise keep the socket open
    sock.close()
    handler.close_connection = True


# ------------------------------------------------------------------ the hostile web

ARTICLE = FIXTURES / "site" / "field-guide.html"
CYRILLIC = FIXTURES / "fetch" / "cyrillic-1251.html"
PDF = FIXTURES / "fetch" / "sample.pdf"
PNG = FIXTURES / "fetch" / "pixel.png"
BOMB_DECODED_SIZE = 200 * 2**20
_bomb: bytes | None = None


def gzip_bomb() -> bytes:
    """200 MiB of zeros, gzip-compressed to about 200 KB; made once per process."""
    global _bomb
    if _bomb is None:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = bytes(2**20)
        parts = [compressor.compress(zeros) for _ in range(BOMB_DECODED_SIZE // 2**20)]
        parts.append(compressor.flush())
        _bomb = b"".join(parts)
    return _bomb


def trickle(server: LocalServer, *, chunk: bytes = b"<p>" + b"x" * 1020 + b"</p>\n",
            every: float = 0.1, limit: float = 15.0, content_type: str = "text/html",
            announce: int | None = None) -> Handler:
    """A handler sending headers at once, then ``chunk`` every ``every`` seconds for up
    to ``limit`` seconds (never complete): for total deadlines, progress and Esc. Sets
    ``server.client_gone`` when the client hangs up."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(announce or 10 * 2**20))
        h.end_headers()
        h.wfile.write(b"<html><head><title>Slow</title></head><body>\n")
        deadline = time.monotonic() + limit
        try:
            while time.monotonic() < deadline and not server.stopping.is_set():
                h.wfile.write(chunk)
                h.wfile.flush()
                time.sleep(every)
        except OSError:
            server.client_gone.set()
        h.close_connection = True

    return handler


def huge(h: BaseHTTPRequestHandler, size: int = 30 * 2**20, announce: bool = True) -> None:
    """30 MiB of HTML streamed in 64 KiB writes, with a Content-Length or (``announce``
    false) without one, ending at connection close, so only counting can stop it."""
    piece = b"<p>" + b"a" * (2**16 - 8) + b"</p>\n"
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    if announce:
        h.send_header("Content-Length", str(size // len(piece) * len(piece)))
    else:
        h.send_header("Connection", "close")
    h.end_headers()
    try:
        for _ in range(size // len(piece)):
            h.wfile.write(piece)
    except OSError:
        pass
    h.close_connection = True


def stall(server: LocalServer, seconds: float = 10.0) -> Handler:
    """A handler that sends nothing for up to ``seconds``, then a page: read timeouts."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        server.stopping.wait(seconds)
        with suppress(OSError):
            send(h, 200, b"<p>too late</p>", {"Content-Type": "text/html"})

    return handler


def add_standard_routes(server: LocalServer) -> LocalServer:
    """The pages the fetch tests need; other tests may use them too.

    * ``/article`` a normal HTML article; ``/xhtml`` the same as XHTML; ``/gzip`` the
      same gzip-compressed; ``/gzip-members`` as two gzip members; ``/deflate`` and
      ``/deflate-raw`` deflate with and without the zlib wrapper; ``/untyped`` the same
      without Content-Type; ``/truncated`` the first 100 bytes of the promised length
    * ``/text`` plain text; ``/cyrillic`` windows-1251 with the charset only in the header
    * ``/stall`` no answer for 10 s; ``/trickle`` 1 KB every 0.1 s, never finishing
    * ``/huge`` 30 MiB of HTML; ``/huge-unannounced`` the same without Content-Length;
      ``/bomb`` a gzip bomb (200 MiB of zeros)
    * ``/loop`` redirects to itself; ``/chain/N`` redirects N times, then the article;
      ``/to-file`` redirects to file:///etc/passwd; ``/relative`` a relative redirect
    * ``/missing`` 404; ``/broken`` 500; ``/empty`` an empty 200
    * ``/pdf`` a PDF; ``/untyped-pdf`` a PDF without Content-Type; ``/png`` a PNG;
      ``/octet`` the PNG as application/octet-stream
    * ``/reset`` a connection reset mid-headers, every time; ``/reset-once`` reset on the
      first request only
    """
    html = "text/html; charset=utf-8"
    article = ARTICLE.read_bytes()
    server.add("/article", body=article, content_type=html)
    server.add("/xhtml", body=article, content_type="application/xhtml+xml")
    server.add("/text", body="Plain words.\n\nA second paragraph.\n",
               content_type="text/plain; charset=utf-8")
    server.add_handler("/stall", stall(server))
    server.add_handler("/trickle", trickle(server))
    server.add_handler("/huge", huge)
    server.add_handler("/huge-unannounced", lambda h: huge(h, announce=False))
    server.add("/bomb", body=gzip_bomb(), content_type=html,
               headers={"Content-Encoding": "gzip"})
    server.add("/gzip", body=zlib.compress(article, 9, wbits=16 + zlib.MAX_WBITS),
               content_type=html, headers={"Content-Encoding": "gzip"})
    raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    server.add("/deflate-raw", body=raw.compress(article) + raw.flush(), content_type=html,
               headers={"Content-Encoding": "deflate"})
    server.add("/deflate", body=zlib.compress(article), content_type=html,
               headers={"Content-Encoding": "deflate"})
    half = len(article) // 2
    server.add("/gzip-members", content_type=html, headers={"Content-Encoding": "gzip"},
               body=gzip.compress(article[:half]) + gzip.compress(article[half:]))
    server.add("/truncated", body=article[:100], content_type=html,
               headers={"Content-Length": str(len(article)), "Connection": "close"})
    server.add("/loop", status=302, headers={"Location": "/loop"})
    for n in range(1, 13):
        target = f"/chain/{n - 1}" if n > 1 else "/article"
        server.add(f"/chain/{n}", status=301, headers={"Location": target})
    server.add("/to-file", status=302, headers={"Location": "file:///etc/passwd"})
    server.add("/relative", status=303, headers={"Location": "article?from=relative"})
    server.add("/missing", status=404, body=b"<h1>Nope</h1>", content_type=html)
    server.add("/broken", status=500, body=b"<h1>Oops</h1>", content_type=html)
    server.add_file("/pdf", PDF, "application/pdf")
    server.add_file("/png", PNG, "image/png")
    server.add_file("/octet", PNG, "application/octet-stream")
    server.add_file("/cyrillic", CYRILLIC, "text/html; charset=windows-1251")
    server.add_handler("/reset", lambda h: reset_connection(h, b"HTTP/1.1 200 OK\r\nContent-"))
    attempts = {"n": 0}

    def reset_once(h: BaseHTTPRequestHandler) -> None:
        attempts["n"] += 1
        if attempts["n"] == 1:
            reset_connection(h)
        else:
            send(h, 200, article, {"Content-Type": html})

    server.add_handler("/reset-once", reset_once)
    server.add("/empty", body=b"", content_type=html)
    server.add("/untyped", body=article)
    server.add("/untyped-pdf", body=PDF.read_bytes())
    return server


@contextmanager
def serve_standard_routes() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield add_standard_routes(server)
