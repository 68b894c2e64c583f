"""The content tree turned into the Article's blocks and spans.

This is where HTML stops: headings, paragraphs, lists, quotes, code, figures, tables and
rules come out as :mod:`reader.document` values, every text sanitised once
(:func:`reader.sanitize.clean_text`) and whitespace collapsed as a browser would. Links
and image URLs are resolved against the page's base URL here; ``javascript:`` and other
non-navigable links keep their text and lose their target.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import TypeAlias, cast
from urllib.parse import urljoin

from lxml.html import HtmlElement

from reader.document import (
    Block,
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
from reader.sanitize import clean_text, clean_url

_SPACE = re.compile(r"[ \t\n\r\f\v\u00a0]+")
_SPACES_ONLY = re.compile(r"[ \t\n\r\f\v]+")
_HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements whose content is never article text.
SKIP = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed",
    "video", "audio", "canvas", "form", "input", "button", "select", "textarea", "option",
    "head", "title", "meta", "link", "map", "area", "source", "track", "dialog", "nav",
})
# The whole page (extract_full) shows navigation and forms' words too: all visible text.
SKIP_FULL = SKIP - {"nav", "form", "dialog"}
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "ul", "ol", "dl",
    "dt", "dd", "li", "blockquote", "pre", "figure", "figcaption", "table", "thead", "tbody",
    "tfoot", "tr", "td", "th", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "address",
    "center", "details", "summary", "fieldset", "picture", "img", "hgroup", "caption",
    "body", "html", "nav", "form", "menu", "dialog",
})
# Which of a style's flags an inline element sets: bold, italic, code, strike, sub, sup.
_STYLE_FLAG = {
    **dict.fromkeys(("b", "strong"), 0),
    **dict.fromkeys(("i", "em", "cite", "dfn", "var"), 1),
    **dict.fromkeys(("code", "kbd", "samp", "tt"), 2),
    **dict.fromkeys(("s", "strike", "del"), 3),
    "sub": 4,
    "sup": 5,
}
_LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang|highlight|brush)[-:]([\w+#.-]+)", re.I)
_CREDIT_CLASS = re.compile(r"credit|copyright|source|photographer|attribution|byline", re.I)
_CREDIT_WORD = re.compile(r"credit|copyright|photographer|attribution", re.I)
_CAPTION_CLASS = re.compile(r"caption|legend|wp-caption-text", re.I)
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")  # as urlsplit reads a scheme
_SRCSET_ITEM = re.compile(r"\s*(\S+)(?:\s+([\d.]+)([wx]))?\s*(?:,|$)")
# A <pre> of nothing but numbers, one a line: the gutter of a highlighter's line table.
_LINE_NUMBERS = re.compile(r"\s*\d+(?:\s*\n\s*\d+)+\s*")
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")
_TINY = 48  # images declared smaller than this (px) are icons, spacers or trackers
# Quotes and lists nested deeper than this become plain paragraphs: nobody writes them,
# and each level costs the reader columns of indentation.
MAX_NESTING = 6
_DIMENSION = re.compile(r"\s*(\d+)")

# Text on its way to spans is kept as pieces, ``(text, style)``, a style being Span's
# fields after its text as a tuple ``(bold, italic, code, strike, sub, sup, href)``:
# spans are made once per run of one style (finish_spans), not once per text node, and
# tuples are compared and built in C. On a long article this was the builder's largest
# cost.
_Style: TypeAlias = tuple[bool, bool, bool, bool, bool, bool, "str | None"]
_Piece: TypeAlias = tuple[str, _Style]
_PLAIN: _Style = (False, False, False, False, False, False, None)
_BOLD_STYLE: _Style = (True, False, False, False, False, False, None)
_BREAK: _Piece = ("\n", _PLAIN)


@dataclass
class BlockBuilder:
    """Walks a content element and collects blocks; one per extraction."""

    base_url: str | None = None
    blocks: list[Block] = field(default_factory=list)
    skip: frozenset[str] = SKIP  # elements whose content is never shown
    _resolved: dict[tuple[str, bool], str | None] = field(default_factory=dict)
    _nesting: int = 0  # quotes and lists we are inside

    # ----------------------------------------------------------------- entry point

    def build(self, root: HtmlElement) -> list[Block]:
        # Every element's Python proxy made once, in one pass, and kept while the tree is
        # walked: lxml otherwise makes (and frees) a new one each time an element is
        # reached again (a paragraph's links are looked at two or three times).
        alive = list(root.iter())
        self.blocks = self._container(root)
        del alive
        return self.blocks

    # ----------------------------------------------------------------- containers

    def _container(self, el: HtmlElement) -> list[Block]:
        """The blocks of an element that may mix inline text and block children."""
        out: list[Block] = []
        inline: list[_Piece] = []

        def flush() -> None:
            if inline:
                # Two line breaks inside an inline wrapper (<font>, <span>: old and
                # Blogger pages) end a paragraph there too.
                for spans in split_paragraphs(finish_spans(inline)):
                    out.append(Paragraph(spans))
                inline.clear()

        text = self._text
        if el.text:
            text(el.text, _PLAIN, inline)
        skip = self.skip
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):  # comments and processing instructions
                if child.tail:
                    text(child.tail, _PLAIN, inline)
                continue
            if tag in skip:
                pass
            elif tag == "br":
                # Two line breaks in a row end a paragraph, as in most hand-written HTML.
                if inline and inline[-1][0].endswith("\n"):
                    flush()
                elif inline:
                    inline.append(_BREAK)
            elif tag in BLOCK_TAGS or _has_block_child(child):
                flush()
                out.extend(self._block(child))
            else:
                # A picture inside a link or a span (<a href=big.jpg><img></a>) stands
                # on its own line, as in a paragraph; the inline text goes on after it.
                pictures = self._images_in(child) if next(
                    child.iterdescendants("img"), None) is not None else []
                if pictures:
                    flush()
                    out.extend(pictures)
                self._inline(child, _PLAIN, inline)
            if child.tail:
                text(child.tail, _PLAIN, inline)
        flush()
        return out

    def _block(self, el: HtmlElement) -> list[Block]:
        tag = el.tag
        if tag in _HEADING_TAGS:
            if _has_block_child(el, ignore=("img", "picture")) and len(el.text_content()) > 200:
                return self._container(el)
            spans = finish_spans(self._inline_children(el, _PLAIN, []))
            if not spans:
                return self._images_in(el)
            return [Heading(_HEADING_TAGS[tag], spans, clean_text(el.get("id") or ""))]
        if tag == "p":
            return self._paragraph(el)
        if tag in ("ul", "ol", "menu"):
            return self._list(el)
        if tag == "dl":
            return self._definitions(el)
        if tag == "blockquote":
            if self._nesting >= MAX_NESTING:
                return self._container(el)  # deeper quotes read as plain paragraphs
            self._nesting += 1
            try:
                inner = self._container(el)
            finally:
                self._nesting -= 1
            return [Quote(tuple(inner))] if inner else []
        if tag == "pre":
            return self._code(el)
        if tag in ("figure", "picture"):
            return self._figure(el)
        if tag == "img":
            figure = self._image(el)
            return [figure] if figure else []
        if tag == "table":
            return self._table(el)
        if tag == "hr":
            return [Rule()]
        if tag in self.skip:
            return []
        if _is_caption_box(el):
            return self._figure(el)
        return self._container(el)

    def _paragraph(self, el: HtmlElement) -> list[Block]:
        images = [img for img in el.iter("img") if self._image(img) is not None]
        if images or _has_block_child(el):
            # A picture inside a paragraph stands on its own line before the text.
            return self._container(_without_images(el)) if not images else [
                *self._images_in(el), *self._container(_without_images(el))]
        spans = finish_spans(self._inline_children(el, _PLAIN, []))
        return [Paragraph(part) for part in split_paragraphs(spans)]

    def _list(self, el: HtmlElement) -> list[Block]:
        if _loose_text(el) or self._nesting >= MAX_NESTING:
            # Text straight inside <ul> (no <li>), or lists nested past any sense: prose.
            return self._container(el)
        self._nesting += 1
        try:
            return self._list_items(el)
        finally:
            self._nesting -= 1

    def _list_items(self, el: HtmlElement) -> list[Block]:
        items: list[tuple[Block, ...]] = []
        for li in el:
            if not isinstance(li.tag, str) or li.tag in self.skip:
                continue
            blocks = self._container(li) if li.tag == "li" else self._block(li)
            if blocks:
                items.append(tuple(blocks))
        if not items:
            return []
        start = 1
        if el.tag == "ol":
            try:
                start = int(el.get("start") or 1)
            except ValueError:
                start = 1
        return [ListBlock(el.tag == "ol", tuple(items), start)]

    def _definitions(self, el: HtmlElement) -> list[Block]:
        out: list[Block] = []
        for child in el:
            if child.tag == "dt":
                spans = finish_spans(self._inline_children(child, _BOLD_STYLE, []))
                if spans:
                    out.append(Paragraph(spans))
            elif child.tag == "dd":
                inner = self._container(child)
                if inner:
                    out.append(ListBlock(False, (tuple(inner),)))
            elif isinstance(child.tag, str):
                out.extend(self._block(child))
        return out

    def _code(self, el: HtmlElement) -> list[Block]:
        text = clean_text(el.text_content()).strip("\n")
        if not text.strip() or _LINE_NUMBERS.fullmatch(text):
            return []  # empty, or a highlighter's line-number gutter beside the code
        language = None
        for node in (el, *el.iter("code")):
            match = _LANGUAGE.search(node.get("class") or "")
            if match:
                language = match.group(1).lower()
                break
        language = language or _squash(el.get("data-lang") or el.get("data-language") or "") \
            or None
        return [CodeBlock(text.expandtabs(4), language)]

    def _table(self, el: HtmlElement) -> list[Block]:
        # What sits in the table outside any cell (a <table> straight inside a <table>,
        # a <div> between rows) is shown by browsers before the table: so here, after it.
        return self._table_proper(el) + [
            b for stray in _strays(el) for b in self._block(stray)]

    def _table_proper(self, el: HtmlElement) -> list[Block]:
        rows = [tr for tr in el.iter("tr") if _closest_table(tr) is el]
        cells = [[c for c in tr if c.tag in ("td", "th")] for tr in rows]
        widest = max((len(r) for r in cells), default=0)
        # A layout table (one column, or cells holding paragraphs and lists) is not data.
        if widest <= 1 or any(_has_block_child(c, ignore=("br", "img", "a", "span", "p"))
                              for r in cells for c in r):
            return self._container_cells(el)
        texts = [tuple(_squash(c.text_content()) for c in r) for r in cells if r]
        texts = [t for t in texts if any(t)]
        if not texts:
            return []
        header: tuple[str, ...] = ()
        first = cells[0] if cells else []
        if (first and all(c.tag == "th" for c in first)) or el.find(".//thead") is not None:
            header, texts = texts[0], texts[1:]
        caption_el = el.find("caption")
        caption = _squash(caption_el.text_content()) if caption_el is not None else ""
        return [Table(header, tuple(texts), caption)]

    def _container_cells(self, el: HtmlElement) -> list[Block]:
        out: list[Block] = []
        for cell in el.iter("td", "th"):
            if _closest_table(cell) is el:
                out.extend(self._container(cell))
        return out

    # ----------------------------------------------------------------- figures

    def _figure(self, el: HtmlElement) -> list[Block]:
        images = [f for f in (self._image(img) for img in el.iter("img")) if f is not None]
        if not images:
            # A <figure> around a quote, code or a table: its content is what counts.
            inner = [b for child in el if isinstance(child.tag, str)
                     and child.tag != "figcaption" for b in self._block(child)]
            caption = self._caption_text(el)
            if inner:
                return inner + ([Paragraph((Span(caption, italic=True),))] if caption else [])
            # A picture that never arrived (lazy loading, a script) still has its caption.
            return [Figure(None, "", caption)] if caption else []
        caption = self._caption_text(el)
        credit = self._credit_text(el)
        if credit and caption.endswith(credit):
            caption = caption[: -len(credit)].rstrip()
        figures: list[Block] = list(images)
        figures[-1] = replace(images[-1], caption=caption, credit=credit)
        return figures

    def _caption_text(self, el: HtmlElement) -> str:
        parts = []
        for cap in el.iter():
            if cap.tag == "figcaption" or (cap is not el and cap.tag in ("p", "div", "span")
                                           and _CAPTION_CLASS.search(cap.get("class") or "")):
                parts.append(_squash(cap.text_content()))
                break
        if not parts and el.tag not in ("figure", "picture"):
            parts.append(_squash(el.text_content()))  # a caption box's own text
        return " ".join(p for p in parts if p)

    def _credit_text(self, el: HtmlElement) -> str:
        for cap in el.iter("span", "small", "cite", "div", "p"):
            cls = f"{cap.get('class') or ''} {cap.get('itemprop') or ''}"
            # A caption box is not a credit, unless it says so ("caption-credit").
            if cap is not el and _CREDIT_CLASS.search(cls) and (not _CAPTION_CLASS.search(
                    cap.get("class") or "") or _CREDIT_WORD.search(cap.get("class") or "")):
                text = _squash(cap.text_content())
                if text and len(text) < 200:
                    return text
        return ""

    def _images_in(self, el: HtmlElement) -> list[Block]:
        return [f for f in (self._image(img) for img in el.iter("img")) if f is not None]

    def _image(self, img: HtmlElement) -> Figure | None:
        """A figure for ``img``, or ``None`` for icons, spacers, trackers and no source."""
        if img.tag != "img":
            return None
        src = best_image_source(img)
        if not src:
            return None
        size = (img.get("data-reader-size") or "x").split("x", 1)
        width = _dimension(img.get("width") or size[0])
        height = _dimension(img.get("height") or size[-1])
        if (width is not None and width < _TINY) or (height is not None and height < _TINY):
            return None
        src = self._resolve(src, images=True)
        if src is None:
            return None
        alt = _squash(img.get("alt") or img.get("title") or "")
        return Figure(src, alt, "", "", width, height)

    # ----------------------------------------------------------------- inline

    def _inline_children(self, el: HtmlElement, style: _Style, out: list[_Piece]
                         ) -> list[_Piece]:
        """``el``'s text and inline children in ``style``, added to ``out`` (returned)."""
        text = self._text
        if el.text:
            text(el.text, style, out)
        skip = self.skip
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and tag not in skip:
                self._inline(child, style, out)
            if child.tail:
                text(child.tail, style, out)
        return out

    def _inline(self, el: HtmlElement, style: _Style, out: list[_Piece]) -> None:
        tag = el.tag
        if tag == "br":
            out.append(_BREAK)
            return
        if tag == "img":
            return  # pictures inside running text are handled by the paragraph
        if tag in self.skip:
            return
        flag = _STYLE_FLAG.get(tag)
        if flag is not None:
            new = cast(_Style, (*style[:flag], True, *style[flag + 1:])) if not style[flag] \
                else style
        elif tag == "a":
            new = (*style[:6], self._resolve(el.get("href") or ""))
        elif tag == "q":
            out.append(("“", style))  # as _text gives it
            self._inline_children(el, style, out)
            out.append(("”", style))
            return
        else:
            new = style
        self._inline_children(el, new, out)

    def _text(self, text: str, style: _Style, out: list[_Piece]) -> None:
        """``text`` as a piece of ``style`` added to ``out``, sanitised and composed,
        unless that leaves nothing."""
        # Code keeps non-breaking spaces (alignment); prose treats them as spaces. Prose
        # is collapsed first: its line breaks are what makes most text nodes fail
        # clean_text's fast "nothing to do" test.
        if style[2]:
            text = _SPACES_ONLY.sub(" ", _readable(clean_text(text)))
        elif text.isascii():
            # _readable(clean_text(collapse_spaces(text))), its common cases inline: ASCII
            # needs no composing, and printable ASCII without two spaces in a row is
            # already collapsed (its only whitespace is single spaces).
            if not text.isprintable() or "  " in text:
                text = collapse_spaces(text)
                if not text.isprintable():
                    text = clean_text(text)
        else:
            text = _readable(clean_text(collapse_spaces(text)))
        if text:
            out.append((text, style))

    def _resolve(self, href: str, *, images: bool = False) -> str | None:
        """An absolute, navigable URL for ``href``, or ``None`` (``javascript:`` and kin)."""
        key = (href, images)
        if key in self._resolved:
            return self._resolved[key]
        resolved = self._resolved[key] = self._resolve_new(href, images=images)
        return resolved

    def _resolve_new(self, href: str, *, images: bool = False) -> str | None:
        href = clean_url(href)
        if not href:
            return None
        match = _SCHEME.match(href) if ":" in href[:12] else None
        scheme = match.group(1).lower() if match else ""
        if scheme and scheme not in ("http", "https", "mailto", "data", "file", "ftp"):
            return None
        if scheme == "data" and not (images and href[5:11].lower() == "image/"):
            return None
        if href.startswith("#") and not images:
            return href  # in-article anchors stay relative so the reader can jump
        if self.base_url and not scheme:
            try:
                href = urljoin(self.base_url, href)
            except ValueError:
                return None
        return href


