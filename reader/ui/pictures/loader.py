"""Getting a figure's picture without ever making the reader wait for it.

The body asks for a figure's cells while it lays the figure out; on a miss the loader
answers "not yet" at once (the placeholder is drawn) and starts a job: the library's
copy first (saved articles read offline), then the disk cache, then the network through
the app's :class:`~reader.fetch.Fetcher` (with its 5 MiB image limit). Pillow decodes
in a thread. When a picture arrives the listeners are told its URL and lay the figure
out again. Failures are remembered, so a broken image is asked for once and stays a
placeholder.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote_to_bytes

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from reader.document import Figure
from reader.text import wrap_ranges
from reader.ui.pictures.cache import ImageCache
from reader.ui.pictures.decode import (
    MAX_BYTES,
    ImageRejected,
    Picture,
    decode,
    fitted_strips,
)
from reader.urls import is_web_url, scheme

BODY_MAX_ROWS = 24
KEEP_PICTURES = 96  # decoded pictures kept in memory (each at most 400 × 400 RGBA)
KEEP_STRIPS = 256
ALT_STYLE = Style(italic=True, dim=True)


class ImageFetcher(Protocol):
    async def fetch_image(self, url: str, *, origin: str | None = None) -> Any: ...  # .body


LibraryLookup = Callable[[str], bytes | None]
Spawn = Callable[[Coroutine[Any, Any, None]], Any]


@dataclass(frozen=True, slots=True)
class Failure:
    reason: str


class ImageLoader:
    """Pictures by URL for one app: ask with :meth:`request` or :meth:`body_lines`,
    hear back through :meth:`subscribe`.

    ``fetcher`` may be a callable returning the fetcher, so the HTTP client is only made
    when a picture actually needs the network. ``spawn`` runs a job (the app passes
    Textual's ``run_worker``); without it jobs are plain asyncio tasks.
    """

    def __init__(
        self,
        *,
        fetcher: ImageFetcher | Callable[[], ImageFetcher] | None = None,
        library_lookup: LibraryLookup | None = None,
        cache: ImageCache | None = None,
        spawn: Spawn | None = None,
        concurrency: int = 4,
        body_max_rows: int = BODY_MAX_ROWS,
    ) -> None:
        self._fetcher = fetcher
        self.page_url: str | None = None  # whose figures these are (the private-address policy)
        self.library_lookup = library_lookup
        self.cache = cache if cache is not None else ImageCache()
        self._spawn = spawn
        self._limit = asyncio.Semaphore(concurrency)
        self.body_max_rows = body_max_rows
        self._pictures: OrderedDict[str, Picture] = OrderedDict()
        self._failed: dict[str, Failure] = {}
        self._pending: dict[str, asyncio.Event] = {}
        self._strips: OrderedDict[tuple[str, int, int], list[Strip]] = OrderedDict()
        self._listeners: list[Callable[[str], None]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        # Sizes the body asked for lately: a new picture's cells at these sizes are made
        # in the decoding thread, so the UI thread only looks them up.
        self._sizes: OrderedDict[tuple[int, int], None] = OrderedDict()

    # ------------------------------------------------------------------ asking

    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(url)`` whenever the picture for ``url`` becomes available."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[str], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def status(self, url: str) -> str:
        """"ready", "failed", "pending" or "new"."""
        if url in self._pictures:
            return "ready"
        if url in self._failed:
            return "failed"
        return "pending" if url in self._pending else "new"

    def failure(self, url: str) -> str | None:
        failed = self._failed.get(url)
        return failed.reason if failed else None

    def picture(self, url: str) -> Picture | None:
        picture = self._pictures.get(url)
        if picture is not None:
            self._pictures.move_to_end(url)
        return picture

    def request(self, url: str | None) -> None:
        """Start getting ``url`` unless it is here, on its way, or known to fail."""
        if not url or self.status(url) != "new":
            return
        if self._spawn is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # laid out outside any event loop: stay a placeholder
                return
            self._pending[url] = asyncio.Event()
            task = loop.create_task(self._job(url))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        self._pending[url] = asyncio.Event()
        self._spawn(self._job(url))

    async def load(self, url: str) -> Picture | None:
        """The picture for ``url`` (None if it cannot be shown), waiting for it if need be."""
        if url in self._pictures:
            return self.picture(url)
        if url in self._failed:
            return None
        if url not in self._pending:
            self._pending[url] = asyncio.Event()
            await self._job(url)
        else:
            await self._pending[url].wait()
        return self._pictures.get(url)

    # ------------------------------------------------------------------ cells

    def body_lines(self, figure: Figure, width: int) -> list[Strip] | None:
        """Half-block rows for ``figure`` at most ``width`` wide, centred; None (and a
        request) while the picture is not here. Fits ``LayoutContext.figure_lines``."""
        src = figure.src
        if not src:
            return None
        size = (width, self.body_max_rows)
        self._sizes[size] = None
        self._sizes.move_to_end(size)
        while len(self._sizes) > 2:
            self._sizes.popitem(last=False)
        strips = self.strips(src, width, self.body_max_rows)
        if strips is None:
            self.request(src)
            return None
        cols = strips[0].cell_length if strips else 0
        pad = max(0, (width - cols) // 2)
        lines = [_indent(strip, pad) for strip in strips] if pad else list(strips)
        alt = figure.alt.strip()
        if alt and alt.casefold() not in figure.caption.casefold():  # not said twice
            lines += _wrapped(alt, width, ALT_STYLE)
        return lines

    def strips(self, url: str, max_cols: int, max_rows: int) -> list[Strip] | None:
        """Half-block rows of the picture fitting ``max_cols`` × ``max_rows``, or None
        when it is not (yet) here. Results are kept, so re-laying out costs nothing."""
        key = (url, max_cols, max_rows)
        strips = self._strips.get(key)
        if strips is not None:
            self._strips.move_to_end(key)
            return strips
        picture = self.picture(url)
        if picture is None:
            return None
        strips = fitted_strips(picture, max_cols, max_rows)
        self._remember_strips(key, strips)
        return strips

    def _remember_strips(self, key: tuple[str, int, int], strips: list[Strip]) -> None:
        self._strips[key] = strips
        self._strips.move_to_end(key)
        while len(self._strips) > KEEP_STRIPS:
            self._strips.popitem(last=False)

    # ------------------------------------------------------------------ bytes

    async def get_bytes(self, url: str) -> bytes | None:
        """The image's bytes from the library, the disk cache or the network; None on
        any failure."""
        try:
            return await self._bytes(url)
        except asyncio.CancelledError:
            raise
        except Exception:
            return None

    async def _bytes(self, url: str) -> bytes:
        if url.startswith("data:"):
            return _data_url(url)
        if self.library_lookup is not None:
            data = await asyncio.to_thread(self.library_lookup, url)
            if data:
                return data
        data = await asyncio.to_thread(self.cache.get, url)
        if data is not None:
            return data
        if not is_web_url(url):
            kind = scheme(url)
            raise ImageRejected(
                f"Images are fetched over http and https; this one is {kind}:." if kind
                else "The picture's address is relative to a page with no web address.")
        source = self._fetcher
        if source is None:
            raise ImageRejected("Images cannot be fetched here.")
        fetcher: ImageFetcher = source if hasattr(source, "fetch_image") else source()
        result = await fetcher.fetch_image(url, origin=self.page_url)
        body: bytes = result.body
        if len(body) > MAX_BYTES:
            raise ImageRejected("The image is larger than 5 MiB.")
        await asyncio.to_thread(self.cache.put, url, body)
        return body

    # ------------------------------------------------------------------ the job

    async def _job(self, url: str) -> None:
        done = self._pending.get(url)
        try:
            async with self._limit:
                data = await self._bytes(url)
                sizes = list(self._sizes)
                picture, made = await asyncio.to_thread(_decode_and_cut, data, sizes)
        except asyncio.CancelledError:
            self._pending.pop(url, None)
            if done is not None:
                done.set()
            raise
        except Exception as exc:  # a picture never takes the reader down
            reason = str(exc) if isinstance(exc, ImageRejected) else (
                getattr(exc, "sentence", None) or f"{type(exc).__name__}: {exc}")
            self._failed[url] = Failure(str(reason))
            self._pending.pop(url, None)
            if done is not None:
                done.set()
            return
        self._pictures[url] = picture
        for (cols, rows), strips in made.items():
            self._remember_strips((url, cols, rows), strips)
        while len(self._pictures) > KEEP_PICTURES:
            self._pictures.popitem(last=False)
        self._pending.pop(url, None)
        if done is not None:
            done.set()
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener(url)

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait (at most ``timeout`` seconds) until no picture is on its way; for tests
        and benchmarks."""
        async with asyncio.timeout(timeout):
            while self._pending:
                waiters: list[Awaitable[Any]] = [e.wait() for e in self._pending.values()]
                await asyncio.gather(*waiters)


def _decode_and_cut(data: bytes, sizes: list[tuple[int, int]]
                    ) -> tuple[Picture, dict[tuple[int, int], list[Strip]]]:
    """Decode, and make the cells for the sizes the body is likely to ask for."""
    picture = decode(data)
    return picture, {size: fitted_strips(picture, *size) for size in sizes}


def _wrapped(text: str, width: int, style: Style) -> list[Strip]:
    return [Strip([Segment(text[a:b], style)]) for a, b in wrap_ranges(text, width)]


def _indent(strip: Strip, pad: int) -> Strip:
    return Strip([Segment(" " * pad), *strip], pad + strip.cell_length)


def _data_url(url: str) -> bytes:
    """The bytes of a ``data:`` URL (base64 or percent-encoded)."""
    header, _, payload = url.partition(",")
    if len(payload) > MAX_BYTES * 2:
        raise ImageRejected("The image is larger than 5 MiB.")
    if header.endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError):
            raise ImageRejected("The data URL is damaged.") from None
    return unquote_to_bytes(payload)
