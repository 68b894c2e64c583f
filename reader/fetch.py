"""Getting pages (and figure images) off the real web without trusting it.

Every page reader shows comes through here, so this is where a hostile or broken server
must be contained: only ``http``/``https``; redirects followed by hand so that each
target is checked (a page may not send us to ``file:`` or ``javascript:``) — taken out
of httpx by a response hook before httpx parses the Location itself, since its parser
raises on some of them; a private-address policy (:class:`AddressPolicy`) so that a
public page's images and a public host's redirects never reach the person's own
network; timeouts on
connect and read plus a total deadline, because a server that drips one byte a second
never trips a read timeout; and a size cap counted on *decoded* bytes. Decompression is
done here, in bounded pieces, rather than by httpx, because httpx inflates each network
chunk in one go and a 64 KB chunk of a gzip bomb becomes 64 MB before anyone can count
it. Everything that goes wrong becomes one :class:`~reader.errors.FetchError` (or one
of its kinds: timeout, HTTP status, not a page, private address) with a sentence a person
understands; no httpx exception escapes. What the server names — the final URL, the
Content-Type — is cleaned of terminal controls here, where it enters reader.

The app keeps one :class:`Fetcher` (one connection pool, plus a guarded one for what
pages pull in) for pages and images; the CLI uses :func:`fetch_sync`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar

import httpcore
import httpx

from reader import __version__
from reader.errors import (
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotAPage,
    PrivateAddressRefused,
    ReaderError,
)
from reader.locations import ENV_PREFIX, getenv
from reader.media import MiB, format_size, sniff_type
from reader.sanitize import clean_text, clean_url
from reader.urls import WEB_SCHEMES, scheme

T = TypeVar("T")
USER_AGENT = (f"reader-tui/{__version__} (terminal article reader;"
              " +https://pypi.org/project/reader-tui/)")
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
        """The defaults, overridden by READER_TUI_CONNECT_TIMEOUT, READER_TUI_READ_TIMEOUT,
        READER_TUI_TOTAL_TIMEOUT (seconds) and READER_TUI_MAX_BYTES (bytes) — or their
        old ``READER_*`` names."""
        limits = cls()
        return cls(
            connect=_env_number("CONNECT_TIMEOUT", limits.connect),
            read=_env_number("READ_TIMEOUT", limits.read),
            total=_env_number("TOTAL_TIMEOUT", limits.total),
            max_bytes=int(_env_number("MAX_BYTES", limits.max_bytes, integer=True)),
        )


def _env_number(name: str, default: float, integer: bool = False) -> float:
    raw = (getenv(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = 0
    if not value > 0:
        unit = "bytes" if integer else "seconds"
        raise FetchError(f"{ENV_PREFIX}{name} must be a positive number of {unit}, "
                         f"not {raw!r}.")
    return value


# ---------------------------------------------------------------------- private addresses

Resolver = Callable[[str, int], Awaitable[list[str]]]
_PRIVATE_PAGES_KEPT = 512


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of ``host``, as the operating system resolves them."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port,
                                                         type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_private_address(address: str) -> bool:
    """Whether ``address`` is anything but a public internet address: loopback,
    link-local, private (RFC 1918), shared (CGNAT, 100.64/10), unique-local IPv6,
    unspecified, multicast, reserved — also when written as IPv4-mapped, 6to4, Teredo
    or NAT64 IPv6. What cannot be parsed counts as private."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
            address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    return not ip.is_global or ip.is_multicast