# --------------------------------------------------------------------------- helpers


# Whitespace str.split() cuts at that HTML does not collapse (em spaces and kin). The
# controls among str.split()'s whitespace (\x1c-\x1f, \x85) never get here: clean_text.
_KEPT_SPACES = ("\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005",
                "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u2028", "\u2029",
                "\u202f", "\u205f", "\u3000")


def collapse_spaces(text: str) -> str:
    """Each run of HTML whitespace (and non-breaking spaces) as one space.

    The same as ``_SPACE.sub(" ", text)``, by splitting in C where it can: on a long
    article the regular expression was the block builder's largest cost.
    """
    if not text:
        return text
    if not text.isascii() and any(c in text for c in _KEPT_SPACES):
        return _SPACE.sub(" ", text)
    words = text.split()
    if not words:
        return " "
    joined = " ".join(words)
    if text[0].isspace():
        joined = " " + joined
    if text[-1].isspace():
        joined += " "
    return joined


def _style_of(span: Span) -> _Style:
    return (span.bold, span.italic, span.code, span.strike, span.sub, span.sup, span.href)


def finish_spans(pieces: list[_Piece]) -> tuple[Span, ...]:
    """Spans of the pieces: neighbours of one style merged, spaces collapsed across
    their edges, the ends trimmed."""
    runs: list[_Piece] = []  # the runs of one style before the current one
    current = ""  # the current run's text ("" before the first)
    current_style = _PLAIN
    for text, style in pieces:
        if current:
            if text[:1] == " " and current[-1] in " \n":
                text = text.lstrip(" ")
            if not text:
                continue
            if style == current_style:
                current += text
                continue
            runs.append((current, current_style))
        elif not (text := text.lstrip(" \n")):
            continue
        current = text
        current_style = style
    if current:
        runs.append((current, current_style))
    # Trim trailing whitespace and line breaks.
    while runs:
        text, style = runs[-1]
        trimmed = text.rstrip(" \n")
        if trimmed:
            runs[-1] = (trimmed, style)
            break
        runs.pop()
    spans: list[Span] = []
    blank = True
    for text, style in runs:
        if blank and not text.isspace():  # (a run is never empty)
            blank = False
        if "\n" in text:  # spaces around a line break are noise
            text = text.replace(" \n", "\n").replace("\n ", "\n")
        spans.append(Span(text, *style))
    return () if blank else tuple(spans)


