"""Issue 11, failure 1: no byte a page sends may act on the terminal.

A page (tests/fixtures/hostile/controls.html) carries ESC, CSI, OSC 0/2/8/52, DCS, C1
controls and bidi overrides in every field an Article has — title, byline, site name,
language, date, excerpt, heading anchors, text, link and image addresses, the canonical
URL, ``og:url``, the lead image, a code block's language, table cells. It goes through
the public entry points (``reader dump`` in every format, ``reader save`` from a real
HTTP server, ``reader list --json``, ``reader export`` in every format) and the bytes
they write must hold no control sequence and no bidi override.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.cli import main
from tests.localserver import LocalServer

PAGE = Path(__file__).parent / "fixtures" / "hostile" / "controls.html"
FORMATS = ("text", "markdown", "html", "json")
EXPORT_FORMATS = ("markdown", "html", "json", "epub")
# C0 controls but TAB and LF, DEL, the C1 range (8-bit CSI, OSC, DCS, ST …), bidi
# embeddings, overrides and isolates.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# In an address, not even the invisible marks may stay: they only disguise where it leads.
FORBIDDEN_IN_URL = re.compile("[\x00-\x20\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
URL_KEYS = {"url", "href", "src", "lead_image", "canonical"}


def assert_inert(data: bytes, what: str) -> None:
    """The bytes hold no control sequence: checked on the raw bytes (ESC, BEL and the C1
    bytes as UTF-8) and on the decoded text."""
    for raw in (b"\x1b", b"\x07", b"\xc2\x9b", b"\xc2\x9d", b"\xc2\x90", b"\xc2\x9c",
                "\u202e".encode(), "\u2066".encode()):
        assert raw not in data, f"{what} carries {raw!r}"
    text = data.decode("utf-8")
    found = FORBIDDEN.search(text)
    if found is not None:
        before = text[max(0, found.start() - 40):found.start()]
        raise AssertionError(f"{what} carries {found.group()!r} after {before!r}")


def strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (key, string) inside decoded JSON, so escapes like \\u001b are seen too."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v, key)


def assert_inert_json(data: bytes, what: str) -> None:
    assert_inert(data, what)
    checked = 0
    for key, text in strings(json.loads(data)):
        assert FORBIDDEN.search(text) is None, f"{what}: {key} = {text!r}"
        if key in URL_KEYS and text:
            assert FORBIDDEN_IN_URL.search(text) is None, f"{what}: {key} = {text!r}"
        checked += 1
    assert checked > 5, what


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    path = tmp_path / "controls.html"
    path.write_bytes(PAGE.read_bytes().replace(b"SERVER", b"http://example.com"))
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_dump_writes_no_control_sequence_from_the_page(
        fmt: str, page_file: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["dump", str(page_file), "-f", fmt]) == 0
    out, err = capfdbinary.readouterr()
    assert b"Filler words" in out  # the article itself came through
    assert_inert(out, f"dump -f {fmt}")
    assert_inert(err, f"dump -f {fmt} (stderr)")
    if fmt == "json":
        assert_inert_json(out, "dump -f json")
        article = json.loads(out)
        # The addresses survive, cleaned, rather than being dropped.
        assert article["url"].startswith("http://example.com/canon")
        assert article["lead_image"].startswith("http://example.com/lead")


@pytest.fixture
def served_page() -> Iterator[tuple[LocalServer, str]]:
    with LocalServer() as server:
        body = PAGE.read_bytes().replace(b"SERVER", server.url("").rstrip("/").encode())
        server.add("/article", body=body, headers={"Content-Type": "text/html; charset=utf-8"})
        # A redirect whose Location carries C1 controls (sent as raw bytes 0x85, 0x9b).
        server.add("/go", status=302, headers={"Location": "/article?x=\x85\x9b"})
        yield server, server.url("/go")


def test_save_list_and_export_write_no_control_sequence(
        served_page: tuple[LocalServer, str], tmp_path: Path,
        capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    _, url = served_page
    assert main(["save", url, "--tag", "news"]) == 0
    out, err = capfdbinary.readouterr()
    assert_inert(out + err, "save")

    assert main(["list"]) == 0
    out, err = capfdbinary.readouterr()
    assert b"Title" in out
    assert_inert(out + err, "list")

    assert main(["list", "--json"]) == 0
    out, err = capfdbinary.readouterr()
    assert_inert_json(out, "list --json")
    entries = json.loads(out)
    assert len(entries) == 1 and "canon" in entries[0]["url"]

    for fmt in EXPORT_FORMATS:
        folder = tmp_path / fmt
        assert main(["export", "1", "-f", fmt, "--out", str(folder)]) == 0, fmt
        out, err = capfdbinary.readouterr()
        assert_inert(out + err, f"export -f {fmt} (terminal)")
        files = list(folder.iterdir())
        assert files, fmt
        for path in files:
            data = path.read_bytes()
            if fmt == "epub":
                with zipfile.ZipFile(io.BytesIO(data)) as book:
                    for name in book.namelist():
                        member = book.read(name)
                        if not name.endswith((".png", ".jpg", ".gif", ".webp")):
                            assert_inert(member, f"export -f epub: {name}")
            elif fmt == "json":
                assert_inert_json(data, "export -f json")
            else:
                assert_inert(data, f"export -f {fmt}")


def test_a_server_error_sentence_quotes_no_control_from_the_server(
        capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    """A Content-Type is the server's text, quoted in the sentence that refuses it."""
    with LocalServer() as server:
        server.add("/pdf", body=b"%PDF-1.4 x",
                   headers={"Content-Type": "application/x-\x9b2J\x9d0;t\x9cevil"})
        assert main(["dump", server.url("/pdf")]) == 1
    out, err = capfdbinary.readouterr()
    assert b"reader: error:" in err
    assert_inert(out + err, "dump of a hostile Content-Type")


@pytest.mark.parametrize("raw,clean", [
    ("https://example.com/a", "https://example.com/a"),
    (" https://example.com/\u202egpj.exe\n", "https://example.com/gpj.exe"),
    ("https://example.com/\x1b]52;c;ZXZpbA==\x07x", "https://example.com/x"),
    ("https://example.com/\u200ea\u200fb\u2066c\u2069", "https://example.com/abc"),
    ("https://exam\tple.com/a\nb", "https://example.com/ab"),
    ("https://example.com/a b\u3000c", "https://example.com/a%20b%E3%80%80c"),
    ("https://example.com/caf\u00e9", "https://example.com/caf\u00e9"),
    ("\x1b[2J\u202e", ""),
])
def test_an_address_keeps_nothing_that_could_act_or_disguise(raw: str, clean: str) -> None:
    from reader.sanitize import clean_url

    assert clean_url(raw) == clean
    assert clean_url(clean) == clean
