"""The library's tables and the forward migrations between their versions.

The version lives in ``PRAGMA user_version``. Each step in :data:`MIGRATIONS` takes the
database from version ``n`` to ``n + 1`` inside one transaction together with the bump of
``user_version``, so a crash mid-migration leaves the old version intact and the next
start simply runs the step again. Steps are never edited once released: a change is a
new step, which is what lets a library made by any older reader open in a newer one.

Version 1 is the first layout: articles (with their bulky JSON and HTML in a table of
their own), tags, images, reading positions, bookmarks and history. Version 2 adds the
full-text index (FTS5 over title, byline and body text, filled from the stored Article
JSON) and the ``error`` column for links saved without content. The index keeps 2- and
3-letter prefixes because the library searches as you type, so the last word is always
a prefix query, and those are the slow ones without it.

Version 3 (:func:`_compact`) makes a library of 100,000 as quick as one of 100 and half
the size: the Article JSON is stored zlib-compressed; the full-text index no longer keeps
its own copy of every body (it is contentless, and the exact text each row was indexed
with is kept compressed in ``article_index``, which is what removing or replacing a row
in the index needs); the reading progress is a column of ``articles`` kept by triggers, so
that every sort and filter has an index. Rows whose stored article is damaged are carried
over byte for byte, never parsed here.

Version 4 (:func:`reader.library.highlights.migrate`) adds the highlights table: passages
with their ``(block, offset)`` ends and a text quote, keyed on the article's URL.
Version 5 (:func:`_feeds_v`) adds feed subscriptions and their items, with a full-text
index of the items.

Only ``store.Library`` writes articles, their content and the index; it keeps them in
step (a row is unindexed with exactly the values it was indexed with).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Callable

from reader.document import Article
from reader.library import highlights

SCHEMA_V1 = """
CREATE TABLE articles (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    url             TEXT NOT NULL UNIQUE,      -- the key: canonical URL, else source URL
    source_url      TEXT NOT NULL,
    title           TEXT NOT NULL DEFAULT '',
    byline          TEXT,
    site_name       TEXT,
    published       TEXT,
    reading_minutes INTEGER NOT NULL DEFAULT 0,
    saved_at        TEXT NOT NULL,             -- ISO-8601, UTC
    updated_at      TEXT NOT NULL,
    archived        INTEGER NOT NULL DEFAULT 0,
    favourite       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX articles_source_url ON articles(source_url);

-- The bulky part apart, so that listing thousands of articles reads small rows only.
-- No row for a link saved without content.
CREATE TABLE article_content (
    article_id   INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    article_json TEXT NOT NULL,                -- Article.to_json()
    html         BLOB                          -- the page as received, zlib-compressed
);
CREATE INDEX articles_saved_at ON articles(saved_at);

CREATE TABLE tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags(tag);

-- Image bytes by content hash, so the same picture saved with two articles is kept once.
CREATE TABLE images (
    sha256 TEXT PRIMARY KEY,
    mime   TEXT,
    data   BLOB NOT NULL
);
CREATE TABLE article_images (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    src        TEXT NOT NULL,
    sha256     TEXT NOT NULL REFERENCES images(sha256),
    PRIMARY KEY (article_id, src)
) WITHOUT ROWID;
CREATE INDEX article_images_src ON article_images(src);
CREATE INDEX article_images_sha ON article_images(sha256);

-- Keyed on the article's key URL, not its id, so a position or bookmark made while
-- reading an unsaved article belongs to the saved copy once it is saved.
CREATE TABLE positions (
    url        TEXT PRIMARY KEY,
    block      INTEGER NOT NULL,
    "offset"   INTEGER NOT NULL,
    progress   REAL NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

CREATE TABLE bookmarks (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    url      TEXT NOT NULL,
    title    TEXT NOT NULL DEFAULT '',
    section  TEXT NOT NULL DEFAULT '',
    snippet  TEXT NOT NULL DEFAULT '',
    note     TEXT NOT NULL DEFAULT '',
    block    INTEGER NOT NULL,
    "offset" INTEGER NOT NULL,
    created  TEXT NOT NULL
);
CREATE INDEX bookmarks_url ON bookmarks(url);

CREATE TABLE history (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    url       TEXT NOT NULL,
    title     TEXT NOT NULL DEFAULT '',
    opened_at TEXT NOT NULL
);
CREATE INDEX history_opened ON history(opened_at);
"""

SCHEMA_V2 = """
ALTER TABLE articles ADD COLUMN error TEXT;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, byline, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
"""


def _v1(conn: sqlite3.Connection) -> None:
    for statement in _statements(SCHEMA_V1):
        conn.execute(statement)


DAMAGED = "The saved copy of this article is damaged and cannot be read."


def _v2(conn: sqlite3.Connection) -> None:
    for statement in _statements(SCHEMA_V2):
        conn.execute(statement)
    # One row at a time (a library may hold gigabytes of JSON), and a row whose JSON is
    # damaged is indexed by its title alone and marked: it must not stop the others.
    rows = conn.execute("SELECT a.id, a.title, a.byline, c.article_json FROM articles a "
                        "LEFT JOIN article_content c ON c.article_id = a.id")
    for article_id, title, byline, data in rows:
        body = ""
        if data is not None:
            try:
                body = Article.from_json(data).plain_text()
            except (ValueError, TypeError, RecursionError):
                conn.execute("UPDATE articles SET error = ? WHERE id = ?", (DAMAGED, article_id))
        conn.execute("INSERT INTO articles_fts(rowid, title, byline, body) VALUES (?, ?, ?, ?)",
                     (article_id, str(title or ""), str(byline or ""), body))


# ---------------------------------------------------------------------- version 3

# The index keeps which articles hold a word, not where (detail = none): a tenth of the
# size, and a common word is quicker to look up. The library searches for words, each
# quoted alone (search.fts_query), never for phrases, which would need the places.
# Prefixes of 2 to 6 letters are indexed: the search box asks for one on every key, and
# without its own index a prefix merges the lists of every word it begins.
PREFIX_LENGTHS = (2, 3, 4, 5, 6)
FTS_OPTIONS = ("tokenize = 'unicode61 remove_diacritics 2', detail = none, "
               f"prefix = '{' '.join(map(str, PREFIX_LENGTHS))}'")
COMPRESS_LEVEL = 6

SCHEMA_V3 = f"""
CREATE TABLE article_content_v3 (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    article    BLOB NOT NULL,                  -- Article.to_json(), see pack_article
    html       BLOB                            -- the page as received, zlib-compressed
);
INSERT INTO article_content_v3 (article_id, article, html)
    SELECT c.article_id, reader_pack(c.article_json, f.body), c.html
    FROM article_content c LEFT JOIN articles_fts f ON f.rowid = c.article_id;
DROP TABLE article_content;
ALTER TABLE article_content_v3 RENAME TO article_content;

-- The exact title, byline and body each row of the index was made from (see pack_index).
CREATE TABLE article_index (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    packed     BLOB NOT NULL
);
INSERT INTO article_index (article_id, packed)
    SELECT rowid, reader_pack_index(title, byline, body) FROM articles_fts;
CREATE VIRTUAL TABLE articles_search USING fts5(title, byline, body, content = '', {FTS_OPTIONS});
INSERT INTO articles_search (rowid, title, byline, body)
    SELECT rowid, title, byline, body FROM articles_fts;
DROP TABLE articles_fts;
ALTER TABLE articles_search RENAME TO articles_fts;
INSERT INTO articles_fts (articles_fts) VALUES ('optimize');

ALTER TABLE articles ADD COLUMN progress REAL NOT NULL DEFAULT 0;
UPDATE articles SET progress = COALESCE(
    (SELECT p.progress FROM positions p WHERE p.url = articles.url), 0);
CREATE TRIGGER positions_progress_insert AFTER INSERT ON positions BEGIN
    UPDATE articles SET progress = NEW.progress WHERE url = NEW.url;
END;
CREATE TRIGGER positions_progress_update AFTER UPDATE ON positions BEGIN
    UPDATE articles SET progress = 0 WHERE url = OLD.url AND OLD.url <> NEW.url;
    UPDATE articles SET progress = NEW.progress WHERE url = NEW.url;
END;
CREATE TRIGGER positions_progress_delete AFTER DELETE ON positions BEGIN
    UPDATE articles SET progress = 0 WHERE url = OLD.url;
END;
CREATE TRIGGER articles_progress_insert AFTER INSERT ON articles BEGIN
    UPDATE articles SET progress = COALESCE(
        (SELECT p.progress FROM positions p WHERE p.url = NEW.url), 0) WHERE id = NEW.id;
END;
CREATE TRIGGER articles_progress_url AFTER UPDATE OF url ON articles BEGIN
    UPDATE articles SET progress = COALESCE(
        (SELECT p.progress FROM positions p WHERE p.url = NEW.url), 0) WHERE id = NEW.id;
END;

-- One index per sort (scanned backwards for the descending ones; saved_at has one), and
-- one per sort and filter holding only the filter's rows, so that a page of a filtered
-- list never walks past rows it does not show, however rare they are.
CREATE INDEX articles_published ON articles(COALESCE(published, ''), saved_at);
CREATE INDEX articles_title ON articles(title COLLATE NOCASE);
CREATE INDEX articles_progress ON articles(progress, saved_at);
{{filtered}}
-- Tags are matched without regard to case.
CREATE INDEX tags_tag_nocase ON tags(tag COLLATE NOCASE);
"""
# Index columns per sort and rows per filter; the store's orders and filters are these.
SORT_COLUMNS = {"saved": "saved_at", "published": "COALESCE(published, ''), saved_at",
                "title": "title COLLATE NOCASE", "progress": "progress, saved_at"}
# (The unary plus keeps SQLite from taking "progress = 0" for a selective equality on the
# progress index, which would sort a whole filtered library instead of walking an index.)
FILTER_ROWS = {"unread": "+progress = 0 AND archived = 0", "archived": "archived = 1",
               "favourites": "favourite = 1"}
SCHEMA_V3 = SCHEMA_V3.replace("{filtered}", "\n".join(
    f"CREATE INDEX articles_{name}_by_{sort} ON articles({columns}) WHERE {rows};"
    for name, rows in FILTER_ROWS.items() for sort, columns in SORT_COLUMNS.items()))


ZDICT_BYTES = 32768  # zlib's window: a longer dictionary is of no use


def zdict(body: str | None) -> bytes:
    """zlib's preset dictionary for an article's stored forms: the end of its body text."""
    return (body or "").encode("utf-8", "surrogatepass")[-ZDICT_BYTES:]


def pack_html(html: bytes, body: str | None = None) -> bytes:
    """The page as received, primed with the body as :func:`pack_article` is (the page
    holds the article's text too). A page packed before version 3 has no dictionary;
    :func:`unpack_raw` reads both."""
    packer = zlib.compressobj(COMPRESS_LEVEL, zdict=zdict(body)) if body else (
        zlib.compressobj(COMPRESS_LEVEL))
    return packer.compress(html) + packer.flush()


def pack_article(data: object, body: str | None = None) -> bytes:
    """The stored form of an article's JSON: zlib, primed with the body text the search
    index was made from (``article_index`` keeps it anyway, and the JSON is mostly that
    text, so it shrinks to its structure: about a tenth instead of a third). Whatever an
    old row holds (text, bytes, even damage) is kept byte for byte."""
    if isinstance(data, str):
        raw = data.encode("utf-8", "surrogatepass")
    elif isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
    else:
        raw = str(data).encode()
    primer = zdict(body)
    packer = zlib.compressobj(COMPRESS_LEVEL, zdict=primer) if primer else zlib.compressobj(
        COMPRESS_LEVEL)
    return packer.compress(raw) + packer.flush()


def unpack_article(packed: bytes, body: str | None = None) -> Article:
    """The article of a stored row, given the body it was packed with (the third value
    of its ``article_index`` row); ``ValueError`` when the row is damaged."""
    try:
        return Article.from_json(unpack_raw(packed, body).decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, TypeError, RecursionError) as exc:
        raise ValueError(f"damaged article: {exc}") from exc


def unpack_raw(packed: bytes, body: str | None = None) -> bytes:
    """The bytes :func:`pack_article` was given (``zlib.error`` when they cannot be had)."""
    primer = zdict(body)
    unpacker = zlib.decompressobj(zdict=primer) if primer else zlib.decompressobj()
    raw = unpacker.decompress(packed) + unpacker.flush()
    if not unpacker.eof:
        raise zlib.error("the stored article is cut short")
    return raw


def pack_index(title: object, byline: object, body: object) -> bytes:
    """The values a row of the contentless index was made from, kept so that the row can
    be removed exactly (FTS5 removes a contentless row by being told its tokens again)."""
    values = ["" if v is None else str(v) for v in (title, byline, body)]
    return zlib.compress(json.dumps(values, ensure_ascii=False).encode("utf-8",
                                                                       "surrogatepass"),
                         COMPRESS_LEVEL)


def unpack_index(packed: bytes) -> tuple[str, str, str]:
    """The values :func:`pack_index` kept; ``ValueError`` when the row is damaged."""
    try:
        title, byline, body = json.loads(zlib.decompress(packed).decode("utf-8",
                                                                        "surrogatepass"))
    except (zlib.error, UnicodeDecodeError, TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"damaged index row: {exc}") from exc
    return str(title), str(byline), str(body)


def _safe(fn: Callable[..., bytes]) -> Callable[..., bytes]:
    """An SQL function that never raises: a failure inside one would abort the whole
    migration over one odd row."""

    def wrapped(*args: object) -> bytes:
        try:
            return fn(*args)
        except Exception:
            return zlib.compress(repr(args).encode("utf-8", "backslashreplace"))

    return wrapped


def register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("reader_pack", 2, _safe(pack_article), deterministic=True)
    conn.create_function("reader_pack_index", 3, _safe(pack_index), deterministic=True)


def _compact(conn: sqlite3.Connection) -> None:
    """Compressed articles, a contentless index, progress in ``articles``, an index per
    sort. Existing rows are converted inside the step's transaction: a crash (even
    ``kill -9``) leaves the previous version whole and the next start does it again."""
    register_functions(conn)
    for statement in _statements(SCHEMA_V3):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    """Split a schema script into statements; ``executescript`` would commit the open
    transaction, and migrations must stay inside theirs."""
    out: list[str] = []
    current = ""
    for line in script.splitlines():
        line = line.split("--", 1)[0].rstrip()
        if not line:
            continue
        current += line + "\n"
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


SCHEMA_FEEDS = """
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    url           TEXT NOT NULL UNIQUE,        -- the address subscribed to
    title         TEXT NOT NULL DEFAULT '',
    site_url      TEXT,
    added_at      TEXT NOT NULL,
    etag          TEXT,                        -- validators for conditional GET
    last_modified TEXT,
    checked_at    TEXT,                        -- last attempt, whatever came of it
    next_check    TEXT,                        -- not before: <ttl>, Cache-Control, Retry-After
    outcome       TEXT,                        -- what the last refresh did, in words
    error         TEXT,                        -- its failure sentence; NULL when it worked
    failures      INTEGER NOT NULL DEFAULT 0,  -- failures in a row, for the backoff
    full_text     INTEGER NOT NULL DEFAULT 0,  -- the feed carries whole articles
    save_new      INTEGER NOT NULL DEFAULT 0   -- save new items to the library
);
CREATE TABLE feed_tags (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (feed_id, tag)
) WITHOUT ROWID;
CREATE TABLE feed_items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    feed_id      INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,                -- guid/id, else link, else a digest
    url          TEXT,
    title        TEXT NOT NULL DEFAULT '',
    author       TEXT,
    published    TEXT,
    sort_at      TEXT NOT NULL,                -- published, else first seen
    first_seen   TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    content      BLOB,                         -- the feed's own HTML, zlib-compressed
    read         INTEGER NOT NULL DEFAULT 0,
    article_id   INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    UNIQUE (feed_id, key)
);
CREATE INDEX feed_items_order ON feed_items(feed_id, sort_at);
CREATE INDEX feed_items_unread ON feed_items(feed_id, read);
CREATE INDEX feed_items_all_order ON feed_items(sort_at);
CREATE VIRTUAL TABLE feed_items_fts USING fts5(
    title, author, summary, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
"""


def _feeds_v(conn: sqlite3.Connection) -> None:
    """Feed subscriptions (``reader feed``) and their items, with a full-text index of
    the items' titles, authors and summaries like the articles' one."""
    for statement in _statements(SCHEMA_FEEDS):
        conn.execute(statement)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1, _v2, _compact, highlights.migrate, _feeds_v)
CURRENT_VERSION = len(MIGRATIONS)
EXPECTED_TABLES = frozenset({"articles", "article_content", "tags", "images", "article_images",
                             "positions", "bookmarks", "history"})


def migrate(conn: sqlite3.Connection, *, target: int = CURRENT_VERSION) -> int:
    """Bring the database up to ``target``; each step in its own transaction."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    while version < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version < target:
                MIGRATIONS[version](conn)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return version
