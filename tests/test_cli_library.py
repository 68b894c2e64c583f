"""The library commands as a person or a script runs them: save, list, open, rm, export,
history — through ``main([...])`` and, for exit codes and stderr, real processes."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.cli import main
from reader.document import Article, Position
from reader.library import Library
from tests.localserver import LocalServer
from tests.test_library import page_with_figures

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = [FIXTURES / "ghost-blog-post.html", FIXTURES / "harbour-news-figures.html",
         FIXTURES / "site" / "field-guide.html"]


def reader(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True,
                          text=True, timeout=60, env=env)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def saved(capsys: pytest.CaptureFixture[str]) -> list[int]:
    assert main(["save", *map(str, PAGES), "--tag", "cli"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Saved 1", "Saved 2", "Saved 3"]
    assert lines[0] == "Saved 1: Shipping a Rust CLI without tears"
    return [1, 2, 3]


def test_list_prints_one_line_per_article_newest_first(
        saved: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("3 ") and "A Field Guide to Urban Birds" in lines[0]
    assert "#cli" in lines[0]


def test_list_json_search_sort_and_filter(saved: list[int],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json", "--sort", "title"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["title"] for d in data] == ["A Field Guide to Urban Birds",
                                          "Shipping a Rust CLI without tears",
                                          "Storm surge floods harbour district; ferries suspended"]
    assert set(data[0]) == {"id", "url", "title", "site_name", "byline", "saved_at",
                            "published", "reading_minutes", "progress", "archived",
                            "favourite", "tags", "error"}
    assert data[0]["tags"] == ["cli"]
    assert main(["list", "--json", "--search", "ferries"]) == 0
    assert [d["id"] for d in json.loads(capsys.readouterr().out)] == [2]
    assert main(["list", "--json", "--filter", "favourites"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_data_dir_picks_the_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path / "elsewhere"), "save", str(PAGES[0])]) == 0
    capsys.readouterr()
    assert (tmp_path / "elsewhere" / "library.db").exists()
    assert main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["list", "--json", "--data-dir", str(tmp_path / "elsewhere")]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_open_runs_the_app_on_the_saved_copy_or_the_url(
        saved: list[int], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[dict[str, Any]] = []

    def fake_run_app(**kwargs: Any) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr("reader.cli.open_command.run_app", fake_run_app)
    with Library.open() as lib:
        url = lib.get(2).url
    assert main(["open", "2"]) == 0
    assert main(["open", url]) == 0
    assert main(["open", "https://not-saved.example/page", "--no-images", "--width", "70"]) == 0
    shown = {"width": None, "images": True}
    assert calls == [{"source": None, "data_dir": None, "saved_id": 2, **shown},
                     {"source": None, "data_dir": None, "saved_id": 2, **shown},
                     {"source": "https://not-saved.example/page", "data_dir": None,
                      "width": 70, "images": False}]
    assert main(["open", "42"]) == 1
    assert capsys.readouterr().err == "reader: error: There is no article 42 in the library.\n"
    assert main(["open", str(PAGES[0])]) == 0  # saved from this file: the saved copy
    assert calls[-1] == {"source": None, "data_dir": None, "saved_id": 1, **shown}
    assert main(["open", "no-such-thing"]) == 1
    assert capsys.readouterr().err == (
        "reader: error: no-such-thing is not in the library, and not a URL or a file.\n")


def test_rm_deletes_and_reports_missing_ids(saved: list[int],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rm", "1"]) == 0
    assert capsys.readouterr().out == "Deleted 1: Shipping a Rust CLI without tears\n"
    assert main(["rm", "1", "3"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "reader: error: There is no article 1 in the library.\n"
    assert captured.out.startswith("Deleted 3: ")
    with Library.open() as lib:
        assert [e.id for e in lib.entries()] == [2]


def test_history_lists_what_was_opened(capsys: pytest.CaptureFixture[str]) -> None:
    with Library.open() as lib:
        lib.record_history("https://h.example/1", "First read")
        lib.record_history("https://h.example/2", "Second read")
    assert main(["history", "--json", "--limit", "1"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["url"], row["title"]) == ("https://h.example/2", "Second read")
    assert main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "Second read  <https://h.example/2>" in lines[0]


# ---------------------------------------------------------------------- save + export


@pytest.fixture
def served() -> Iterator[tuple[LocalServer, str, bytes, bytes]]:
    with LocalServer() as server:
        url, red, blue = page_with_figures(server)
        yield server, url, red, blue


def test_save_a_url_with_its_images_then_export_every_format(
        served: tuple[LocalServer, str, bytes, bytes], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    server, url, red, blue = served
    assert main(["save", url]) == 0
    assert capsys.readouterr().out == "Saved 1: Tide report\n"
    with Library.open() as lib:
        saved = lib.get(1)
        assert lib.image(server.url("/img/red.png")) == red
    out = tmp_path / "out"

    assert main(["export", "1", "--format", "markdown", "--out", str(out)]) == 0
    md = out / "1-tide-report.md"
    assert capsys.readouterr().out == f"{md}\n"
    text = md.read_text()
    assert "![Red](<1-tide-report_files/image-1.png>)" in text
    assert (out / "1-tide-report_files" / "image-1.png").read_bytes() == red
    assert (out / "1-tide-report_files" / "image-2.png").read_bytes() == blue
    assert server.url("/img/missing.png") in text  # not saved: the link stays

    assert main(["export", "1", "--format", "html", "--out", str(out)]) == 0
    html = (out / "1-tide-report.html").read_text()
    assert "data:image/png;base64," + base64.b64encode(red).decode() in html
    assert server.url("/img/red.png") not in html

    assert main(["export", saved.url, "--format", "json", "--out", str(out)]) == 0
    assert Article.from_json((out / "1-tide-report.json").read_text()) == saved.article

    assert main(["export", "1", "--format", "epub", "--out", str(out)]) == 0
    from tests.test_library_export import check_epub

    files = check_epub((out / "1-tide-report.epub").read_bytes())
    assert red in files.values() and blue in files.values()
    assert zipfile.ZipFile(out / "1-tide-report.epub").namelist()[0] == "mimetype"


def test_export_all(saved: list[int], tmp_path: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--all", "--format", "epub", "--out", str(tmp_path)]) == 0
    written = capsys.readouterr().out.splitlines()
    assert len(written) == 3 and all(Path(p).suffix == ".epub" for p in written)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(Path(p).name for p in written)


def test_export_needs_one_target(saved: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "json"]) == 1
    assert capsys.readouterr().err == (
        "reader: error: Name one article ID to export, or choose articles with --all, "
        "--tag TAG or --unread.\n")
    assert main(["export", "https://nowhere.example/", "--format", "json"]) == 1
    assert capsys.readouterr().err == (
        "reader: error: https://nowhere.example/ is not in the library (give its number "
        "from `reader list`, or its URL).\n")


def test_a_failed_source_is_one_sentence_and_the_others_are_saved(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["save", "/no/such/file.html", str(PAGES[0])]) == 1
    captured = capsys.readouterr()
    assert captured.err == "reader: error: There is no file /no/such/file.html.\n"
    assert captured.out == "Saved 1: Shipping a Rust CLI without tears\n"


def test_the_saved_position_is_shown_as_progress(saved: list[int],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with Library.open() as lib:
        lib.set_position(lib.get(1).url, Position(3), 0.42)
    assert main(["list"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("1 "))
    assert " 42% " in line


# ---------------------------------------------------------------------- real processes


def test_a_damaged_library_is_one_line_on_stderr_exit_1_and_untouched(
        reader_home: Path) -> None:
    folder = reader_home / "data"
    folder.mkdir(parents=True)
    path = folder / "library.db"
    path.write_bytes(b"\x00garbage" * 500)
    for command in (["list"], ["save", str(PAGES[0])], ["history"], ["rm", "1"]):
        out = reader(*command)
        assert out.returncode == 1, command
        assert out.stderr == (f"reader: error: The library at {path} is damaged (file is not "
                              "a database); reader left it untouched.\n")
        assert out.stdout == ""
    assert path.read_bytes() == b"\x00garbage" * 500


def test_save_and_list_in_real_processes(tmp_path: Path) -> None:
    out = reader("--data-dir", str(tmp_path), "save", str(PAGES[1]))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Saved 1: Storm surge")
    out = reader("list", "--json", "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["site_name"] == "Coastal Courier"


def test_two_different_pages_piped_in_are_two_articles(reader_home: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    # pages without a canonical address: only their content tells them apart
    for name in ("site/field-guide.html", "site/checklist.html", "site/field-guide.html"):
        out = subprocess.run([sys.executable, "-m", "reader", "save", "-"],
                             input=(fixtures / name).read_bytes(), capture_output=True,
                             timeout=60)
        assert out.returncode == 0, out.stderr
    listed = json.loads(reader("list", "--json").stdout)
    titles = sorted(entry["title"] for entry in listed)
    # the same page piped twice is one article; different pages never replace each other
    assert titles == ["A Field Guide to Urban Birds", "The Beginner's Checklist"]
