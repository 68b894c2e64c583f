"""Durability of the library file: crashes mid-save, two processes at once, damaged files
and old schema versions. Real subprocesses and real files; every wait is bounded."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from reader.document import Position
from reader.errors import LibraryError
from reader.library import Library, schema, store
from tests.test_library import make_article, png

PNG = png((1, 2, 3))

_COMMON = """
import sys, time
from pathlib import Path
from reader.document import Article, Figure, Paragraph, Position, Span
from reader.library import Library
from reader.library import store

def art(url, word, n=0):
    return Article(url=url, title="Title " + word, byline="By " + word, blocks=(
        Paragraph((Span("body with " + word + " " + "filler " * n),)),
        Figure(url + "/i.png", caption="c")))

PNG = bytes.fromhex(sys.argv[3]) if len(sys.argv) > 3 else b"\\x89PNG"
folder = Path(sys.argv[1])
"""

PAUSE_INSIDE_SAVE = _COMMON + """
marker = Path(sys.argv[2])
lib = Library.open(folder)
lib.save(art("https://k.example/", "oldword"), source_url="https://k.example/")
original = store.Library._store_images

def pause(conn, article_id, images):
    original(conn, article_id, images)  # the article row, tags and index are written too
    marker.write_text("inside the transaction")
    time.sleep(120)

store.Library._store_images = staticmethod(pause)
lib.save(art("https://k.example/", "newword"), source_url="https://k.example/",
         images={"https://k.example//i.png": PNG}, tags=["new"], favourite=True)
"""

SAVE_IN_A_LOOP = _COMMON + """
prefix = sys.argv[2]
lib = Library.open(folder)
n = 0
while True:
    url = f"https://{prefix}.example/{n % 40}"
    lib.save(art(url, f"w{n}", n % 200), source_url=url,
             images={url + "/i.png": PNG + bytes([n % 251])}, tags=[f"t{n % 3}"])
    lib.set_position(url, Position(n % 5, 1), (n % 10) / 10)
    lib.add_bookmark(url, Position(0, n % 7), snippet=f"s{n}")
    lib.record_history(url, f"w{n}")
    print(n, flush=True)
    n += 1
    if len(sys.argv) > 4 and n >= int(sys.argv[4]):
        break
