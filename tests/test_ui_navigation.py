"""Back and forward as plain bookkeeping, and the library session's one-sentence promise,
without running the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.document import Article, Position
from reader.errors import LibraryError
from reader.library import Library
from reader.sources import Loaded
from reader.ui.library_session import LibrarySession
from reader.ui.navigation import Navigation, Visit


def page(name: str) -> Loaded:
    return Loaded(Article(url=f"https://example.org/{name}", title=name), None,
                  f"https://example.org/{name}")


def test_back_and_forward_return_to_where_each_page_was_left() -> None:
    nav = Navigation()
    a, b, c = page("a"), page("b"), page("c")
    nav.go_to(Visit(a, Position(0)), None)
    nav.go_to(Visit(b, Position(0)), left_at=Position(5))
    nav.go_to(Visit(c, Position(0)), left_at=Position(7, 3))
    back = nav.back(left_at=Position(2))
    assert back is not None and back.loaded is b and back.position == Position(7, 3)
    back = nav.back(left_at=Position(1))
    assert back is not None and back.loaded is a and back.position == Position(5)
    assert nav.back(left_at=Position(0)) is None  # nothing before the first page
    forward = nav.forward(left_at=Position(4))
    assert forward is not None and forward.loaded is b and forward.position == Position(1)
    forward = nav.forward(left_at=Position(0))
    assert forward is not None and forward.loaded is c and forward.position == Position(2)
    assert nav.forward(left_at=Position(0)) is None


def test_a_new_page_forgets_the_forward_stack_and_reopening_does_not_record() -> None:
    nav = Navigation()
    a, b, c = page("a"), page("b"), page("c")
    nav.go_to(Visit(a, Position(0)), None)
    nav.go_to(Visit(b, Position(0)), left_at=Position(0))
    nav.back(left_at=Position(0))
    nav.go_to(Visit(c, Position(0)), left_at=Position(0))
    assert nav.forward_stack == []
    nav.go_to(Visit(c, Position(3)), left_at=Position(0), record=False)
    assert [v.loaded for v in nav.back_stack] == [a]


def test_an_anchor_jump_can_be_gone_back_from_and_the_stacks_are_bounded() -> None:
    nav = Navigation(limit=3)
    a = page("a")
    nav.go_to(Visit(a, Position(0)), None)
    nav.jump(left_at=Position(1), to=Position(40))
    assert nav.current is not None and nav.current.position == Position(40)
    back = nav.back(left_at=Position(40))
    assert back is not None and back.position == Position(1)
    for n in range(10):
        nav.go_to(Visit(page(str(n)), Position(0)), left_at=Position(n))
    assert len(nav.back_stack) == 3


class Heard:
    def __init__(self) -> None:
        self.sentences: list[tuple[str, str]] = []

    def __call__(self, sentence: str, title: str) -> None:
        self.sentences.append((sentence, title))


def test_a_busy_library_becomes_one_sentence_and_a_harmless_answer(
        reader_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    heard = Heard()
    session = LibrarySession(reader_home / "data", heard)
    article_id = session.save(Article(url="https://example.org/a", title="A"),
                              source_url="https://example.org/a")
    assert article_id is not None

    def busy(*args: object, **kwargs: object) -> None:
        raise LibraryError("The library is busy in another reader.")

    for name in ("get", "set_archived", "entries", "bookmarks", "history", "delete"):
        monkeypatch.setattr(Library, name, busy)
    assert session.get(article_id) is None
    assert session.set_archived(article_id, True) is False
    assert session.entries(search=None, sort="saved", filter="all", tag=None) == []
    assert session.bookmarks() == [] and session.history() == []
    assert session.delete(article_id) is None
    assert [s for s, _ in heard.sentences] == ["The library is busy in another reader."] * 6
    session.close()


def test_a_library_that_cannot_be_opened_is_said_once(tmp_path: Path) -> None:
    heard = Heard()
    blocker = tmp_path / "data"
    blocker.write_text("a file where the library folder should be")
    session = LibrarySession(blocker, heard)
    assert not session.available
    assert session.find("https://example.org/") is None
    assert session.history() == []
    assert len(heard.sentences) == 1 and heard.sentences[0][1] == "Library unavailable"


def test_history_lists_a_page_opened_twice_in_a_row_once(reader_home: Path) -> None:
    session = LibrarySession(reader_home / "data", Heard())
    for url in ("https://a.example/", "https://b.example/", "https://b.example/",
                "https://a.example/"):
        session.record_history(url, url)
    assert [e.url for e in session.history()] == [
        "https://a.example/", "https://b.example/", "https://a.example/"]
    session.close()
