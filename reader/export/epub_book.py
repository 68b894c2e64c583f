"""Many articles → ONE EPUB 3 book: what a person takes to an e-reader.

Each article is a chapter file of its own (``chapter-N.xhtml``), so the ids inside one
never collide with another's, and the heading anchors and in-page links of each work as
in the single-article EPUB (:mod:`reader.export.epub`, whose rules this reuses: escaping,
safe links, core image types only). On top of those, a link from one article to another
article in the book becomes a link to its chapter. The table of contents lists each
article with its site and date, and its sections beneath; it is also the book's first
page, so an e-reader without a contents menu still shows it. Pictures are stored once
each, however many articles share them.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from reader.document import Article, Block, Heading, ListBlock, Paragraph, Quote, Span
from reader.export.epub import (
    _CONTAINER,
    _CSS,
    _DATE,
    _LANG,
    CORE_IMAGE_TYPES,
    _info,
    _prepare_blocks,
    _xhtml_body,
    _xhtml_document,
    x,
)
from reader.urls import is_web_url


@dataclass(frozen=True)
class Chapter:
    article: Article
    images: Mapping[str, bytes]
    id: int | None = None  # the library id, for callers that report what was written


def _lang(article: Article) -> str | None:
    lang = (article.lang or "").strip().replace("_", "-")
    return lang if _LANG.match(lang) else None


def _site_and_date(article: Article) -> str:
    date = _DATE.match(article.published or "")
    return ", ".join(p for p in (article.site_name, date.group(0) if date else None) if p)


def _key(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/")


def _relink(block: Block, chapters: Mapping[str, str]) -> Block:
    """Links to another article of the book point at its chapter instead of the web."""
    if isinstance(block, Heading | Paragraph):
        return replace(block, spans=tuple(_relink_span(s, chapters) for s in block.spans))
    if isinstance(block, ListBlock):
        return replace(block, items=tuple(tuple(_relink(b, chapters) for b in item)
                                          for item in block.items))
    if isinstance(block, Quote):
        return replace(block, blocks=tuple(_relink(b, chapters) for b in block.blocks))
    return block


def _relink_span(span: Span, chapters: Mapping[str, str]) -> Span:
    if is_web_url(span.href):
        target = chapters.get(_key(span.href))
        if target is not None:
            return replace(span, href=target)
    return span


def articles_to_epub_book(title: str, chapters: Sequence[Chapter], *,
                          modified: datetime | None = None) -> bytes:
    """The articles as one EPUB 3 book (bytes of the .epub file), in the order given."""
    from reader.library.images import digest, image_type

    title = " ".join(title.split()) or "Articles"
    media: dict[str, tuple[str, bytes]] = {}  # href → (mime, data)
    hrefs = {f"chapter-{n}.xhtml": chapter for n, chapter in enumerate(chapters, 1)}
    by_url: dict[str, str] = {}
    for href, chapter in hrefs.items():
        if chapter.article.url:
            by_url.setdefault(_key(chapter.article.url), href)
    languages = Counter(lang for c in chapters if (lang := _lang(c.article)))
    book_lang = languages.most_common(1)[0][0] if languages else "en"

    documents: dict[str, str] = {}
    nav_items: list[str] = []
    for href, chapter in hrefs.items():
        article = chapter.article
        files: dict[str, str] = {}
        for src, data in chapter.images.items():
            mime = image_type(data) or ""
            ext = CORE_IMAGE_TYPES.get(mime)
            if ext is None:
                continue
            path = f"images/{digest(data)[:32]}.{ext}"
            files[src] = path
            media.setdefault(path, (mime, data))
        blocks, toc = _prepare_blocks(article, files)
        blocks = [_relink(b, by_url) for b in blocks]
        name = article.title or article.url or "Untitled"
        meta = " · ".join(m for m in (article.byline, article.site_name, article.published)
                          if m)
        head = [f"<h1>{x(name)}</h1>"]
        if meta:
            head.append(f'<p class="meta">{x(meta)}</p>')
        if is_web_url(article.url):
            head.append(f'<p class="meta"><a href="{x(article.url)}">{x(article.url)}</a></p>')
        lang = _lang(article) or book_lang
        documents[href] = _xhtml_document(name, lang, "\n".join(head) + "\n"
                                          + _xhtml_body(blocks))
        where = _site_and_date(article)
        label = f"{name} — {where}" if where else name
        sections = "".join(f'\n          <li><a href="{href}#{x(anchor)}">{x(text)}</a></li>'
                           for anchor, text in toc)
        nested = f"\n        <ol>{sections}\n        </ol>\n      " if sections else ""
        nav_items.append(f'      <li><a href="{href}">{x(label)}</a>{nested}</li>')

    nav = _xhtml_document(
        title, book_lang,
        f"<h1>{x(title)}</h1>\n"
        f'<nav epub:type="toc" id="toc">\n  <h2>Contents</h2>\n  <ol>\n'
        + "\n".join(nav_items) + "\n  </ol>\n</nav>", epub_ns=True)

    when = (modified or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    seed = title + "\n" + "\n".join(c.article.url or c.article.title for c in chapters)
    identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
    metadata = [f'<dc:identifier id="uid">{identifier}</dc:identifier>',
                f"<dc:title>{x(title)}</dc:title>",
                f"<dc:language>{x(book_lang)}</dc:language>",
                f'<meta property="dcterms:modified">{when}</meta>',
                "<dc:creator>reader-tui</dc:creator>"]
    manifest = [
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
        '<item id="css" href="style.css" media-type="text/css"/>',
    ] + [f'<item id="ch{n}" href="{href}" media-type="application/xhtml+xml"/>'
         for n, href in enumerate(documents, 1)] + [
        f'<item id="img{n}" href="{path}" media-type="{mime}"/>'
        for n, (path, (mime, _)) in enumerate(media.items(), 1)]
    spine = ['<itemref idref="nav"/>'] + [f'<itemref idref="ch{n}"/>'
                                          for n in range(1, len(documents) + 1)]
    opf = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
           f'unique-identifier="uid" xml:lang="{x(book_lang)}">\n'
           '  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n    '
           + "\n    ".join(metadata) + "\n  </metadata>\n  <manifest>\n    "
           + "\n    ".join(manifest) + "\n  </manifest>\n  <spine>\n    "
           + "\n    ".join(spine) + "\n  </spine>\n</package>\n")

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        # The mimetype must come first and be stored uncompressed.
        book.writestr(_info("mimetype", zipfile.ZIP_STORED), "application/epub+zip")
        book.writestr(_info("META-INF/container.xml"), _CONTAINER)
        book.writestr(_info("OEBPS/content.opf"), opf)
        book.writestr(_info("OEBPS/nav.xhtml"), nav)
        book.writestr(_info("OEBPS/style.css"), _CSS)
        for href, document in documents.items():
            book.writestr(_info(f"OEBPS/{href}"), document)
        for path, (_, data) in media.items():
            book.writestr(_info(f"OEBPS/{path}", zipfile.ZIP_STORED), data)
    return out.getvalue()
