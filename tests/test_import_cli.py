"""``reader import`` against a real HTTP server on 127.0.0.1: every sample export ends up
in the library with its tags, times and states; a second run adds nothing; a killed run
resumes; failures are listed with their reason and retried; malformed files import
nothing."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from reader.cli import main
from reader.fetch import Fetcher
from reader.importers import FORMATS, parse
from reader.importers.runner import EntryResult, run_import
from reader.library import Library
from tests.localserver import LocalServer, send
from tests.test_library import page_with_figures

SAMPLES = Path(__file__).parent / "fixtures" / "import"
FILES = {
    "pocket": "pocket.csv",
    "instapaper": "instapaper.csv",
    "omnivore": "omnivore.json",
    "wallabag": "wallabag.json",
    "netscape": "bookmarks.html",
    "urls": "urls.txt",
}
PLACEHOLDER = "https://example.com"
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def page(title: str | None, slug: str) -> bytes:
    """A small article page; no title at all (not even a heading) when ``title`` is None."""
    head = f"<title>{title}</title>" if title else ""
    heading = f"<h1>{title}</h1>" if title else ""
    body = "".join(
        f"<p>Part {n} of the piece about {slug}: the people who care about it, where it "
        "came from, what went wrong on the way and why it still matters to the town and "
        "to everyone who walks past it in the evening.</p>" for n in range(1, 5))
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>{head}</head><body>"
            f"<nav><a href='/'>Home</a></nav><article>{heading}{body}</article>"
            "<footer>© Example</footer></body></html>").encode()


def page_title(path: str) -> str:
    return path.rsplit("/", 1)[-1].replace("-", " ").title()


def serve_export(server: LocalServer, fmt: str, folder: Path) -> tuple[Path, list[Any]]:
    """The sample export rewritten to point at ``server``, with its pages served:
    ``untitled-`` pages have no title of their own, ``gone-`` ones are missing (404)."""
    name = FILES[fmt]
    text = (SAMPLES / name).read_text(encoding="utf-8").replace(PLACEHOLDER, server.url(""))
    file = folder / name
    file.write_text(text, encoding="utf-8")
    entries = parse(text, fmt, name)
    for entry in entries:
        path = entry.url.removeprefix(server.url(""))
        slug = path.rsplit("/", 1)[-1]
        if slug.startswith("gone-"):
            continue
        title = None if slug.startswith("untitled-") else page_title(path)
        server.add(path, body=page(title, slug), headers=HTML)
    return file, entries


def page_requests(server: LocalServer) -> int:
    return len(server.requests)


def library_rows() -> list[Any]:
    with Library.open() as library:
        return library.entries(sort="saved")


# ---------------------------------------------------------------------- each format


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_is_imported_with_tags_times_and_states(
        fmt: str, server: LocalServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    file, entries = serve_export(server, fmt, tmp_path)
    before = datetime.now(UTC)
    assert main(["import", str(file)]) == 0
    out = capsys.readouterr()
    assert out.out == f"Imported {len(entries)}, failed 0, skipped 0 already in the library.\n"

    with Library.open() as library:
        assert len(library.entries()) == len(entries)
        for entry in entries:
            article_id = library.find(entry.url)
            assert article_id is not None, entry.url
            saved = library.get(article_id)
            assert saved.error is None
            slug = entry.url.rsplit("/", 1)[-1]
            if slug.startswith("gone-"):  # wallabag's own copy of a page that is gone
                assert "forty years" in saved.article.plain_text()
                assert saved.title == "The Last Lighthouse Keeper"
            else:
                assert f"the piece about {slug}" in saved.article.plain_text()
                if slug.startswith("untitled-"):
                    assert saved.title == entry.title  # the export's title fills the gap
                else:
                    assert saved.title == page_title(entry.url)
            assert set(saved.tags) == set(entry.tags)
            assert saved.archived == entry.archived
            assert saved.favourite == entry.favourite
            if entry.added is not None:
                assert saved.saved_at == entry.added
            else:
                assert saved.saved_at >= before - timedelta(seconds=1)
            assert saved.html is not None

    requests = page_requests(server)
    assert main(["import", str(file)]) == 0
    assert capsys.readouterr().out == (
        f"Imported 0, failed 0, skipped {len(entries)} already in the library.\n")
    assert len(library_rows()) == len(entries)
    assert page_requests(server) == requests  # nothing fetched again


def test_titles_missing_everywhere_fall_back_to_the_url(server: LocalServer, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    file, _ = serve_export(server, "urls", tmp_path)
    assert main(["import", str(file)]) == 0
    with Library.open() as library:
        saved = library.get(library.find(server.url("/urls/untitled-city-bees")) or 0)
    assert saved.title == ""  # no title in the page nor in the list: the list shows the URL
    assert main(["list"]) == 0
    assert "/urls/untitled-city-bees" in capsys.readouterr().out


def test_import_from_standard_input(server: LocalServer, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    file, _ = serve_export(server, "pocket", tmp_path)
    stdin = io.TextIOWrapper(io.BytesIO(file.read_bytes()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["import", "-", "--jobs", "2"]) == 0
    assert capsys.readouterr().out.startswith("Imported 3, failed 0,")


def test_figure_images_come_along_unless_no_images(server: LocalServer, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    url, red, blue = page_with_figures(server)
    file = tmp_path / "urls.txt"
    file.write_text(url + "\n")
    assert main(["--data-dir", str(tmp_path / "with"), "import", str(file)]) == 0
    assert main(["--data-dir", str(tmp_path / "without"), "import", str(file),
                 "--no-images"]) == 0
    with Library.open(tmp_path / "with") as library:
        assert sorted(library.images(library.find(url) or 0).values()) == sorted([red, blue])
    with Library.open(tmp_path / "without") as library:
        assert library.images(library.find(url) or 0) == {}
        assert library.get(library.find(url) or 0).title == "Tide report"


# ---------------------------------------------------------------------- failures


def test_failures_that_may_pass_are_told_apart_from_final_ones(
        server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    busy = server.add("/busy", status=503, body=b"<h1>Try later</h1>", headers=HTML)
    gone = server.add("/gone", status=410, body=b"<h1>Gone</h1>", headers=HTML)
    file = tmp_path / "links.txt"
    file.write_text(f"{busy}\n{gone}\n")

    assert main(["import", str(file)]) == 1  # nothing came in
    assert capsys.readouterr().out == (
        "Imported 0, failed 2 (reader list --json shows why; 1 of them may work later "
        "with --retry-failed), skipped 0 already in the library.\n")


def test_a_failing_url_is_listed_with_its_reason_then_retried(
        server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = server.add("/good", body=page("Good Page", "good"), headers=HTML)
    missing = server.add("/later", status=404, body=b"<h1>Not found</h1>", headers=HTML)
    file = tmp_path / "pocket.csv"
    file.write_text("title,url,time_added,tags,status\n"
                    f"Good,{good},1600000000,one,unread\n"
                    f"The Later Page,{missing},1600000100,two|three,archive\n")

    assert main(["import", str(file)]) == 0
    out = capsys.readouterr()
    assert out.out == ("Imported 1, failed 1 (reader list --json shows why), skipped 0 "
                       "already in the library.\n")
    [failure] = [line for line in out.err.splitlines() if line.startswith("Failed:")]
    assert failure.startswith(f"Failed: {missing}: ") and "404" in failure

    assert main(["list", "--json"]) == 0
    listed = {row["url"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed[good]["error"] is None
    reason = listed[missing]["error"]
    assert "404" in reason and reason.endswith(".")
    assert failure == f"Failed: {missing}: {reason}"
    assert listed[missing]["title"] == "The Later Page"
    assert listed[missing]["tags"] == ["three", "two"] and listed[missing]["archived"]

    # Without --retry-failed the failed link counts as done.
    assert main(["import", str(file)]) == 0
    assert capsys.readouterr().out == (
        "Imported 0, failed 0, skipped 2 already in the library (1 of them failed before; "
        "--retry-failed tries again).\n")
    assert len(server.requests_to("/later")) == 1

    server.add("/later", body=page("Later, Fixed", "later"), headers=HTML)
    assert main(["import", str(file), "--retry-failed"]) == 0
    assert capsys.readouterr().out == ("Imported 1, failed 0, skipped 1 already in the "
                                       "library.\n")
    with Library.open() as library:
        assert len(library.entries()) == 2
        saved = library.get(library.find(missing) or 0)
    assert saved.error is None and saved.title == "Later, Fixed"
    assert "the piece about later" in saved.article.plain_text()
    assert saved.archived and set(saved.tags) == {"two", "three"}
    assert saved.saved_at == datetime.fromtimestamp(1600000100, UTC)


def test_pages_that_are_not_articles_fail_with_a_reason(
        server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = server.add("/paper.pdf", body=b"%PDF-1.7\n...", content_type="application/pdf")
    empty = server.add("/empty", body=b"<html><body></body></html>", headers=HTML)
    good = server.add("/good", body=page("Good Page", "good"), headers=HTML)
    file = tmp_path / "urls.txt"
    file.write_text(f"{pdf}\n{empty}\n{good}\n")
    assert main(["import", str(file)]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("Imported 1, failed 2 ")
    assert main(["list", "--json"]) == 0
    errors = {row["url"]: row["error"] for row in json.loads(capsys.readouterr().out)}
    assert "PDF" in errors[pdf] and errors[pdf].endswith(".")
    assert "no article text" in errors[empty] and errors[good] is None
    for url in (pdf, empty):
        assert f"Failed: {url}: {errors[url]}" in out.err.splitlines()


def test_retry_failed_alone_retries_every_failed_link(
        server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    urls = [server.add(f"/p{n}", status=503, body=b"busy", headers=HTML) for n in range(3)]
    file = tmp_path / "urls.txt"
    file.write_text("\n".join(urls) + "\n")
    assert main(["import", str(file)]) == 1  # nothing came in: scripts must notice
    assert capsys.readouterr().out.startswith("Imported 0, failed 3 ")
    for n in range(2):
        server.add(f"/p{n}", body=page(f"Page {n}", f"p{n}"), headers=HTML)
    assert main(["import", "--retry-failed"]) == 0
    assert capsys.readouterr().out.startswith("Imported 2, failed 1 ")
    rows = library_rows()
    assert sorted((r.title, r.error is None) for r in rows) == [
        ("", False), ("Page 0", True), ("Page 1", True)]


def test_redirects_and_repeated_entries_are_imported_once(
        server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    final = server.add("/final", body=page("Final Page", "final"), headers=HTML)
    moved = server.add("/moved", status=301, headers={"Location": final})
    file = tmp_path / "urls.txt"
    file.write_text(f"{moved}\n{final}\n{moved}\n")
    assert main(["import", str(file), "--jobs", "1"]) == 0
    assert capsys.readouterr().out == ("Imported 1, failed 0, skipped 1 already in the "
                                       "library.\n")
    assert len(library_rows()) == 1
    assert main(["import", str(file)]) == 0
    assert capsys.readouterr().out == ("Imported 0, failed 0, skipped 2 already in the "
                                       "library.\n")
    assert len(server.requests_to("/moved")) == 1


# ---------------------------------------------------------------------- interrupted


def test_an_import_killed_halfway_resumes_where_it_stopped(
        server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = threading.Event()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        release.wait(30)  # bounded; the test releases it after the kill
        send(handler, 200, page("Slow Page", "slow"), HTML)

    urls = [server.add(f"/a{n}", body=page(f"Article {n}", f"a{n}"), headers=HTML)
            for n in range(3)]
    urls.append(server.add_handler("/slow", slow))
    urls += [server.add(f"/b{n}", body=page(f"Later {n}", f"b{n}"), headers=HTML)
             for n in range(4)]
    file = tmp_path / "urls.txt"
    file.write_text("\n".join(urls) + "\n")

    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "import", str(file), "--jobs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 30
        while not server.requests_to("/slow") or len(library_rows()) < 3:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the import never reached the slow page"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == -signal.SIGKILL
    assert sorted(r.title for r in library_rows()) == ["Article 0", "Article 1", "Article 2"]

    release.set()
    assert main(["import", str(file)]) == 0
    assert capsys.readouterr().out == ("Imported 5, failed 0, skipped 3 already in the "
                                       "library.\n")
    titles = sorted(r.title for r in library_rows())
    assert titles == sorted([f"Article {n}" for n in range(3)] + ["Slow Page"]
                            + [f"Later {n}" for n in range(4)])
    assert all(len(server.requests_to(f"/a{n}")) == 1 for n in range(3))


# ---------------------------------------------------------------------- malformed files

MALFORMED = {
    "pocket": ("pocket.csv",
               "title,url,time_added,tags,status\n"
               "A,{base}/a,1600000000,x,unread\n"
               "B,{base}/b,1600000001,,unread\n"
               "C,,1600000002,,unread\n",
               "Line 4 of pocket.csv has no URL."),
    "instapaper": ("instapaper.csv",
                   "URL,Title,Selection,Folder,Timestamp,Tags\n"
                   "{base}/a,A,,Unread,1690000000,\n"
                   "{base}/b,B,,Archive,soon,\n",
                   "Line 3 of instapaper.csv has a Timestamp that is not a Unix time: 'soon'."),
    "omnivore": ("omnivore.json",
                 '[{{"url": "{base}/a", "savedAt": "2024-01-01T00:00:00Z"}},\n'
                 ' {{"title": "no address", "savedAt": "2024-01-01T00:00:00Z"}}]',
                 "Entry 2 of omnivore.json has no url."),
    "wallabag": ("wallabag.json",
                 '[{{"url": "{base}/a", "is_archived": 0, "created_at": "2023-01-01T00:00:00"}},'
                 ' {{"url": "{base}/b", "is_archived": 2}}]',
                 "Entry 2 of wallabag.json has a is_archived that is not true or false: '2'."),
    "netscape": ("bookmarks.html",
                 "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
                 '<DT><A HREF="{base}/a" ADD_DATE="1600000000">A</A>\n'
                 '<DT><A HREF="{base}/b" ADD_DATE="yesterday">B</A>\n</DL>\n',
                 "Line 4 of bookmarks.html has an ADD_DATE that is not a Unix time: "
                 "'yesterday'."),
    "urls": ("urls.txt", "{base}/a\n{base}/b\nwww.example.org/c\n",
             "Line 3 of urls.txt is not an http or https address: 'www.example.org/c'."),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_malformed_file_is_one_sentence_and_nothing_is_imported(
        fmt: str, server: LocalServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    name, text, sentence = MALFORMED[fmt]
    for path in ("/a", "/b"):
        server.add(path, body=page("Fine", "fine"), headers=HTML)
    file = tmp_path / name
    file.write_text(text.format(base=server.url("")))
    assert main(["import", str(file)]) == 1
    out = capsys.readouterr()
    assert out.err == f"reader: error: {sentence}\n"
    assert out.out == ""
    assert server.requests == []
    assert library_rows() == []


def test_malformed_file_in_a_real_process(tmp_path: Path) -> None:
    file = tmp_path / "pocket.csv"
    file.write_text("title,url,time_added,tags,status\n"
                    + "A,https://example.org/a,1600000000,,unread\n" * 5
                    + "B,,1600000000,,unread\n")
    result = subprocess.run([sys.executable, "-m", "reader", "import", str(file)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == "reader: error: Line 7 of pocket.csv has no URL.\n"


@pytest.mark.parametrize(("args", "sentence"), [
    (["import"], "Name the export file to import (or - for standard input), or use "
                 "--retry-failed alone to retry failed links."),
    (["import", "nowhere.csv"], "There is no file nowhere.csv."),
])
def test_usage_errors(args: list[str], sentence: str, capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == 1
    assert capsys.readouterr().err == f"reader: error: {sentence}\n"


def test_format_named_by_hand_is_checked(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(SAMPLES / "pocket.csv"), "--format", "wallabag"]) == 1
    assert capsys.readouterr().err.startswith(
        "reader: error: pocket.csv is not valid JSON (line 1, column 1:")


# ---------------------------------------------------------------------- the API for the app


def test_run_import_reports_each_entry_as_it_completes(server: LocalServer,
                                                       tmp_path: Path) -> None:
    _, entries = serve_export(server, "instapaper", tmp_path)
    seen: list[EntryResult] = []

    async def job() -> None:
        fetcher = Fetcher()
        try:
            with Library.open() as library:
                summary = await run_import(entries, library, fetcher, jobs=2,
                                           on_entry=seen.append)
                assert (summary.imported, summary.failed, summary.skipped) == (4, 0, 0)
                again = await run_import(entries, library, fetcher, on_entry=seen.append)
                assert again.sentence() == ("Imported 0, failed 0, skipped 4 already in the "
                                            "library.")
        finally:
            await fetcher.aclose()

    asyncio.run(job())
    assert [r.outcome for r in seen] == ["imported"] * 4 + ["skipped"] * 4
    assert {r.entry.url for r in seen[:4]} == {e.url for e in entries}
    assert all(r.article_id for r in seen)
