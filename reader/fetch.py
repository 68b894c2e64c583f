"""Getting pages (and figure images) off the real web without trusting it.

Every page reader shows comes through here, so this is where a hostile or broken server
must be contained: only ``http``/``https``; redirects followed by hand so that each
target is checked (a page may not send us to ``file:`` or ``javascript:``); timeouts on
connect and read plus a total deadline, because a server that drips one byte a second
never trips a read timeout; and a size cap counted on *decoded* bytes. Decompression is
done here, in bounded pieces, rather than by httpx, because httpx inflates each network
chunk in one go and a 64 KB chunk of a gzip bomb becomes 64 MB before anyone can count
it. Everything that goes wrong becomes one :class:`~reader.errors.FetchError` with a
sentence a person understands; no httpx exception escapes.

The app keeps one :class:`Fetcher` (one connection pool) for pages and images; the CLI
uses :func:`fetch_sync`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus

import httpx

from reader import __version__
from reader.errors import FetchError

MiB = 2**20
USER_AGENT = f"reader/{__version__} (+https://github.com/reader; terminal article reader)"
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
IMAGE_ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8"
# Only what we can decode in bounded steps ourselves (see the module docstring).
ACCEPT_ENCODING = "gzip, deflate"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
UNTYPED = frozenset({"application/octet-stream", "binary/octet-stream"})
_PIECE = 64 * 1024  # the most bytes one decompression step may produce

Progress = Callable[[int, int | None], None]
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
               "application/json;q=0.8, text/html;q=0.7, */*;q=0.1")
# The answer headers a feed refresh acts on (validators, pacing); lower case, as httpx.
FEED_HEADERS = ("etag", "last-modified", "cache-control", "expires", "retry-after")
_NOT_FEEDS = frozenset({"application/pdf", "application/zip", "application/gzip",
                        "application/epub+zip", "application/msword"})


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What a successful fetch hands on to extraction."""

    url: str  # final URL after redirects
    status: int
    content_type: str  # e.g. "text/html", without parameters
    charset: str | None  # from the Content-Type header
    body: bytes  # content-encoding undone
    kind: str  # "html", "text" or (from fetch_image) "image"


@dataclass(frozen=True, slots=True)
class FeedResponse:
    """What :meth:`Fetcher.fetch_feed` got: a body (status 200), or for 304, 429 and 503
    no body and the headers that say what to do next."""

    url: str  # final URL after redirects
    status: int
    content_type: str
    charset: str | None
    body: bytes
    headers: dict[str, str]  # the FEED_HEADERS the server sent, lower-case names


