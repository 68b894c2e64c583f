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
"""

from __future__ import annotations

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

from reader.document import Article, Position
from reader.errors import LibraryError
from reader.library import schema
from reader.library.highlights import HighlightsMixin
from reader.library.images import digest, image_type
from reader.library.models import Bookmark, DeletedToken, Entry, HistoryEntry, SavedArticle
from reader.library.search import fts_query

DB_NAME = "library.db"
BUSY_TIMEOUT_MS = 5000
SORTS = ("saved", "published", "title", "progress")
FILTERS = ("all", "unread", "archived", "favourites")
CACHE_FILL_ROWS = 2000  # a longer result loads every row once and keeps them
HISTORY_KEEP = 5000  # history rows kept; older ones are dropped as new ones arrive

_PROGRESS = "COALESCE((SELECT p.progress FROM positions p WHERE p.url = a.url), 0.0)"
_ORDER = {
    "saved": "a.saved_at DESC, a.id DESC",
    "published": "a.published IS NULL, a.published DESC, a.saved_at DESC",
    "title": "a.title COLLATE NOCASE ASC, a.id ASC",
    "progress": f"{_PROGRESS} DESC, a.saved_at DESC",
}
_WHERE = {
    "all": "1",
    "unread": f"{_PROGRESS} = 0 AND a.archived = 0",
    "archived": "a.archived = 1",
    "favourites": "a.favourite = 1",
}
# The columns of an Entry, in the order of its fields (tags are filled in apart).
_ENTRY_COLUMNS = f"""
    a.id, a.url, a.title, a.site_name, a.byline, a.saved_at, a.published,
    a.reading_minutes, {_PROGRESS} AS progress, a.archived, a.favourite, a.error
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

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        # Every Entry, by id, as of ``_cache_version`` (PRAGMA data_version): the list is
        # asked for again on every keystroke in the search box, and building thousands of
        # rows costs far more than finding their ids. Own writes drop it; another
        # process's commits change data_version.
        self._cache: dict[int, Entry] | None = None
        self._cache_version = -1

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, data_dir: Path | None = None) -> Library:
        """Open (creating if needed) the library in ``data_dir`` (default: the data dir)."""
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
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise LibraryError(f"The library at {path} cannot be opened ({exc}).") from None
        library = cls(path, conn)
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
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or time.monotonic() > deadline:
                    conn.close()
                    raise library._error(exc) from None
                time.sleep(0.05)
            except sqlite3.Error as exc:
                conn.close()
                raise library._error(exc) from None

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
        if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in message:
            return LibraryError(f"The library at {self.path} is busy in another reader; "
                                "try again in a moment.")
        if not isinstance(exc, sqlite3.ProgrammingError) and not self._healthy():
            return damaged  # e.g. "vtable constructor failed" over a damaged index
        return LibraryError(f"The library at {self.path} cannot be used ({message}).")

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
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            self._cache = None
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
        data = article.to_json()
        body = article.plain_text()
        packed = zlib.compress(html, 6) if html is not None else None
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
                conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
            conn.execute(
                "INSERT INTO article_content (article_id, article_json, html) VALUES (?, ?, ?)"
                " ON CONFLICT(article_id) DO UPDATE SET article_json = excluded.article_json,"
                " html = COALESCE(excluded.html, html)", (article_id, data, packed))
            conn.execute("INSERT INTO articles_fts (rowid, title, byline, body) "
                         "VALUES (?, ?, ?, ?)",
                         (article_id, article.title or "", article.byline or "", body))
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
            conn.execute("INSERT INTO articles_fts (rowid, title, byline, body) "
                         "VALUES (?, ?, '', '')", (article_id, title or ""))
            self._add_tags(conn, article_id, tags)
        return article_id

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
            f"SELECT {_ENTRY_COLUMNS}, c.article_json, c.html, a.source_url, p.block,"
            ' p."offset" FROM articles a LEFT JOIN positions p ON p.url = a.url'
            " LEFT JOIN article_content c ON c.article_id = a.id WHERE a.id = ?", (id,))
        if not rows:
            raise LibraryError(f"There is no article {id} in the library.")
        row = rows[0]
        with self._lock:
            entry = self._entry(tuple(row), self._tags([id]).get(id, ()))
        if row["article_json"]:
            article = Article.from_json(row["article_json"])
        else:
            article = Article(url=entry.url, title=entry.title)
        position = (Position(int(row["block"]), int(row["offset"]))
                    if row["block"] is not None else None)
        return SavedArticle(
            id=entry.id, url=entry.url, title=entry.title, site_name=entry.site_name,
            byline=entry.byline, saved_at=entry.saved_at, published=entry.published,
            reading_minutes=entry.reading_minutes, progress=entry.progress,
            archived=entry.archived, favourite=entry.favourite, tags=entry.tags,
            error=entry.error, article=article, source_url=row["source_url"],
            position=position, compressed_html=row["html"])

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

    @_sqlite_errors
    def entries(self, search: str | None = None, sort: str = "saved", filter: str = "all",
                tag: str | None = None, *, limit: int | None = None) -> list[Entry]:
        """Saved articles for the library list, filtered, searched and sorted; ``limit``
        gives only the first rows (a screen's first page of a large library)."""
        if sort not in _ORDER:
            raise LibraryError(f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
        if filter not in _WHERE:
            raise LibraryError(f"Unknown filter {filter!r}; use one of {', '.join(FILTERS)}.")
        where = [_WHERE[filter]]
        params: list[Any] = []
        if tag:
            where.append("EXISTS (SELECT 1 FROM tags t WHERE t.article_id = a.id "
                         "AND t.tag = ? COLLATE NOCASE)")
            params.append(tag.strip().lstrip("#"))
        if search and search.strip():
            query = fts_query(search)
            if query is None:
                return []
            where.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(query)
        sql = f"SELECT a.id FROM articles a WHERE {' AND '.join(where)} ORDER BY {_ORDER[sort]}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, limit))
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN")  # one snapshot for the ids and the rows
            try:
                ids = [row[0] for row in conn.execute(sql, params)]
                if not ids:
                    return []
                cache = self._cached_entries(fill=len(ids) > CACHE_FILL_ROWS)
                if cache is None or any(i not in cache for i in ids):
                    cache = self._load_entries(ids if len(ids) <= CACHE_FILL_ROWS else None)
            finally:
                conn.execute("COMMIT")
        return [cache[i] for i in ids]

    def _cached_entries(self, *, fill: bool) -> dict[int, Entry] | None:
        """The cache if it is current; filled first when ``fill`` and it is not."""
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        if self._cache is not None and version == self._cache_version:
            return self._cache
        self._cache = None
        if not fill:
            return None
        self._cache = self._load_entries(None)
        self._cache_version = version
        return self._cache

    def _load_entries(self, ids: Sequence[int] | None) -> dict[int, Entry]:
        sql = f"SELECT {_ENTRY_COLUMNS} FROM articles a"
        params: list[int] = []
        if ids is not None:
            sql += f" WHERE a.id IN ({','.join('?' * len(ids))})"
            params = list(ids)
        rows = self._conn.execute(sql, params).fetchall()
        tags = self._tags(None if ids is None or len(ids) > CACHE_FILL_ROWS else ids)
        empty: tuple[str, ...] = ()
        entry = self._entry
        return {row[0]: entry(row, tags.get(row[0], empty)) for row in rows}

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
            fts = conn.execute("SELECT title, byline, body FROM articles_fts WHERE rowid = ?",
                               (id,)).fetchone() or ("", "", "")
            content = conn.execute("SELECT article_json, html FROM article_content "
                                   "WHERE article_id = ?", (id,)).fetchone()
            conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (id,))
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
            conn.execute("INSERT INTO articles_fts (rowid, title, byline, body) "
                         "VALUES (?, ?, ?, ?)", (article_id, *token.fts))
            if token.content is not None:
                conn.execute("INSERT INTO article_content (article_id, article_json, html) "
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
