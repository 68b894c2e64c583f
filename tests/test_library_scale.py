"""The library list read a page at a time: every sort and filter, searches, counts apart,
an article's place in a list; the index kept exact through saves, deletes and undo; and
the upgrade of a library of the previous layout (compressed articles, contentless index,
progress column), including one stopped by ``kill -9``.

Timings are not asserted here: ``benchmarks/library.py`` measures them."""

from __future__ import annotations

import os
import signal
import sqlite3
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.document import Position
from reader.errors import LibraryError
from reader.library import FILTERS, SORTS, Library, schema
from tests.test_library import make_article
from tests.test_library_durability import assert_consistent, python, wait_for

WORDS = ["otter", "badger", "heron", "marten", "vole"]


@pytest.fixture
def many(tmp_path: Path) -> Iterator[Library]:
    """37 articles with ties everywhere a sort can tie: equal save times, titles equal but
    for case, no publication date, equal progress."""
    lib = Library.open(tmp_path / "lib")
    base = datetime(2024, 5, 1, tzinfo=UTC)
    for n in range(37):
        url = f"https://many.example/{n}"
        title = ["Alpha", "alpha", "Beta", "", "gamma"][n % 5] + (f" {n}" if n % 3 else "")
        article = make_article(url, title, f"{WORDS[n % 5]} number{n} text",
                               published=None if n % 4 == 0 else f"2023-0{1 + n % 7}-01")
        lib.save(article, source_url=url, saved_at=base + timedelta(hours=n // 3),
                 tags=["even"] if n % 2 == 0 else [])
        if n % 3 == 0:
            lib.set_position(url, Position(1), [0.0, 0.5, 1.0][n % 9 // 3])
        if n % 4 == 1:
            lib.set_archived(lib.find(url) or 0, True)
        if n % 6 == 2:
            lib.set_favourite(lib.find(url) or 0, True)
    lib.save_link("https://many.example/link", title="A failed otter link", error="No.")
    yield lib
    lib.close()


QUERIES = [dict(sort=s, filter=f) for s in SORTS for f in FILTERS] + [
    dict(sort="title", search="otter"), dict(sort="progress", search="bad"),
    dict(sort="published", filter="unread", tag="even"), dict(sort="saved", tag="EVEN"),
    dict(sort="saved", search="number1", filter="archived")]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "-".join(map(str, q.values())))
def test_pages_put_together_are_the_whole_list(many: Library, query: dict) -> None:
    whole = many.entries(**query)
    ids = [e.id for e in whole]
    assert len(set(ids)) == len(ids)
    assert many.count(**{k: v for k, v in query.items() if k != "sort"}) == len(whole)
    by_offset = [e.id for start in range(0, len(ids) + 5, 5)
                 for e in many.entries(**query, limit=5, offset=start)]
    assert by_offset == ids
    by_key: list[int] = []
    last = None
    while True:
        page = many.entries(**query, limit=4, after=last)
        by_key += [e.id for e in page]
        if len(page) < 4:
            break
        last = page[-1].id
    assert by_key == ids
    assert [e.id for e in many.iter_entries(**query, page=3)] == ids
    for place, id in enumerate(ids):
        assert many.index_of(id, **query) == place
    outside = set(e.id for e in many.entries()) - set(ids)
    assert all(many.index_of(id, **query) is None for id in outside)


def test_the_orders_are_the_ones_the_list_promises(many: Library) -> None:
    rows = many.entries(sort="title")
    assert [e.title.casefold() for e in rows] == sorted(e.title.casefold() for e in rows)
    rows = many.entries(sort="progress")
    assert [e.progress for e in rows] == sorted((e.progress for e in rows), reverse=True)
    rows = many.entries(sort="published")
    dated = [e.published for e in rows if e.published]
    assert dated == sorted(dated, reverse=True)
    assert all(e.published is None for e in rows[len(dated):])
    rows = many.entries(sort="saved")
    assert [e.saved_at for e in rows] == sorted((e.saved_at for e in rows), reverse=True)
    assert all(e.progress == 0 and not e.archived for e in many.entries(filter="unread"))


def test_progress_follows_positions_set_before_and_after_saving(tmp_path: Path) -> None:
    with Library.open(tmp_path) as lib:
        lib.set_position("https://p.example/b", Position(3), 0.7)  # read before saved
        for name in "abc":
            url = f"https://p.example/{name}"
            lib.save(make_article(url, name, "words"), source_url=url)
        lib.set_position("https://p.example/c", Position(1), 0.2)
        assert [(e.title, e.progress) for e in lib.entries(sort="progress")] == [
            ("b", 0.7), ("c", 0.2), ("a", 0.0)]
        assert [e.title for e in lib.entries(filter="unread")] == ["a"]
        token = lib.delete(lib.find("https://p.example/b") or 0)
        lib.set_position("https://p.example/b", Position(3), 0.9)  # kept by URL
        lib.undelete(token)
        assert lib.entries(sort="progress")[0].progress == 0.9


def test_the_search_index_forgets_replaced_and_deleted_text(tmp_path: Path) -> None:
    with Library.open(tmp_path) as lib:
        url = "https://i.example/"
        first = lib.save(make_article(url, "Walrus news", "a walrus on ice"), source_url=url)
        lib.save(make_article(url, "Seal news", "a seal on rocks"), source_url=url)
        assert lib.entries(search="walrus") == [] and lib.count(search="walrus") == 0
        assert [e.id for e in lib.entries(search="seal rocks")] == [first]
        token = lib.delete(first)
        assert lib.count(search="seal") == 0 and lib.entries(search="seal") == []
        lib.undelete(token)
        assert [e.id for e in lib.entries(search="rocks")] == [first]
        link = lib.save_link("https://i.example/l", title="Narwhal link", error="Gone.")
        assert [e.id for e in lib.entries(search="narwhal")] == [link]
        lib.save(make_article("https://i.example/l", "Dolphin", "dolphins"),
                 source_url="https://i.example/l")
        assert lib.count(search="narwhal") == 0
        assert [e.id for e in lib.entries(search="dolphin")] == [link]
        for _ in range(5):
            assert lib.undelete(lib.delete(first)) == first
        assert lib.count(search="seal") == 1
    conn = sqlite3.connect(tmp_path / "library.db")
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    conn.close()
    assert_consistent(tmp_path)


def test_the_article_is_stored_compressed(tmp_path: Path) -> None:
    article = make_article("https://z.example/", "Zipped", "repeat " * 2000)
    with Library.open(tmp_path) as lib:
        lib.save(article, source_url="https://z.example/")
    conn = sqlite3.connect(tmp_path / "library.db")
    (blob,) = conn.execute("SELECT article FROM article_content").fetchone()
    conn.close()
    assert len(blob) < len(article.to_json()) / 10
    with Library.open(tmp_path) as lib:
        assert lib.get(1).article == article


# ---------------------------------------------------------------------- the upgrade


def _previous_layout(folder: Path) -> sqlite3.Connection:
    """An empty library of the layout before this one, as the previous reader made it."""
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(folder / "library.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    step = schema.MIGRATIONS.index(schema._compact)
    assert schema.migrate(conn, target=step) == step
    return conn


def _old_row(conn: sqlite3.Connection, id: int, url: str, title: str, data: object,
             body: str = "") -> None:
    stamp = f"2022-01-0{id}T00:00:00.000000+00:00"
    conn.execute("INSERT INTO articles (id, url, source_url, title, reading_minutes, saved_at,"
                 " updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)", (id, url, url, title, stamp, stamp))
    conn.execute("INSERT INTO article_content VALUES (?, ?, ?)",
                 (id, data, zlib.compress(b"<p>page</p>")))
    conn.execute("INSERT INTO articles_fts (rowid, title, byline, body) VALUES (?, ?, '', ?)",
                 (id, title, body))


def test_a_library_of_the_previous_layout_is_upgraded_with_everything(tmp_path: Path) -> None:
    conn = _previous_layout(tmp_path)
    one = make_article("https://u.example/1", "Upgraded one", "a capybara swims")
    two = make_article("https://u.example/2", "Upgraded two", "a tapir walks")
    _old_row(conn, 1, one.url or "", one.title or "", one.to_json(), one.plain_text())
    _old_row(conn, 2, two.url or "", two.title or "", two.to_json(), two.plain_text())
    conn.execute("INSERT INTO positions VALUES (?, 2, 0, 0.4, '2022-01-01')", (two.url,))
    conn.close()
    with Library.open(tmp_path) as lib:
        assert lib.get(1).article == one and lib.get(2).article == two
        assert lib.get(1).html == b"<p>page</p>"
        assert [e.id for e in lib.entries(search="capybara")] == [1]
        assert [e.id for e in lib.entries(sort="progress")] == [2, 1]
        lib.save(make_article(one.url or "", "Upgraded one", "a heron flies"),
                 source_url=one.url or "")
        assert lib.count(search="capybara") == 0 and lib.count(search="heron") == 1
    conn = sqlite3.connect(tmp_path / "library.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.CURRENT_VERSION
    conn.close()
    assert_consistent(tmp_path)


@pytest.mark.parametrize("damage", ["{not json", "[" * 100_000, b"\xff\xfe binary", 42])
def test_a_damaged_row_of_the_previous_layout_costs_that_article_alone(
        tmp_path: Path, damage: object) -> None:
    conn = _previous_layout(tmp_path)
    good = make_article("https://d.example/good", "Good one", "an okapi grazes")
    _old_row(conn, 1, good.url or "", good.title or "", good.to_json(), good.plain_text())
    _old_row(conn, 2, "https://d.example/bad", "Damaged one", damage)
    conn.close()
    with Library.open(tmp_path) as lib:
        assert lib.get(1).article == good
        assert [e.id for e in lib.entries(search="okapi")] == [1]
        assert {e.title for e in lib.entries()} == {"Good one", "Damaged one"}
        bad = lib.get(2)
        assert bad.error == "The saved copy of this article is damaged and cannot be read."
        assert bad.article.blocks == () and bad.title == "Damaged one"
    conn = sqlite3.connect(tmp_path / "library.db")
    (blob,) = conn.execute("SELECT article FROM article_content WHERE article_id = 2").fetchone()
    conn.close()
    kept = schema.unpack_raw(blob)  # the damaged bytes are still there, as they were
    expected = damage if isinstance(damage, bytes) else str(damage).encode()
    assert kept == expected


def test_a_damaged_row_of_the_first_layout_is_marked_and_the_rest_opens(
        tmp_path: Path) -> None:
    """The step that builds the index parses every article: one that cannot be parsed is
    indexed by its title, marked, and the upgrade goes on."""
    tmp_path.mkdir(exist_ok=True)
    conn = sqlite3.connect(tmp_path / "library.db", isolation_level=None)
    assert schema.migrate(conn, target=1) == 1
    good = make_article("https://f.example/good", "First good", "a quokka smiles")
    for id, url, title, data in [(1, good.url, good.title, good.to_json()),
                                 (2, "https://f.example/bad", "First damaged", "{oops")]:
        conn.execute("INSERT INTO articles (id, url, source_url, title, reading_minutes,"
                     " saved_at, updated_at) VALUES (?, ?, ?, ?, 1, '2021-01-01T00:00:00+00:00',"
                     " '2021-01-01T00:00:00+00:00')", (id, url, url, title))
        conn.execute("INSERT INTO article_content VALUES (?, ?, NULL)", (id, data))
    conn.close()
    with Library.open(tmp_path) as lib:
        assert [e.id for e in lib.entries(search="quokka")] == [1]
        assert [e.id for e in lib.entries(search="damaged")] == [2]
        entries = {e.id: e for e in lib.entries()}
        assert entries[1].error is None
        assert entries[2].error == "The saved copy of this article is damaged and cannot be read."
        assert lib.get(1).article == good


PAUSE_INSIDE_COMPACT = """
import sys, time
from pathlib import Path
from reader.library import Library, schema

def paused(conn):
    schema._compact(conn)  # every row converted, but not committed
    Path(sys.argv[2]).write_text("inside the migration")
    time.sleep(120)

step = schema.MIGRATIONS.index(schema._compact)
schema.MIGRATIONS = (*schema.MIGRATIONS[:step], paused, *schema.MIGRATIONS[step + 1:])
Library.open(Path(sys.argv[1]))
"""


def test_kill_9_while_compressing_leaves_the_previous_layout_whole(tmp_path: Path) -> None:
    conn = _previous_layout(tmp_path)
    article = make_article("https://k.example/", "Killed", "a numbat digs " * 50)
    _old_row(conn, 1, article.url or "", "Killed", article.to_json(), article.plain_text())
    step = int(conn.execute("PRAGMA user_version").fetchone()[0])
    conn.close()
    marker = tmp_path / "marker"
    proc = python(PAUSE_INSIDE_COMPACT, str(tmp_path), str(marker))
    try:
        wait_for(lambda: marker.exists() or proc.poll() is not None)
        assert marker.exists(), proc.stderr.read() if proc.stderr else ""
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    conn = sqlite3.connect(tmp_path / "library.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == step
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("SELECT article_json FROM article_content").fetchone()[0] == (
        article.to_json())
    assert conn.execute("SELECT body FROM articles_fts").fetchone()[0] == article.plain_text()
    conn.close()
    with Library.open(tmp_path) as lib:
        assert lib.get(1).article == article
        assert [e.title for e in lib.entries(search="numbat")] == ["Killed"]
    assert_consistent(tmp_path)


# ---------------------------------------------------------------------- read-only


def _files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """The library's files as they are; SQLite's shared-memory index and an empty log,
    which a reader of a WAL file may create beside it, say nothing about a write."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()
            if not p.name.endswith("-shm") and not (p.name.endswith("-wal")
                                                     and p.stat().st_size == 0)}


def _saved_library(folder: Path) -> None:
    with Library.open(folder) as lib:
        url = "https://ro.example/"
        lib.save(make_article(url, "Read only", "an aardvark reads"), source_url=url)
        lib.set_position(url, Position(1), 0.5)
    assert not (folder / "library.db-wal").exists()  # closed cleanly: one file


def test_a_library_opened_read_only_reads_and_writes_nothing(tmp_path: Path) -> None:
    _saved_library(tmp_path)
    before = _files(tmp_path)
    with Library.open(tmp_path, read_only=True) as lib:
        assert lib.read_only
        assert [e.title for e in lib.entries(search="aardvark")] == ["Read only"]
        assert lib.count() == 1 and lib.get(1).position == Position(1)
        lib.set_position("https://ro.example/", Position(2), 0.9)  # skipped, silently
        lib.record_history("https://ro.example/", "Read only")
        with pytest.raises(LibraryError) as caught:
            lib.set_favourite(1, True)
        assert "read-only" in str(caught.value) and "\n" not in str(caught.value)
    assert _files(tmp_path) == before


def test_not_writable_opens_read_only_and_reader_list_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """As for a user who may read the library but not write it (simulated: tests may run
    as root, whom permissions do not stop)."""
    from reader.cli import main

    _saved_library(tmp_path)
    before = _files(tmp_path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if mode & os.W_OK
                        else real_access(path, mode, **kw))
    assert main(["list", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "Read only" in out.out and " 50%" in out.out and out.err == ""
    with Library.open(tmp_path) as lib:
        assert lib.read_only
        assert lib.get(1).article.title == "Read only"
    assert _files(tmp_path) == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes through file permissions; the case above simulates it")
def test_a_library_the_user_may_not_write_lists_in_a_real_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    _saved_library(tmp_path)
    (tmp_path / "library.db").chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        done = subprocess.run([sys.executable, "-m", "reader", "list", "--data-dir",
                               str(tmp_path)], capture_output=True, text=True, timeout=60)
    finally:
        tmp_path.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert "Read only" in done.stdout


def test_an_old_library_that_cannot_be_written_is_one_sentence(tmp_path: Path) -> None:
    _previous_layout(tmp_path).close()
    with pytest.raises(LibraryError) as caught:
        Library.open(tmp_path, read_only=True)
    assert "older reader" in str(caught.value) and "\n" not in str(caught.value)


def test_the_kept_page_survives_a_save_of_new_text_without_a_page(tmp_path: Path) -> None:
    """The page is packed with the body as zlib's dictionary: a new body repacks it."""
    url = "https://h.example/"
    page = b"<html><body><p>an ibis wades in the shallows</p>" + b"<nav>x</nav>" * 50
    with Library.open(tmp_path) as lib:
        id = lib.save(make_article(url, "Ibis", "an ibis wades in the shallows"),
                      source_url=url, html=page)
        assert lib.get(id).html == page
        lib.save(make_article(url, "Ibis", "an ibis flies away"), source_url=url)
        assert lib.get(id).html == page
        token = lib.delete(id)
        assert lib.get(lib.undelete(token)).html == page


@pytest.mark.parametrize("search", ["otter", "ot", "bad", "badg", "number1", "the end", "xyz"])
@pytest.mark.parametrize("filter", ["all", "unread", "favourites"])
def test_searches_with_many_matches_list_the_same_as_with_few(
        many: Library, monkeypatch: pytest.MonkeyPatch, search: str, filter: str) -> None:
    """A search matching many articles walks the sort's index instead of sorting its
    matches (and a lone prefix is checked row by row): the answer must not change."""
    from reader.library import store

    def answer(sort: str) -> tuple[list[int], int, list[int], list[int | None]]:
        rows = many.entries(search=search, sort=sort, filter=filter)
        return ([e.id for e in rows], many.count(search=search, filter=filter),
                [e.id for e in many.entries(search=search, sort=sort, filter=filter, limit=3,
                                            offset=2)],
                [many.index_of(e.id, search=search, sort=sort, filter=filter) for e in rows])

    for sort in SORTS:
        few = answer(sort)
        monkeypatch.setattr(store, "SPARSE_MATCHES", 0)
        many.save_link("https://many.example/clear-the-counts")  # a write forgets counts
        assert answer(sort) == few
        monkeypatch.setattr(store, "SPARSE_MATCHES", 3000)


@pytest.mark.parametrize("typed", ["snake_case", "e\u0301t\u0301e", "\ufb01sh", "x\u00b2",
                                   "\u0663\u0664 \u4e2d\u6587", "otter b", "a_", "_", "o"])
def test_what_is_typed_is_never_a_phrase_the_index_cannot_answer(many: Library,
                                                                 typed: str) -> None:
    """The index keeps no word places, so a query may only name single words."""
    many.entries(search=typed, limit=5)
    many.count(search=typed)


def test_any_text_typed_is_a_search_not_an_error(tmp_path: Path) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    with Library.open(tmp_path) as lib:
        url = "https://any.example/"
        lib.save(make_article(url, "Anything", "snake_case words and \u4e2d\u6587"),
                 source_url=url)

        @settings(max_examples=300, deadline=None)
        @given(st.text(max_size=20))
        def search(typed: str) -> None:
            lib.entries(search=typed, limit=3)
            lib.count(search=typed)

        search()
        assert lib.count(search="snake case") == 1 and lib.count(search="otter b") == 0
