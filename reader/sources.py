"""Turning what a person names on the command line into an Article.

A SOURCE is a file path, ``-`` for standard input, an http(s) URL, or nothing (the
built-in welcome article). This module reads the bytes, checks that they are a page at
all (not a directory, an empty file, a binary or something that is not HTML) and hands
them to extraction. Every problem becomes a :class:`~reader.errors.SourceError` with one
sentence; fetching problems are the fetcher's :class:`~reader.errors.FetchError`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reader.document import Article
from reader.errors import SourceError
from reader.media import describe_bytes, format_size
from reader.urls import check_scheme, is_url
from reader.urls import describe as describe  # re-exported: the UI names sources with it
from reader.urls import stdin_url as stdin_url

if TYPE_CHECKING:
    from reader.fetch import Fetcher, FetchResult

WELCOME_URL = "about:welcome"
MAX_FILE_BYTES = 64 * 2**20
_SNIFF = 8192
# Any element at all, a doctype or a comment: enough to call the bytes markup.
_MARKUP = re.compile(rb"<(?:!doctype\s+html|html|head|body|p|div|article|main|section|h[1-6]|"
                     rb"title|span|a|ul|ol|table|br|img|meta)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Loaded:
    """An article and where it came from; ``html`` is the page as received, kept so the
    library can store the original."""

    article: Article
    html: bytes | None
    source_url: str

    @property
    def key(self) -> str:
        """The URL that bookmarks and reading positions are keyed on: canonical if known."""
        return self.article.url or self.source_url


def check_page_bytes(data: bytes, name: str) -> None:
    """Raise a SourceError unless ``data`` looks like an HTML page."""
    if not data.strip():
        raise SourceError(f"{name} is empty.")
    head = data[:_SNIFF]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a BOM: text, decoding will tell the rest
    kind = describe_bytes(head)
    if kind is not None:
        raise SourceError(f"{name} is {kind}, not a web page.")
    if b"\x00" in head or _binary_ratio(head) > 0.1:
        raise SourceError(f"{name} is a binary file, not an HTML page.")
    if not _MARKUP.search(data[: 4 * _SNIFF]):
        raise SourceError(f"{name} is not an HTML page.")


def _binary_ratio(head: bytes) -> float:
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / max(1, len(head))


def read_file(path: Path) -> bytes:
    name = str(path)
    try:
        if path.is_dir():
            raise SourceError(f"{name} is a directory, not a page.")
        if not path.exists():
            raise SourceError(f"There is no file {name}.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SourceError(f"{name} is larger than {format_size(MAX_FILE_BYTES)}.")
        return path.read_bytes()
    except PermissionError:
        raise SourceError(f"{name} cannot be read: permission denied.") from None
    except OSError as exc:
        raise SourceError(f"{name} cannot be read: {exc.strerror or exc}.") from None


def read_stdin(stream: BinaryIO | None = None) -> bytes:
    if stream is None and sys.stdin.isatty():
        raise SourceError("Nothing is piped into reader: use `reader FILE`, or "
                          "`command | reader -`.")
    stream = stream if stream is not None else sys.stdin.buffer
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"Standard input is larger than {format_size(MAX_FILE_BYTES)}.")
    return data


def article_from_page(data: bytes, name: str, url: str | None, encoding: str | None = None
                      ) -> Article:
    from reader.extract import extract

    check_page_bytes(data, name)
    article = extract(data, url, encoding=encoding)
    if not article.blocks:
        raise SourceError(f"{name} has no article text that reader could find.")
    return article


def article_from_fetch(result: FetchResult) -> Article:
    """The article in a fetched page: HTML goes to extraction, text/plain becomes text."""
    from reader.extract import article_from_text, decode_html

    if result.kind == "text":
        return article_from_text(decode_html(result.body, result.charset), result.url)
    return article_from_page(result.body, result.url, result.url, result.charset)


def welcome() -> Loaded:
    """The built-in welcome article: it needs no network and shows every block kind."""
    from importlib import resources  # here: `reader dump` never needs it

    from reader.extract import extract

    data = resources.files("reader.data").joinpath("welcome.html").read_bytes()
    article = extract(data, WELCOME_URL)
    return Loaded(article, None, WELCOME_URL)


def load(source: str | None, *, stdin: BinaryIO | None = None) -> Loaded:
    """Load SOURCE synchronously (the CLI's path); ``None`` is the welcome article."""
    if source is None:
        return welcome()
    if source == "-":
        data = read_stdin(stdin)
        return Loaded(article_from_page(data, "Standard input", None), data, stdin_url(data))
    if source.lower().startswith("file://"):
        from urllib.parse import unquote, urlsplit

        source = unquote(urlsplit(source).path)
    elif is_url(source):
        from reader.fetch import fetch_sync

        check_scheme(source)
        result = fetch_sync(source)
        return Loaded(article_from_fetch(result), result.body, result.url)
    path = Path(source).expanduser()
    data = read_file(path)
    return Loaded(article_from_page(data, source, None), data, path.resolve().as_uri())


async def load_async(
    source: str | None,
    fetcher: Fetcher | Callable[[], Fetcher],
    *,
    progress: Callable[[int, int | None], None] | None = None,
    stdin_data: bytes | None = None,
) -> Loaded:
    """Load SOURCE for the app: network through the app's fetcher, parsing off the loop.

    ``fetcher`` may be a function that makes one, so opening a file never pays for
    importing the HTTP client.
    """
    import asyncio

    if source is not None and is_url(source) and not source.lower().startswith("file://"):
        check_scheme(source)
        client = fetcher() if callable(fetcher) else fetcher
        result = await client.fetch(source, progress=progress)
        article = await asyncio.to_thread(article_from_fetch, result)
        return Loaded(article, result.body, result.url)
    if source == "-" and stdin_data is not None:
        data = stdin_data
        article = await asyncio.to_thread(article_from_page, data, "Standard input", None)
        return Loaded(article, data, stdin_url(data))
    return await asyncio.to_thread(load, source)
