"""Extraction: a web page in, a clean :class:`~reader.document.Article` out.

Pure: no network, no files, no UI. The steps, each in its own module —
:mod:`.decode` (bytes to text), :mod:`.metadata` (what the page says about itself),
:mod:`.content` (pruning with :mod:`.rules`, then finding the article) and
:mod:`.blocks` (HTML to blocks and spans, sanitised) — run once per page here, with
the numbers they weigh by in :mod:`.settings`.

Never worse than readability-lxml alone: the rules prune a copy of the page, and when
they removed a lot or left little, readability-lxml's pick on the untouched page is asked
for too; when the pruned result is clearly thinner in prose, the untouched one wins.
When the article found is still doubtful (almost no words, or under a fifth of the
pruned page's prose), a second extractor, trafilatura, imported only then, is asked;
its text wins when it has half as many words again. It is asked too when our pick holds
clearly less prose than the page and few of the headline's words (a list, a form, one
section); then its text wins only with more words *and* when what it adds carries the
headline's words: two extractors that disagree are settled by agreement with the page's
own title.
Every stage falls back to the one before it, so no input raises. :func:`extract_full`
gives the whole page's readable text, the way out when the cleaning misses something.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from reader.document import (
    Article,
    Block,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Span,
    block_text,
)
from reader.extract import settings
from reader.extract.blocks import SKIP_FULL, BlockBuilder
from reader.extract.content import Content, clean, densest, prose_chars, prune_rules, select
from reader.extract.decode import decode_html
from reader.extract.metadata import Metadata, read_metadata, squash
from reader.extract.rules import link_density
from reader.sanitize import clean_text

__all__ = ["article_from_text", "decode_html", "extract", "extract_full"]

log = logging.getLogger(__name__)
# "?>" is the end of an XML declaration, but pages end it with ">" too.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_TITLE_OPEN = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# huge_tree: libxml2 otherwise silently drops everything nested deeper than 256 elements,
# and a page built of nested tables can be that deep; content.flatten_deep then keeps
# the tree shallow enough for everything downstream.
_PARSER = lxml.html.HTMLParser(huge_tree=True)
_PARSER_UTF8 = lxml.html.HTMLParser(huge_tree=True, encoding="utf-8")
# The same element classes as lxml.html's own lookup (HtmlElement; FormElement and kin by
# tag), chosen in C: lxml.html asks a Python method each time it wraps an element, and
# the pipeline wraps hundreds of thousands on a long page (~4% of a typical page's time).
_LOOKUP = lxml.etree.ElementNamespaceClassLookup(lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
_LOOKUP.get_namespace(None).update(
    getattr(lxml.html.HtmlElementClassLookup, "_default_element_classes", {}))
_PARSER.set_element_class_lookup(_LOOKUP)
_PARSER_UTF8.set_element_class_lookup(_LOOKUP)
_WORD = re.compile(r"\w+")
_BYLINE_MAX = settings.BYLINE_MAX_CHARS
_LINK_LINE_MAX = settings.TRAILING_LINK_LINE_CHARS


def _never_raising(stage: Callable[[str | bytes, str | None, str | None], Article],
                   html: str | bytes, url: str | None, encoding: str | None) -> Article:
    """``stage``'s Article, else the page as plain text, else an empty Article: the
    promise both public entry points make (no input makes them raise)."""
    try:
        with _no_cyclic_gc():
            return stage(html, url, encoding)
    except Exception:
        log.debug("extraction failed; the page is given as its plain text", exc_info=True)
        try:
            return _plain_article(html, url, encoding)
        except Exception:
            return Article(url=url)


def extract(html: str | bytes, url: str | None = None, *, encoding: str | None = None
            ) -> Article:
    """The article in ``html``; ``url`` resolves relative links; never raises on any input.

    A page with no text at all gives an Article with no blocks (the caller decides what
    that means for the person asking). Every stage has a fallback, and anything a stage
    did not foresee (lxml and readability-lxml raise more than their documented errors
    on hostile pages) falls back to the stage before it, never out of this function.
    """
    return _never_raising(_extract, html, url, encoding)


def extract_full(html: str | bytes, url: str | None = None, *, encoding: str | None = None
                 ) -> Article:
    """The page's complete readable text: every visible text block in order, links kept
    (so a reader can number them), pictures, tables, navigation and all; no scripts,
    styles or hidden boxes. The same metadata as :func:`extract`.

    The way out when the cleaned article misses something: nothing a person could see on
    the page is left out. Never raises; a page with no text gives an Article with no blocks.
    """
    return _never_raising(_extract_full, html, url, encoding)


def _extract_full(html: str | bytes, url: str | None, encoding: str | None) -> Article:
    text = _decode(html, encoding)
    doc = parse(text)
    if doc is None:
        return Article(url=url)
    meta = _metadata(doc, url)
    base = _guard(lambda: base_url(doc, meta.canonical or url), url)
    _guard(lambda: clean(doc), None)
    body = doc.find("body")
    root = body if body is not None else doc
    builder = BlockBuilder(base, skip=SKIP_FULL)
    blocks = _guard(lambda: builder.build(root), _none())
    return _article(meta, url, blocks)


def _article(meta: Metadata, url: str | None, blocks: Iterable[Block]) -> Article:
    """The Article of a page's metadata and its chosen blocks."""
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