def split_paragraphs(spans: tuple[Span, ...]) -> list[tuple[Span, ...]]:
    """``spans`` cut into paragraphs wherever two line breaks meet (``<br><br>``)."""
    for span in spans:
        if "\n\n" in span.text:
            break
    else:
        return [spans] if spans else []
    out: list[tuple[Span, ...]] = []
    current: list[_Piece] = []
    for span in spans:
        parts = _PARAGRAPH_BREAK.split(span.text)
        style = _style_of(span)
        for i, part in enumerate(parts):
            if i:
                out.append(finish_spans(current))
                current = []
            if part:
                current.append((part, style))
    out.append(finish_spans(current))
    return [p for p in out if p]


def best_image_source(img: HtmlElement) -> str | None:
    """The best URL for a picture: the largest ``srcset`` candidate, else lazy-load
    attributes (``data-src`` and kin), else ``src``."""
    best: str | None = None
    best_size = -1.0
    parent = img.getparent()
    srcsets = [img.get("srcset"), img.get("data-srcset"), img.get("data-lazy-srcset")]
    if parent is not None and parent.tag == "picture":
        srcsets += [s.get("srcset") for s in parent.iter("source")
                    if not (s.get("type") or "").endswith("svg+xml")]
    for srcset in srcsets:
        if not srcset:
            continue
        for match in _SRCSET_ITEM.finditer(srcset):
            url, size, unit = match.group(1), match.group(2), match.group(3)
            if not url or url.startswith("data:"):
                continue
            weight = float(size) * (1000 if unit == "x" else 1) if size else 1.0
            if weight > best_size:
                best, best_size = url, weight
    if best:
        return best
    for attr in ("data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src",
                 "src"):
        value = (img.get(attr) or "").strip()
        # A 1x1 placeholder in src while the real picture waits in data-src.
        if value and not (value.startswith("data:") and len(value) < 200):
            return value
    return None


