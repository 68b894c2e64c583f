"""Figure images for offline copies: downloaded once, kept by content hash.

Saving an article fetches the images of its figures so that the copy opens with no
network. Each image goes through the app's :class:`~reader.fetch.Fetcher`, which caps its
size; a failed image is skipped (the figure keeps its caption) rather than failing the
save; the images of one article are capped in total too. Storage is content-addressed by
SHA-256, so the same picture in two articles, or saved twice, is stored once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING

from reader.document import Article
from reader.errors import FetchError
from reader.media import digest, image_type
from reader.urls import is_web_url

if TYPE_CHECKING:
    from reader.fetch import Fetcher

__all__ = ["CONCURRENCY", "MAX_IMAGES", "MAX_TOTAL_BYTES", "digest", "download_images",
           "figure_sources", "image_type"]

MAX_IMAGES = 200  # figures per article that are worth the wait
MAX_TOTAL_BYTES = 64 * 2**20  # per article; each image is also capped by the fetcher
CONCURRENCY = 4

def figure_sources(article: Article) -> list[str]:
    """The distinct http(s) image URLs of the article's figures, in reading order."""
    return _unique(f.src for _, f in article.figures() if f.src)[:MAX_IMAGES]


def _unique(sources: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for src in sources:
        if is_web_url(src):
            seen.setdefault(src, None)
    return list(seen)


async def download_images(article: Article, fetcher: Fetcher, origin: str | None = None
                          ) -> dict[str, bytes]:
    """The bytes of every figure image that could be fetched, by figure ``src``.

    ``origin`` is the URL the page was fetched from (the article's own URL when not
    given): the images are fetched on its behalf, so a page from a public address
    cannot make reader reach a private one (see :class:`reader.fetch.AddressPolicy`)."""
    origin = origin or article.url
    sources = figure_sources(article)
    gate = asyncio.Semaphore(CONCURRENCY)
    found: dict[str, bytes] = {}

    async def one(src: str) -> None:
        async with gate:
            try:
                result = await fetcher.fetch_image(src, origin=origin)
            except FetchError:
                return
        if result.body:
            found[src] = result.body

    await asyncio.gather(*(one(src) for src in sources))
    kept: dict[str, bytes] = {}
    total = 0
    for src in sources:  # in reading order, so a cap drops the last figures, not random ones
        data = found.get(src)
        if data is not None and total + len(data) <= MAX_TOTAL_BYTES:
            kept[src] = data
            total += len(data)
    return kept
