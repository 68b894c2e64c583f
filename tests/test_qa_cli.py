"""The command line as a new user tries it: odd but reasonable arguments get either what
they ask for or one sentence, never a surprise on disk."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reader.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def one_saved(capsys: pytest.CaptureFixture[str]) -> int:
    assert main(["save", str(FIXTURES / "ghost-blog-post.html")]) == 0
    capsys.readouterr()
    return 1


@pytest.mark.parametrize("fmt, start", [("markdown", "# Shipping a Rust CLI"),
                                        ("html", "<!DOCTYPE html>"), ("json", "{")])
def test_export_out_dash_prints_the_article_instead_of_making_a_folder_named_dash(
        one_saved: int, fmt: str, start: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`reader export 1 -f markdown --out -` prints the article, as `export --feeds --out -`
    prints the subscriptions; it used to create a folder called "-" and write into it."""
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(one_saved), "--format", fmt, "--out", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(start)
    assert "Shipping a Rust CLI without tears" in out
    if fmt == "json":
        assert json.loads(out)["title"] == "Shipping a Rust CLI without tears"
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("extra", [["--format", "epub"], ["--all"], ["--book", "B"]])
def test_export_out_dash_refuses_what_cannot_go_down_a_pipe(
        one_saved: int, extra: list[str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["export", *([] if "--all" in extra or "--book" in extra else ["1"]), *extra]
    if "--book" in extra:
        args.append("--all")
    assert main([*args, "--out", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("reader: error: --out - prints one article")
    assert captured.err.count("\n") == 1
    assert not (tmp_path / "-").exists()


def test_opml_export_does_not_write_through_a_link_planted_at_its_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As the article exports: a link planted at subscriptions.opml in a shared folder is
    replaced, never written through."""
    out = tmp_path / "shared"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    os.symlink(victim, out / "subscriptions.opml")
    assert main(["export", "--feeds", "--format", "opml", "--out", str(out)]) == 0
    assert victim.read_text() == "keep me\n"
    assert not (out / "subscriptions.opml").is_symlink()
    assert "<opml" in (out / "subscriptions.opml").read_text()


OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>Mine</title></head><body>
<outline text="News"><outline type="rss" text="Harbour" xmlUrl="https://harbour.invalid/feed"/>
</outline></body></opml>
"""


def test_import_format_opml_is_accepted_as_auto_detection_already_reads_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`reader import --format opml subs.opml` names the format the importer reads (the
    option offered every format but this one, and refused it)."""
    subs = tmp_path / "subs.opml"
    subs.write_text(OPML)
    assert main(["import", "--format", "opml", str(subs)]) == 0
    assert "Subscribed to 1 new feed" in capsys.readouterr().out
    page = FIXTURES / "ghost-blog-post.html"
    assert main(["import", "--format", "opml", str(page)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("reader: error: ") and err.count("\n") == 1
    assert "OPML" in err


def test_feed_add_of_a_half_broken_feed_warns_rather_than_reports_an_error(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The subscription is made and exit status is 0, so what broke half-way is a warning,
    said after the line that says it was subscribed, not "reader: error:"."""
    from localserver import LocalServer

    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with LocalServer() as server:
        server.add_file("/broken.xml", FIXTURES / "feeds" / "broken.xml", "application/rss+xml")
        assert main(["feed", "add", server.url("/broken.xml")]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Subscribed 1: ")
    assert captured.err.startswith("reader: warning: ")
    assert "XML is broken at line 5" in captured.err and captured.err.count("\n") == 1


def test_rm_of_the_same_id_twice_deletes_it_once_without_an_error(
        one_saved: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rm", "1", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "Deleted 1: Shipping a Rust CLI without tears\n"
    assert captured.err == ""


def test_importing_a_binary_file_says_it_is_binary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`reader import photo.jpg` said "Line 2 of photo.jpg is not UTF-8 text.", as if a
    line of a list were damaged."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\n\x80\x81\x00\xfe" * 40)
    assert main(["import", str(photo)]) == 1
    err = capsys.readouterr().err
    assert err == ("reader: error: photo.jpg is a binary file, not a reading list (CSV, "
                   "JSON, HTML bookmarks or a list of URLs).\n")
