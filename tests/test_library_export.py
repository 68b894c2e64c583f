"""EPUB 3 export: checked for the structure a validator demands (epubcheck itself is a
Java tool we do not ship), and read back by an independent reader (ebooklib)."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from reader.document import (
    Article,
    CodeBlock,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Span,
    Table,
)
from reader.export.epub import article_to_epub
from reader.sources import load
from tests.test_library import png

FIXTURES = Path(__file__).parent / "fixtures"
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "c": "urn:oasis:names:tc:opendocument:xmlns:container",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def check_epub(data: bytes) -> dict[str, bytes]:
    """Assert the OCF/OPF/nav rules that epubcheck applies to a one-chapter book."""
    book = zipfile.ZipFile(io.BytesIO(data))
    assert book.testzip() is None
    first = book.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED and not first.extra
    assert book.read("mimetype") == b"application/epub+zip"
    # The mimetype's bytes sit at offset 38: 30-byte header + the 8-byte name.
    assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"
    files = {info.filename: book.read(info) for info in book.infolist()}

    container = etree.fromstring(files["META-INF/container.xml"])
    (rootfile,) = container.findall(".//c:rootfile", NS)
    assert rootfile.get("media-type") == "application/oebps-package+xml"
    opf_path = rootfile.get("full-path")
    opf = etree.fromstring(files[opf_path])
    base = posixpath.dirname(opf_path)
    assert opf.get("version") == "3.0"
    uid = opf.get("unique-identifier")
    (identifier,) = opf.findall(f".//dc:identifier[@id='{uid}']", NS)
    assert identifier.text
    assert opf.findtext(".//dc:title", namespaces=NS)
    assert opf.findtext(".//dc:language", namespaces=NS)
    modified = opf.findtext(".//opf:meta[@property='dcterms:modified']", namespaces=NS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified or "")

    items = {item.get("id"): item for item in opf.findall(".//opf:manifest/opf:item", NS)}
    hrefs = {posixpath.join(base, item.get("href")): item for item in items.values()}
    content = {name for name in files
               if name not in ("mimetype", opf_path) and not name.startswith("META-INF")}
    assert set(hrefs) == content  # everything listed, nothing listed that is missing
    navs = [item for item in items.values() if "nav" in (item.get("properties") or "").split()]
    assert len(navs) == 1
    spine = [ref.get("idref") for ref in opf.findall(".//opf:spine/opf:itemref", NS)]
    assert spine and all(items[ref].get("media-type") == "application/xhtml+xml"
                         for ref in spine)

    ids: dict[str, set[str]] = {}
    documents: dict[str, etree._Element] = {}
    for name, item in hrefs.items():
        if item.get("media-type") == "application/xhtml+xml":
            doc = etree.fromstring(files[name])  # well-formed XML or this raises
            assert doc.tag == "{http://www.w3.org/1999/xhtml}html"
            documents[name] = doc
            found = [el.get("id") for el in doc.iter() if el.get("id")]
            assert len(found) == len(set(found)), "duplicate ids"
            ids[name] = set(found)
    nav_doc = documents[posixpath.join(base, navs[0].get("href"))]
    (toc,) = nav_doc.findall(".//x:nav[@epub:type='toc']", NS)
    links = toc.findall("./x:ol/x:li/x:a", NS)
    assert links and all(a.text and a.text.strip() for a in links)
    for name, doc in documents.items():
        folder = posixpath.dirname(name)
        for a in doc.iter("{http://www.w3.org/1999/xhtml}a"):
            href = a.get("href")
            assert href, "an <a> without href"
            if re.match(r"^(https?|mailto):", href):
                continue
            target, _, fragment = href.partition("#")
            path = posixpath.normpath(posixpath.join(folder, target)) if target else name
            assert path in documents, href
            if fragment:
                assert fragment in ids[path], href
        for img in doc.iter("{http://www.w3.org/1999/xhtml}img"):
            path = posixpath.normpath(posixpath.join(folder, img.get("src")))
            assert path in hrefs and hrefs[path].get("media-type", "").startswith("image/")
            assert img.get("alt") is not None
    return files


def test_a_fixture_article_becomes_a_valid_epub_that_ebooklib_reads(tmp_path: Path) -> None:
    epub = pytest.importorskip("ebooklib.epub")
    article = load(str(FIXTURES / "harbour-news-figures.html")).article
    src = next(f.src for _, f in article.figures() if f.src)
    picture = png((0, 120, 0), 12)
    data = article_to_epub(article, images={src: picture},
                           modified=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))
    files = check_epub(data)
    assert picture in files.values()
    chapter = files["OEBPS/article.xhtml"].decode()
    assert "Storm surge floods harbour district" in chapter
    assert "2025-01-02T03:04:05Z" in files["OEBPS/content.opf"].decode()
    path = tmp_path / "book.epub"
    path.write_bytes(data)
    book = epub.read_epub(str(path))
    assert book.get_metadata("DC", "title")[0][0] == article.title
    assert book.get_metadata("DC", "language")[0][0] == article.lang


def test_every_block_kind_and_hostile_text_stay_valid() -> None:
    article = Article(
        url="https://evil.example/<a>",
        title="Tags <script>alert(1)</script> & \x07bells",
        byline="O'Brien & \"Co\"",
        lang=None,
        published="sometime in May",
        blocks=(
            Heading(2, (Span("Same"),), anchor="dup"),
            Heading(2, (Span("Same"),), anchor="dup"),
            Heading(3, (Span("Bad anchor"),), anchor="1 not an id"),
            Paragraph((Span("run "), Span("script", href="javascript:alert(1)"),
                       Span(" local", href="other.html"), Span(" up", href="#dup"),
                       Span(" gone", href="#missing"), Span(" web", href="https://ok.example/"),
                       Span("\x00\x0bnull\nline", bold=True, italic=True))),
            ListBlock(True, ((Paragraph((Span("one"),)),), (Paragraph((Span("two"),)),
                      ListBlock(False, ((Paragraph((Span("nested"),)),),)))), start=3),
            Quote((Paragraph((Span("quoted <b>not bold</b>"),)),)),
            CodeBlock("if a < b && c > d:\n    pass", "python"),
            Figure("https://img.example/unsaved.png", alt="unsaved", caption="kept words"),
            Figure("https://img.example/bmp.bmp", alt="bmp", caption="not a core type"),
            Table(("a", "b"), (("1", "2"), ("3",)), caption="t"),
            Rule(),
        ),
    )
    files = check_epub(article_to_epub(article, images={"https://img.example/bmp.bmp":
                                                        b"BM" + bytes(60)}))
    chapter = files["OEBPS/article.xhtml"].decode()
    assert "<script" not in chapter and "javascript:" not in chapter
    assert "&lt;b&gt;not bold&lt;/b&gt;" in chapter
    assert "kept words" in chapter and "not a core type" in chapter
    assert not any(name.endswith(".bmp") for name in files)
    assert 'href="#dup"' in chapter


def test_an_article_without_headings_or_title_still_has_a_toc() -> None:
    files = check_epub(article_to_epub(Article(blocks=(Paragraph((Span("Just text."),)),))))
    assert b"Untitled" in files["OEBPS/nav.xhtml"]


def test_the_language_is_a_valid_tag() -> None:
    for given, written in (("pt_BR", "pt-BR"), ("English (US)", "en"), (None, "en"),
                           ("de", "de")):
        files = check_epub(article_to_epub(Article(title="T", lang=given)))
        assert f"<dc:language>{written}</dc:language>".encode() in files["OEBPS/content.opf"]


# ---------------------------------------------------------------- a book of many articles


def _book_library(count: int) -> None:
    from reader.library import Library

    with Library.open() as library:
        for n in range(1, count + 1):
            words = f"Article {n} follows the tide along the harbour wall. " * 10
            linked = (Span("the previous story", href=f"https://example.org/story/{n - 1}")
                      if n > 1 else Span("no earlier story"))
            blocks = (Heading(2, (Span("Morning"),), anchor="morning"),
                      Paragraph((Span(words), Span(" See "), linked, Span(" and "),
                                 Span("the evening", href="#evening"), Span("."))),
                      Figure(f"https://example.org/img/{n}.png", alt=f"Harbour {n}",
                             caption=f"The harbour, picture {n}"),
                      Heading(2, (Span("Evening"),), anchor="evening"),
                      Paragraph((Span("The boats came back. " * 5),)))
            article = Article(url=f"https://example.org/story/{n}", title=f"Story {n} & co",
                              byline="A. Writer", site_name="Harbour News",
                              published=f"2026-04-{n:02d}", lang="en", blocks=blocks)
            library.save(article, source_url=article.url or "",
                         images={f"https://example.org/img/{n}.png": png((n * 10, 90, 40))},
                         tags=["boats"] if n % 2 else [])


def test_a_book_of_twenty_articles_is_one_valid_epub(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json
    import shutil
    import subprocess

    from reader.cli import main

    _book_library(20)
    assert main(["export", "--all", "--book", "Harbour  reading", "--out", str(tmp_path),
                 "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert len(written) == 20 and len({w["path"] for w in written}) == 1
    path = Path(written[0]["path"])
    assert path.name == "harbour-reading.epub"
    files = check_epub(path.read_bytes())

    nav = etree.fromstring(files["OEBPS/nav.xhtml"])
    entries = nav.findall(".//x:nav/x:ol/x:li", NS)
    labels = [li.findtext("x:a", namespaces=NS) for li in entries]
    assert labels[0] == "Story 1 & co — Harbour News, 2026-04-01"  # oldest first
    assert len(labels) == 20
    sections = [a.text for a in entries[0].findall("x:ol/x:li/x:a", NS)]
    assert sections == ["Morning", "Evening"]
    chapter2 = files["OEBPS/chapter-2.xhtml"].decode()
    assert 'href="chapter-1.xhtml"' in chapter2  # a link to another article of the book
    assert 'href="#evening"' in chapter2
    assert len([n for n in files if n.startswith("OEBPS/images/")]) == 20
    assert "Story 1 &amp; co" in files["OEBPS/chapter-1.xhtml"].decode()

    ebooklib = pytest.importorskip("ebooklib")
    from ebooklib import epub

    book = epub.read_epub(str(path))
    assert book.get_metadata("DC", "title")[0][0] == "Harbour reading"
    assert len(list(book.get_items_of_type(ebooklib.ITEM_IMAGE))) == 20

    found = shutil.which("epubcheck")
    if found is None:
        pytest.skip("epubcheck is not installed (apt-get install epubcheck); the structure "
                    "was checked by hand above")
    command = [found]
    if Path(found).resolve().suffix == ".jar":  # Debian's is the jar itself
        java = shutil.which("java")
        if java is None:
            pytest.skip("epubcheck is installed but java is not")
        command = [java, "-jar", str(Path(found).resolve())]
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=300)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "ERROR" not in report and "WARNING" not in report, report


def test_a_book_of_the_unread_or_a_tag_takes_only_those(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from reader.cli import main

    _book_library(4)
    assert main(["export", "--tag", "boats", "--book", "Boats", "-o", str(tmp_path),
                 "--json"]) == 0
    assert sorted(w["id"] for w in json.loads(capsys.readouterr().out)) == [1, 3]
    assert main(["export", "--unread", "--format", "markdown", "--book", "X"]) == 1
    assert "--book makes one EPUB" in capsys.readouterr().err
