"""``reader backup`` / ``reader restore``: lossless, merging, and safe against hostile
archives — through the CLI a person runs."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from reader.cli import main
from reader.document import Article, Figure, Heading, Paragraph, Position, Span
from reader.library import Library


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


def article(n: int) -> Article:
    words = f"Article {n} tells of the harbour, the tide and the ferry. " * 8
    return Article(url=f"https://example.org/a/{n}", title=f"Story number {n}",
                   byline=f"Writer {n % 7}", site_name="Example", published="2026-03-01",
                   lang="en", blocks=(Heading(2, (Span("Start"),), anchor="start"),
                                      Paragraph((Span(words),)),
                                      Figure(f"https://example.org/img/{n}.png", alt="a picture",
                                             caption=f"Picture {n}"),
                                      Paragraph((Span("The end."),))))


def build_library(home: Path, count: int = 50) -> None:
    with Library.open(home) as library:
        for n in range(1, count + 1):
            library.save(article(n), source_url=f"https://example.org/a/{n}?src=feed",
                         html=f"<html><body><p>page {n} é</p></body></html>".encode(),
                         images={f"https://example.org/img/{n}.png": png((n * 5, 0, 0))},
                         tags=[f"t{n % 3}", "all"], archived=n % 4 == 0,
                         favourite=n % 5 == 0)
            if n % 2:
                library.set_position(f"https://example.org/a/{n}", Position(1, n), n / 100)
            if n % 3 == 0:
                library.add_bookmark(f"https://example.org/a/{n}", Position(1, 4),
                                     title=f"Story number {n}", section="Start",
                                     snippet="the harbour", note=f"note {n}")
            library.record_history(f"https://example.org/a/{n}", f"Story number {n}")
        library.save_link("https://example.org/broken", title="Never fetched",
                          error="The server answered 404 Not Found.", tags=["later"])


def listing(home: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["--data-dir", str(home), "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def everything(home: Path) -> tuple[Any, ...]:
    """What a person could notice: every bookmark, the history, every article's text,
    page and pictures, and every position."""
    with Library.open(home) as library:
        bookmarks = [(b.url, b.title, b.section, b.snippet, b.note, b.created, b.position)
                     for b in library.bookmarks()]
        history = [tuple(h) if isinstance(h, tuple) else (h.url, h.title, h.opened_at)
                   for h in library.history(10_000)]
        articles = []
        for entry in library.entries():
            saved = library.get(entry.id)
            articles.append((saved.url, saved.article, saved.html, library.images(entry.id),
                             saved.position, saved.source_url, saved.error))
        return bookmarks, history, sorted(articles, key=lambda a: a[0])


def test_round_trip_of_fifty_articles_into_a_fresh_home(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new, archive = tmp_path / "old", tmp_path / "new", tmp_path / "backup.zip"
    build_library(old)
    assert main(["--data-dir", str(old), "backup", str(archive), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {"path": str(archive), "articles": 51, "bookmarks": 16, "images": 50,
                       "feeds": 0}

    assert main(["--data-dir", str(new), "restore", str(archive)]) == 0
    assert "Restored 51 new articles" in capsys.readouterr().out
    assert listing(new, capsys) == listing(old, capsys)
    assert everything(new) == everything(old)

    # Twice: nothing changes, nothing is duplicated.
    assert main(["--data-dir", str(new), "restore", str(archive), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again == {"added": [], "updated": [], "unchanged": 51, "bookmarks": 0,
                     "history": 0, "highlights": 0, "feeds": 0}
    assert listing(new, capsys) == listing(old, capsys)
    assert everything(new) == everything(old)


def test_restoring_keeps_the_newer_states_of_the_library(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home, archive = tmp_path / "home", tmp_path / "backup.zip"
    build_library(home, count=6)
    assert main(["--data-dir", str(home), "backup", str(archive)]) == 0
    with Library.open(home) as library:
        one = library.find("https://example.org/a/1")
        assert one is not None
        library.set_position("https://example.org/a/1", Position(3, 0), 0.9)  # read on
        library.set_archived(one, True)
        library.set_tags(one, ["kept"])
        library.add_bookmark("https://example.org/a/1", Position(2, 0), note="new one")
    before = listing(home, capsys)
    assert main(["--data-dir", str(home), "restore", str(archive)]) == 0
    after = listing(home, capsys)
    first = next(e for e in after if e["url"] == "https://example.org/a/1")
    assert first["progress"] == 0.9 and first["archived"] is True
    assert first["tags"] == sorted(["kept", "t1", "all"])  # joined, nothing lost
    assert [e for e in after if e["id"] != first["id"]] == \
        [e for e in before if e["id"] != first["id"]]
    with Library.open(home) as library:
        notes = sorted(b.note for b in library.bookmarks("https://example.org/a/1"))
    assert notes == ["new one"]  # article 1 had no bookmark in the archive


def test_a_backup_with_newer_states_wins_over_an_older_library(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home, archive = tmp_path / "home", tmp_path / "backup.zip"
    copy = tmp_path / "copy"
    build_library(home, count=3)
    assert main(["--data-dir", str(home), "backup", str(archive)]) == 0
    assert main(["--data-dir", str(copy), "restore", str(archive)]) == 0
    with Library.open(copy) as library:  # the copy is read further, later
        library.set_position("https://example.org/a/2", Position(3, 1), 0.75)
        library.set_favourite(library.find("https://example.org/a/2") or 0, True)
    newer = tmp_path / "newer.zip"
    assert main(["--data-dir", str(copy), "backup", str(newer)]) == 0
    assert main(["--data-dir", str(home), "restore", str(newer)]) == 0
    second = next(e for e in listing(home, capsys) if e["url"] == "https://example.org/a/2")
    assert second["progress"] == 0.75 and second["favourite"] is True


def test_highlights_go_round_too_where_the_library_keeps_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    old, new, archive = tmp_path / "old", tmp_path / "new", tmp_path / "backup.zip"
    build_library(old, count=2)
    conn = sqlite3.connect(old / "library.db")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "highlights" not in tables:
        conn.close()
        pytest.skip("this library has no highlights table (it comes with the highlights work)")
    with conn:
        conn.execute(
            "INSERT INTO highlights (url, start_block, start_offset, end_block, end_offset,"
            " exact, prefix, suffix, note, section, created, updated) VALUES"
            " ('https://example.org/a/1', 1, 0, 1, 10, 'Article 1 ', '', 'tells', 'mine',"
            " 'Start', '2026-05-01T10:00:00.000000+00:00', '2026-05-01T10:00:00.000000+00:00')")
    conn.close()
    assert main(["--data-dir", str(old), "backup", str(archive)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(new), "restore", str(archive), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["highlights"] == 1
    assert main(["--data-dir", str(new), "restore", str(archive), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["highlights"] == 0
    check = sqlite3.connect(new / "library.db")
    rows = check.execute("SELECT url, exact, note, created FROM highlights").fetchall()
    check.close()
    assert rows == [("https://example.org/a/1", "Article 1 ", "mine",
                     "2026-05-01T10:00:00.000000+00:00")]


def test_backup_will_not_replace_a_file_without_force(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "backup.zip"
    archive.write_text("mine")
    assert main(["backup", str(archive)]) == 1
    assert "exists already; use --force" in capsys.readouterr().err
    assert archive.read_text() == "mine"
    assert main(["backup", str(archive), "--force"]) == 0
    assert zipfile.is_zipfile(archive)


# ---------------------------------------------------------------- damaged and hostile archives


def _valid_archive(tmp_path: Path) -> tuple[Path, dict[str, Any], dict[str, bytes]]:
    home, archive = tmp_path / "src", tmp_path / "good.zip"
    build_library(home, count=3)
    assert main(["--data-dir", str(home), "backup", str(archive)]) == 0
    with zipfile.ZipFile(archive) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    return archive, json.loads(members.pop("manifest.json")), members


def _write(path: Path, manifest: Any, members: dict[str, bytes],
           extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for name, data in {**members, **(extra or {})}.items():
            zf.writestr(name, data)
    return path


def _hostile_cases(tmp_path: Path) -> dict[str, Path]:
    _, manifest, members = _valid_archive(tmp_path)
    cases: dict[str, Path] = {}
    cases["zip-slip"] = _write(tmp_path / "slip.zip", manifest, members,
                               {"../../evil.sh": b"rm -rf ~"})
    cases["absolute"] = _write(tmp_path / "abs.zip", manifest, members, {"/etc/x": b"x"})
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("pages/0.html", b"\0" * (60 << 20))
    cases["bomb"] = bomb
    wrong = json.loads(json.dumps(manifest))
    wrong["articles"][1]["archived"] = "yes"
    cases["wrong type"] = _write(tmp_path / "type.zip", wrong, members)
    wrong = json.loads(json.dumps(manifest))
    wrong["bookmarks"][0]["block"] = -3
    cases["negative position"] = _write(tmp_path / "neg.zip", wrong, members)
    wrong = json.loads(json.dumps(manifest))
    wrong["articles"][0]["article"]["blocks"] = [{"kind": "nonsense"}]
    cases["bad article"] = _write(tmp_path / "art.zip", wrong, members)
    swapped = dict(members)
    image = next(n for n in members if n.startswith("images/"))
    swapped[image] = png((1, 2, 3))
    cases["picture not matching its hash"] = _write(tmp_path / "hash.zip", manifest, swapped)
    cases["not a zip"] = tmp_path / "text.zip"
    cases["not a zip"].write_text("hello")
    cases["no manifest"] = tmp_path / "empty.zip"
    zipfile.ZipFile(cases["no manifest"], "w").close()
    cases["deep json"] = tmp_path / "deep.zip"
    with zipfile.ZipFile(cases["deep json"], "w") as zf:
        zf.writestr("manifest.json", "[" * 100_000 + "]" * 100_000)
    truncated = (tmp_path / "good.zip").read_bytes()
    cases["truncated"] = tmp_path / "cut.zip"
    cases["truncated"].write_bytes(truncated[: len(truncated) // 2])
    return cases


def test_a_damaged_or_hostile_archive_is_one_sentence_and_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    build_library(home, count=3)
    before = (listing(home, capsys), everything(home))
    for case, archive in _hostile_cases(tmp_path).items():
        capsys.readouterr()
        code = main(["--data-dir", str(home), "restore", str(archive)])
        err = capsys.readouterr().err
        assert code == 1, case
        assert err.startswith("reader: error: ") and err.count("\n") == 1, (case, err)
        assert "Traceback" not in err and "unexpected" not in err, (case, err)
        assert (listing(home, capsys), everything(home)) == before, case
    assert not (tmp_path.parent / "evil.sh").exists()