def _dimension(value: str | None) -> int | None:
    if not value:
        return None
    match = _DIMENSION.match(value)
    return int(match.group(1)) if match else None


def _squash(text: str) -> str:
    return _SPACE.sub(" ", _readable(clean_text(text))).strip()


def _readable(text: str) -> str:
    """Text composed the one canonical way (NFC): a page may spell a letter as a base
    and a combining mark, and the same word must match the same word typed into a
    search or a find (and a second extractor's text, which is composed).

    Soft hyphens go: they only say where a browser may break a word, a terminal draws
    them as a hyphen or as nothing (and rich may count a cell either way), and a word
    holding one matches no search for that word."""
    if text.isascii():
        return text
    if "\xad" in text:
        text = text.replace("\xad", "")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _has_block_child(el: HtmlElement, ignore: tuple[str, ...] = ()) -> bool:
    for child in el.iterdescendants():
        tag = child.tag
        if isinstance(tag, str) and tag in BLOCK_TAGS and tag not in ignore and tag != "img":
            return True
    return False


def _is_caption_box(el: HtmlElement) -> bool:
    """A ``.wp-caption``-style box: one picture and a caption element, no figure tag."""
    cls = (el.get("class") or "").lower()
    if "caption" not in cls and "image" not in cls and "photo" not in cls and "media" not \
            in cls and "thumb" not in cls and not any(
                _CAPTION_CLASS.search(c.get("class") or "") for c in el.iterchildren("div", "p")):
        return False
    imgs = list(el.iter("img"))
    if len(imgs) != 1:
        return False
    text = len(_squash(el.text_content()))
    return text < 600 and el.find(".//p//p") is None