@dataclass(frozen=True)
class Limits:
    """Timeouts in seconds and size caps in bytes."""

    connect: float = 10
    read: float = 20
    total: float = 60
    max_bytes: int = 20 * MiB
    max_redirects: int = 10
    image_max_bytes: int = 5 * MiB

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, overridden by READER_CONNECT_TIMEOUT, READER_READ_TIMEOUT,
        READER_TOTAL_TIMEOUT (seconds) and READER_MAX_BYTES (bytes)."""
        limits = cls()
        return cls(
            connect=_env_number("READER_CONNECT_TIMEOUT", limits.connect),
            read=_env_number("READER_READ_TIMEOUT", limits.read),
            total=_env_number("READER_TOTAL_TIMEOUT", limits.total),
            max_bytes=int(_env_number("READER_MAX_BYTES", limits.max_bytes, integer=True)),
        )


def _env_number(name: str, default: float, integer: bool = False) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = 0
    if not value > 0:
        unit = "bytes" if integer else "seconds"
        raise FetchError(f"{name} must be a positive number of {unit}, not {raw!r}.")
    return value


class Fetcher:
    """One HTTP client for the whole app: pages through :meth:`fetch`, figure images
    through :meth:`fetch_image`. ``transport`` is for tests and special set-ups."""

    def __init__(self, limits: Limits | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.limits = limits if limits is not None else Limits.from_env()
        timeout = httpx.Timeout(connect=self.limits.connect, read=self.limits.read,
                                write=self.limits.read, pool=self.limits.connect)
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            trust_env=True,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, *, progress: Progress | None = None) -> FetchResult:
        """The page at ``url``: HTML/XHTML (kind "html") or plain text (kind "text")."""
        return await self._get(url, accept=PAGE_ACCEPT, max_bytes=self.limits.max_bytes,
                               image=False, progress=progress)

    async def fetch_image(self, url: str) -> FetchResult:
        """A figure image (kind "image"), capped at ``limits.image_max_bytes``."""
        return await self._get(url, accept=IMAGE_ACCEPT,
                               max_bytes=self.limits.image_max_bytes, image=True,
                               progress=None)

    async def fetch_feed(self, url: str, *, headers: dict[str, str] | None = None
                         ) -> FeedResponse:
        """A feed (or the page that links one) with conditional-GET ``headers`` such as
        ``If-None-Match``; 304, 429 and 503 come back as answers, not errors, because a
        good citizen refreshing feeds acts on them. Same caps and redirect rules as
        :meth:`fetch`."""
        start = _parse(url)
        try:
            async with asyncio.timeout(self.limits.total):
                return await self._follow_feed(start, headers or {})
        except TimeoutError:
            raise FetchError(f"{url} took longer than {_seconds(self.limits.total)} "
                             "to download.") from None

    async def _follow_feed(self, url: httpx.URL, headers: dict[str, str]) -> FeedResponse:
        original = str(url)
        for _ in range(self.limits.max_redirects + 1):
            response = await self._send(url, FEED_ACCEPT, headers)
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    url = _redirect_target(url, location)
                    continue
                return await self._accept_feed(url, response)
            finally:
                await response.aclose()
        raise FetchError(f"{original} redirected more than {self.limits.max_redirects} "
                         "times; the server may be sending it round in a loop.")

    async def _accept_feed(self, url: httpx.URL, response: httpx.Response) -> FeedResponse:
        status = response.status_code
        kept = {name: response.headers[name] for name in FEED_HEADERS
                if name in response.headers}
        mime, charset = parse_content_type(response.headers.get("content-type", ""))
        if status == 304:
            await self._read_body(url, response, 64 * 1024, None)  # none; keeps the
            return FeedResponse(str(url), status, mime, charset, b"", kept)  # connection
        if status in (429, 503):
            return FeedResponse(str(url), status, mime, charset, b"", kept)
        if status >= 300:
            raise FetchError(f"The server answered {status} {_phrase(status)} for {url}.")
        top = mime.split("/", 1)[0]
        if mime in _NOT_FEEDS or top in _TOP_NAMES:
            raise FetchError(f"{url} is {describe_type(mime)} ({mime}), not a feed.")
        body = await self._read_body(url, response, self.limits.max_bytes, None)
        sniffed = sniff_type(body)
        if sniffed:
            raise FetchError(f"{url} is {describe_type(sniffed)} ({sniffed}), not a feed.")
        if not body.strip():
            raise FetchError(f"{url} sent an empty feed.")
        return FeedResponse(str(url), status, mime, charset, body, kept)

    # ------------------------------------------------------------------ internals

    async def _get(self, url: str, *, accept: str, max_bytes: int, image: bool,
                   progress: Progress | None) -> FetchResult:
        start = _parse(url)
        try:
            async with asyncio.timeout(self.limits.total):
                return await self._follow(start, accept, max_bytes, image, progress)
        except TimeoutError:
            raise FetchError(f"{url} took longer than {_seconds(self.limits.total)} "
                             "to download.") from None

    async def _follow(self, url: httpx.URL, accept: str, max_bytes: int, image: bool,
                      progress: Progress | None) -> FetchResult:
        original = str(url)
        for _ in range(self.limits.max_redirects + 1):
            response = await self._send(url, accept)
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    url = _redirect_target(url, location)
                    continue
                return await self._accept(url, response, max_bytes, image, progress)
            finally:
                await response.aclose()
        raise FetchError(f"{original} redirected more than {self.limits.max_redirects} "
                         "times; the server may be sending it round in a loop.")

    async def _send(self, url: httpx.URL, accept: str,
                    headers: dict[str, str] | None = None) -> httpx.Response:
        """Send a GET and read the headers, retrying once if the connection is reset
        before any of the response arrives (a stale pooled connection, a flaky proxy)."""
        request = self._client.build_request("GET", url,
                                             headers={"Accept": accept, **(headers or {})})
        for attempt in (1, 2):
            try:
                return await self._client.send(request, stream=True)
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                if attempt == 2:
                    raise _network_error(exc, url, self.limits) from None
            except httpx.HTTPError as exc:
                raise _network_error(exc, url, self.limits) from None
        raise AssertionError("unreachable")

    async def _accept(self, url: httpx.URL, response: httpx.Response, max_bytes: int,
                      image: bool, progress: Progress | None) -> FetchResult:
        """Check status and type from the headers, then stream the body under the cap."""
        status = response.status_code
        if status >= 300:
            raise FetchError(f"The server answered {status} {_phrase(status)} for {url}.")
        mime, charset = parse_content_type(response.headers.get("content-type", ""))
        if image and mime in UNTYPED:
            mime = ""  # many servers label every image this way; the bytes will tell
        if image:
            if mime and not mime.startswith("image/"):
                raise FetchError(f"{url} is {describe_type(mime)} ({mime}), not an image.")
        elif mime and mime not in HTML_TYPES and mime not in TEXT_TYPES:
            raise FetchError(f"{url} is {describe_type(mime)} ({mime}), not a web page.")
        body = await self._read_body(url, response, max_bytes, progress)
        if not body.strip():
            raise FetchError(f"{url} sent an empty {'image' if image else 'page'}.")
        if not mime:  # no Content-Type: look at the bytes the way a browser would
            sniffed = sniff_type(body)
            if image:
                if not (sniffed or "").startswith("image/"):
                    raise FetchError(f"{url} did not send an image.")
                mime = sniffed or ""
            elif sniffed:
                raise FetchError(f"{url} is {describe_type(sniffed)} ({sniffed}), "
                                 "not a web page.")
            else:
                mime = "text/html"
        kind = "image" if image else ("text" if mime in TEXT_TYPES else "html")
        return FetchResult(str(url), status, mime, charset, body, kind)

    async def _read_body(self, url: httpx.URL, response: httpx.Response, max_bytes: int,
                         progress: Progress | None) -> bytes:
        total = _content_length(response)
        decoder = _Decoder(response.headers.get("content-encoding", ""), url)
        if total is not None and total > max_bytes and decoder.coding == "":
            raise _too_large(url, max_bytes)
        body = bytearray()
        received = 0
        if progress is not None:
            progress(0, total)
        try:
            async for chunk in response.aiter_raw():
                received += len(chunk)
                for piece in decoder.feed(chunk):
                    body += piece
                    if len(body) > max_bytes:
                        raise _too_large(url, max_bytes)
                if progress is not None:
                    progress(received, total)
        except httpx.HTTPError as exc:
            if isinstance(exc, httpx.TimeoutException):
                raise _network_error(exc, url, self.limits) from None
            raise FetchError(f"The connection to {_host(url)} broke before {url} "
                             "had fully arrived.") from None
        for piece in decoder.flush():
            body += piece
            if len(body) > max_bytes:
                raise _too_large(url, max_bytes)
        return bytes(body)


def fetch_sync(url: str, limits: Limits | None = None) -> FetchResult:
    """Fetch one page outside any event loop (the CLI)."""

    async def run() -> FetchResult:
        fetcher = Fetcher(limits)
        try:
            return await fetcher.fetch(url)
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


# ---------------------------------------------------------------------- decoding


class _Decoder:
    """Undo one gzip or deflate Content-Encoding in pieces of at most ``_PIECE`` bytes,
    so the caller can stop at its cap with memory bounded by the cap."""

    def __init__(self, header: str, url: httpx.URL) -> None:
        codings = [c.strip().lower() for c in header.split(",")
                   if c.strip() and c.strip().lower() != "identity"]
        self.url = url
        self.coding = codings[0] if len(codings) == 1 else ("" if not codings else header)
        self._z: zlib._Decompress | None = None
        self._first = True
        if self.coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self._z = zlib.decompressobj(zlib.MAX_WBITS)
        elif self.coding:
            raise FetchError(f"{url} is compressed as {self.coding!r}, "
                             "which reader cannot undo.")

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._z is None:
            if data:
                yield data
            return
        try:
            yield from self._inflate(data)
        except zlib.error:
            raise FetchError(f"The compressed data of {self.url} is damaged.") from None

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        assert self._z is not None
        if self._first and data and self.coding == "deflate":
            self._first = False
            try:  # servers disagree whether "deflate" has the zlib wrapper; try both
                probe = zlib.decompressobj(zlib.MAX_WBITS)
                probe.decompress(data[:2])
            except zlib.error:
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        while data:
            out = self._z.decompress(data, _PIECE)
            if out:
                yield out
            if self._z.eof:
                data = self._z.unused_data
                if data and self.coding in ("gzip", "x-gzip"):  # another gzip member
                    self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    continue
                return
            data = self._z.unconsumed_tail

    def flush(self) -> Iterator[bytes]:
        if self._z is None or self._z.eof:
            return
        try:
            out = self._z.flush()
        except zlib.error:
            raise FetchError(f"The compressed data of {self.url} is damaged.") from None
        if out:
            yield out


# ---------------------------------------------------------------------- content types

_TYPE_NAMES = {
    "text/html": "a web page",
    "application/xhtml+xml": "a web page",
    "text/plain": "a text file",
    "application/pdf": "a PDF document",
    "application/octet-stream": "a binary file",
    "application/json": "a JSON document",
    "application/xml": "an XML document",
    "text/xml": "an XML document",
    "application/rss+xml": "an RSS feed",
    "application/atom+xml": "an Atom feed",
    "application/zip": "a ZIP archive",
    "application/gzip": "a gzip archive",
    "application/epub+zip": "an EPUB book",
    "application/msword": "a Word document",
    "text/css": "a style sheet",
    "text/javascript": "a script",
    "application/javascript": "a script",
    "text/csv": "a CSV table",
}
_TOP_NAMES = {"image": "an image", "audio": "an audio file", "video": "a video",
              "font": "a font", "model": "a 3D model"}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
)


def parse_content_type(header: str) -> tuple[str, str | None]:
    """``("text/html", "windows-1251")`` from ``text/html; charset="windows-1251"``."""
    parts = header.split(";")
    mime = parts[0].strip().lower()
    charset = None
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").strip() or None
    return mime, charset


def describe_type(mime: str) -> str:
    """A person's name for a content type: "a PDF document", "an image"."""
    if mime in _TYPE_NAMES:
        return _TYPE_NAMES[mime]
    top = mime.split("/", 1)[0]
    if top in _TOP_NAMES:
        return _TOP_NAMES[top]
    return "a file of a kind reader cannot show"