"""


def python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(predicate: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def assert_consistent(folder: Path) -> None:
    """Integrity, foreign keys, one index row (and its kept text) per article, every JSON
    readable, and the library still opens and lists."""
    conn = sqlite3.connect(folder / "library.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        indexed = conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
        kept = conn.execute("SELECT count(*) FROM article_index").fetchone()[0]
        assert articles == indexed == kept
        orphans = conn.execute("SELECT count(*) FROM article_images ai LEFT JOIN images i "
                               "ON i.sha256 = ai.sha256 WHERE i.sha256 IS NULL").fetchone()[0]
        assert orphans == 0
    finally:
        conn.close()
    with Library.open(folder) as lib:
        for entry in lib.entries():
            saved = lib.get(entry.id)
            assert saved.article.title == entry.title
            assert lib.entries(search=entry.title.split()[-1])


# ---------------------------------------------------------------------- kill -9


def test_kill_9_inside_a_save_leaves_the_old_state(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    proc = python(PAUSE_INSIDE_SAVE, str(tmp_path), str(marker), PNG.hex())
    try:
        wait_for(lambda: marker.exists() or proc.poll() is not None)
        assert marker.exists(), proc.stderr.read() if proc.stderr else ""
        # Meanwhile another reader still sees the old state (WAL: readers never wait).
        with Library.open(tmp_path) as lib:
            assert [e.title for e in lib.entries()] == ["Title oldword"]
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert_consistent(tmp_path)
    with Library.open(tmp_path) as lib:
        (entry,) = lib.entries()
        saved = lib.get(entry.id)
        assert saved.title == "Title oldword" and saved.tags == () and not saved.favourite
        assert lib.image("https://k.example//i.png") is None
        assert lib.entries(search="newword") == []
        assert len(lib.entries(search="oldword")) == 1
        # And the library takes writes again: the dead writer's lock is gone.
        lib.save(make_article("https://k.example/", "After", "after the crash"),
                 source_url="https://k.example/")
        assert lib.get(entry.id).title == "After"


def test_kill_9_during_a_stream_of_saves_leaves_a_consistent_library(tmp_path: Path) -> None:
    proc = python(SAVE_IN_A_LOOP, str(tmp_path), "loop", PNG.hex())
    assert proc.stdout is not None
    done = -1
    try:
        for _ in range(25):  # let it commit a few dozen actions, then kill it mid-stream
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            done = int(line)
        time.sleep(0.013)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert_consistent(tmp_path)
    with Library.open(tmp_path) as lib:
        assert len(lib.entries()) >= min(done + 1, 40)
        assert len(lib.bookmarks()) >= done + 1
        assert len(lib.history()) >= done + 1


# ---------------------------------------------------------------------- two at once


def test_two_processes_writing_at_once_do_not_corrupt(tmp_path: Path) -> None:
    # Both also create the library at the same moment: creation and migration race too.
    procs = [python(SAVE_IN_A_LOOP, str(tmp_path), name, PNG.hex(), "60")
             for name in ("first", "second")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert_consistent(tmp_path)
    with Library.open(tmp_path) as lib:
        assert len(lib.entries()) == 80  # 40 distinct URLs each
        assert len(lib.bookmarks()) == 120
        assert len(lib.history()) == 120


def test_two_connections_in_one_process_see_each_others_writes(tmp_path: Path) -> None:
    with Library.open(tmp_path) as one, Library.open(tmp_path) as two:
        article_id = one.save(make_article("https://2.example/", "Shared", "text"),
                              source_url="https://2.example/")
        two.add_bookmark("https://2.example/", Position(1, 1), snippet="from two")
        assert two.get(article_id).title == "Shared"
        assert [b.snippet for b in one.bookmarks("https://2.example/")] == ["from two"]


def test_a_writer_held_too_long_gives_a_busy_sentence(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "marker"
    proc = python(PAUSE_INSIDE_SAVE, str(tmp_path), str(marker), PNG.hex())
    try:
        wait_for(lambda: marker.exists() or proc.poll() is not None)
        monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
        with Library.open(tmp_path) as lib:
            assert len(lib.entries()) == 1  # reading is fine
            with pytest.raises(LibraryError) as caught:
                lib.set_position("https://k.example/", Position(1), 0.5)
            assert "busy in another reader" in str(caught.value)
            assert str(caught.value).endswith(".") and "\n" not in str(caught.value)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# ---------------------------------------------------------------------- damaged files


def assert_one_sentence(message: str) -> None:
    assert message.endswith(".")
    assert "\n" not in message
    assert "Traceback" not in message


def test_a_file_that_is_not_a_database_is_reported_and_left_byte_identical(
        tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    garbage = b"This is my shopping list, not a database.\n" * 100 + bytes(range(256)) * 20
    path.write_bytes(garbage)
    for _ in range(2):  # the second attempt too: nothing was "repaired" in between
        with pytest.raises(LibraryError) as caught:
            Library.open(tmp_path)
        message = str(caught.value)
        assert_one_sentence(message)
        assert message == (f"The library at {path} is damaged (file is not a database); "
                           "reader left it untouched.")
        assert path.read_bytes() == garbage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.db"]


def _filled_library(folder: Path) -> Path:
    with Library.open(folder) as lib:
        for n in range(150):
            url = f"https://fill.example/{n}"
            lib.save(make_article(url, f"Filler {n}", "words " * 400), source_url=url)
    return folder / "library.db"


def test_a_damaged_header_is_reported_and_left_byte_identical(tmp_path: Path) -> None:
    path = _filled_library(tmp_path)
    data = bytearray(path.read_bytes())
    data[0:16] = b"NOT SQLITE 3\x00\x00\x00\x00"
    path.write_bytes(bytes(data))
    with pytest.raises(LibraryError) as caught:
        Library.open(tmp_path)
    assert_one_sentence(str(caught.value))
    assert "is damaged" in str(caught.value)
    assert path.read_bytes() == bytes(data)


def test_damaged_pages_give_the_sentence_when_read_and_the_file_is_untouched(
        tmp_path: Path) -> None:
    path = _filled_library(tmp_path)
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 3, len(data), 4096 * 5):
        data[offset:offset + 4096] = (b"\xde\xad\xbe\xef" * 1024)
    path.write_bytes(bytes(data))
    with pytest.raises(LibraryError) as caught:  # on open or on the first read
        lib = Library.open(tmp_path)
        try:
            lib.entries(search="words")
            for entry in lib.entries():
                lib.get(entry.id)
        finally:
            lib.close()
    assert_one_sentence(str(caught.value))
    assert "is damaged" in str(caught.value) and "untouched" in str(caught.value)
    assert path.read_bytes() == bytes(data)


def test_a_database_that_is_not_a_library_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LibraryError) as caught:
        Library.open(tmp_path)
    assert str(caught.value) == (f"The file {path} is not a reader library; "
                                 "reader left it untouched.")
    assert path.read_bytes() == before


def test_a_library_from_a_newer_reader_is_refused_untouched(tmp_path: Path) -> None:
    path = _filled_library(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.CURRENT_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LibraryError) as caught:
        Library.open(tmp_path)
    assert_one_sentence(str(caught.value))
    assert "newer reader" in str(caught.value)
    assert path.read_bytes() == before


# ---------------------------------------------------------------------- migrations


def test_migration_from_the_first_schema_keeps_everything(tmp_path: Path) -> None:
    """A library written by the first version (no search index, no error column) opens in
    this one with its articles, tags, images, positions, bookmarks and history, and the
    search index is built from the stored articles."""
    path = tmp_path / "library.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")  # as an old file might be
    assert schema.migrate(conn, target=1) == 1
    article = make_article("https://old.example/a", "Old article", "an ocelot slept here",
                           byline="Ann Old", figures=("https://old.example/a.png",))
    stamp = "2021-03-04T05:06:07.000000+00:00"
    conn.execute("INSERT INTO articles (id, url, source_url, title, byline, site_name, "
                 "published, reading_minutes, saved_at, updated_at, archived, favourite) "
                 "VALUES (3, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1)",
                 (article.url, article.url, article.title, article.byline, article.site_name,
                  article.published, article.reading_minutes, stamp, stamp))
    conn.execute("INSERT INTO article_content VALUES (3, ?, ?)",
                 (article.to_json(), zlib.compress(b"<p>an ocelot slept here</p>")))
    conn.execute("INSERT INTO tags VALUES (3, 'kept')")
    conn.execute("INSERT INTO images VALUES ('abc', 'image/png', ?)", (PNG,))
    conn.execute("INSERT INTO article_images VALUES (3, 'https://old.example/a.png', 'abc')")
    conn.execute("INSERT INTO positions VALUES (?, 2, 5, 0.6, ?)", (article.url, stamp))
    conn.execute("INSERT INTO bookmarks (url, title, section, snippet, note, block, \"offset\","
                 " created) VALUES (?, 'Old article', 'Introduction', 'an ocelot', 'n', 1, 3,"
                 " ?)", (article.url, stamp))
    conn.execute("INSERT INTO history (url, title, opened_at) VALUES (?, 'Old article', ?)",
                 (article.url, stamp))
    conn.close()

    with Library.open(tmp_path) as lib:
        saved = lib.get(3)
        assert saved.article == article
        assert saved.tags == ("kept",) and saved.favourite and saved.error is None
        assert saved.html == b"<p>an ocelot slept here</p>"
        assert saved.position == Position(2, 5) and saved.progress == 0.6
        assert lib.image("https://old.example/a.png") == PNG
        assert [b.snippet for b in lib.bookmarks(article.url)] == ["an ocelot"]
        assert [h.title for h in lib.history()] == ["Old article"]
        assert [e.id for e in lib.entries(search="ocelot")] == [3]
        assert [e.id for e in lib.entries(search="ann")] == [3]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.CURRENT_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


PAUSE_INSIDE_MIGRATION = """
import sys, time
from pathlib import Path
from reader.library import Library, schema