def _without_images(el: HtmlElement) -> HtmlElement:
    """A copy of ``el`` with its pictures taken out (tails kept)."""
    from copy import deepcopy

    copy = deepcopy(el)
    for img in list(copy.iter("img")):
        img.drop_tree()
    return copy


def _loose_text(el: HtmlElement) -> bool:
    """Whether a list holds text outside its items (browsers show it; so do we)."""
    if (el.text or "").strip():
        return True
    return any((child.tail or "").strip() or (isinstance(child.tag, str) and child.tag not in (
        "li", "ul", "ol", "script", "template") and child.tag not in SKIP) for child in el)


_TABLE_PARTS = frozenset({"tr", "td", "th", "thead", "tbody", "tfoot", "caption", "colgroup",
                          "col"})


def _strays(table: HtmlElement) -> list[HtmlElement]:
    """Elements inside ``table`` but outside its rows and cells."""
    out: list[HtmlElement] = []
    for part in (table, *(c for c in table if c.tag in ("thead", "tbody", "tfoot", "tr"))):
        for child in part:
            if isinstance(child.tag, str) and child.tag not in _TABLE_PARTS \
                    and child.tag not in SKIP:
                out.append(child)
        if part is not table:
            for row in part:
                if row.tag == "tr":
                    out.extend(c for c in row if isinstance(c.tag, str)
                               and c.tag not in _TABLE_PARTS and c.tag not in SKIP)
    return out


def _closest_table(el: HtmlElement) -> HtmlElement | None:
    for ancestor in el.iterancestors("table"):
        return ancestor
    return None
