"""Extraction: a web page in, a clean :class:`~reader.document.Article` out.

Pure: no network, no files, no UI. The steps, each in its own module —
:mod:`.decode` (bytes to text), :mod:`.metadata` (what the page says about itself),
:mod:`.content` (pruning with :mod:`.rules`, then finding the article) and
:mod:`.blocks` (HTML to blocks and spans, sanitised) — run once per page here.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from reader.document import Article, Block, Heading, Paragraph, Span
from reader.extract.blocks import BlockBuilder
from reader.extract.content import densest, prune, select
from reader.extract.decode import decode_html
from reader.extract.metadata import Metadata, read_metadata, squash
from reader.sanitize import clean_text

__all__ = ["article_from_text", "decode_html", "extract"]

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# huge_tree: libxml2 otherwise silently drops everything nested deeper than 256 elements,
# and a page built of nested tables can be that deep; content.flatten_deep then keeps
# the tree shallow enough for everything downstream.
_PARSER = lxml.html.HTMLParser(huge_tree=True)
_WORD = re.compile(r"\w+")
# A paragraph shorter than this next to the title is probably a byline or a date line.
_BYLINE_MAX = 120
_LINK_LINE_MAX = 80


def extract(html: str | bytes, url: str | None = None, *, encoding: str | None = None
            ) -> Article:
    """The article in ``html``; ``url`` resolves relative links; never raises on bad input.

    A page with no text at all gives an Article with no blocks (the caller decides what
    that means for the person asking).
    """
    text = decode_html(html, encoding)
    doc = parse(text)
    if doc is None:
        return Article(url=url)
    meta = read_metadata(doc, url)
    base = base_url(doc, meta.canonical or url)
    prune(doc)
    content = select(doc, base)
    builder = BlockBuilder(base)
    blocks = builder.build(content.element) if content is not None else []
    blocks = tidy(blocks, meta)
    if _too_thin(blocks, meta):
        fallback = _fallback_blocks(doc, meta, builder)
        if _words(fallback) > _words(blocks):
            blocks = tidy(fallback, meta)
    return Article(
        url=meta.canonical or url,
        title=meta.title,
        byline=meta.byline,
        site_name=meta.site_name,
        published=meta.published,
        lang=meta.lang,
        excerpt=meta.excerpt,
        lead_image=meta.lead_image,
        blocks=tuple(blocks),
    )


def article_from_text(text: str, url: str | None = None, title: str | None = None
                      ) -> Article:
    """A plain-text document as an article: blank lines separate paragraphs; a short
    first line is the title."""
    text = clean_text(text).replace("\r\n", "\n")
    chunks = [c.strip() for c in re.split(r"\n\s*\n", text) if c.strip()]
    if title is None and chunks and len(chunks[0]) <= 120 and "\n" not in chunks[0]:
        title = chunks.pop(0)
    blocks: list[Block] = [Paragraph((Span(" ".join(c.split())),)) for c in chunks]
    return Article(url=url, title=title or "", blocks=tuple(blocks))


def parse(text: str) -> HtmlElement | None:
    """The page parsed with lxml's HTML parser, or ``None`` if there is nothing to parse."""
    text = _XML_DECLARATION.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


def base_url(doc: HtmlElement, url: str | None) -> str | None:
    """``<base href>`` resolved against the page URL, else the page URL."""
    base = doc.find(".//base[@href]")
    if base is not None:
        href = (base.get("href") or "").strip()
        if href and not href.lower().startswith(("javascript:", "data:")):
            return urljoin(url, href) if url else href
    return url


def tidy(blocks: list[Block], meta: Metadata) -> list[Block]:
    """Drop what repeats the header: a leading heading equal to the title, a byline."""
    title = _norm(meta.title)
    byline = _norm(meta.byline or "")
    out: list[Block] = []
    for index, block in enumerate(blocks):
        if index < 6 and isinstance(block, Heading) and title and _same_title(
                _norm(block.text), title) and not any(isinstance(b, Heading) for b in out):
            continue
        if index < 6 and isinstance(block, Paragraph) and byline and len(block.text) < \
                _BYLINE_MAX and byline in _norm(block.text) and _norm(block.text).startswith(
                    ("by ", byline)):
            continue
        out.append(block)
    while out and _link_line(out[-1]):
        out.pop()
    return out


def _link_line(block: Block) -> bool:
    """A short paragraph of nothing but links ("« Back to News", "Home | All events"):
    the page's navigation where the article ends, not its last words."""
    if not isinstance(block, Paragraph) or len(block.text) > _LINK_LINE_MAX:
        return False
    linked = [s for s in block.spans if s.href]
    return bool(linked) and all(s.href or not _WORD.search(s.text) for s in block.spans)


def _norm(text: str) -> str:
    return squash(text).casefold()


def _same_title(heading: str, title: str) -> bool:
    if heading == title:
        return True
    shorter, longer = sorted((heading, title), key=len)
    return len(shorter) > 15 and shorter in longer and len(shorter) > 0.75 * len(longer)


def _words(blocks: list[Block]) -> int:
    from reader.document import block_text

    return sum(len(_WORD.findall(block_text(b))) for b in blocks)


def _too_thin(blocks: list[Block], meta: Metadata) -> bool:
    words = _words(blocks)
    if meta.article_body:
        body_words = len(_WORD.findall(meta.article_body))
        return words < 0.5 * body_words or (words < 40 and body_words > words)
    return words < 40


def _fallback_blocks(doc: HtmlElement, meta: Metadata, builder: BlockBuilder) -> list[Block]:
    """JSON-LD articleBody as paragraphs, else the densest text container."""
    if meta.article_body:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", meta.article_body)
                      if p.strip()]
        return [Paragraph((Span(" ".join(p.split())),)) for p in paragraphs]
    content = densest(doc)
    return builder.build(content.element) if content is not None else []