@dataclass(frozen=True)
class AddressPolicy:
    """Private Network Access, as browsers do it: what a page from a public address
    pulls in (figure images) and where a public host redirects may not reach loopback,
    link-local or private addresses. What the person types, clicks or puts in a file
    they import may go anywhere, and a page served from a private address may load
    from private addresses (an intranet page and its pictures).

    Names are resolved once and the connection goes to an address that was checked, so
    a name that answers "public" to the check and "private" to the connection (DNS
    rebinding) gets nowhere. ``allow_private`` (``allow_private_addresses = true`` in
    config.toml, or ``READER_TUI_ALLOW_PRIVATE=1``) turns the policy off. ``resolver`` and
    ``public`` (addresses to count as public) are for tests."""

    allow_private: bool = False
    resolver: Resolver = system_resolver
    public: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls) -> AddressPolicy:
        raw = (getenv("ALLOW_PRIVATE") or "").strip().lower()
        if raw:
            return cls(allow_private=raw in ("1", "true", "yes", "on"))
        from reader import config

        return cls(allow_private=config.load()[0].allow_private_addresses)

    def private(self, address: str) -> bool:
        return address not in self.public and is_private_address(address)

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses ``host`` stands for (itself if it is one); OSError if none."""
        literal = host.strip("[]")
        try:
            ipaddress.ip_address(literal.split("%", 1)[0])
        except ValueError:
            found = await self.resolver(host, port)
        else:
            return [literal]
        if not found:
            raise OSError(f"{host} has no address")
        return found


# Final URLs of pages this process fetched from a private address: the pages that may
# pull in private addresses. Kept per process, not per Fetcher, because the CLI fetches
# the page and its images with different clients; bounded, newest kept.
_PRIVATE_PAGES: OrderedDict[str, None] = OrderedDict()


def _remember_private(url: str) -> None:
    _PRIVATE_PAGES[url] = None
    _PRIVATE_PAGES.move_to_end(url)
    while len(_PRIVATE_PAGES) > _PRIVATE_PAGES_KEPT:
        _PRIVATE_PAGES.popitem(last=False)


def _private_origin(origin: str) -> bool:
    """Whether requests on behalf of the page at ``origin`` may reach private addresses:
    a page fetched from one, or a page that did not come from the web at all (a file or
    standard input the person opened). A page's own claim (its canonical URL) is never
    taken for it: only what this process fetched counts."""
    origin = clean_url(origin)
    return scheme(origin) not in WEB_SCHEMES or origin in _PRIVATE_PAGES


class _Blocked(Exception):
    """Raised by the guarded connection when an address is private."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


class _Redirect(Exception):
    """A redirect response, taken out of httpx before it builds the next request
    itself (which raises on a Location such as ``javascript:`` or a broken IDNA name)."""

    def __init__(self, location: str, peer: str | None) -> None:
        super().__init__(location)
        self.location = location
        self.peer = peer


async def _stop_at_redirect(response: httpx.Response) -> None:
    location = response.headers.get("location")
    if response.status_code in REDIRECT_STATUSES and location:
        raise _Redirect(location, _peer(response))


def _peer(response: httpx.Response) -> str | None:
    """The address the response actually came from, when the transport tells."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    address = stream.get_extra_info("server_addr")
    return str(address[0]) if isinstance(address, tuple) and address else None


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to checked addresses: resolves the name once, refuses if any of
    its addresses is private, and connects to the very addresses it checked."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend) -> None:
        self._policy = policy
        self._inner = inner

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._policy.addresses(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        for address in addresses:
            if self._policy.private(address):
                raise _Blocked(address)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        raise _Blocked(path)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, its connections made by :class:`_GuardedBackend`."""

    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__()
        pool = self._pool
        assert isinstance(pool, httpcore.AsyncConnectionPool)
        pool._network_backend = _GuardedBackend(policy, pool._network_backend)


def _refusal(url: httpx.URL, address: str, why: str) -> PrivateAddressRefused:
    return PrivateAddressRefused(
        f"{why}, but {url} is at a private network address ({address}), which reader "
        "keeps out of reach of pages from the internet (allow_private_addresses = true "
        "in config.toml, or READER_TUI_ALLOW_PRIVATE=1, lifts this).")


def _port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


