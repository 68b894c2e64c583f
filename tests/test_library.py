"""The library on a temporary folder: saving, reading back, searching, positions,
bookmarks, history, tags and undoable deletes, as the app and the CLI use them."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from reader.document import Article, Figure, Heading, Paragraph, Position, Span
from reader.errors import LibraryError
from reader.fetch import AddressPolicy, Fetcher, Limits
from reader.library import Library, download_images
from reader.sources import load
from tests.localserver import LocalServer

FIXTURES = Path(__file__).parent / "fixtures"


def make_article(url: str, title: str, body: str, *, byline: str | None = None,
                 published: str | None = None, figures: tuple[str, ...] = ()) -> Article:
    blocks: list = [Heading(2, (Span("Introduction"),)), Paragraph((Span(body),))]
    blocks += [Figure(src, alt=f"picture {n}", caption=f"Caption {n}")
               for n, src in enumerate(figures)]
    blocks.append(Paragraph((Span("The end of " + title + "."),)))
    return Article(url=url, title=title, byline=byline, site_name="Example",
                   published=published, lang="en", blocks=tuple(blocks))


def png(colour: tuple[int, int, int], size: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "lib")
    yield lib
    lib.close()


# ---------------------------------------------------------------------- opening


def test_open_defaults_to_the_data_folder_under_reader_home(reader_home: Path) -> None:
    with Library.open() as lib:
        assert lib.path == reader_home / "data" / "library.db"
        assert lib.path.exists()
        assert lib.is_empty()


def test_the_database_uses_wal_foreign_keys_and_a_schema_version(library: Library) -> None:
    import sqlite3

    from reader.library.schema import CURRENT_VERSION

    conn = sqlite3.connect(library.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION
    conn.close()
    assert library._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert library._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


# ---------------------------------------------------------------------- save and get


def test_a_saved_fixture_comes_back_as_an_equal_article(library: Library) -> None:
    loaded = load(str(FIXTURES / "harbour-news-figures.html"))
    article_id = library.save(loaded.article, source_url=loaded.source_url, html=loaded.html)
    saved = library.get(article_id)
    assert saved.article == loaded.article
    assert saved.html == loaded.html
    assert saved.source_url == loaded.source_url
    assert saved.url == loaded.key
    assert saved.title == loaded.article.title
    assert saved.reading_minutes == loaded.article.reading_minutes
    assert saved.position is None and saved.progress == 0
    assert library.find(loaded.key) == article_id
    assert library.find(loaded.source_url) == article_id


def test_saving_again_updates_in_place_and_keeps_bookmarks_position_and_flags(
        library: Library) -> None:
    first = make_article("https://example.org/a", "First draft", "old words here")
    article_id = library.save(first, source_url="https://example.org/a?utm=1",
                              tags=["draft"], favourite=True)
    library.add_bookmark("https://example.org/a", Position(1, 4), snippet="old")
    library.set_position("https://example.org/a", Position(1, 2), 0.5)
    library.set_archived(article_id, True)

    second = make_article("https://example.org/a", "Final version", "new words here")
    again = library.save(second, source_url="https://example.org/a", tags=["final"])
    assert again == article_id
    saved = library.get(article_id)
    assert saved.article == second
    assert saved.tags == ("draft", "final")
    assert saved.favourite and saved.archived
    assert saved.position == Position(1, 2)
    assert [b.snippet for b in library.bookmarks("https://example.org/a")] == ["old"]
    assert len(library.entries()) == 1
    assert [e.id for e in library.entries(search="new")] == [article_id]
    assert library.entries(search="old") == []


def test_the_key_is_the_canonical_url_so_earlier_bookmarks_attach(library: Library) -> None:
    canonical = "https://news.example/story"
    library.add_bookmark(canonical, Position(2, 0), snippet="made before saving")
    library.set_position(canonical, Position(1, 7), 0.25)
    article = make_article(canonical, "A story", "text")
    article_id = library.save(article, source_url="https://news.example/story?ref=feed")
    saved = library.get(article_id)
    assert saved.position == Position(1, 7)
    assert saved.progress == 0.25
    marks = library.bookmarks(saved.url)
    assert [m.snippet for m in marks] == ["made before saving"]
    assert marks[0].title == "A story"  # the saved title stands in for an empty one


def test_get_of_a_missing_id_is_one_sentence(library: Library) -> None:
    with pytest.raises(LibraryError) as caught:
        library.get(7)
    assert str(caught.value) == "There is no article 7 in the library."


def test_save_link_keeps_an_unread_link_and_is_idempotent(library: Library) -> None:
    when = datetime(2020, 5, 17, 12, 0, tzinfo=UTC)
    link = library.save_link("https://gone.example/x", title="Gone", error="The page is gone.",
                             saved_at=when, tags=["imported"], favourite=True)
    assert library.save_link("https://gone.example/x", title="Other") == link
    entry = library.entries()[0]
    assert (entry.title, entry.error, entry.saved_at, entry.tags, entry.favourite) == (
        "Gone", "The page is gone.", when, ("imported",), True)
    saved = library.get(link)
    assert saved.article.blocks == () and saved.html is None
    # Saving the real article later fills the link in and clears the error.
    article = make_article("https://gone.example/x", "Back again", "content")
    assert library.save(article, source_url="https://gone.example/x") == link
    entry = library.entries()[0]
    assert entry.error is None and entry.title == "Back again" and entry.saved_at == when


# ---------------------------------------------------------------------- list and search


@pytest.fixture
def three(library: Library) -> dict[str, int]:
    base = datetime(2024, 1, 1, tzinfo=UTC)
    ids = {}
    for n, (name, body, published) in enumerate([
        ("Alpha", "Gardens and soil and compost.", "2023-05-01"),
        ("beta", "Rivers carry the sediment downstream; a quokka watched.", None),
        ("Gamma", "Mountains, glaciers and snow.", "2024-02-01"),
    ]):
        article = make_article(f"https://site.example/{name}", name, body,
                               byline=f"Writer {name}", published=published)
        ids[name] = library.save(article, source_url=f"https://site.example/{name}",
                                 saved_at=base + timedelta(days=n))
    return ids


def test_full_text_search_finds_a_word_only_in_one_body(library: Library,
                                                        three: dict[str, int]) -> None:
    assert [e.title for e in library.entries(search="quokka")] == ["beta"]
    assert [e.title for e in library.entries(search="QUOKKA watched")] == ["beta"]
    # As you type: the last word is a prefix.
    assert [e.title for e in library.entries(search="quo")] == ["beta"]
    assert [e.title for e in library.entries(search="glacier")] == ["Gamma"]
    # Title and byline are searched too.
    assert [e.title for e in library.entries(search="writer alpha")] == ["Alpha"]
    assert library.entries(search="quokka gardens") == []


@pytest.mark.parametrize("odd", ['"', "quokka AND", "NEAR(", "title:quokka", "*", "a OR",
                                 "-quokka", "quo\"kka", "(", "^", "'", "::", "​"])
def test_odd_search_text_never_raises(library: Library, three: dict[str, int],
                                      odd: str) -> None:
    library.entries(search=odd)


def test_sorts_and_filters(library: Library, three: dict[str, int]) -> None:
    titles = lambda **kw: [e.title for e in library.entries(**kw)]  # noqa: E731
    assert titles() == ["Gamma", "beta", "Alpha"]
    assert titles(limit=2) == ["Gamma", "beta"]
    assert titles(search="and", limit=1) == ["Gamma"]
    assert titles(sort="title") == ["Alpha", "beta", "Gamma"]
    assert titles(sort="published") == ["Gamma", "Alpha", "beta"]
    library.set_position("https://site.example/Alpha", Position(1), 0.9)
    library.set_position("https://site.example/beta", Position(1), 0.3)
    assert titles(sort="progress") == ["Alpha", "beta", "Gamma"]
    assert titles(filter="unread") == ["Gamma"]
    library.set_archived(three["Gamma"], True)
    library.set_favourite(three["beta"], True)
    assert titles(filter="archived") == ["Gamma"]
    assert titles(filter="favourites") == ["beta"]
    assert titles(filter="unread") == []
    library.set_tags(three["Alpha"], ["Science", "to-read", "science"])
    assert library.get(three["Alpha"]).tags == ("Science", "science", "to-read")
    assert titles(tag="to-read") == ["Alpha"]
    assert titles(tag="#TO-READ") == ["Alpha"]
    library.set_tags(three["Alpha"], [])
    assert titles(tag="to-read") == []
    with pytest.raises(LibraryError):
        library.entries(sort="colour")


def test_delete_and_undo_restore_exactly(library: Library, three: dict[str, int]) -> None:
    beta = three["beta"]
    library.set_tags(beta, ["keep"])
    before = library.get(beta)
    image = png((10, 20, 30))
    article = make_article("https://site.example/beta", "beta",
                           "Rivers carry the sediment downstream; a quokka watched.",
                           byline="Writer beta", figures=("https://img.example/1.png",))
    library.save(article, source_url="https://site.example/beta", images={
        "https://img.example/1.png": image})
    before = library.get(beta)
    library.add_bookmark(before.url, Position(1, 3), snippet="kept")
    token = library.delete(beta)
    assert library.find(before.url) is None
    assert library.image("https://img.example/1.png") is None  # no longer referenced
    assert [e.title for e in library.entries(search="quokka")] == []
    assert [b.snippet for b in library.bookmarks()] == ["kept"]
    assert library.undelete(token) == beta
    after = library.get(beta)
    assert after == before
    assert library.image("https://img.example/1.png") == image
    assert [e.title for e in library.entries(search="quokka")] == ["beta"]
    with pytest.raises(LibraryError):
        library.delete(999)


# ---------------------------------------------------------------------- images


def test_images_are_content_addressed_and_deduplicated(library: Library) -> None:
    import sqlite3

    red = png((255, 0, 0))
    a = make_article("https://a.example/", "A", "x", figures=("https://a.example/red.png",))
    b = make_article("https://b.example/", "B", "y", figures=("https://b.example/same.png",))
    library.save(a, source_url="https://a.example/", images={"https://a.example/red.png": red})
    library.save(b, source_url="https://b.example/", images={"https://b.example/same.png": red})
    assert library.image("https://a.example/red.png") == red
    assert library.image("https://b.example/same.png") == red
    assert library.image("https://nowhere.example/x.png") is None
    conn = sqlite3.connect(library.path)
    assert conn.execute("SELECT count(*) FROM images").fetchone()[0] == 1
    conn.close()


def page_with_figures(server: LocalServer) -> tuple[str, bytes, bytes]:
    red, blue = png((200, 0, 0), 16), png((0, 0, 200), 16)
    server.add("/img/red.png", body=red, content_type="image/png")
    server.add("/img/blue.png", body=blue, content_type="image/png")
    server.add("/img/missing.png", status=404, body=b"no")
    words = " ".join(["The harbour tide rose over the quay before dawn."] * 12)
    html = (f"<html><head><title>Tide report</title></head><body><article><h1>Tide report"
            f"</h1><p>{words}</p><figure><img src='/img/red.png' alt='Red'><figcaption>"
            f"The red one</figcaption></figure><p>{words}</p><figure><img src='/img/blue.png'"
            f" alt='Blue'><figcaption>The blue one</figcaption></figure><figure><img "
            f"src='/img/missing.png' alt='Gone'><figcaption>Missing</figcaption></figure>"
            f"<p>{words}</p></article></body></html>")
    return server.add("/story", body=html, content_type="text/html; charset=utf-8"), red, blue


def test_download_images_fetches_figures_and_skips_failures() -> None:
    with LocalServer() as server:
        url, red, blue = page_with_figures(server)
        article = load(url).article

        async def run() -> dict[str, bytes]:
            fetcher = Fetcher(Limits(connect=2, read=2, total=5))
            try:
                return await download_images(article, fetcher)
            finally:
                await fetcher.aclose()

        found = asyncio.run(run())
    assert found == {server.url("/img/red.png"): red, server.url("/img/blue.png"): blue}


def test_a_saved_copy_opens_with_networking_refused(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    with LocalServer() as server:
        url, red, blue = page_with_figures(server)
        loaded = load(url)

        async def run() -> dict[str, bytes]:
            fetcher = Fetcher(Limits(connect=2, read=2, total=5))
            try:
                return await download_images(loaded.article, fetcher)
            finally:
                await fetcher.aclose()

        with Library.open(tmp_path) as lib:
            article_id = lib.save(loaded.article, source_url=loaded.source_url,
                                  html=loaded.html, images=asyncio.run(run()))

    def refuse(self: socket.socket, address: object) -> None:
        raise OSError("networking is refused in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1)
    with Library.open(tmp_path) as lib:
        saved = lib.get(article_id)
        assert saved.article == loaded.article
        figures = [f.src for _, f in saved.article.figures()]
        assert lib.image(figures[0]) == red
        assert lib.image(figures[1]) == blue
        assert lib.image(figures[2]) is None  # the 404 was skipped, the caption stays
        assert [f.caption for _, f in saved.article.figures()][2] == "Missing"


# ---------------------------------------------------------------------- positions


def test_position_resumes_after_reopening(tmp_path: Path) -> None:
    with Library.open(tmp_path) as lib:
        assert lib.position("https://x.example/") is None
        lib.set_position("https://x.example/", Position(4, 12), 0.4)
        lib.set_position("https://x.example/", Position(9, 3), 0.75)
        lib.set_position("https://y.example/", Position(1, 0), 7.0)  # clamped
    with Library.open(tmp_path) as lib:
        assert lib.position("https://x.example/") == Position(9, 3)
        assert lib.position("https://y.example/") == Position(1, 0)
        article_id = lib.save(make_article("https://y.example/", "Y", "text"),
                              source_url="https://y.example/")
        assert lib.entries()[0].progress == 1.0
        assert lib.get(article_id).position == Position(1, 0)


# ---------------------------------------------------------------------- bookmarks


def test_bookmarks_add_list_delete_and_survive_a_restart(tmp_path: Path) -> None:
    url = "https://bm.example/article"
    with Library.open(tmp_path) as lib:
        lib.save(make_article(url, "Marked", "Body text of the marked article."),
                 source_url=url)
        late = lib.add_bookmark(url, Position(5, 10), section="Later", snippet="later text")
        early = lib.add_bookmark(url, Position(1, 3), section="Introduction",
                                 snippet="Body text", note="Read this again")
        other = lib.add_bookmark("https://unsaved.example/", Position(0, 0), title="Unsaved",
                                 snippet="elsewhere")
    with Library.open(tmp_path) as lib:
        marks = lib.bookmarks(url)
        assert [m.id for m in marks] == [early, late]  # reading order
        first = marks[0]
        assert (first.position, first.section, first.snippet, first.note, first.title) == (
            Position(1, 3), "Introduction", "Body text", "Read this again", "Marked")
        assert isinstance(first.created, datetime) and first.created.tzinfo is not None
        assert [m.id for m in lib.bookmarks()] == [other, early, late]  # newest first
        lib.delete_bookmark(early)
    with Library.open(tmp_path) as lib:
        assert [m.id for m in lib.bookmarks(url)] == [late]
        assert [m.title for m in lib.bookmarks()] == ["Unsaved", "Marked"]


# ---------------------------------------------------------------------- history


def test_history_lists_opened_articles_newest_first(library: Library) -> None:
    library.record_history("https://one.example/", "One")
    library.record_history("https://two.example/", "Two")
    library.record_history("https://one.example/", "One")
    rows = library.history()
    assert [(r.url, r.title) for r in rows] == [
        ("https://one.example/", "One"), ("https://two.example/", "Two"),
        ("https://one.example/", "One")]
    assert rows[0].opened_at >= rows[1].opened_at
    assert len(library.history(limit=2)) == 2


def test_the_library_is_usable_from_a_worker_thread(library: Library) -> None:
    import threading

    errors: list[BaseException] = []

    def work() -> None:
        try:
            for n in range(20):
                library.set_position("https://t.example/", Position(n), n / 20)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for n in range(20):
        library.record_history("https://t.example/", f"T{n}")
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert len(library.history()) == 20


def test_the_images_of_one_article_are_capped_in_total(monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.library.images as images_module

    monkeypatch.setattr(images_module, "MAX_TOTAL_BYTES", 2 * len(png((9, 9, 9), 16)) + 10)
    with LocalServer() as server:
        sources = []
        for n in range(4):
            sources.append(server.add(f"/img/{n}.png", body=png((n, 9, 9), 16),
                                      content_type="image/png"))
        article = make_article("https://cap.example/", "Cap", "text", figures=tuple(sources))

        async def run() -> dict[str, bytes]:
            # A public page's images on 127.0.0.1: allowed here only by lifting the policy.
            fetcher = Fetcher(Limits(connect=2, read=2, total=5),
                              policy=AddressPolicy(allow_private=True))
            try:
                return await download_images(article, fetcher)
            finally:
                await fetcher.aclose()

        found = asyncio.run(run())
    assert list(found) == sources[:2]  # in reading order: the first ones fit


def test_a_failed_link_keeps_the_newest_reason_and_a_saved_copy_loses_it(
        library: Library) -> None:
    url = "https://gone.example/story"
    first = library.save_link(url, error="The server answered 404 Not Found for it.")
    again = library.save_link(url, error="The server answered 500 Internal Server Error.")
    assert again == first
    [entry] = library.entries()
    assert entry.error == "The server answered 500 Internal Server Error."
    library.save(make_article(url, "Back again", "It came back."), source_url=url)
    library.save_link(url, error="A later failure must not mark a saved copy as failed.")
    [entry] = library.entries()
    assert entry.error is None and entry.title == "Back again"