def _extract(html: str | bytes, url: str | None, encoding: str | None) -> Article:
    text = _decode(html, encoding)
    doc = parse(text)
    if doc is None:
        return Article(url=url)
    meta = _metadata(doc, url)
    base = _guard(lambda: base_url(doc, meta.canonical or url), url)
    clean(doc)
    builder = BlockBuilder(base)
    # The rules prune a copy: the untouched page stays for the second opinion.
    pruned = copy.deepcopy(doc)
    try:
        removed = prune_rules(pruned)[1]
    except Exception:
        log.debug("rules failed; the page is used unpruned", exc_info=True)
        pruned, removed = copy.deepcopy(doc), 0
    blocks = _blocks_of(_guard(lambda: select(pruned, base), None), builder, meta)
    if not _prose_at_least(blocks, settings.FEW_PROSE_WORDS,
                           removed / settings.REMOVED_PROSE_SHARE):
        # The rules took a lot, or left little: what does readability-lxml find on the
        # page the rules did not touch? Thinner than that, and the rules were wrong.
        second = _blocks_of(_guard(lambda: select(doc, base), None),
                            builder, meta)
        kept, other = prose_words(blocks), prose_words(second)
        if (kept < settings.THIN_SHARE * other and other - kept >= settings.THIN_MIN_WORDS) \
                or (not blocks and second):
            blocks = second
    if _too_thin(blocks, meta):
        fallback = _guard(lambda: _fallback_blocks(pruned, doc, meta, builder), _none())
        if _richer(fallback, blocks):
            blocks = _guard(lambda: tidy(fallback, meta), fallback)
    if _guard(lambda: _doubtful(blocks, pruned), False):
        opinion = _guard(lambda: _second_extractor(text, url), _none())
        if _words(opinion) >= settings.SECOND_OPINION_GAIN * max(_words(blocks), 1):
            opinion = _without_headline(opinion, meta.title)
            blocks = _guard(lambda: tidy(opinion, meta), opinion)
    elif _guard(lambda: _maybe_a_section(blocks, pruned) and not _speaks_of_title(
            blocks, meta.title), False):
        # Its fast mode (no fallback extractors of its own): this check runs on more
        # pages, and the opinion only has to say where the story is.
        opinion = _guard(lambda: _second_extractor(text, url, fast=True), _none())
        if _words(opinion) >= settings.SECTION_OPINION_GAIN * max(_words(blocks), 1) \
                and _guard(lambda: _finds_the_start(opinion, blocks, meta.title), False):
            opinion = _without_headline(opinion, meta.title)
            blocks = _guard(lambda: tidy(opinion, meta), opinion)
    return _article(meta, url, blocks)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while a page is extracted.

    Building an article allocates tens of thousands of small objects (spans, blocks),
    none of them in reference cycles; each allocation burst made the collector walk every
    live object again, a tenth of the time on a long article. It runs as usual after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_T = TypeVar("_T")


