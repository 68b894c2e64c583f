"""Opening a page given on the command line: a big page is extracted in a child process
while the app starts, anything wrong with the child falls back to extracting here, and
keys pressed as soon as the text shows act on it."""

from __future__ import annotations

import os
import pickle
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reader import sources
from reader.document import Article, Paragraph, Span
from reader.errors import SourceError
from reader.extract import extract
from reader.sources import ASIDE_BYTES, Loaded, extract_aside, load_aside
from reader.ui.app import ReaderApp
from reader.ui.widgets.article.header import ArticleHeader
from tests.ui_helpers import body_text, run, settled, wait_for, wait_loaded

WORDS = ["harbour", "lantern", "meadow", "copper", "violet", "orchard", "thistle", "granite",
         "saffron", "willow", "beacon", "pebble", "quarry", "tundra", "falcon", "ember",
         "juniper", "marble", "cobalt", "fennel"]
LAST_WORDS = "Zebra quokka finale."


def big_page(size: int = ASIDE_BYTES + 64 * 1024, *, seed: int = 3) -> bytes:
    """An article of many sections and paragraphs, over the size that forks a child;
    its last paragraph is :data:`LAST_WORDS`."""
    rng = random.Random(seed)
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
             "<title>The Long Read | Startup Times</title>",
             '<meta name="author" content="Ada Writer"></head><body><article>',
             "<h1>The Long Read</h1>"]
    total, section = 0, 0
    while total < size:
        if total // 6000 > section:
            section += 1
            parts.append(f"<h2>Section {section} of the long read</h2>")
        words = " ".join(rng.choice(WORDS) for _ in range(60))
        piece = f"<p>Paragraph {len(parts)}: {words.capitalize()}.</p>"
        parts.append(piece)
        total += len(piece)
    parts.append(f"<p>{LAST_WORDS}</p></article></body></html>")
    return "".join(parts).encode()


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process ids of the children forked from now on."""
    children: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return children


def gone(pid: int) -> bool:
    """Whether the child ``pid`` has ended and been reaped (no zombie left)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def child_doing(body: Callable[[int], None]) -> Callable[..., None]:
    """A replacement for the child's work: ``body(fd)``, then the child ends."""

    def child_main(fd: int, *_: object) -> None:
        try:
            body(fd)
        finally:
            os._exit(0)

    return child_main


# --------------------------------------------------------------------------- the child


def test_a_big_page_is_extracted_in_a_child_with_the_same_article(forks: list[int]) -> None:
    data = big_page()
    pending = extract_aside(data, "big.html", None)
    assert pending.in_child and len(forks) == 1
    article = pending.result()
    assert article == extract(data)
    assert article.blocks[-1].text == LAST_WORDS
    assert gone(forks[0])


def test_a_small_page_pays_no_fork(forks: list[int]) -> None:
    data = big_page(20_000)
    pending = extract_aside(data, "small.html", None)
    assert not pending.in_child
    assert pending.result() == extract(data)
    assert forks == []


def test_without_fork_the_page_is_extracted_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")
    data = big_page()
    pending = extract_aside(data, "big.html", None)
    assert not pending.in_child
    assert pending.result() == extract(data)


