"""Highlights and their notes in the library.

A highlight is keyed on the article's key URL (canonical, else source), as bookmarks are,
so one made while reading a fetched page attaches to the saved copy, and survives the
article's deletion and a later save. It stores both selectors of :mod:`reader.highlights`
— the ``(block, offset)`` start and end and the text quote — so that a new version of the
article can re-anchor it; one that cannot be found again stays in the table and is
reported as not found, never dropped.

The methods live in a mixin over :class:`~reader.library.store.Library` (the idiom of
lemon24/reader's storage): the table is one domain, the connection and its error handling
are the store's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from reader.document import Article, Position
from reader.highlights import ArticleText, Passage, TextQuote
from reader.sanitize import clean_text

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager
    from typing import Any

    from reader.errors import LibraryError

    class _Base:
        """What the mixin uses of the store (reader.library.store.Library)."""

        def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]: ...
        def _error(self, exc: sqlite3.Error) -> LibraryError: ...
else:
    _Base = object

SCHEMA = """
CREATE TABLE highlights (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    url         TEXT NOT NULL,
    start_block INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_block   INTEGER NOT NULL,
    end_offset  INTEGER NOT NULL,
    exact       TEXT NOT NULL,
    prefix      TEXT NOT NULL DEFAULT '',
    suffix      TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    section     TEXT NOT NULL DEFAULT '',
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL
);
CREATE INDEX highlights_url ON highlights(url, start_block, start_offset);
"""

P = ParamSpec("P")
R = TypeVar("R")

_COLUMNS = ("id, url, start_block, start_offset, end_block, end_offset, exact, prefix, suffix,"
            " note, section, created, updated")


def migrate(conn: sqlite3.Connection) -> None:
    """The forward step that adds the highlights table (run inside the migration's
    transaction by :func:`reader.library.schema.migrate`)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


@dataclass(frozen=True, slots=True)
class Highlight:
    """One stored highlight; ``title`` is the saved article's title where there is one."""

    id: int
    url: str
    passage: Passage
    quote: TextQuote
    note: str
    section: str
    created: datetime
    updated: datetime
    title: str = ""

    @property
    def text(self) -> str:
        return self.quote.exact


@dataclass(frozen=True, slots=True)
class Placed:
    """A highlight as it sits in one version of an article: ``passage`` is None when the
    quoted text is no longer in it."""

    highlight: Highlight
    passage: Passage | None

    @property
    def found(self) -> bool:
        return self.passage is not None


def place(highlights: list[Highlight], article: Article) -> list[Placed]:
    """Anchor each highlight in ``article``, in reading order; those not found come last,
    in the order they were made."""
    text = ArticleText(article)
    placed = [Placed(h, text.locate(h.quote, h.passage)) for h in highlights]
    found = sorted((p for p in placed if p.passage is not None),
                   key=lambda p: (p.passage or p.highlight.passage, p.highlight.id))
    lost = [p for p in placed if p.passage is None]
    return found + lost


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """An SQLite failure becomes the store's one-sentence LibraryError, as in the store."""

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            raise args[0]._error(exc) from exc  # type: ignore[attr-defined]

    return wrapper


def _row(r: sqlite3.Row) -> Highlight:
    return Highlight(
        id=int(r["id"]), url=r["url"],
        passage=Passage(Position(int(r["start_block"]), int(r["start_offset"])),
                        Position(int(r["end_block"]), int(r["end_offset"]))),
        quote=TextQuote(r["exact"], r["prefix"], r["suffix"]),
        note=r["note"], section=r["section"],
        created=datetime.fromisoformat(r["created"]),
        updated=datetime.fromisoformat(r["updated"]),
        title=r["title"] if "title" in r.keys() else "",  # noqa: SIM118 (sqlite3.Row)
    )