def paused(conn):
    schema._v2(conn)  # the whole step is written, but not committed
    Path(sys.argv[2]).write_text("inside the migration")
    time.sleep(120)

schema.MIGRATIONS = (schema._v1, paused)
Library.open(Path(sys.argv[1]))
"""


def test_kill_9_inside_a_migration_leaves_the_old_version_which_migrates_next_time(
        tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "library.db", isolation_level=None)
    schema.migrate(conn, target=1)
    article = make_article("https://mig.example/", "Migrating", "a pangolin in the text")
    stamp = "2022-01-01T00:00:00.000000+00:00"
    conn.execute("INSERT INTO articles (id, url, source_url, title, reading_minutes, saved_at,"
                 " updated_at) VALUES (1, ?, ?, ?, 1, ?, ?)",
                 (article.url, article.url, article.title, stamp, stamp))
    conn.execute("INSERT INTO article_content VALUES (1, ?, NULL)", (article.to_json(),))
    conn.close()
    marker = tmp_path / "marker"
    proc = python(PAUSE_INSIDE_MIGRATION, str(tmp_path), str(marker))
    try:
        wait_for(lambda: marker.exists() or proc.poll() is not None)
        assert marker.exists(), proc.stderr.read() if proc.stderr else ""
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    conn = sqlite3.connect(tmp_path / "library.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    columns = [row[1] for row in conn.execute("PRAGMA table_info(articles)")]
    assert "error" not in columns  # the half-done step left nothing behind
    conn.close()
    with Library.open(tmp_path) as lib:
        assert [e.title for e in lib.entries(search="pangolin")] == ["Migrating"]
        assert lib.get(1).article == article
    assert_consistent(tmp_path)


def test_migrations_are_idempotent_under_concurrent_opens(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "library.db", isolation_level=None)
    schema.migrate(conn, target=1)
    conn.close()
    with Library.open(tmp_path) as one, Library.open(tmp_path) as two:
        one.save(make_article("https://m.example/", "M", "text"), source_url="https://m.example/")
        assert len(two.entries(search="text")) == 1


def test_the_list_follows_writes_from_this_and_another_process(tmp_path: Path) -> None:
    with Library.open(tmp_path) as one, Library.open(tmp_path) as two:
        first = one.save(make_article("https://c.example/1", "One", "text"),
                         source_url="https://c.example/1")
        assert [e.title for e in one.entries()] == ["One"]
        one.set_favourite(first, True)
        assert one.entries()[0].favourite
        two.save(make_article("https://c.example/1", "One, edited", "text"),
                 source_url="https://c.example/1")
        two.set_position("https://c.example/1", Position(1), 0.5)
        assert [(e.title, e.progress) for e in one.entries()] == [("One, edited", 0.5)]
    with Library.open(tmp_path) as one:
        assert len(one.entries()) == 1 and one.count() == 1
        proc = python(SAVE_IN_A_LOOP, str(tmp_path), "other", PNG.hex(), "3")
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert len(one.entries()) == 4 and one.count() == 4
