"""The library database: one SQLite file, safe against crashes and a second instance.

Why it is built this way:

* WAL journal and ``synchronous=NORMAL``: readers never block the writer, and a crash
  (even ``kill -9``) loses at most the last commit, never leaves half of one.
* Every user action is one ``BEGIN IMMEDIATE`` … ``COMMIT``: a save writes the article,
  its tags, images and search index together or not at all, and a second reader process
  waits (``busy_timeout``) instead of failing or interleaving.
* A file that is not a healthy database is reported in one sentence and left exactly as
  it was: nothing is written to a file before it has been read successfully, and WAL mode
  is only switched on for a new file or after an integrity check.
* Positions and bookmarks are keyed on the article's key URL (canonical, else source), not
  on an article id, so they exist before an article is saved and survive its deletion.
* The list is read a page at a time (:meth:`Library.entries` with ``limit`` and
  ``offset``, :meth:`Library.count` apart), each sort walking an index of its own, so a
  library of 100,000 answers as fast as one of 100; nothing caches every row.
* A file the user may read but not write (or a folder they may not write in) is opened
  read-only: listing and reading work, bookkeeping (history, reading position) is skipped,
  and a change asked for gets one sentence.
* A damaged article row costs that article only: it reads as a link whose copy is
  damaged, and the others stay readable.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

from reader.document import Article, Position
from reader.errors import LibraryError
from reader.library import schema
from reader.library.highlights import HighlightsMixin
from reader.library.images import digest, image_type
from reader.library.models import Bookmark, DeletedToken, Entry, HistoryEntry, SavedArticle
from reader.library.search import fts_query, like_patterns, prefix_bounds

DB_NAME = "library.db"
BUSY_TIMEOUT_MS = 5000
SORTS = ("saved", "published", "title", "progress")
FILTERS = ("all", "unread", "archived", "favourites")
TAGS_ALL_ROWS = 2000  # a longer list reads every tag at once rather than by id
PAGE_ROWS = 500  # rows per query when iterating a whole list
HISTORY_KEEP = 5000  # history rows kept; older ones are dropped as new ones arrive

# Each order is total (the id breaks ties, so pages never overlap or skip) and is the
# order of one index of the schema, read forwards or backwards.
_ORDER = {
    "saved": "a.saved_at DESC, a.id DESC",
    "published": "COALESCE(a.published, '') DESC, a.saved_at DESC, a.id DESC",
    "title": "a.title COLLATE NOCASE ASC, a.id ASC",
    "progress": "a.progress DESC, a.saved_at DESC, a.id DESC",
}
# An article's sort key in each order, and the rows that come after it ("<" for the
# descending orders): keyset pages, and with the sides turned, an article's place. The
# first column is bounded on its own too, which is what lets SQLite seek in the index.
_KEY = {
    "saved": ("a.saved_at", "a.id"),
    "published": ("COALESCE(a.published, '')", "a.saved_at", "a.id"),
    "title": ("a.title COLLATE NOCASE", "a.id"),
    "progress": ("a.progress", "a.saved_at", "a.id"),
}
_ASCENDING = {"title"}


def _after(sort: str, key: Sequence[Any], *, before: bool = False) -> tuple[str, list[Any]]:
    """SQL and parameters for "comes after (or before) the row whose key is ``key``"."""
    columns = _KEY[sort]
    later = (sort in _ASCENDING) != before
    op, bound = (">", ">=") if later else ("<", "<=")
    sql = (f"{columns[0]} {bound} ? AND ({', '.join(columns)}) {op} "
           f"({', '.join('?' * len(columns))})")
    return sql, [key[0], *key]


_WHERE = {
    "all": "1",
    "unread": "+a.progress = 0 AND a.archived = 0",  # as schema.FILTER_ROWS
    "archived": "a.archived = 1",
    "favourites": "a.favourite = 1",
}
# A search with few matches reads them all and sorts them; one with many walks the sort's
# index and keeps the rows that match until the page is full (it soon is).
SPARSE_MATCHES = 3000
_MATCH = "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
_MATCH_DENSE = "+a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
# A search that matches most of the library ("the", or a prefix typed so far) and wants
# an early page asks the index about each row it walks (about 25 µs a row) instead of
# listing every match first (30 ms for 100,000): the page is full after a few hundred.
# Far into the list (offset) the walk would be long: the list of matches is quicker.
_MATCH_EACH = ("EXISTS (SELECT 1 FROM articles_fts f WHERE f.articles_fts MATCH ? "
               "AND f.rowid = a.id)")
MOST_MATCH = 0.5  # the share of the library a search matches to be asked row by row
EACH_WITHIN = 1000  # rows into the list (offset) up to which it is asked so
_TAGGED = "a.id IN (SELECT t.article_id FROM tags t WHERE t.tag = ? COLLATE NOCASE)"
# The columns of an Entry, in the order of its fields (tags are filled in apart).
_ENTRY_COLUMNS = """
    a.id, a.url, a.title, a.site_name, a.byline, a.saved_at, a.published,
    a.reading_minutes, a.progress, a.archived, a.favourite, a.error