def sniff_type(body: bytes) -> str | None:
    """The type of a body sent without Content-Type if its first bytes give it away."""
    for magic, mime in _MAGIC:
        if body.startswith(magic):
            return mime
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    if body[4:8] == b"ftyp":
        return "video/mp4"
    return None


# ---------------------------------------------------------------------- errors


def _parse(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError(f"{url} is not a valid web address.") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"{url} is not an http or https address.")
    if not parsed.host:
        raise FetchError(f"{url} is not a valid web address: it names no server.")
    return parsed


def _redirect_target(url: httpx.URL, location: str) -> httpx.URL:
    try:
        target = url.join(location.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError(f"{url} redirected to an address that is not valid.") from None
    if target.scheme not in ("http", "https"):
        scheme = target.scheme or "unknown"
        raise FetchError(f"{url} redirected to a {scheme}: address, which reader "
                         "refuses to follow.")
    if not target.host:
        raise FetchError(f"{url} redirected to an address that names no server.")
    return target


def _network_error(exc: httpx.HTTPError, url: httpx.URL, limits: Limits) -> FetchError:
    """The one sentence for an httpx failure on the way to ``url``."""
    host = _host(url)
    causes = list(_causes(exc))
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(f"{host} did not answer within {_seconds(limits.connect)}.")
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(f"{host} sent nothing for {_seconds(limits.read)}; "
                          "reader gave up waiting.")
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = (cause.verify_message or "it could not be verified").rstrip(".")
            return FetchError(f"The certificate of {host} is not trusted: {reason}.")
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            reason = (cause.reason or "handshake failed").replace("_", " ").lower()
            return FetchError(f"A secure (TLS) connection to {host} failed: {reason}.")
    if isinstance(exc, httpx.ProxyError):
        return FetchError(f"The proxy would not connect reader to {host}.")
    for cause in causes:
        if isinstance(cause, socket.gaierror):
            return FetchError(f"The server {url.host} could not be found "
                              "(the DNS lookup failed).")
        if isinstance(cause, ConnectionRefusedError):
            return FetchError(f"{host} refused the connection.")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return FetchError(f"The connection to {host} was reset before the page arrived.")
    if isinstance(exc, httpx.ConnectError):
        return FetchError(f"reader could not connect to {host}.")
    return FetchError(f"{url} could not be fetched ({type(exc).__name__}).")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """Every exception behind ``exc``: causes, contexts and group members."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        for nxt in (current.__cause__, current.__context__):
            if nxt is not None:
                stack.append(nxt)


def _too_large(url: httpx.URL, max_bytes: int) -> FetchError:
    return FetchError(f"{url} is larger than {_size(max_bytes)}, the most reader will "
                      "download.")


def _host(url: httpx.URL) -> str:
    port = url.port
    return f"{url.host}:{port}" if port else url.host


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "(an unknown status)"


def _content_length(response: httpx.Response) -> int | None:
    """The announced size on the wire (compressed, like the count given to progress)."""
    try:
        value = int(response.headers.get("content-length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _seconds(value: float) -> str:
    return f"{value:g} second" + ("" if value == 1 else "s")


def _size(count: int) -> str:
    if count >= MiB and count % MiB == 0:
        return f"{count // MiB} MiB"
    if count >= MiB:
        return f"{count / MiB:.1f} MiB"
    if count >= 1024:
        return f"{count / 1024:.0f} KiB"
    return f"{count} bytes"
