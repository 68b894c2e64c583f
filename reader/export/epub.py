"""Article → EPUB 3, written by hand with :mod:`zipfile` so that every byte is ours.

An EPUB is a zip whose first entry is the uncompressed ``mimetype``, a
``META-INF/container.xml`` that points at the package document, the package (metadata,
manifest, spine), a navigation document, and XHTML content. The body reuses the HTML
writer and re-serialises it as XML, so the markup rules (escaping, safe URLs) live in one
place. Anything that would make the book invalid is dropped rather than written: links
that point outside the book except to web and mail addresses, images that were not saved
or are not one of EPUB's core image types, duplicate or unusable ids.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING

from lxml import etree
from lxml import html as lxml_html

from reader.document import (
    Article,
    Block,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Span,
    first_words,
)
from reader.export.html import block_to_html
from reader.urls import is_web_url

CORE_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
                    "image/webp": "webp"}
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ID_OK = re.compile(r"^[A-Za-z_][\w.-]*$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")

_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

_CSS = """body { font-family: serif; line-height: 1.5; margin: 0 1em; }
h1, h2, h3, h4, h5, h6 { font-family: sans-serif; line-height: 1.2; }
.meta { color: #555; font-size: 0.9em; }
figure { margin: 1em 0; } img { max-width: 100%; }
figcaption { font-size: 0.9em; color: #444; }
blockquote { border-left: 3px solid #ccc; margin-left: 0; padding-left: 1em; }
pre { white-space: pre-wrap; font-size: 0.85em; }
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 0.2em 0.4em; }
"""

if TYPE_CHECKING:
    from reader.library.highlights import Placed


def x(text: str) -> str:
    """Text safe for XML: escaped, and without characters XML 1.0 forbids."""
    return escape(_XML_BAD.sub("", text), quote=True)


def article_to_epub(article: Article, *, images: Mapping[str, bytes] | None = None,
                    modified: datetime | None = None,
                    highlights: Sequence[Placed] | None = None) -> bytes:
    """The article as an EPUB 3 book (bytes of the .epub file)."""
    from reader.library.images import digest, image_type

    files: dict[str, str] = {}  # figure src → path inside OEBPS
    media: list[tuple[str, str, bytes]] = []  # (href, mime, data)
    for src, data in (images or {}).items():
        ext = CORE_IMAGE_TYPES.get(image_type(data) or "")
        if ext is None:
            continue
        href = f"images/{digest(data)[:32]}.{ext}"
        files[src] = href
        if all(href != m[0] for m in media):
            media.append((href, image_type(data) or "", data))

    blocks, toc = _prepare_blocks(article, files)
    lang = (article.lang or "").strip().replace("_", "-")
    lang = lang if _LANG.match(lang) else "en"  # a book must name a valid BCP 47 language
    title = article.title or article.url or "Untitled"
    body = _xhtml_body(blocks, highlights or ())
    meta_line = " · ".join(m for m in (article.byline, article.site_name, article.published)
                           if m)
    head_parts = [f"<h1>{x(title)}</h1>"]
    if meta_line:
        head_parts.append(f'<p class="meta">{x(meta_line)}</p>')
    if is_web_url(article.url):
        head_parts.append(f'<p class="meta"><a href="{x(article.url)}">{x(article.url)}</a></p>')
    chapter = _xhtml_document(title, lang, "\n".join(head_parts) + "\n" + body)

    nav_items = "\n".join(f'      <li><a href="article.xhtml#{x(anchor)}">{x(text)}</a></li>'
                          for anchor, text in toc) or \
        f'      <li><a href="article.xhtml">{x(first_words(title, 80))}</a></li>'
    nav = _xhtml_document(
        "Contents", lang,
        f'<nav epub:type="toc" id="toc">\n  <h1>Contents</h1>\n  <ol>\n{nav_items}\n  </ol>\n'
        "</nav>", epub_ns=True)

    when = (modified or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, article.url or title))
    metadata = [f'<dc:identifier id="uid">{identifier}</dc:identifier>',
                f"<dc:title>{x(title)}</dc:title>",
                f"<dc:language>{x(lang)}</dc:language>",
                f'<meta property="dcterms:modified">{when}</meta>']
    if article.byline:
        metadata.append(f"<dc:creator>{x(article.byline)}</dc:creator>")
    if article.site_name:
        metadata.append(f"<dc:publisher>{x(article.site_name)}</dc:publisher>")
    date = _DATE.match(article.published or "")
    if date:
        metadata.append(f"<dc:date>{date.group(0)}</dc:date>")
    if article.url:
        metadata.append(f"<dc:source>{x(article.url)}</dc:source>")
    if article.excerpt:
        metadata.append(f"<dc:description>{x(article.excerpt)}</dc:description>")
    manifest = [
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
        '<item id="article" href="article.xhtml" media-type="application/xhtml+xml"/>',
        '<item id="css" href="style.css" media-type="text/css"/>',
    ] + [f'<item id="img{n}" href="{href}" media-type="{mime}"/>'
         for n, (href, mime, _) in enumerate(media, 1)]
    opf = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
           f'unique-identifier="uid" xml:lang="{x(lang)}">\n'
           '  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n    '
           + "\n    ".join(metadata) + "\n  </metadata>\n  <manifest>\n    "
           + "\n    ".join(manifest) + "\n  </manifest>\n"
           '  <spine>\n    <itemref idref="article"/>\n  </spine>\n</package>\n')

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        # The mimetype must come first and be stored uncompressed.
        book.writestr(_info("mimetype", zipfile.ZIP_STORED), "application/epub+zip")
        book.writestr(_info("META-INF/container.xml"), _CONTAINER)
        book.writestr(_info("OEBPS/content.opf"), opf)
        book.writestr(_info("OEBPS/nav.xhtml"), nav)
        book.writestr(_info("OEBPS/style.css"), _CSS)
        book.writestr(_info("OEBPS/article.xhtml"), chapter)
        for href, _, data in media:
            book.writestr(_info(f"OEBPS/{href}", zipfile.ZIP_STORED), data)
    return out.getvalue()


def _info(name: str, compression: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
    info.compress_type = compression
    return info


def _xhtml_document(title: str, lang: str, body: str, *, epub_ns: bool = False) -> str:
    ns = ' xmlns:epub="http://www.idpf.org/2007/ops"' if epub_ns else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml"{ns} xml:lang="{x(lang)}" '
            f'lang="{x(lang)}">\n<head>\n<meta charset="UTF-8"/>\n<title>{x(title)}</title>\n'
            '<link rel="stylesheet" type="text/css" href="style.css"/>\n</head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")


def _prepare_blocks(article: Article, files: Mapping[str, str]
                    ) -> tuple[list[Block], list[tuple[str, str]]]:
    """Blocks with unique heading ids, in-book links only, and local image paths;
    and the table of contents as (id, text)."""
    anchors: dict[str, str] = {}  # the page's anchor → our id
    blocks: list[Block] = []
    toc: list[tuple[str, str]] = []
    used: set[str] = set()
    for i, block in enumerate(article.blocks):
        if isinstance(block, Heading):
            anchor = block.anchor if _ID_OK.match(block.anchor or "") else ""
            ident = anchor if anchor and anchor not in used else f"section-{i}"
            used.add(ident)
            if block.anchor:
                anchors.setdefault(block.anchor, ident)
            block = replace(block, anchor=ident)
            text = block.text.strip()
            if text:
                toc.append((ident, first_words(text, 80)))
        blocks.append(block)
    return [_localise(b, anchors, files) for b in blocks], toc


def _localise(block: Block, anchors: Mapping[str, str], files: Mapping[str, str]) -> Block:
    if isinstance(block, Heading | Paragraph):
        return replace(block, spans=tuple(_link(s, anchors) for s in block.spans))
    if isinstance(block, ListBlock):
        return replace(block, items=tuple(tuple(_localise(b, anchors, files) for b in item)
                                          for item in block.items))
    if isinstance(block, Quote):
        return replace(block, blocks=tuple(_localise(b, anchors, files) for b in block.blocks))
    if isinstance(block, Figure):
        return replace(block, src=files.get(block.src or ""))
    return block


def _link(span: Span, anchors: Mapping[str, str]) -> Span:
    href = span.href
    if href is None:
        return span
    lowered = href.strip().lower()
    if lowered.startswith(("http://", "https://", "mailto:")):
        return span
    if href.startswith("#") and href[1:] in anchors:
        return replace(span, href="#" + anchors[href[1:]])
    return replace(span, href=None)


def _xhtml_body(blocks: list[Block], highlights: Sequence[Placed] = ()) -> str:
    """The blocks (and the highlights section, as in HTML export) as XHTML: rendered by
    the HTML writer, re-serialised as XML."""
    from reader.export.html import highlights_to_html

    markup = "\n".join(block_to_html(b) for b in blocks) + "\n" + highlights_to_html(highlights)
    if not markup.strip():
        return ""
    container = lxml_html.fragment_fromstring(_XML_BAD.sub("", markup), create_parent="div")
    parts = []
    if container.text and container.text.strip():
        parts.append(x(container.text))
    for element in container:
        for node in element.iter():
            for name in list(node.attrib):
                if not _ID_OK.match(name.replace("-", "_")):
                    del node.attrib[name]  # nothing XML cannot name
        parts.append(etree.tostring(element, method="xml", encoding="unicode"))
    return "\n".join(parts)