class Fetcher:
    """One HTTP client for the whole app: pages through :meth:`fetch`, figure images
    through :meth:`fetch_image`. ``transport`` is for tests and special set-ups; so is
    ``policy`` (see :class:`AddressPolicy`)."""

    def __init__(self, limits: Limits | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 policy: AddressPolicy | None = None) -> None:
        self.limits = limits if limits is not None else Limits.from_env()
        self.policy = policy if policy is not None else AddressPolicy.from_env()
        self._transport = transport
        # Both clients, and the TLS context they share, are made on first need: loading
        # the certificate store costs ~30 ms a client, which a command that fetches
        # nothing (or only plain http, as a feed refresh of local servers) need not pay.
        self._plain: httpx.AsyncClient | None = None
        self._guarded: httpx.AsyncClient | None = None
        self._tls: ssl.SSLContext | None = None

    def _make_client(self, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        timeout = httpx.Timeout(connect=self.limits.connect, read=self.limits.read,
                                write=self.limits.read, pool=self.limits.connect)
        if self._tls is None:
            self._tls = httpx.create_ssl_context(trust_env=True)
        return httpx.AsyncClient(
            transport=transport,
            verify=self._tls,
            timeout=timeout,
            follow_redirects=False,
            trust_env=True,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
            event_hooks={"response": [_stop_at_redirect]},
        )

    def _strict_client(self) -> httpx.AsyncClient:
        """The client for requests a public page makes: its connections go only to
        addresses the policy checked (a custom ``transport`` keeps its own connections,
        so for it the check before sending is all there is)."""
        if self._transport is not None:
            return self._client
        if self._guarded is None:
            self._guarded = self._make_client(_GuardedTransport(self.policy))
        return self._guarded

    @property
    def _client(self) -> httpx.AsyncClient:
        """The client for what the reader itself asked for (a URL typed or given)."""
        if self._plain is None:
            self._plain = self._make_client(self._transport)
        return self._plain

    async def aclose(self) -> None:
        if self._plain is not None:
            await self._plain.aclose()
        if self._guarded is not None:
            await self._guarded.aclose()

    async def fetch(self, url: str, *, progress: Progress | None = None,
                    origin: str | None = None) -> FetchResult:
        """The page at ``url``: HTML/XHTML (kind "html") or plain text (kind "text").

        ``origin`` is the page on whose behalf this is fetched, if any (see
        :class:`AddressPolicy`); None means the person asked for it."""
        return await self._get(url, accept=PAGE_ACCEPT, max_bytes=self.limits.max_bytes,
                               image=False, progress=progress, origin=origin)

    async def fetch_image(self, url: str, *, origin: str | None = None) -> FetchResult:
        """A figure image (kind "image"), capped at ``limits.image_max_bytes``.

        ``origin`` is the URL of the page the figure is in: a page from a public
        address may not make reader reach a private one."""
        return await self._get(url, accept=IMAGE_ACCEPT,
                               max_bytes=self.limits.image_max_bytes, image=True,
                               progress=None, origin=origin)

    async def fetch_feed(self, url: str, *, headers: dict[str, str] | None = None
                         ) -> FeedResponse:
        """A feed (or the page that links one) with conditional-GET ``headers`` such as
        ``If-None-Match``; 304, 429 and 503 come back as answers, not errors, because a
        good citizen refreshing feeds acts on them. Same caps and redirect rules as
        :meth:`fetch`."""
        start = _parse(url)
        with self._sentences(url):
            async with asyncio.timeout(self.limits.total):
                return await self._follow_feed(start, headers or {})
        raise AssertionError("unreachable")  # for type checkers: the block returns or raises

    async def _follow_feed(self, url: httpx.URL, headers: dict[str, str]) -> FeedResponse:
        """The feed URL counts as typed by the person (it was subscribed to); a public
        host's redirects are checked as any page's are."""
        return await self._hops(url, FEED_ACCEPT, False, "", headers, self._accept_feed)

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
                   progress: Progress | None, origin: str | None) -> FetchResult:
        start = _parse(url)
        strict = origin is not None and not self.policy.allow_private and not (
            _private_origin(origin))
        why = f"{clean_url(origin)} is a page from the internet" if strict and origin else ""
        with self._sentences(url):
            async with asyncio.timeout(self.limits.total):
                return await self._follow(start, accept, max_bytes, image, progress,
                                          strict, why)

    @contextlib.contextmanager
    def _sentences(self, url: str) -> Iterator[None]:
        """Every way a download can fail, as one sentence (a FetchError)."""
        try:
            yield
        except TimeoutError:
            raise FetchTimeout(f"{url} took longer than {_seconds(self.limits.total)} "
                               "to download.") from None
        except ReaderError:
            raise
        except (httpx.InvalidURL, ValueError, UnicodeError):
            raise FetchError(f"{url} led to an address that is not valid.") from None
        except Exception as exc:  # an httpx failure of a kind not met before: a sentence
            raise FetchError(f"{url} could not be fetched ({type(exc).__name__}).") \
                from None

    async def _follow(self, url: httpx.URL, accept: str, max_bytes: int, image: bool,
                      progress: Progress | None, strict: bool, why: str) -> FetchResult:
        async def take(url: httpx.URL, response: httpx.Response) -> FetchResult:
            result = await self._accept(url, response, max_bytes, image, progress)
            if not image and await self._private_peer(url, _peer(response)):
                _remember_private(result.url)
            return result

        return await self._hops(url, accept, strict, why, None, take)

    async def _hops(self, url: httpx.URL, accept: str, strict: bool, why: str,
                    headers: dict[str, str] | None,
                    take: Callable[[httpx.URL, httpx.Response], Awaitable[T]]) -> T:
        """Follow redirects by hand (each one checked) and hand the final answer to
        ``take``. A public host's redirect makes every later hop strict: where it sends
        reader is its choice, not the person's."""
        original = str(url)
        for _ in range(self.limits.max_redirects + 1):
            try:
                response = await self._send(url, accept, strict, why, headers)
            except _Redirect as hop:
                target = _redirect_target(url, hop.location)
                if not strict and not self.policy.allow_private and not (
                        await self._private_peer(url, hop.peer)):
                    strict, why = True, f"{url} is on the internet and redirected further"
                url = target
                continue
            try:
                return await take(url, response)
            finally:
                await response.aclose()
        raise FetchError(f"{original} redirected more than {self.limits.max_redirects} "
                         "times; the server may be sending it round in a loop.")

    async def _send(self, url: httpx.URL, accept: str, strict: bool, why: str,
                    headers: dict[str, str] | None = None) -> httpx.Response:
        """Send a GET and read the headers, retrying once if the connection is reset
        before any of the response arrives (a stale pooled connection, a flaky proxy).
        A redirect comes back as :class:`_Redirect`."""
        client = self._client
        if strict:
            await self._check_public(url, why)
            client = self._strict_client()
        request = client.build_request("GET", url, headers={"Accept": accept, **(headers or {})})
        for attempt in (1, 2):
            try:
                return await client.send(request, stream=True)
            except _Blocked as exc:
                raise _refusal(url, exc.address, why) from None
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                if attempt == 2:
                    raise _network_error(exc, url, self.limits) from None
            except httpx.HTTPError as exc:
                raise _network_error(exc, url, self.limits) from None
        raise AssertionError("unreachable")

    async def _check_public(self, url: httpx.URL, why: str) -> None:
        """Refuse before sending when the name points at a private address (this is
        what stands between a proxy and the check: the proxy resolves the name)."""
        try:
            addresses = await self.policy.addresses(url.host, url.port or _port(url))
        except OSError:
            return  # the connection will fail and say so
        for address in addresses:
            if self.policy.private(address):
                raise _refusal(url, address, why)

    async def _private_peer(self, url: httpx.URL, peer: str | None) -> bool:
        """Whether the server at ``url`` is at a private address. Both the address the
        connection went to and the name's addresses must say so: a proxy's address
        (private, often) or a name that changed its answer count as public, which only
        ever makes the policy stricter."""
        if peer is None or not self.policy.private(peer):
            return False
        try:
            addresses = await self.policy.addresses(url.host, url.port or _port(url))
        except OSError:
            return False
        return bool(addresses) and all(self.policy.private(a) for a in addresses)

    async def _accept(self, url: httpx.URL, response: httpx.Response, max_bytes: int,
                      image: bool, progress: Progress | None) -> FetchResult:
        """Check status and type from the headers, then stream the body under the cap."""
        status = response.status_code
        if status >= 300:
            raise HTTPStatusError(f"The server answered {status} {_phrase(status)} for "
                                  f"{url}.", status)
        mime, charset = parse_content_type(response.headers.get("content-type", ""))
        if image and mime in UNTYPED:
            mime = ""  # many servers label every image this way; the bytes will tell
        if image:
            if mime and not mime.startswith("image/"):
                raise NotAPage(f"{url} is {describe_type(mime)} ({mime}), not an image.")
        elif mime and mime not in HTML_TYPES and mime not in TEXT_TYPES:
            raise NotAPage(f"{url} is {describe_type(mime)} ({mime}), not a web page.")
        body = await self._read_body(url, response, max_bytes, progress)
        if not body.strip():
            raise NotAPage(f"{url} sent an empty {'image' if image else 'page'}.")
        if not mime:  # no Content-Type: look at the bytes the way a browser would
            sniffed = sniff_type(body)
            if image:
                if not (sniffed or "").startswith("image/"):
                    raise NotAPage(f"{url} did not send an image.")
                mime = sniffed or ""
            elif sniffed:
                raise NotAPage(f"{url} is {describe_type(sniffed)} ({sniffed}), "
                                 "not a web page.")
            else:
                mime = "text/html"
        kind = "image" if image else ("text" if mime in TEXT_TYPES else "html")
        return FetchResult(clean_url(str(url)), status, mime, charset, body, kind)

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
def parse_content_type(header: str) -> tuple[str, str | None]:
    """``("text/html", "windows-1251")`` from ``text/html; charset="windows-1251"``.

    The header is the server's choice and may end up quoted in an error sentence, so it
    is cleaned of controls here, where it enters reader."""
    parts = clean_text(header).split(";")
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


