"""Searching the library finds more than the articles' own words: the passages a person
highlighted and the notes they wrote (the article is the hit), and the items of the
feeds they subscribe to — through the store, the CLI's `reader list --search`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.cli import main
from reader.document import Position
from reader.feeds.parse import FeedItem as Parsed
from reader.feeds.parse import ParsedFeed
from reader.highlights import Passage
from reader.library import Library
from reader.library.feeds import Feeds
from reader.library.search import feed_items, like_patterns
from tests.test_library import make_article

BASE = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "data")
    for n, (name, body) in enumerate([("Alpha", "Rivers and deltas of the north."),
                                      ("Beta", "Gardens where quokkas sleep."),
                                      ("Gamma", "Mountains, glaciers and snow.")]):
        lib.save(make_article(f"https://site.example/{name}", name, body),
                 source_url=f"https://site.example/{name}", saved_at=BASE + timedelta(days=n))
    yield lib
    lib.close()


def highlight(lib: Library, name: str, note: str = "") -> None:
    """Highlight the body paragraph (block 1) of article ``name`` with ``note``."""
    url = f"https://site.example/{name}"
    saved = lib.get(lib.find(url) or 0)
    lib.add_highlight(url, saved.article, Passage(Position(1, 0), Position(1, 10)), note=note)


def titles(lib: Library, search: str, **query: str) -> list[str]:
    return [e.title for e in lib.entries(search=search, **query)]


def test_a_note_finds_its_article_and_counts_once(library: Library) -> None:
    assert titles(library, "serendipity") == []
    highlight(library, "Alpha", note="Serendipity, remember for the essay")
    assert titles(library, "serendipity") == ["Alpha"]
    assert titles(library, "Serend") == ["Alpha"]  # as it is typed
    assert library.count(search="serendipity") == 1
    # A word both in an article's text and in another article's note: both, once each.
    highlight(library, "Gamma", note="like the quokkas")
    assert titles(library, "quokkas") == ["Gamma", "Beta"]
    assert library.count(search="quokkas") == 2
    highlight(library, "Beta", note="quokkas again")  # in its text and its note
    assert library.count(search="quokkas") == 2
    assert titles(library, "quokkas", sort="title") == ["Beta", "Gamma"]
    # Filters and keyset pages hold for those hits too.
    gamma = library.find("https://site.example/Gamma") or 0
    library.set_archived(gamma, True)
    assert titles(library, "quokkas", filter="archived") == ["Gamma"]
    assert library.count(search="quokkas", filter="unread") == 1
    first = library.entries(search="quokkas", limit=1)
    assert [e.title for e in library.entries(search="quokkas", limit=5, after=first[0].id)
            ] == ["Beta"]
    assert library.index_of(gamma, search="quokkas") == 0


def test_the_highlighted_text_finds_its_article_and_every_word_must_be_there(
        library: Library) -> None:
    highlight(library, "Gamma")  # "Mountains," (the first ten characters)
    # "mountains" is in Gamma's text anyway; the passage is what a note-less highlight adds
    assert titles(library, "mountains") == ["Gamma"]
    highlight(library, "Alpha", note="cartography")
    assert titles(library, "rivers cartography") == ["Alpha"]  # one word in the passage
    assert titles(library, "cartography glaciers") == []  # the note is Alpha's, not Gamma's


def test_a_deleted_or_changed_note_is_no_longer_found(library: Library) -> None:
    highlight(library, "Alpha", note="zeppelin")
    assert titles(library, "zeppelin") == ["Alpha"]
    found = library.highlights(search="zeppelin")[0]
    library.set_highlight_note(found.id, "airship")
    assert titles(library, "zeppelin") == []
    assert titles(library, "airship") == ["Alpha"]
    library.delete_highlight(found.id)
    assert titles(library, "airship") == []


def test_search_text_that_is_sql_is_only_text(library: Library) -> None:
    highlight(library, "Alpha", note="100% sure_thing")
    assert like_patterns("100% sure_thing") == ["%100%", "%sure%", "%thing%"]
    for odd in ("%", "_", "\\", "' OR 1=1 --", '"'):
        assert library.count(search=odd) == len(library.entries(search=odd))
    assert titles(library, "sure thing") == ["Alpha"]


def add_feed(lib: Library) -> Feeds:
    feeds = Feeds(lib)
    feed_id, _ = feeds.add("https://news.invalid/rss", title="Harbour News")
    items = tuple(Parsed(f"k{n}", f"https://news.invalid/{n}", title, "Ann",
                         (BASE + timedelta(hours=n)).isoformat(), summary, None)
                  for n, (title, summary) in enumerate([
                      ("Ferry timetable changes", "The winter quokkas schedule."),
                      ("Lanterns lit again", "The harbour glows."),
                      ("Quokka census", "Counting quokkas on the island.")]))
    feeds.store_refresh(feed_id, ParsedFeed("Harbour News", None, items), etag=None,
                        last_modified=None, next_check=BASE)
    return feeds


def test_feed_items_are_found_newest_first_and_limited(library: Library) -> None:
    add_feed(library)
    assert [i.title for i in feed_items(library, "quokkas", limit=10)] == [
        "Quokka census", "Ferry timetable changes"]
    assert [i.title for i in feed_items(library, "quokk", limit=1)] == ["Quokka census"]
    assert feed_items(library, "lanterns glows", limit=10)[0].feed_title == "Harbour News"
    assert feed_items(library, "   ", limit=10) == []
    assert feed_items(library, '"NEAR(', limit=10) == []


def test_reader_list_search_shows_notes_hits_and_feed_items(
        library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    add_feed(library)
    highlight(library, "Alpha", note="quokkas seen here too")
    data = str(library.path.parent)
    assert main(["list", "--data-dir", data, "--search", "quokkas"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "Beta" in out[0] and "Alpha" in out[1]  # its text, then its note
    assert out[2] == ""
    assert out[3] == "From your feeds (2):"
    assert "Quokka census" in out[4] and "Harbour News" in out[4]
    assert "https://news.invalid/2" in out[4]
    assert "Ferry timetable changes" in out[5]
    assert len(out) == 6
    # JSON stays the list of saved articles a program can pass to `reader open`.
    assert main(["list", "--data-dir", data, "--search", "quokkas", "--json"]) == 0
    import json

    assert [e["title"] for e in json.loads(capsys.readouterr().out)] == ["Beta", "Alpha"]
    # Nothing saved matches, but a feed item does: it is listed, and that is no error.
    assert main(["list", "--data-dir", data, "--search", "lanterns"]) == 0
    captured = capsys.readouterr()
    assert "No saved articles match." in captured.err
    assert "Lanterns lit again" in captured.out


def test_a_long_word_being_typed_finds_the_words_it_begins(tmp_path: Path) -> None:
    """A last word longer than the index's prefixes is looked up as the words it begins
    (named one by one); the answer is the one the plain prefix gives, read-only too."""
    with Library.open(tmp_path / "data") as lib:
        for name, body in [("One", "Glaciers calve."), ("Two", "A glacierscape at dusk."),
                           ("Three", "Glacial lakes."), ("Four", "Nothing cold.")]:
            lib.save(make_article(f"https://cold.example/{name}", name, body),
                     source_url=f"https://cold.example/{name}")
        expected = {"glacier": ["Two", "One"], "glaciers": ["Two", "One"],
                    "glacierscape": ["Two"], "glacierz": [], "lakes glacia": ["Three"],
                    "glaciers ": ["One"]}
        for typed, titles_found in expected.items():
            assert [e.title for e in lib.entries(search=typed)] == titles_found, typed
            assert lib.count(search=typed) == len(titles_found), typed
        lib.EXPAND_WORDS = 1  # type: ignore[misc]  # more words than that: FTS5's prefix
        lib._fts.clear()
        assert [e.title for e in lib.entries(search="glacier")] == ["Two", "One"]
    with Library.open(tmp_path / "data", read_only=True) as lib:
        for typed, titles_found in expected.items():
            assert [e.title for e in lib.entries(search=typed)] == titles_found, typed


@pytest.mark.parametrize("plan", ["sparse", "dense", "row by row"])
def test_every_way_of_reading_a_search_gives_the_same_list(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plan: str) -> None:
    """A search is read three ways by how much of the library it matches (all matches
    first, the sort's index filtered by them, or the index asked row by row); a small
    library is made to take each, and the pages, counts and places are the same."""
    import reader.library.store as store

    if plan != "sparse":
        monkeypatch.setattr(store, "SPARSE_MATCHES", 0)
    if plan == "row by row":
        monkeypatch.setattr(store, "MOST_MATCH", 0.0)
    with Library.open(tmp_path / "data") as lib:
        for n in range(40):
            body = ("Otters and herons. " if n % 3 else "Herons alone. ") + f"Number {n}."
            lib.save(make_article(f"https://river.example/{n}", f"River {n:02d}", body),
                     source_url=f"https://river.example/{n}",
                     saved_at=BASE + timedelta(hours=n))
        marked = lib.find("https://river.example/3") or 0
        lib.add_highlight("https://river.example/3", lib.get(marked).article,
                          Passage(Position(1, 0), Position(1, 6)), note="otters upstream")
        for sort in ("saved", "title", "progress"):
            whole = [e.title for e in lib.entries(search="otters", sort=sort)]
            assert len(whole) == 26 + 1  # two in three, and the one with the note
            assert lib.count(search="otters", sort=sort) == len(whole)
            pages, after = [], None
            while True:
                page = lib.entries(search="otters", sort=sort, limit=5, after=after)
                pages += [e.title for e in page]
                if len(page) < 5:
                    break
                after = page[-1].id
            assert pages == whole
            assert [e.title for e in lib.entries(search="otters", sort=sort, limit=4,
                                                 offset=10)] == whole[10:14]
            assert lib.index_of(marked, search="otters", sort=sort) == whole.index("River 03")
        assert [e.title for e in lib.entries(search="her", sort="title", limit=3)] == [
            "River 00", "River 01", "River 02"]
