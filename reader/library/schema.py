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
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from reader.document import Article

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


def _v2(conn: sqlite3.Connection) -> None:
    for statement in _statements(SCHEMA_V2):
        conn.execute(statement)
    rows = conn.execute("SELECT a.id, a.title, a.byline, c.article_json FROM articles a "
                        "LEFT JOIN article_content c ON c.article_id = a.id").fetchall()
    for article_id, title, byline, data in rows:
        body = Article.from_json(data).plain_text() if data else ""
        conn.execute("INSERT INTO articles_fts(rowid, title, byline, body) VALUES (?, ?, ?, ?)",
                     (article_id, title or "", byline or "", body))


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


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2, _feeds_v)
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