# ---------------------------------------------------------------------- errors


def _parse(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
        host = parsed.host  # decoding an IDNA name ("xn--a.xn--") can fail only here
    except (httpx.InvalidURL, TypeError, ValueError, UnicodeError):
        raise FetchError(f"{url} is not a valid web address.") from None
    if parsed.scheme not in WEB_SCHEMES:
        raise FetchError(f"{url} is not an http or https address.")
    if not host:
        raise FetchError(f"{url} is not a valid web address: it names no server.")
    return parsed


def _redirect_target(url: httpx.URL, location: str) -> httpx.URL:
    """Where a redirect leads, checked as the address a person typed would be: a
    server may send anything in Location (``javascript:``, ``data:``, a broken IDNA
    name), and whatever it is becomes a sentence, never an exception."""
    location = clean_url(location)
    kind = scheme(location)
    if kind and kind not in WEB_SCHEMES:
        raise FetchError(f"{url} redirected to a {kind}: address, which reader "
                         "refuses to follow.")
    try:
        target = url.join(location)
        host = target.host
    except (httpx.InvalidURL, TypeError, ValueError, UnicodeError):
        raise FetchError(f"{url} redirected to an address that is not valid.") from None
    if target.scheme not in WEB_SCHEMES:
        raise FetchError(f"{url} redirected to a {target.scheme or 'unknown'}: address, "
                         "which reader refuses to follow.")
    if not host:
        raise FetchError(f"{url} redirected to an address that names no server.")
    return target


def _network_error(exc: httpx.HTTPError, url: httpx.URL, limits: Limits) -> FetchError:
    """The one sentence for an httpx failure on the way to ``url``."""
    host = _host(url)
    causes = list(_causes(exc))
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchTimeout(f"{host} did not answer within {_seconds(limits.connect)}.")
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout(f"{host} sent nothing for {_seconds(limits.read)}; "
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
    return NotAPage(f"{url} is larger than {format_size(max_bytes)}, the most reader will "
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