class HighlightsMixin(_Base):
    """Add, list, edit, delete and restore highlights (see the module docstring)."""

    @_guarded
    def add_highlight(self, url: str, article: Article, passage: Passage, *, note: str = "",
                      section: str = "") -> Highlight:
        """Store the passage of ``article`` between ``passage.start`` and ``passage.end``."""
        text = ArticleText(article)
        start, end = sorted((passage.start, passage.end))
        quote = text.quote(Passage(start, end))
        if not quote.exact.strip():
            raise ValueError("A highlight needs some text.")
        stamp = _stamp()
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO highlights (url, start_block, start_offset, end_block, end_offset,"
                " exact, prefix, suffix, note, section, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (url, start.block, start.offset, end.block, end.offset, quote.exact,
                 quote.prefix, quote.suffix, clean_text(note), clean_text(section), stamp,
                 stamp))
            new_id = int(cursor.lastrowid or 0)
        return self.highlight(new_id)

    @_guarded
    def highlight(self, id: int) -> Highlight:
        rows = self._read(f"SELECT {_COLUMNS} FROM highlights WHERE id = ?", (id,))
        if not rows:
            raise KeyError(id)
        return _row(rows[0])

    @_guarded
    def highlights(self, url: str | None = None, *, search: str | None = None) -> list[Highlight]:
        """One article's highlights in stored reading order, or all of them newest first;
        ``search`` keeps those whose text, note or article title holds every word."""
        base = (f"SELECT h.{_COLUMNS.replace(', ', ', h.')}, COALESCE(a.title, '') AS title"
                " FROM highlights h LEFT JOIN articles a ON a.url = h.url")
        where: list[str] = []
        params: list[object] = []
        if url is not None:
            where.append("h.url = ?")
            params.append(url)
        for word in (search or "").split():
            where.append("(h.exact LIKE ? ESCAPE '\\' OR h.note LIKE ? ESCAPE '\\'"
                         " OR a.title LIKE ? ESCAPE '\\')")
            like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params += [like, like, like]
        sql = base + (" WHERE " + " AND ".join(where) if where else "")
        sql += (" ORDER BY h.start_block, h.start_offset, h.id" if url is not None
                else " ORDER BY h.created DESC, h.id DESC")
        found = [_row(r) for r in self._read(sql, params)]
        return self._titled(found) if url is None else found

    def _titled(self, found: list[Highlight]) -> list[Highlight]:
        """An article read but never saved has no title in ``articles``: the history
        has it (the last title it was opened with), so the list across the library shows
        a title rather than a bare address."""
        from dataclasses import replace

        untitled = sorted({h.url for h in found if not h.title})
        if not untitled:
            return found
        titles: dict[str, str] = {}
        for chunk in range(0, len(untitled), 500):  # SQLite's limit on parameters
            urls = untitled[chunk:chunk + 500]
            for row in self._read("SELECT url, title FROM history WHERE title != '' AND url"
                                  f" IN ({', '.join('?' * len(urls))}) ORDER BY id", urls):
                titles[row[0]] = row[1]
        return [replace(h, title=titles[h.url]) if not h.title and h.url in titles else h
                for h in found]

    def _highlighted_ids(self, patterns: Sequence[str]) -> list[int]:
        """Saved articles with a highlight whose text or note holds every pattern (the
        ``LIKE`` patterns of :func:`reader.library.search.like_patterns`): a search of
        the library finds an article by what was marked or noted in it."""
        if not patterns:
            return []
        where = " AND ".join("(h.exact LIKE ? ESCAPE '\\' OR h.note LIKE ? ESCAPE '\\')"
                             for _ in patterns)
        params = [p for pattern in patterns for p in (pattern, pattern)]
        # The highlights first, then their articles by URL: joined the other way round,
        # SQLite may walk every article (50 ms for 100,000) to find a handful.
        return [int(r[0]) for r in self._read(
            f"SELECT a.id FROM articles a WHERE a.url IN (SELECT h.url FROM highlights h "
            f"WHERE {where}) ORDER BY a.id", params)]

    @_guarded
    def set_highlight_note(self, id: int, note: str) -> None:
        with self._write() as conn:
            conn.execute("UPDATE highlights SET note = ?, updated = ? WHERE id = ?",
                         (clean_text(note), _stamp(), id))

    @_guarded
    def move_highlight(self, id: int, passage: Passage) -> None:
        """Remember where a re-anchored highlight sits now (its quote stays as it was)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE highlights SET start_block = ?, start_offset = ?, end_block = ?,"
                " end_offset = ? WHERE id = ?",
                (passage.start.block, passage.start.offset, passage.end.block,
                 passage.end.offset, id))

    @_guarded
    def delete_highlight(self, id: int) -> Highlight:
        """Delete and return the highlight, which :meth:`restore_highlight` puts back."""
        gone = self.highlight(id)
        with self._write() as conn:
            conn.execute("DELETE FROM highlights WHERE id = ?", (id,))
        return gone

    @_guarded
    def restore_highlight(self, gone: Highlight) -> None:
        with self._write() as conn:
            conn.execute(
                f"INSERT OR IGNORE INTO highlights ({_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (gone.id, gone.url, gone.passage.start.block, gone.passage.start.offset,
                 gone.passage.end.block, gone.passage.end.offset, gone.quote.exact,
                 gone.quote.prefix, gone.quote.suffix, gone.note, gone.section,
                 gone.created.isoformat(), gone.updated.isoformat()))
