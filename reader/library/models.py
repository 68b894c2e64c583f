"""The rows the library hands out: plain frozen values, safe to pass to the UI thread.

They carry no connection and no lazy database access (except :attr:`SavedArticle.html`,
which is decompressed on first use because most callers never look at it).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from reader.document import Article, Position


class Entry(NamedTuple):
    """One line of the library list. A named tuple because the list builds thousands at a
    time and a frozen dataclass costs three times as much to make."""

    id: int
    url: str
    title: str
    site_name: str | None
    byline: str | None
    saved_at: datetime
    published: str | None
    reading_minutes: int
    progress: float  # 0..1
    archived: bool
    favourite: bool
    tags: tuple[str, ...]
    error: str | None  # why a link was saved without content (a failed import)


@dataclass(frozen=True)
class SavedArticle:
    """A saved article with everything needed to read it offline."""

    id: int
    url: str
    title: str
    site_name: str | None
    byline: str | None
    saved_at: datetime
    published: str | None
    reading_minutes: int
    progress: float
    archived: bool
    favourite: bool
    tags: tuple[str, ...]
    error: str | None
    article: Article
    source_url: str
    position: Position | None
    compressed_html: bytes | None = field(default=None, repr=False)
    # zlib's preset dictionary the page was compressed with (see schema.pack_html).
    html_dictionary: bytes = field(default=b"", repr=False)

    @property
    def html(self) -> bytes | None:
        """The page as it was received, if it was kept (None too if it is damaged)."""
        if self.compressed_html is None:
            return None
        unpacker = (zlib.decompressobj(zdict=self.html_dictionary) if self.html_dictionary
                    else zlib.decompressobj())
        try:
            return unpacker.decompress(self.compressed_html) + unpacker.flush()
        except zlib.error:
            return None


@dataclass(frozen=True, slots=True)
class Bookmark:
    id: int
    url: str
    title: str
    section: str
    snippet: str
    note: str
    created: datetime
    position: Position


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    url: str
    title: str
    opened_at: datetime


@dataclass(frozen=True)
class DeletedToken:
    """Everything a delete removed, so that undo puts it back exactly. Opaque to callers."""

    article_id: int
    row: dict[str, Any] = field(repr=False)
    tags: tuple[str, ...] = ()
    images: tuple[tuple[str, str, str | None, bytes], ...] = field(default=(), repr=False)
    fts: tuple[str, str, str] = field(default=("", "", ""), repr=False)
    content: tuple[bytes, bytes | None] | None = field(default=None, repr=False)