def _guard(stage: Callable[[], _T], default: _T) -> _T:
    """``stage()``, or ``default`` if it raises anything at all (see :func:`extract`)."""
    try:
        return stage()
    except Exception:
        log.debug("extraction stage failed; falling back", exc_info=True)
        return default


def _none() -> list[Block]:
    return []


def _decode(html: str | bytes, encoding: str | None) -> str:
    try:
        return decode_html(html, encoding)
    except Exception:
        return html if isinstance(html, str) else html.decode("utf-8", "replace")


def _metadata(doc: HtmlElement, url: str | None) -> Metadata:
    try:
        return read_metadata(doc, url)
    except Exception:
        log.debug("metadata failed", exc_info=True)
        meta = Metadata(canonical=None)
        title = doc.find(".//title")
        if title is not None:
            meta.title = _guard(lambda: squash(title.text_content()), "")
        return meta


def _blocks_of(content: Content | None, builder: BlockBuilder, meta: Metadata) -> list[Block]:
    if content is None:
        return []
    blocks: list[Block] = _guard(lambda: builder.build(content.element), _none())
    return _guard(lambda: tidy(blocks, meta), blocks)


def _plain_article(html: str | bytes, url: str | None, encoding: str | None) -> Article:
    """The last resort: the page's text with every tag taken out, in paragraphs."""
    text = _decode(html, encoding)
    text = _TAG.sub("\n", _SCRIPT.sub("", text))
    import html as htmlmod  # the last resort only

    return article_from_text(htmlmod.unescape(text), url=url, title="")


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
    text = _XML_DECLARATION.sub("", text, count=1)
    if "\x00" in text:  # looked for first: replacing copies the page even when it has none
        text = text.replace("\x00", "")
    if not text.strip():
        return None
    opened = _TITLE_OPEN.search(text)
    if opened and not _TITLE_CLOSE.search(text, opened.end()):
        # An unclosed <title> would swallow the whole page as its text: close it where
        # the next tag begins, as the author meant.
        end = text.find("<", opened.end())
        end = len(text) if end < 0 else end
        text = f"{text[:end]}</title>{text[end:]}"
    try:
        return lxml.html.document_fromstring(text, parser=_PARSER)
    except Exception:
        pass
    try:
        # lxml refuses a str that still declares an encoding somewhere it looks: bytes do.
        return lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=_PARSER_UTF8)
    except Exception:
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
    popped = False
    while out and (_link_line(out[-1]) or _link_list(out[-1]) or (
            popped and isinstance(out[-1], Heading))):
        out.pop()  # and a heading left last headed what went: "Most read", "Top 15"
        popped = True
    return out


def _link_list(block: Block) -> bool:
    """A list whose every item is nothing but one short link: the headlines of other
    stories where the article ends ("Most read"), not a list the article makes."""
    if not isinstance(block, ListBlock) or len(block.items) < settings.LINK_LIST_LINES:
        return False
    return all(len(item) == 1 and _link_line(item[0]) for item in block.items)


def _link_line(block: Block) -> bool:
    """A short paragraph of nothing but links ("« Back to News", "Home | All events"):
    the page's navigation where the article ends, not its last words."""
    if not isinstance(block, Paragraph):
        return False
    linked = [s for s in block.spans if s.href]
    if not linked or not all(s.href or not _WORD.search(s.text) for s in block.spans):
        return False
    # Longer, it is navigation when it is a list of links, one a line (the headlines
    # of other stories after the last paragraph): a sentence is not cut by line breaks.
    return len(block.text) <= _LINK_LINE_MAX or (
        len(linked) >= settings.LINK_LIST_LINES and block.text.count("\n") >= len(linked) - 1)


def _norm(text: str) -> str:
    return squash(text).casefold()


def _same_title(heading: str, title: str) -> bool:
    if heading == title:
        return True
    shorter, longer = sorted((heading, title), key=len)
    return len(shorter) > 15 and shorter in longer and len(shorter) > 0.75 * len(longer)


def _words(blocks: list[Block], enough: float = float("inf")) -> int:
    """Words in ``blocks``, counted until there are ``enough``."""
    from reader.document import block_text

    total = 0
    for block in blocks:
        total += len(block_text(block).split())
        if total >= enough:
            break
    return total