"""

P = ParamSpec("P")
R = TypeVar("R")


def now() -> datetime:
    return datetime.now(UTC)


def _stamp(value: datetime | None) -> str:
    value = value or now()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _clean_tags(tags: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        tag = " ".join(str(tag).split()).lstrip("#")
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


def _is_corruption(exc: sqlite3.Error) -> bool:
    code = str(getattr(exc, "sqlite_errorname", ""))
    message = str(exc)
    return code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or any(
        word in message for word in ("not a database", "malformed", "corrupt"))


def _is_read_only(exc: sqlite3.Error) -> bool:
    code = str(getattr(exc, "sqlite_errorname", ""))
    return code.startswith("SQLITE_READONLY") or "readonly database" in str(exc) or (
        "read-only" in str(exc))


def _sqlite_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Turn an SQLite failure inside a public method into a one-sentence LibraryError."""

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            library = args[0]
            assert isinstance(library, Library)
            raise library._error(exc) from exc

    return wrapper


class Library(HighlightsMixin):
    """Saved articles, their images, reading positions, bookmarks and history."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, read_only: bool = False
                 ) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        self.read_only = read_only
        # Matches per search query, as of data_version: the search box asks for a page
        # and the count of one query, and both need it; own writes clear it.
        self._matches: dict[str, int] = {}
        self._matches_version = -1
        # Articles found by their highlights, and the FTS query, per search text, kept
        # the same way.
        self._marked: dict[str, tuple[int, ...]] = {}
        self._fts: dict[str, str | None] = {}
        self._vocabulary = False  # the temp table that lists the index's words is made

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, data_dir: Path | None = None, *, read_only: bool | None = None) -> Library:
        """Open (creating if needed) the library in ``data_dir`` (default: the data dir).

        ``read_only=True`` opens it for reading alone (nothing is written, not even on
        opening); the default opens it read-only when the user may not write the file or
        its folder, or when SQLite finds it read-only, and for writing otherwise."""
        if data_dir is None:
            from reader.locations import data_dir as default_dir

            data_dir = default_dir()
        data_dir = Path(data_dir).expanduser()
        path = data_dir / DB_NAME
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(f"The library folder {data_dir} cannot be created: "
                               f"{exc.strerror or exc}.") from None
        if path.is_dir():
            raise LibraryError(f"The library at {path} is a folder, not a database file.")
        if read_only is None:
            read_only = path.exists() and not (os.access(path, os.W_OK)
                                               and os.access(data_dir, os.W_OK))
            if not read_only:
                try:
                    return cls._open(path, read_only=False)
                except LibraryError as exc:
                    if not getattr(exc, "read_only", False):
                        raise
                    read_only = True  # SQLite found it read-only: read it as such
        return cls._open(path, read_only=read_only)

    @classmethod
    def _open(cls, path: Path, *, read_only: bool) -> Library:
        if read_only and not path.exists():
            raise LibraryError(f"There is no library at {path}.")
        try:
            if read_only:
                conn = cls._connect_read_only(path)
            else:
                conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000,
                                       isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise LibraryError(f"The library at {path} cannot be opened ({exc}).") from None
        library = cls(path, conn, read_only=read_only)
        # Switching a new file to WAL and creating the schema take locks that SQLite does
        # not wait for (no busy handler there): two readers starting on a fresh library at
        # the same moment retry for a while instead of one of them failing.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                library._prepare()
                return library
            except LibraryError:
                conn.close()
                raise
            except sqlite3.OperationalError as exc:
                if not read_only and _is_read_only(exc):
                    conn.close()
                    error = LibraryError(f"The library at {path} is read-only.")
                    error.read_only = True  # type: ignore[attr-defined]
                    raise error from None
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or time.monotonic() > deadline:
                    conn.close()
                    raise library._error(exc) from None
                time.sleep(0.05)
            except sqlite3.Error as exc:
                conn.close()
                raise library._error(exc) from None

    @staticmethod
    def _connect_read_only(path: Path) -> sqlite3.Connection:
        """A connection that cannot write. A WAL library needs its ``-shm`` file to be
        read; when it is missing and the folder cannot hold one, the file is read as it
        stands on disk (``immutable``), which is all a reader that may not write can see."""
        uri = "file:" + quote(str(path.resolve())) + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            conn.close()
        return sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None,
                               check_same_thread=False)

    def _prepare(self) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Reads only, until the file has shown that it is a database of ours.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        fresh = version == 0 and not tables
        if not fresh and not tables >= schema.EXPECTED_TABLES:
            raise LibraryError(f"The file {self.path} is not a reader library; "
                               "reader left it untouched.")
        if version > schema.CURRENT_VERSION:
            raise LibraryError(f"The library at {self.path} was made by a newer reader "
                               f"(schema {version}); this one understands up to "
                               f"{schema.CURRENT_VERSION}.")
        if self.read_only:
            if fresh:
                raise LibraryError(f"The library at {self.path} is empty and read-only.")
            if version < schema.CURRENT_VERSION:
                raise LibraryError(
                    f"The library at {self.path} was made by an older reader and must be "
                    "upgraded once by a user who may write it; reader left it untouched.")
            conn.execute("PRAGMA query_only = ON")
            return
        if not fresh and (mode != "wal" or version < schema.CURRENT_VERSION):
            self._check_integrity()  # before the first write to an existing file
        if mode != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        schema.migrate(conn)

    def _check_integrity(self) -> None:
        problems = [row[0] for row in self._conn.execute("PRAGMA quick_check(1)")]
        if problems != ["ok"]:
            raise LibraryError(f"The library at {self.path} is damaged ({problems[0]}); "
                               "reader left it untouched.")

    def _error(self, exc: sqlite3.Error) -> LibraryError:
        message = str(exc).rstrip(".") or type(exc).__name__
        code = str(getattr(exc, "sqlite_errorname", ""))
        damaged = LibraryError(f"The library at {self.path} is damaged ({message}); "
                               "reader left it untouched.")
        if _is_corruption(exc):
            return damaged
        if _is_read_only(exc):
            return self._read_only_error()
        if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in message:
            return LibraryError(f"The library at {self.path} is busy in another reader; "
                                "try again in a moment.")
        if not isinstance(exc, sqlite3.ProgrammingError) and not self._healthy():
            return damaged  # e.g. "vtable constructor failed" over a damaged index
        return LibraryError(f"The library at {self.path} cannot be used ({message}).")

    def _read_only_error(self) -> LibraryError:
        return LibraryError(f"The library at {self.path} is read-only to you: reader can "
                            "show it but not change it.")

    def _healthy(self) -> bool:
        """False only when SQLite itself finds damage; a check that cannot run (no
        permission, no disk) says nothing about the file."""
        try:
            with self._lock:
                return [r[0] for r in self._conn.execute("PRAGMA quick_check(1)")] == ["ok"]
        except sqlite3.Error as exc:
            return not _is_corruption(exc)

    def close(self) -> None:
        with self._lock, suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction for one action; it takes the write lock up front so two
        processes queue instead of failing halfway."""
        if self.read_only:
            raise self._read_only_error()
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            self._matches, self._marked, self._fts = {}, {}, {}
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self._conn.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    # ------------------------------------------------------------------ saving

    @_sqlite_errors
    def save(self, article: Article, *, source_url: str, html: bytes | None = None,
             images: Mapping[str, bytes] | None = None, saved_at: datetime | None = None,
             tags: Sequence[str] = (), archived: bool | None = None,
             favourite: bool | None = None) -> int:
        """Save or update the article (keyed on its canonical URL, else ``source_url``);
        bookmarks, position, tags and flags of an earlier save are kept."""
        key = article.url or source_url
        body = article.plain_text()
        data = schema.pack_article(article.to_json(), body)
        packed = schema.pack_html(html, body) if html is not None else None
        stamp = _stamp(None)
        with self._write() as conn:
            existing = self._existing(conn, key, source_url)
            values = (key, source_url, article.title or "", article.byline, article.site_name,
                      article.published, article.reading_minutes, stamp)
            if existing is None:
                cursor = conn.execute(
                    "INSERT INTO articles (url, source_url, title, byline, site_name, published,"
                    " reading_minutes, updated_at, saved_at, archived, favourite, error)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    (*values, _stamp(saved_at), int(bool(archived)), int(bool(favourite))))
                article_id = int(cursor.lastrowid or 0)
            else:
                article_id = existing
                conn.execute(
                    "UPDATE articles SET url = ?, source_url = ?, title = ?, byline = ?,"
                    " site_name = ?, published = ?, reading_minutes = ?, updated_at = ?,"
                    " error = NULL, saved_at = COALESCE(?, saved_at),"
                    " archived = COALESCE(?, archived), favourite = COALESCE(?, favourite)"
                    " WHERE id = ?",
                    (*values, _stamp(saved_at) if saved_at else None,
                     None if archived is None else int(archived),
                     None if favourite is None else int(favourite), article_id))
                old = self._unindex(conn, article_id)
                if packed is None and old is not None and old[2] != body:
                    packed = self._repack_html(conn, article_id, old[2], body)
            conn.execute(
                "INSERT INTO article_content (article_id, article, html) VALUES (?, ?, ?)"
                " ON CONFLICT(article_id) DO UPDATE SET article = excluded.article,"
                " html = COALESCE(excluded.html, html)", (article_id, data, packed))
            self._index(conn, article_id, article.title or "", article.byline or "", body)
            self._add_tags(conn, article_id, tags)
            if images:
                self._store_images(conn, article_id, images)
        return article_id

    @_sqlite_errors
    def save_link(self, url: str, *, title: str | None = None, error: str | None = None,
                  saved_at: datetime | None = None, tags: Sequence[str] = (),
                  archived: bool = False, favourite: bool = False) -> int:
        """Save a link without its content (an import whose page could not be had).
        Saving the same URL again adds the tags and, if it is still a failed link, replaces
        the failure sentence with the newer one (a retry that failed differently)."""
        with self._write() as conn:
            existing = self._existing(conn, url, url)
            if existing is not None:
                self._add_tags(conn, existing, tags)
                if error:
                    conn.execute("UPDATE articles SET error = ? WHERE id = ? "
                                 "AND error IS NOT NULL", (error, existing))
                return existing
            stamp = _stamp(saved_at)
            cursor = conn.execute(
                "INSERT INTO articles (url, source_url, title, saved_at, updated_at, archived,"
                " favourite, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (url, url, title or "", stamp, _stamp(None), int(archived), int(favourite),
                 error))
            article_id = int(cursor.lastrowid or 0)
            self._index(conn, article_id, title or "", "", "")
            self._add_tags(conn, article_id, tags)
        return article_id

    @staticmethod
    def _index(conn: sqlite3.Connection, article_id: int, title: str, byline: str,
               body: str) -> None:
        """Add a row to the search index, keeping the exact values for :meth:`_unindex`."""
        conn.execute("INSERT OR REPLACE INTO article_index (article_id, packed) VALUES (?, ?)",
                     (article_id, schema.pack_index(title, byline, body)))
        conn.execute("INSERT INTO articles_fts (rowid, title, byline, body) VALUES (?, ?, ?, ?)",
                     (article_id, title, byline, body))

    @staticmethod
    def _unindex(conn: sqlite3.Connection, article_id: int) -> tuple[str, str, str] | None:
        """Take a row out of the search index (a contentless FTS5 table forgets a row when
        told the values it was made from); gives those values back."""
        row = conn.execute("SELECT packed FROM article_index WHERE article_id = ?",
                           (article_id,)).fetchone()
        if row is None:
            return None
        conn.execute("DELETE FROM article_index WHERE article_id = ?", (article_id,))
        try:
            values = schema.unpack_index(row[0])
        except ValueError:
            return None  # a damaged row: its words cannot be named, so they stay behind
        conn.execute("INSERT INTO articles_fts (articles_fts, rowid, title, byline, body) "
                     "VALUES ('delete', ?, ?, ?, ?)", (article_id, *values))
        return values

    @staticmethod
    def _repack_html(conn: sqlite3.Connection, article_id: int, old_body: str, body: str
                     ) -> bytes | None:
        """The kept page, packed again for a new body: it was compressed with the old
        one as its dictionary (see ``schema.pack_html``)."""
        row = conn.execute("SELECT html FROM article_content WHERE article_id = ?",
                           (article_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            return schema.pack_html(schema.unpack_raw(row[0], old_body), body)
        except zlib.error:
            return None  # damaged: the COALESCE keeps it as it was

    @staticmethod
    def _existing(conn: sqlite3.Connection, key: str, source_url: str) -> int | None:
        row = conn.execute("SELECT id FROM articles WHERE url = ?", (key,)).fetchone()
        if row is None:
            row = conn.execute("SELECT id FROM articles WHERE url = ? OR source_url = ? "
                               "ORDER BY id LIMIT 1", (source_url, source_url)).fetchone()
        return None if row is None else int(row[0])

    @staticmethod
    def _add_tags(conn: sqlite3.Connection, article_id: int, tags: Sequence[str]) -> None:
        conn.executemany("INSERT OR IGNORE INTO tags (article_id, tag) VALUES (?, ?)",
                         [(article_id, tag) for tag in _clean_tags(tags)])

    @staticmethod
    def _store_images(conn: sqlite3.Connection, article_id: int,
                      images: Mapping[str, bytes]) -> None:
        for src, data in images.items():
            sha = digest(data)
            conn.execute("INSERT OR IGNORE INTO images (sha256, mime, data) VALUES (?, ?, ?)",
                         (sha, image_type(data), data))
            conn.execute("INSERT OR REPLACE INTO article_images (article_id, src, sha256) "
                         "VALUES (?, ?, ?)", (article_id, src, sha))

    # ------------------------------------------------------------------ reading

    @_sqlite_errors
    def find(self, url: str) -> int | None:
        rows = self._read("SELECT id FROM articles WHERE url = ? UNION ALL "
                          "SELECT id FROM articles WHERE source_url = ? LIMIT 1", (url, url))
        return int(rows[0][0]) if rows else None

    @_sqlite_errors
    def get(self, id: int) -> SavedArticle:
        rows = self._read(
            f"SELECT {_ENTRY_COLUMNS}, c.article, c.html, a.source_url, p.block,"
            ' p."offset", i.packed FROM articles a LEFT JOIN positions p ON p.url = a.url'
            " LEFT JOIN article_content c ON c.article_id = a.id"
            " LEFT JOIN article_index i ON i.article_id = a.id WHERE a.id = ?", (id,))
        if not rows:
            raise LibraryError(f"There is no article {id} in the library.")
        row = rows[0]
        with self._lock:
            entry = self._entry(tuple(row), self._tags([id]).get(id, ()))
        article = Article(url=entry.url, title=entry.title)
        error = entry.error
        body = ""
        if row["article"] is not None:
            try:
                body = schema.unpack_index(row["packed"])[2] if row["packed"] else ""
                article = schema.unpack_article(row["article"], body)
            except (ValueError, zlib.error, UnicodeDecodeError):
                error = schema.DAMAGED  # that article alone; the row is left as it is
        position = (Position(int(row["block"]), int(row["offset"]))
                    if row["block"] is not None else None)
        return SavedArticle(
            id=entry.id, url=entry.url, title=entry.title, site_name=entry.site_name,
            byline=entry.byline, saved_at=entry.saved_at, published=entry.published,
            reading_minutes=entry.reading_minutes, progress=entry.progress,
            archived=entry.archived, favourite=entry.favourite, tags=entry.tags,
            error=error, article=article, source_url=row["source_url"],
            position=position, compressed_html=row["html"],
            html_dictionary=schema.zdict(body))

    @staticmethod
    def _entry(row: Sequence[Any], tags: tuple[str, ...]) -> Entry:
        return Entry(row[0], row[1], row[2] or "", row[3], row[4], _time(row[5]), row[6],
                     row[7], row[8], bool(row[9]), bool(row[10]), tags, row[11])

    def _tags(self, ids: Sequence[int] | None) -> dict[int, tuple[str, ...]]:
        """Tags by article id, each article's sorted; ``None`` reads them all at once."""
        if ids is None:
            rows = self._conn.execute("SELECT article_id, tag FROM tags").fetchall()
        else:
            rows = self._conn.execute(
                f"SELECT article_id, tag FROM tags WHERE article_id IN "
                f"({','.join('?' * len(ids))})", list(ids)).fetchall()
        found: dict[int, tuple[str, ...]] = {}
        for article_id, tag in rows:
            found[article_id] = (*found[article_id], tag) if article_id in found else (tag,)
        for article_id, tags in found.items():
            if len(tags) > 1:
                found[article_id] = tuple(sorted(tags, key=lambda t: (t.casefold(), t)))
        return found

    def _query(self, search: str | None, sort: str, filter: str, tag: str | None, *,
               plan: bool = True, each: bool = False) -> tuple[list[str], list[Any]] | None:
        """The WHERE terms and parameters of a list; None when the search holds no word
        (nothing can match). ``each``: a page near the top of the list is read, which
        may ask the index row by row (see ``_MATCH_EACH``)."""
        if sort not in _ORDER:
            raise LibraryError(f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
        if filter not in _WHERE:
            raise LibraryError(f"Unknown filter {filter!r}; use one of {', '.join(FILTERS)}.")
        where = [_WHERE[filter]]
        params: list[Any] = []
        if tag:
            where.append(_TAGGED)
            params.append(tag.strip().lstrip("#"))
        if search and search.strip():
            query = self._fts_query(search)
            if query is None:
                return None
            matches = self._match_count(query) if plan else 0
            dense = matches > SPARSE_MATCHES
            term = _MATCH_DENSE if dense else _MATCH
            if dense and each:
                top = self._conn.execute("SELECT max(id) FROM articles").fetchone()[0]
                if matches >= MOST_MATCH * int(top or 0):  # ids estimate the count
                    term = _MATCH_EACH
            marked = self._marked_ids(search)
            if marked:  # ids, written out: they are ints the store read itself
                term = (f"({term} OR {'+' if dense else ''}a.id IN "
                        f"({','.join(map(str, marked))}))")
            where.append(term)
            params.append(query)
        return where, params

    def _check_version(self) -> None:
        """Forget what :meth:`_match_count` and :meth:`_marked_ids` kept when another
        connection has changed the library since."""
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        if version != self._matches_version:
            self._matches, self._marked, self._fts = {}, {}, {}
            self._matches_version = version

    def _fts_query(self, search: str) -> str | None:
        """The FTS query for ``search``, a long last prefix named as the words it begins
        (see :func:`fts_query`); kept until the library changes."""
        self._check_version()
        if search not in self._fts:
            if len(self._fts) > 64:
                self._fts.clear()
            self._fts[search] = fts_query(search, self._words_from)
        return self._fts[search]

    EXPAND_WORDS = 32  # a prefix that begins more words is left to FTS5

    def _words_from(self, prefix: str) -> list[str] | None:
        """The index's words that begin with ``prefix``; None when there are too many
        or the index's word list cannot be read here."""
        conn = self._conn
        try:
            if not self._vocabulary:
                # A temporary table (this connection's alone): the file is not changed.
                conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.article_words "
                             "USING fts5vocab(main, articles_fts, row)")
                self._vocabulary = True
            low, high = prefix_bounds(prefix)
            words = [r[0] for r in conn.execute(
                "SELECT term FROM temp.article_words WHERE term >= ? AND term < ? LIMIT ?",
                (low, high, self.EXPAND_WORDS + 1))]
        except sqlite3.Error:
            return None
        return words if len(words) <= self.EXPAND_WORDS else None

    def _marked_ids(self, search: str) -> tuple[int, ...]:
        """Articles whose highlights or notes hold the words of ``search`` (kept until
        the library changes; usually none, and then a search is the index's alone)."""
        self._check_version()
        if search not in self._marked:
            if len(self._marked) > 64:
                self._marked.clear()
            self._marked[search] = tuple(self._highlighted_ids(like_patterns(search)))
        return self._marked[search]

    def _match_count(self, query: str) -> int:
        """How many articles an FTS query matches (kept until the library changes)."""
        self._check_version()
        if query not in self._matches:
            if len(self._matches) > 64:
                self._matches.clear()
            self._matches[query] = int(self._conn.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                (query,)).fetchone()[0])
        return self._matches[query]

    @_sqlite_errors
    def entries(self, search: str | None = None, sort: str = "saved", filter: str = "all",
                tag: str | None = None, *, limit: int | None = None, offset: int = 0,
                after: int | None = None) -> list[Entry]:
        """Saved articles for the library list, filtered, searched and sorted.

        A screen asks for one page at a time: ``limit`` rows from ``offset`` on, or (keyset,
        as quick at the end of 100,000 rows as at the start) the ``limit`` rows that come
        after the article with id ``after`` in this order. :meth:`count` gives the length of
        the whole list apart. Without ``limit`` the whole list comes back at once (for a
        long one, :meth:`iter_entries` keeps memory flat)."""
        with self._lock:
            query = self._query(search, sort, filter, tag,
                                each=offset <= EACH_WITHIN and limit is not None)
            if query is None:
                return []
            where, params = query
            if after is not None:
                key = self._key(sort, after)
                if key is None:
                    return []
                sql, extra = _after(sort, key)
                where.append(sql)
                params += extra
            sql = (f"SELECT {_ENTRY_COLUMNS} FROM articles a WHERE {' AND '.join(where)} "
                   f"ORDER BY {_ORDER[sort]}")
            if limit is not None or offset:
                sql += " LIMIT ? OFFSET ?"
                params += [-1 if limit is None else max(0, limit), max(0, offset)]
            conn = self._conn
            conn.execute("BEGIN")  # one snapshot for the rows and their tags
            try:
                rows = conn.execute(sql, params).fetchall()
                tags = self._tags([r[0] for r in rows] if len(rows) <= TAGS_ALL_ROWS else None)
            finally:
                conn.execute("COMMIT")
        empty: tuple[str, ...] = ()
        entry = self._entry
        return [entry(row, tags.get(row[0], empty)) for row in rows]

    def _key(self, sort: str, id: int) -> tuple[Any, ...] | None:
        row = self._conn.execute(f"SELECT {', '.join(_KEY[sort])} FROM articles a "
                                 "WHERE a.id = ?", (id,)).fetchone()
        return None if row is None else tuple(row)

    @_sqlite_errors
    def count(self, search: str | None = None, filter: str = "all",
              tag: str | None = None, *, sort: str = "saved") -> int:
        """How many articles the list of :meth:`entries` holds, without reading them
        (``sort`` changes nothing; it is taken so that one query's words fit both)."""
        alone = filter == "all" and not tag
        with self._lock:
            query = self._query(search, sort, filter, tag, plan=not alone)
            if query is None:
                return 0
            where, params = query
            if alone and len(where) == 2 and search:
                # Every indexed row is an article: the index counts its matches alone,
                # and those found by their highlights are added once each.
                fts = self._fts_query(search) or ""
                total = self._match_count(fts)
                marked = self._marked_ids(search)
                if marked:
                    total += len(marked) - int(self._conn.execute(
                        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ? AND "
                        f"rowid IN ({','.join(map(str, marked))})", (fts,)).fetchone()[0])
                return total
            sql = f"SELECT count(*) FROM articles a WHERE {' AND '.join(where)}"
            return int(self._conn.execute(sql, params).fetchone()[0])

    @_sqlite_errors
    def index_of(self, id: int, search: str | None = None, sort: str = "saved",
                 filter: str = "all", tag: str | None = None) -> int | None:
        """Where article ``id`` stands in that list (0 for the first row); None when it is
        not in it. A screen that lists again keeps its cursor on the same article."""
        with self._lock:
            query = self._query(search, sort, filter, tag)
            if query is None:
                return None
            where, params = query
            conn = self._conn
            conn.execute("BEGIN")
            try:
                key = self._key(sort, id)
                inside = key is not None and conn.execute(
                    f"SELECT 1 FROM articles a WHERE a.id = ? AND {' AND '.join(where)}",
                    [id, *params]).fetchone()
                if not inside or key is None:
                    return None
                sql, extra = _after(sort, key, before=True)
                return int(conn.execute(
                    f"SELECT count(*) FROM articles a WHERE {' AND '.join(where)} AND {sql}",
                    params + extra).fetchone()[0])
            finally:
                conn.execute("COMMIT")

    def iter_entries(self, search: str | None = None, sort: str = "saved",
                     filter: str = "all", tag: str | None = None, *,
                     page: int = PAGE_ROWS) -> Iterator[Entry]:
        """Every entry of a list, read a page at a time (keyset), so that listing 100,000
        articles holds one page in memory, not all of them."""
        last: int | None = None
        while True:
            rows = self.entries(search, sort, filter, tag, limit=page, after=last)
            yield from rows
            if len(rows) < page:
                return
            last = rows[-1].id

    @_sqlite_errors
    def is_empty(self) -> bool:
        return not self._read("SELECT 1 FROM articles LIMIT 1")

    @_sqlite_errors
    def image(self, src: str) -> bytes | None:
        """The bytes of an image saved with any article, by its URL."""
        rows = self._read("SELECT i.data FROM article_images ai JOIN images i "
                          "ON i.sha256 = ai.sha256 WHERE ai.src = ? LIMIT 1", (src,))
        return bytes(rows[0][0]) if rows else None

    @_sqlite_errors
    def images(self, id: int) -> dict[str, bytes]:
        """Every image saved with article ``id``, by figure URL."""
        rows = self._read("SELECT ai.src, i.data FROM article_images ai JOIN images i "
                          "ON i.sha256 = ai.sha256 WHERE ai.article_id = ?", (id,))
        return {row[0]: bytes(row[1]) for row in rows}

    # ------------------------------------------------------------------ flags and tags

    def _require(self, conn: sqlite3.Connection, id: int) -> None:
        if conn.execute("SELECT 1 FROM articles WHERE id = ?", (id,)).fetchone() is None:
            raise LibraryError(f"There is no article {id} in the library.")

    @_sqlite_errors
    def set_archived(self, id: int, value: bool) -> None:
        with self._write() as conn:
            self._require(conn, id)
            conn.execute("UPDATE articles SET archived = ? WHERE id = ?", (int(value), id))

    @_sqlite_errors
    def set_favourite(self, id: int, value: bool) -> None:
        with self._write() as conn:
            self._require(conn, id)
            conn.execute("UPDATE articles SET favourite = ? WHERE id = ?", (int(value), id))

    @_sqlite_errors
    def set_tags(self, id: int, tags: Sequence[str]) -> None:
        with self._write() as conn:
            self._require(conn, id)
            conn.execute("DELETE FROM tags WHERE article_id = ?", (id,))
            self._add_tags(conn, id, tags)

    @_sqlite_errors
    def all_tags(self) -> list[str]:
        return [row[0] for row in self._read(
            "SELECT DISTINCT tag FROM tags ORDER BY tag COLLATE NOCASE")]

    # ------------------------------------------------------------------ delete and undo

    @_sqlite_errors
    def delete(self, id: int) -> DeletedToken:
        """Remove an article; the token given back lets :meth:`undelete` restore it.
        Bookmarks and the reading position stay (they are keyed on the URL)."""
        with self._write() as conn:
            cursor = conn.execute("SELECT * FROM articles WHERE id = ?", (id,))
            cursor.row_factory = sqlite3.Row
            row = cursor.fetchone()
            if row is None:
                raise LibraryError(f"There is no article {id} in the library.")
            tags = tuple(r[0] for r in conn.execute(
                "SELECT tag FROM tags WHERE article_id = ?", (id,)))
            images = tuple((r[0], r[1], r[2], bytes(r[3])) for r in conn.execute(
                "SELECT ai.src, ai.sha256, i.mime, i.data FROM article_images ai "
                "JOIN images i ON i.sha256 = ai.sha256 WHERE ai.article_id = ?", (id,)))
            content = conn.execute("SELECT article, html FROM article_content "
                                   "WHERE article_id = ?", (id,)).fetchone()
            fts = self._unindex(conn, id) or ("", "", "")
            conn.execute("DELETE FROM articles WHERE id = ?", (id,))
            conn.execute("DELETE FROM images WHERE sha256 IN ({}) AND sha256 NOT IN "
                         "(SELECT sha256 FROM article_images)".format(
                             ",".join("?" * len(images))), [img[1] for img in images])
        return DeletedToken(id, dict(row), tags, images, (fts[0], fts[1], fts[2]),
                            None if content is None else (content[0], content[1]))

    @_sqlite_errors
    def undelete(self, token: DeletedToken) -> int:
        """Put a deleted article back as it was, with its id; if its URL has been saved
        again since, the newer copy stays and its id is returned."""
        with self._write() as conn:
            row = conn.execute("SELECT id FROM articles WHERE url = ?",
                               (token.row["url"],)).fetchone()
            if row is not None:
                return int(row[0])
            names = list(token.row)
            taken = conn.execute("SELECT 1 FROM articles WHERE id = ?",
                                 (token.article_id,)).fetchone()
            if taken:
                names.remove("id")
            conn.execute(f"INSERT INTO articles ({', '.join(names)}) VALUES "
                         f"({', '.join('?' * len(names))})", [token.row[n] for n in names])
            article_id = token.article_id if not taken else int(
                conn.execute("SELECT last_insert_rowid()").fetchone()[0])
            self._index(conn, article_id, *token.fts)
            if token.content is not None:
                conn.execute("INSERT INTO article_content (article_id, article, html) "
                             "VALUES (?, ?, ?)", (article_id, *token.content))
            self._add_tags(conn, article_id, token.tags)
            for src, sha, mime, data in token.images:
                conn.execute("INSERT OR IGNORE INTO images (sha256, mime, data) "
                             "VALUES (?, ?, ?)", (sha, mime, data))
                conn.execute("INSERT OR REPLACE INTO article_images (article_id, src, sha256)"
                             " VALUES (?, ?, ?)", (article_id, src, sha))
        return article_id

    # ------------------------------------------------------------------ positions

    @_sqlite_errors
    def set_position(self, url: str, position: Position, progress: float) -> None:
        """Remember where reading stopped in the article whose key URL is ``url``."""
        progress = min(1.0, max(0.0, float(progress)))
        if self.read_only:
            return  # bookkeeping, not an action the user asked for: reading goes on
        with self._write() as conn:
            conn.execute(
                'INSERT INTO positions (url, block, "offset", progress, updated_at) '
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET block = excluded.block,"
                ' "offset" = excluded."offset", progress = excluded.progress,'
                " updated_at = excluded.updated_at",
                (url, position.block, position.offset, progress, _stamp(None)))

    @_sqlite_errors
    def position(self, url: str) -> Position | None:
        rows = self._read('SELECT block, "offset" FROM positions WHERE url = ?', (url,))
        return Position(int(rows[0][0]), int(rows[0][1])) if rows else None

    # ------------------------------------------------------------------ bookmarks

    @_sqlite_errors
    def add_bookmark(self, url: str, position: Position, *, title: str = "", section: str = "",
                     snippet: str = "", note: str = "") -> int:
        with self._write() as conn:
            cursor = conn.execute(
                'INSERT INTO bookmarks (url, title, section, snippet, note, block, "offset",'
                " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (url, title, section, snippet, note, position.block, position.offset,
                 _stamp(None)))
            return int(cursor.lastrowid or 0)

    @_sqlite_errors
    def bookmarks(self, url: str | None = None) -> list[Bookmark]:
        """All bookmarks newest first, or one article's in reading order."""
        base = ("SELECT b.id, b.url, COALESCE(NULLIF(b.title, ''), a.title, '') AS title,"
                ' b.section, b.snippet, b.note, b.created, b.block, b."offset"'
                " FROM bookmarks b LEFT JOIN articles a ON a.url = b.url")
        if url is None:
            rows = self._read(base + " ORDER BY b.created DESC, b.id DESC")
        else:
            rows = self._read(base + ' WHERE b.url = ? ORDER BY b.block, b."offset", b.id',
                              (url,))
        return [Bookmark(id=int(r["id"]), url=r["url"], title=r["title"], section=r["section"],
                         snippet=r["snippet"], note=r["note"], created=_time(r["created"]),
                         position=Position(int(r["block"]), int(r["offset"])))
                for r in rows]

    @_sqlite_errors
    def delete_bookmark(self, id: int) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM bookmarks WHERE id = ?", (id,))

    # ------------------------------------------------------------------ history

    @_sqlite_errors
    def record_history(self, url: str, title: str) -> None:
        if self.read_only:
            return  # as set_position: a library one may only read keeps no history
        with self._write() as conn:
            conn.execute("INSERT INTO history (url, title, opened_at) VALUES (?, ?, ?)",
                         (url, title or "", _stamp(None)))
            conn.execute("DELETE FROM history WHERE id <= "
                         "(SELECT MAX(id) FROM history) - ?", (HISTORY_KEEP,))

    @_sqlite_errors
    def history(self, limit: int = 500) -> list[HistoryEntry]:
        rows = self._read("SELECT url, title, opened_at FROM history "
                          "ORDER BY opened_at DESC, id DESC LIMIT ?", (max(0, limit),))
        return [HistoryEntry(r[0], r[1], _time(r[2])) for r in rows]
