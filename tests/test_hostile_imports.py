"""Issue 11, failures 3 and 5 (imports): an import file is a stranger's file.

Archive and JSON bombs, nesting that trips the parser's recursion and addresses that
hide a bidi override are each refused with one sentence and exit code 1 by
``reader import``, before anything is parsed into memory. (Time and memory of the same
files are measured by ``benchmarks/import_bombs.py``, not here.)
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from reader.cli import main

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"


def run_import(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``reader import`` and return its one error sentence (it must fail with one)."""
    assert main(["import", str(path), "--no-images", *args]) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: error: "), err
    assert "Traceback" not in err and "unexpected" not in err, err
    return lines[0].removeprefix("reader: error: ")


def test_an_omnivore_zip_bomb_is_refused_before_it_is_unpacked(
        capsys: pytest.CaptureFixture[str]) -> None:
    # 287 KiB on disk, one member of 302 MB of JSON.
    sentence = run_import(HOSTILE / "omnivore-bomb.zip", capsys)
    assert sentence == ("The lists in omnivore-bomb.zip unpack to more than 64 MiB, more than "
                        "any reading list; reader does not import it.")


def test_a_zip_whose_headers_understate_a_member_is_refused(
        capsys: pytest.CaptureFixture[str]) -> None:
    sentence = run_import(HOSTILE / "omnivore-bomb-small-header.zip", capsys)
    assert sentence.startswith("omnivore-bomb-small-header.zip is a damaged zip file")


def forged_zip(entries: int) -> bytes:
    """One tiny member listed ``entries`` times by the central directory."""
    name = b"metadata_0.json"
    body = b"[]"
    crc = zipfile.crc32(body)
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, len(body),
                        len(body), len(name), 0) + name + body
    record = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, len(body),
                         len(body), len(name), 0, 0, 0, 0, 0, 0) + name
    directory = record * entries
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, min(entries, 0xFFFF),
                      min(entries, 0xFFFF), len(directory), len(local), 0)
    return local + directory + end


def test_a_zip_listing_too_many_files_is_refused(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "many.zip"
    path.write_bytes(forged_zip(60_000))
    sentence = run_import(path, capsys)
    assert sentence == ("many.zip holds more than 50,000 files, more than any export; reader "
                        "does not import it.")


def test_a_zip_member_nested_too_deeply_is_one_sentence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Omnivore.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata_0.json", "[" * 200_000)
    sentence = run_import(path, capsys)
    assert sentence == ("metadata_0.json in Omnivore.zip is JSON nested too deeply to be an "
                        "export.")


@pytest.mark.parametrize("fmt", ["auto", "omnivore", "wallabag"])
def test_a_json_file_nested_too_deeply_is_one_sentence(
        fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "export.json"
    path.write_text("[" * 200_000)
    sentence = run_import(path, capsys, "--format", fmt)
    assert "export.json" in sentence and ("nested too deeply" in sentence
                                          or "not valid JSON" in sentence)


def test_a_json_file_of_millions_of_tiny_values_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "export.json"
    path.write_text("[" + "0," * 1_100_000 + "0]")
    sentence = run_import(path, capsys)
    assert sentence == ("export.json holds more than 1,000,000 JSON values, more than any "
                        "reading list; reader does not import it.")


def test_a_file_larger_than_any_reading_list_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.write(b"https://example.com/\n")
        handle.truncate(64 * 2**20 + 1)
    sentence = run_import(path, capsys)
    assert sentence == ("huge.txt is larger than 64 MiB, more than any reading list; reader "
                        "does not import it.")


def test_a_list_of_more_lines_than_any_reading_list_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "links.txt"
    path.write_text("".join(f"https://e.com/{n}\n" for n in range(500_001)))
    sentence = run_import(path, capsys)
    assert sentence == ("links.txt has more than 500,000 lines, more than any reading list; "
                        "reader does not import it.")


def test_instapaper_tags_nested_too_deeply_are_one_sentence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "instapaper.csv"
    path.write_text("URL,Title,Selection,Folder,Timestamp,Tags\n"
                    f"https://example.com/a,A,,Unread,1700000000,\"{'[' * 100_000}\"\n")
    sentence = run_import(path, capsys)
    assert "instapaper.csv" in sentence
    assert "nested too deeply" in sentence or "not a list of names" in sentence


@pytest.mark.parametrize("fmt,text", [
    ("urls", "https://example.com/\u202egpj.exe\n"),
    ("netscape", '<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DT><A HREF="https://example.com/'
                 '\u202egpj.exe" ADD_DATE="1700000000">x</A>\n'),
    ("pocket", "title,url,time_added,tags,status\nx,https://example.com/\u2066a\u2069,"
               "1700000000,,unread\n"),
    ("wallabag", '[{"url": "https://example.com/\\u200fx", "title": "x"}]'),
])
def test_an_address_hiding_a_bidi_control_is_refused_and_not_echoed(
        fmt: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"export.{fmt}"
    path.write_text(text, encoding="utf-8")
    sentence = run_import(path, capsys, "--format", fmt)
    assert "not an http or https" in sentence
    for control in "\u202e\u2066\u2069\u200f":
        assert control not in sentence
    assert main(["list", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