def _richer(found: list[Block], blocks: list[Block]) -> bool:
    """Whether a fallback's ``found`` should replace ``blocks``: more words, and not
    less prose. A page's menus, agenda and sign-up form have more words than a short
    story, but their lines are labels and links; the story's sentences are the article."""
    return _words(found) > _words(blocks) and prose_words(found) >= prose_words(blocks)


def prose_words(blocks: Iterable[Block]) -> int:
    """Words in the blocks' prose: paragraphs (also inside quotes and lists) long enough
    to be sentences and mostly not links. What the safety net compares."""
    return sum(len(text.split()) for text in _prose_texts(blocks))


def _prose_at_least(blocks: Iterable[Block], words: int, chars: float) -> bool:
    """Whether the blocks' prose has at least ``words`` words and ``chars`` characters,
    reading no further than it takes to know (a long article answers at once)."""
    seen_words = seen_chars = 0
    for text in _prose_texts(blocks):
        seen_words += text.count(" ") + 1
        seen_chars += len(text)
        if seen_words >= words and seen_chars >= chars:
            return True
    return False


def _prose_texts(blocks: Iterable[Block]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph):
            text = block.text
            if len(text) >= settings.PROSE_BLOCK_CHARS:
                linked = sum(len(s.text) for s in block.spans if s.href)
                if linked <= settings.PROSE_LINK_DENSITY * len(text):
                    yield text
        elif isinstance(block, Quote):
            yield from _prose_texts(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _prose_texts(item)


def _too_thin(blocks: list[Block], meta: Metadata) -> bool:
    if meta.article_body:
        body_words = len(meta.article_body.split())
        words = _words(blocks, max(body_words, settings.THIN_ARTICLE_WORDS))
        return words < settings.ARTICLE_BODY_SHARE * body_words or (
            words < settings.THIN_ARTICLE_WORDS and body_words > words)
    return _words(blocks, settings.THIN_ARTICLE_WORDS) < settings.THIN_ARTICLE_WORDS


def _doubtful(blocks: list[Block], pruned: HtmlElement) -> bool:
    """Whether the article found may be the wrong box: almost no words, or a small
    share of the prose the pruned page holds (one teaser, one section, one post)."""
    from reader.document import block_text

    if _words(blocks, settings.SECOND_OPINION_WORDS) < settings.SECOND_OPINION_WORDS:
        return True
    body = pruned.find("body")
    root = body if body is not None else pruned
    # The page's whole text is more than its prose: when what was kept is already that
    # share of it, no need to weigh the prose (a long article stops reading early).
    bound = settings.SECOND_OPINION_SHARE * len(root.text_content())
    kept = 0
    for block in blocks:
        kept += len(block_text(block))
        if kept >= bound:
            return False
    enough = kept / settings.SECOND_OPINION_SHARE
    return prose_chars(root, enough) > enough


def _maybe_a_section(blocks: list[Block], pruned: HtmlElement) -> bool:
    """Whether the article found holds clearly less prose than the pruned page: it may be
    one section of the story (a list of signatories, a sidebar box, a form's messages)
    while the story itself is elsewhere. Cheap: the page's prose is read only until it is
    clearly more than ours (a long, well-found article stops at once)."""
    body = pruned.find("body")
    root = body if body is not None else pruned
    # The page's whole text bounds its prose: when our prose is already that share of
    # it, the answer is no without weighing the page (a long article's case).
    bound = settings.SECTION_OPINION_SHARE * len(root.text_content())
    ours = 0
    for text in _prose_texts(blocks):
        ours += len(text)
        if ours >= bound:
            return False
    enough = ours / settings.SECTION_OPINION_SHARE
    return _paragraph_prose(root, enough + 1) > enough


def _paragraph_prose(root: HtmlElement, enough: float) -> int:
    """Characters of the ``<p>`` prose under ``root`` (long, few links), counted until
    there are ``enough``: :func:`prose_chars` without its leaf ``<div>``s, whose search
    cost more than the rest of the check on every page."""
    total = 0
    for p in root.iter("p"):
        text = " ".join(p.text_content().split())
        if len(text) > settings.PROSE_CHARS and \
                link_density(p, len(text)) < settings.WIDEN_LINK_DENSITY:
            total += len(text)
            if total >= enough:
                break
    return total


_TITLE_WORD = re.compile(r"\w{4,}")


def _speaks_of_title(blocks: list[Block], title: str) -> bool:
    """Whether our text already holds most of the headline's words: then it is about
    what the page says it is about, and a second opinion is not worth its time. The
    picks that proved to be a wrong section barely mention the headline."""
    wanted = {w.casefold() for w in _TITLE_WORD.findall(title or "")}
    if not wanted:
        return True
    found: set[str] = set()
    for block in blocks:
        found |= wanted & {w.casefold() for w in _TITLE_WORD.findall(block_text(block))}
        if len(found) > settings.TITLE_WORDS_SHARE * len(wanted):
            return True
    return False


def _finds_the_start(opinion: list[Block], blocks: list[Block], title: str) -> bool:
    """Whether the second extractor's text goes where ours does not *towards the
    headline*: the words it adds carry at least as many of the title's words as ours
    does. When two extractors disagree about which box is the article, the one whose
    text speaks of what the page says it is about found the story; the other text it
    adds (teasers of other stories, a slideshow of other news) shares nothing with it.
    Or the two agree: its text holds all but a few of our words and goes on around them
    (our pick was one section of the story it found whole: an interview in an
    accordion, the report around it), whatever the title says."""
    from reader.document import block_text

    wanted = {w.casefold() for w in _TITLE_WORD.findall(title or "")}
    if not wanted:
        return False
    ours_text = "\n".join(block_text(b) for b in blocks)
    ours_words = set(ours_text.casefold().split())
    added: list[str] = []
    for block in opinion:
        words = block_text(block).casefold().split()
        if sum(w in ours_words for w in words) < 0.5 * len(words):
            added.append(" ".join(words))
    found_added = wanted & {w.casefold() for w in _TITLE_WORD.findall(" ".join(added))}
    found_ours = wanted & {w.casefold() for w in _TITLE_WORD.findall(ours_text)}
    if bool(found_added) and len(found_added) >= len(found_ours):
        return True
    theirs = "\n".join(block_text(b) for b in opinion).casefold().split()
    their_words = set(theirs)
    mine = ours_text.casefold().split()
    return bool(mine) and sum(w in their_words for w in mine) >= \
        settings.OPINION_AGREEMENT * len(mine)


def _second_extractor(text: str, url: str | None, *, fast: bool = False) -> list[Block]:
    """trafilatura's text of the page, as paragraphs: a second, independently built
    extractor (its own pruning, its own scoring), asked only when our pick is doubtful.
    Imported here, not at start-up: it costs about half a second to import, and most
    pages never need it. Missing (not installed), it is simply not asked."""
    try:
        import trafilatura
    except ImportError:
        return []
    found = trafilatura.extract(text, url=url, include_comments=False, fast=fast)
    if not found:
        return []
    lines = (" ".join(line.split()) for line in found.splitlines())
    return [Paragraph((Span(clean_text(line)),)) for line in lines if line]


def _without_headline(blocks: list[Block], title: str) -> list[Block]:
    """The second extractor's text without its first line when that is the headline
    (shown above the article already; it came as a plain line, so tidy() cannot tell)."""
    if blocks and title and _same_title(_norm(block_text(blocks[0])), _norm(title)):
        return blocks[1:]
    return blocks


def _fallback_blocks(pruned: HtmlElement, doc: HtmlElement, meta: Metadata,
                     builder: BlockBuilder) -> list[Block]:
    """JSON-LD articleBody as paragraphs, else the densest text container of the pruned
    page, else, when the rules left no text at all, of the untouched one."""
    if meta.article_body:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", meta.article_body)
                      if p.strip()]
        return [Paragraph((Span(" ".join(p.split())),)) for p in paragraphs]
    best: list[Block] = []
    for tree in (pruned, doc):
        content = densest(tree)
        found = builder.build(content.element) if content is not None else []
        if _richer(found, best):
            best = found
        if best:
            # Some text survived the rules: the untouched page's densest box is one
            # they removed (a menu, an agenda, a sign-up form), not a better article.
            break
    return best
