"""`reader dump` as a script would use it: real processes, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader import __version__

FIXTURES = Path(__file__).parent / "fixtures"
DISPATCH = FIXTURES / "dispatch-amnesty-letter.html"


def reader(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "reader", *args], input=stdin,
                          capture_output=True, timeout=60)


def test_version() -> None:
    out = reader("--version")
    assert out.returncode == 0
    assert out.stdout.decode().strip() == f"reader {__version__}"


def test_dump_json_of_the_seed_page_keeps_the_article_and_drops_the_rest() -> None:
    expected = json.loads((FIXTURES / "dispatch-amnesty-letter.expected.json").read_text())
    out = reader("dump", str(DISPATCH), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["title"] == expected["title"]
    assert data["byline"] == expected["byline"]
    assert data["site_name"] == expected["site_name"]
    assert data["published"].startswith(expected["published"])
    paragraphs = ["".join(s["t"] for s in b["spans"]) for b in data["blocks"]
                  if b["type"] == "paragraph"]
    assert paragraphs == expected["paragraphs"]
    figures = [b for b in data["blocks"] if b["type"] == "figure"]
    assert len(figures) == 1
    assert figures[0]["caption"].endswith("(Source: Collected)")
    assert figures[0]["alt"] == expected["image_alt"]
    text = out.stdout.decode()
    for phrase in expected["must_not_contain"]:
        assert phrase not in text, phrase


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_every_format_prints_the_article(fmt: str) -> None:
    out = reader("dump", str(DISPATCH), "-f", fmt)
    assert out.returncode == 0, out.stderr
    assert "Among the prominent signatories is Alexey Gorinov" in out.stdout.decode()


def test_dump_reads_standard_input() -> None:
    out = reader("dump", "-", stdin=DISPATCH.read_bytes())
    assert out.returncode == 0
    assert out.stdout.decode().startswith(
        "Russian Political Prisoners Urge Global Leaders to Support Mass Amnesty")


HOSTILE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Evil \x1b[31mtitle\x1b[0m [bold]x[/bold]</title></head><body><article>
<h1>Evil \x1b[31mtitle\x1b[0m [bold]x[/bold]</h1>
<p>Body with \x1b]52;c;ZXZpbA==\x07clipboard and \u009b2J C1 and [link=file:///etc/passwd]y[/] and
&lt;script&gt;alert(1)&lt;/script&gt; text that goes on long enough to count as an article body for
any extractor that wants a few sentences before it believes there is an article here.</p>
<p>More text with a <a href="https://x.example/">\x1b[5mblinking [b]link[/b]</a> inside it, and more
words after it so that this paragraph, too, looks like part of a real article body.</p>
<figure><img src="/a.jpg" alt="alt \x1b[2J [i]x[/i]"><figcaption>Caption \x1b[1m[red]c[/red]
</figcaption></figure>
</article></body></html>"""


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_control_characters_never_reach_the_output(fmt: str, tmp_path: Path) -> None:
    page = tmp_path / "evil.html"
    page.write_text(HOSTILE_PAGE, encoding="utf-8")
    out = reader("dump", str(page), "-f", fmt)
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in text)
    shown = json.loads(text) if fmt == "json" else None
    blob = json.dumps(shown, ensure_ascii=False) if shown else text
    assert "[bold]x[/bold]" in blob.replace("\\[", "[").replace("\\]", "]")
    assert "[link=file:///etc/passwd]y[/]" in blob.replace("\\[", "[").replace("\\]", "]")
    if fmt == "html":
        assert "<script>" not in text and "&lt;script&gt;" in text


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.html", "There is no file"),
        (lambda d: d, "is a directory"),
        (lambda d: (d / "empty.html", (d / "empty.html").write_bytes(b""))[0], "is empty"),
        (lambda d: (d / "blank.html", (d / "blank.html").write_bytes(b"  \n\n"))[0], "is empty"),
        (lambda d: (d / "x.html", (d / "x.html").write_bytes(bytes(range(256)) * 8))[0],
         "binary file"),
        (lambda d: (d / "n.txt", (d / "n.txt").write_text("just some words\nand more\n"))[0],
         "not an HTML page"),
        (lambda d: (d / "d.json", (d / "d.json").write_text('{"a": [1, 2, 3]}'))[0],
         "not an HTML page"),
        (lambda d: (d / "paper.pdf", (d / "paper.pdf").write_bytes(
            b"%PDF-1.7\n%\xe2\xe3\n1 0 obj <<>> endobj\n"))[0], "is a PDF document"),
        (lambda d: (d / "nav.html", (d / "nav.html").write_text(
            "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a>"
            "</nav></body></html>"))[0], "has no article text"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_1(make, message: str, tmp_path: Path) -> None:
    target = make(tmp_path)
    out = reader("dump", str(target))
    assert out.returncode == 1
    err = out.stderr.decode()
    assert err.startswith("reader: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out.stdout == b""


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    out = reader("--debug", "dump", str(tmp_path / "missing.html"))
    assert out.returncode != 0 and b"Traceback" in out.stderr


def test_unsupported_scheme_is_refused() -> None:
    out = reader("dump", "ftp://example.org/file.html")
    assert out.returncode == 1
    assert b"reader: error:" in out.stderr and b"ftp" in out.stderr


GHOST = FIXTURES / "ghost-blog-post.html"


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_dump_full_prints_the_whole_page_the_cleaned_article_leaves_out(fmt: str) -> None:
    cleaned = reader("dump", str(GHOST), "-f", fmt)
    full = reader("dump", str(GHOST), "-f", fmt, "--full")
    assert full.returncode == 0, full.stderr
    cleaned_text, full_text = cleaned.stdout.decode(), full.stdout.decode()
    # The article is in both; the page around it (teasers, footer links) only in --full.
    for phrase in ("Our little log-tailing tool started as a weekend project",
                   "Release engineering is the art of making the boring path"):
        assert phrase in cleaned_text and phrase in full_text
    for phrase in ("Cargo features are a public API", "Powered by Ghost"):
        assert phrase not in cleaned_text
        assert phrase in full_text
    # Never scripts or styles.
    assert "position:sticky" not in full_text
    assert '"@context"' not in full_text


def test_dump_full_keeps_links_so_they_can_be_numbered() -> None:
    out = reader("dump", str(GHOST), "-f", "json", "--full")
    data = json.loads(out.stdout)
    hrefs = [s.get("href") for b in data["blocks"] if b["type"] == "paragraph"
             for s in b["spans"]]
    assert "https://ghost.org/" in hrefs
    assert data["title"] == "Shipping a Rust CLI without tears"


def test_dump_full_keeps_the_page_order_from_site_header_to_footer() -> None:
    text = reader("dump", str(GHOST), "--full").stdout.decode()
    order = [text.index(p) for p in ("Notes from the Workshop", "Build once, test everywhere",
                                     "Three mistakes", "Read next", "Powered by Ghost")]
    assert order == sorted(order)