def test_a_child_that_crashes_leaves_the_page_to_be_extracted_here(
        monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    monkeypatch.setattr(sources, "_child_main", child_doing(lambda fd: os._exit(3)))
    data = big_page()
    pending = extract_aside(data, "big.html", None)
    assert pending.in_child
    assert pending.result() == extract(data)
    assert gone(forks[0])


HEAD = ("article", Article(title="The Long Read"), 2)  # an article of two blocks follows
PARA = Paragraph((Span("words"),))


@pytest.mark.parametrize("answer", [b"not a pickle at all",
                                    pickle.dumps(("ok", "an article? no, a string")),
                                    pickle.dumps(("error", ValueError("not ours"))),
                                    pickle.dumps(HEAD),  # and then nothing
                                    pickle.dumps(HEAD) + pickle.dumps((PARA,)),  # half
                                    pickle.dumps(HEAD) + pickle.dumps("not blocks"),
                                    pickle.dumps(HEAD) + pickle.dumps(()),
                                    pickle.dumps(HEAD) + pickle.dumps((PARA,) * 3)])
def test_a_child_that_answers_nonsense_leaves_the_page_to_be_extracted_here(
        monkeypatch: pytest.MonkeyPatch, answer: bytes) -> None:
    monkeypatch.setattr(sources, "_child_main", child_doing(lambda fd: os.write(fd, answer)))
    data = big_page()
    assert extract_aside(data, "big.html", None).result() == extract(data)


def test_a_child_that_hangs_is_killed_and_the_page_extracted_here(
        monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    monkeypatch.setattr(sources, "ASIDE_TIMEOUT", 0.5)
    monkeypatch.setattr(sources, "_child_main", child_doing(lambda fd: time.sleep(60)))
    data = big_page()
    pending = extract_aside(data, "big.html", None)
    assert pending.result() == extract(data)
    assert gone(forks[0])


def test_a_page_with_no_article_says_so_in_one_sentence_from_the_child(
        forks: list[int]) -> None:
    junk = "<script>var x = 1;</script>" * (ASIDE_BYTES // 20)
    data = f"<html><head><title>Empty</title></head><body>{junk}</body></html>".encode()
    pending = extract_aside(data, "empty.html", None)
    assert pending.in_child
    with pytest.raises(SourceError, match=r"^empty\.html has no article text"):
        pending.result()
    assert gone(forks[0])


def test_bytes_that_are_no_page_fail_at_once_with_no_child(forks: list[int]) -> None:
    with pytest.raises(SourceError, match="binary file"):
        extract_aside(b"\x00\x01\x02" * ASIDE_BYTES, "blob.bin", None)
    assert forks == []


def test_giving_up_kills_the_child(monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    monkeypatch.setattr(sources, "_child_main", child_doing(lambda fd: time.sleep(60)))
    pending = extract_aside(big_page(), "big.html", None)
    pending.cancel()
    assert gone(forks[0])
    with pytest.raises(SourceError, match="cancelled"):
        pending.result()


# --------------------------------------------------------------------------- the app


def write_big_page(tmp_path: Path, data: bytes | None = None) -> Path:
    path = tmp_path / "big.html"
    path.write_bytes(data if data is not None else big_page())
    return path


def test_the_app_shows_a_big_page_from_the_child(tmp_path: Path, forks: list[int]) -> None:
    path = write_big_page(tmp_path)
    pending = load_aside(str(path))
    assert pending.in_child

    async def scenario() -> None:
        app = ReaderApp(str(path), pending=pending)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            assert app.current is not None
            assert app.current.loaded.article == extract(path.read_bytes())
            assert app.current.loaded.source_url == path.resolve().as_uri()
            header = str(app.article_screen.query_one(ArticleHeader).render())
            assert "The Long Read" in header and "Ada Writer" in header
            assert "Paragraph" in body_text(app)

    run(scenario())
    assert gone(forks[0])


def test_the_app_shows_the_page_when_the_child_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "_child_main", child_doing(lambda fd: os._exit(9)))
    path = write_big_page(tmp_path)

    async def scenario() -> None:
        app = ReaderApp(str(path), pending=load_aside(str(path)))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            assert app.current is not None
            assert app.current.loaded.article == extract(path.read_bytes())

    run(scenario())


def test_a_page_with_no_article_ends_the_app_with_its_sentence(tmp_path: Path) -> None:
    junk = "<script>var x = 1;</script>" * (ASIDE_BYTES // 20)
    path = write_big_page(tmp_path, f"<html><body>{junk}</body></html>".encode())

    async def scenario() -> None:
        app = ReaderApp(str(path), pending=load_aside(str(path)))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.failure is not None)
        assert app.failure is not None and "has no article text" in app.failure
        assert app.return_code == 1

    run(scenario())


def test_a_bug_in_extraction_ends_the_app_and_is_left_to_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(sources, "article_from_page", broken)  # in the child and here
    path = write_big_page(tmp_path)

    async def scenario() -> None:
        app = ReaderApp(str(path), pending=load_aside(str(path)))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.load_error is not None)
        assert isinstance(app.load_error, RuntimeError)
        assert app.return_code == 1 and app.current is None

    run(scenario())


def test_while_the_page_is_extracted_the_header_says_so_and_q_quits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    monkeypatch.setattr(sources, "_child_main", child_doing(lambda fd: time.sleep(60)))
    path = write_big_page(tmp_path)

    async def scenario() -> None:
        app = ReaderApp(str(path), pending=load_aside(str(path)))
        async with app.run_test(size=(120, 40)) as pilot:
            header = app.article_screen.query_one(ArticleHeader)
            await wait_for(pilot, lambda: "Opening" in str(header.render()))
            assert str(path) in str(header.render())
            await pilot.press("q")
            await wait_for(pilot, lambda: not app.is_running)
        assert app.current is None  # nothing was shown, and no error either
        assert app.failure is None

    run(scenario())
    assert gone(forks[0])  # quitting killed the child


def test_keys_typed_while_the_page_is_extracted_act_once_it_shows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    """The app is up before a big page is extracted: End typed meanwhile was lost (a
    terminal holds keys for a busy program; reader now does the same)."""
    real_child = sources._child_main

    def slow_child(fd: int, *args: Any) -> None:
        time.sleep(0.8)  # long enough to type into the "Opening …" screen
        real_child(fd, *args)

    monkeypatch.setattr(sources, "_child_main", slow_child)
    path = write_big_page(tmp_path)

    async def scenario() -> None:
        app = ReaderApp(str(path), pending=load_aside(str(path)))
        async with app.run_test(size=(120, 40)) as pilot:
            header = app.article_screen.query_one(ArticleHeader)
            await wait_for(pilot, lambda: "Opening" in str(header.render()))
            await pilot.press("end")
            assert app.current is None  # still opening: the key was kept, not lost
            await text_shown(pilot, app)
            await wait_for(pilot, lambda: LAST_WORDS in body_text(app), timeout=10)
            assert app.article_screen.body.progress == 1

    run(scenario())


# --------------------------------------------------------------------------- first keys


def open_app(tmp_path: Path, *, in_child: bool) -> ReaderApp:
    path = write_big_page(tmp_path)
    if in_child:
        return ReaderApp(str(path), pending=load_aside(str(path)))
    data = path.read_bytes()
    return ReaderApp(str(path), loaded=Loaded(extract(data), data, path.as_uri()))


async def text_shown(pilot: object, app: ReaderApp) -> None:
    """Until the first words of the article are drawn (and not a moment longer)."""
    await wait_for(pilot, lambda: app.current is not None  # type: ignore[arg-type]
                   and "Paragraph" in body_text(app), timeout=20)


@pytest.mark.parametrize("in_child", [False, True])
def test_end_pressed_as_soon_as_the_text_shows_goes_to_the_end(
        tmp_path: Path, in_child: bool) -> None:
    async def scenario() -> None:
        app = open_app(tmp_path, in_child=in_child)
        async with app.run_test(size=(120, 40)) as pilot:
            await text_shown(pilot, app)
            await pilot.press("end")
            await settled(pilot)
            assert LAST_WORDS in body_text(app)
            assert app.article_screen.body.progress == 1

    run(scenario())


@pytest.mark.parametrize("in_child", [False, True])
def test_page_down_pressed_as_soon_as_the_text_shows_moves_one_page(
        tmp_path: Path, in_child: bool) -> None:
    async def scenario() -> None:
        app = open_app(tmp_path, in_child=in_child)
        async with app.run_test(size=(120, 40)) as pilot:
            await text_shown(pilot, app)
            body = app.article_screen.body
            await pilot.press("pagedown", "pagedown")
            await settled(pilot)
            assert body.scroll_y == 2 * (body.size.height - 2)  # a page keeps two lines

    run(scenario())


@pytest.mark.parametrize("in_child", [False, True])
def test_a_search_typed_as_soon_as_the_text_shows_finds_its_first_hit(
        tmp_path: Path, in_child: bool) -> None:
    async def scenario() -> None:
        app = open_app(tmp_path, in_child=in_child)
        async with app.run_test(size=(120, 40)) as pilot:
            await text_shown(pilot, app)
            await pilot.press("slash", *"quokka", "enter")
            await settled(pilot)
            status = str(app.article_screen.status.render())
            assert re.search(r"1/1 “quokka”", status), status
            assert LAST_WORDS in body_text(app)

    run(scenario())


# --------------------------------------------------------------------------- the command line

EIGHT_MB = 8 * 10**6


def reader_command(monkeypatch: pytest.MonkeyPatch, argv: list[str],
                   stdin: bytes | None = None) -> tuple[int, dict[str, Any]]:
    """``reader ARGV`` as a person runs it (``reader.cli.main``), its app driven headless
    until the article shows: the exit status, and what the app showed."""
    from reader.cli import main

    shown: dict[str, Any] = {}

    def headless(app: ReaderApp, *_: object, **__: object) -> None:
        async def scenario() -> None:
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.current is not None
                               or app.failure is not None, timeout=120)
                await pilot.pause()
                if app.current is not None:
                    shown["loaded"] = app.current.loaded
                    shown["text"] = body_text(app)
                    await pilot.press("end")
                    await settled(pilot)
                    shown["end"] = body_text(app)

        run(scenario())

    monkeypatch.setattr(ReaderApp, "run", headless)
    # (the terminal a piped reader takes back: the test has none to give)
    monkeypatch.setattr("reader.cli.open_command._reattach_terminal", lambda: None)
    if stdin is not None:
        import io

        class Stdin(io.TextIOWrapper):
            def isatty(self) -> bool:
                return False

        monkeypatch.setattr("sys.stdin", Stdin(io.BytesIO(stdin)))
    return main(argv), shown


def test_an_8_mb_file_opens_extracted_in_a_child(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    """Pages over 4 MiB were extracted inside the app after it started; now in the child
    while it starts, as every page over ASIDE_BYTES is."""
    path = write_big_page(tmp_path, big_page(EIGHT_MB))
    status, shown = reader_command(monkeypatch, ["--no-images", str(path)])
    assert status == 0
    assert len(forks) == 1 and gone(forks[0])
    article = shown["loaded"].article
    assert article.title.startswith("The Long Read") and article.byline == "Ada Writer"
    assert article.blocks[-1].text == LAST_WORDS
    assert "Paragraph" in shown["text"] and LAST_WORDS in shown["end"]


def test_an_8_mb_page_from_standard_input_opens(
        monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    status, shown = reader_command(monkeypatch, ["--no-images", "-"],
                                   stdin=big_page(EIGHT_MB, seed=5))
    assert status == 0
    assert len(forks) == 1 and gone(forks[0])
    assert shown["loaded"].article.blocks[-1].text == LAST_WORDS
    assert LAST_WORDS in shown["end"]


def test_a_file_over_the_limit_is_one_sentence_before_the_app(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], forks: list[int]) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as handle:
        handle.truncate(sources.MAX_FILE_BYTES + 1)  # (sparse: nothing written)
    status, shown = reader_command(monkeypatch, [str(path)])
    assert status == 1 and shown == {} and forks == []
    assert capsys.readouterr().err == f"reader: error: {path} is larger than 64 MiB.\n"
