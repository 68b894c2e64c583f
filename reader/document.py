"""The Article model: the one shape every part of reader speaks.

Extraction produces an :class:`Article`, the library stores it as JSON, the UI renders
it and export writes it. Nothing downstream of extraction looks at HTML. The classes are
frozen dataclasses so an article can be shared between the UI thread and workers, and
compared for equality in tests.

A place in an article is a :class:`Position` ``(block, offset)``: the index of a
top-level block and a character offset into that block's :func:`block_text`. Bookmarks,
the reading position, TOC entries, search hits and figure references are positions, so
they survive a resize or a re-render where a line number would not.

Every command imports this module, so its classes are cheap to define: they are
dataclasses (``dataclasses.replace`` and ``fields`` work on them) whose ``__init__``,
``__eq__``, ``__hash__`` and ``__repr__`` are written here instead of generated, which is
what ``@dataclass`` spends its time on (about 12 of ``reader dump``'s milliseconds for
these fourteen classes). :class:`_Frozen` makes them immutable as ``frozen=True`` would.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import FrozenInstanceError, dataclass, fields
from operator import attrgetter
from typing import Any, ClassVar, TypeAlias

WORDS_PER_MINUTE = 230
JSON_VERSION = 1
_WORD = re.compile(r"\w+")
_set = object.__setattr__


class _Frozen:
    """Immutable instances compared, hashed and shown by their fields (``_key`` gives
    them as a tuple, ``_names`` names them), as a frozen dataclass's are."""

    __slots__ = ()
    _key: ClassVar[Callable[[Any], Any]]
    _names: ClassVar[tuple[str, ...]] = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        cls = self.__class__
        if other.__class__ is not cls:
            return NotImplemented
        return bool(cls._key(self) == cls._key(other))  # read from the class: not bound

    def __hash__(self) -> int:
        return hash(self.__class__._key(self))

    def __repr__(self) -> str:
        values = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._names)
        return f"{type(self).__qualname__}({values})"

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        """Pickled as the class and its fields, rebuilt by calling the class: half the
        time of a state set field by field, both ways (an 8 MB page's Article comes from
        the extracting child process over a pipe, see reader.sources)."""
        cls = self.__class__
        return cls, cls._key(self)


class _Block(_Frozen):
    """A block that holds text: its :func:`block_text` and :func:`link_count`, once
    asked, are kept on it (slots outside the fields: not compared, shown or pickled).
    The app asks for both for every block of an article as it shows it."""

    __slots__ = ("_links", "_text")
    _links: int
    _text: str


def _fields_of(*names: str) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """``_names`` and ``_key`` for a class with these fields."""
    getter = attrgetter(*names) if names else (lambda _self: ())
    if len(names) == 1:
        return names, lambda self: (getter(self),)
    return names, getter


# --------------------------------------------------------------------------- inline


@dataclass(init=False, repr=False, eq=False, slots=True)
class Span(_Frozen):
    """A run of text with one style; ``href`` makes it a link."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    sub: bool = False
    sup: bool = False
    href: str | None = None

    _names, _key = _fields_of("text", "bold", "italic", "code", "strike", "sub", "sup", "href")

    def __init__(self, text: str, bold: bool = False, italic: bool = False,
                 code: bool = False, strike: bool = False, sub: bool = False,
                 sup: bool = False, href: str | None = None) -> None:
        # Through the slots' own setters (bound below the class): half the time of
        # object.__setattr__ by name, and a long article makes ten thousand spans.
        _span_text(self, text)
        _span_bold(self, bold)
        _span_italic(self, italic)
        _span_code(self, code)
        _span_strike(self, strike)
        _span_sub(self, sub)
        _span_sup(self, sup)
        _span_href(self, href)

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        """A span of plain text (two in three) is pickled as its text alone."""
        if (self.bold or self.italic or self.code or self.strike or self.sub or self.sup
                or self.href is not None):
            return Span, _span_key(self)
        return Span, (self.text,)

    @property
    def is_link(self) -> bool:
        return self.href is not None

    def same_style(self, other: Span) -> bool:
        return (
            self.bold == other.bold
            and self.italic == other.italic
            and self.code == other.code
            and self.strike == other.strike
            and self.sub == other.sub
            and self.sup == other.sup
            and self.href == other.href
        )


(_span_text, _span_bold, _span_italic, _span_code, _span_strike, _span_sub, _span_sup,
 _span_href) = (getattr(Span, name).__set__ for name in Span._names)
_span_key = Span._key

Spans: TypeAlias = tuple[Span, ...]


def spans_text(spans: Spans) -> str:
    return "".join(map(_text_of, spans))


_text_of = attrgetter("text")


# --------------------------------------------------------------------------- blocks


@dataclass(init=False, repr=False, eq=False, slots=True)
class Heading(_Block):
    """A heading, level 1 to 6. (Each class here has a docstring: without one ``@dataclass``
    computes ``inspect.signature`` for it at import, which compiles tokenize's regex.)"""

    level: int  # 1..6
    spans: Spans
    anchor: str = ""  # the element's id in the page, for links to "#anchor"

    kind: ClassVar[str] = "heading"
    _names, _key = _fields_of("level", "spans", "anchor")

    def __init__(self, level: int, spans: Spans, anchor: str = "") -> None:
        _set(self, "level", level)
        _set(self, "spans", spans)
        _set(self, "anchor", anchor)

    @property
    def text(self) -> str:
        return spans_text(self.spans)


@dataclass(init=False, repr=False, eq=False, slots=True)
class Paragraph(_Block):
    """A paragraph of styled spans."""

    spans: Spans

    kind: ClassVar[str] = "paragraph"
    _names, _key = _fields_of("spans")

    def __init__(self, spans: Spans) -> None:
        _set(self, "spans", spans)

    @property
    def text(self) -> str:
        return spans_text(self.spans)


@dataclass(init=False, repr=False, eq=False, slots=True)
class ListBlock(_Block):
    """A list; each item is a sequence of blocks, so lists nest."""

    ordered: bool
    items: tuple[tuple[Block, ...], ...]
    start: int = 1

    kind: ClassVar[str] = "list"
    _names, _key = _fields_of("ordered", "items", "start")

    def __init__(self, ordered: bool, items: tuple[tuple[Block, ...], ...],
                 start: int = 1) -> None:
        _set(self, "ordered", ordered)
        _set(self, "items", items)
        _set(self, "start", start)


@dataclass(init=False, repr=False, eq=False, slots=True)
class Quote(_Block):
    """A block quotation: blocks of its own."""

    blocks: tuple[Block, ...]

    kind: ClassVar[str] = "quote"
    _names, _key = _fields_of("blocks")

    def __init__(self, blocks: tuple[Block, ...]) -> None:
        _set(self, "blocks", blocks)


@dataclass(init=False, repr=False, eq=False, slots=True)
class CodeBlock(_Frozen):
    """Preformatted text, kept as the page wrote it."""

    text: str
    language: str | None = None

    kind: ClassVar[str] = "code"
    _names, _key = _fields_of("text", "language")

    def __init__(self, text: str, language: str | None = None) -> None:
        _set(self, "text", text)
        _set(self, "language", language)


@dataclass(init=False, repr=False, eq=False, slots=True)
class Figure(_Frozen):
    """An image with its words. ``caption`` is the caption as the page shows it; ``credit``
    is a credit line the page marks separately (photographer, agency)."""

    src: str | None
    alt: str = ""
    caption: str = ""
    credit: str = ""
    width: int | None = None
    height: int | None = None

    kind: ClassVar[str] = "figure"
    _names, _key = _fields_of("src", "alt", "caption", "credit", "width", "height")

    def __init__(self, src: str | None, alt: str = "", caption: str = "", credit: str = "",
                 width: int | None = None, height: int | None = None) -> None:
        _set(self, "src", src)
        _set(self, "alt", alt)
        _set(self, "caption", caption)
        _set(self, "credit", credit)
        _set(self, "width", width)
        _set(self, "height", height)


@dataclass(init=False, repr=False, eq=False, slots=True)
class Table(_Frozen):
    """A table of plain-text cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""

    kind: ClassVar[str] = "table"
    _names, _key = _fields_of("header", "rows", "caption")

    def __init__(self, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...],
                 caption: str = "") -> None:
        _set(self, "header", header)
        _set(self, "rows", rows)
        _set(self, "caption", caption)


@dataclass(init=False, repr=False, eq=False, slots=True)
class Rule(_Frozen):
    """A thematic break (``<hr>``)."""

    kind: ClassVar[str] = "rule"
    _names, _key = _fields_of()


Block: TypeAlias = Heading | Paragraph | ListBlock | Quote | CodeBlock | Figure | Table | Rule


def block_text(block: Block) -> str:
    """The plain text of one block: what offsets in a :class:`Position` count into.

    Lists put one item per line, quotes one child per paragraph, tables one row per
    line with tab-separated cells, and a figure its caption and credit.
    """
    if isinstance(block, _Block):
        try:
            return block._text
        except AttributeError:
            pass
        if isinstance(block, Heading | Paragraph):
            text = spans_text(block.spans)
        elif isinstance(block, ListBlock):
            text = "\n".join("\n".join(block_text(b) for b in item) for item in block.items)
        else:
            text = "\n\n".join(block_text(b) for b in block.blocks)
        _set(block, "_text", text)
        return text
    if isinstance(block, CodeBlock):
        return block.text
    if isinstance(block, Figure):
        return " ".join(part for part in (block.caption, block.credit) if part)
    if isinstance(block, Table):
        lines = [block.caption] if block.caption else []
        lines += ["\t".join(row) for row in (block.header, *block.rows) if row]
        return "\n".join(lines)
    return ""


def link_spans(spans: Iterable[Span]) -> Iterator[tuple[int, Span, str]]:
    """``(offset, first span, text)`` for each link among ``spans``: spans next to each
    other with the same address are one link (a bold word inside a link, say), as the
    reader numbers them."""
    offset = 0
    run: tuple[int, Span, str] | None = None
    for span in spans:
        if not span.text:
            continue
        if span.href and run is not None and run[1].href == span.href:
            run = (run[0], run[1], run[2] + span.text)
        else:
            if run is not None:
                yield run
            run = (offset, span, span.text) if span.href else None
        offset += len(span.text)
    if run is not None:
        yield run


def iter_spans(block: Block) -> Iterator[Span]:
    """Every span inside ``block``, nested blocks included, in reading order."""
    if isinstance(block, Heading | Paragraph):
        yield from block.spans
    elif isinstance(block, ListBlock):
        for item in block.items:
            for child in item:
                yield from iter_spans(child)
    elif isinstance(block, Quote):
        for child in block.blocks:
            yield from iter_spans(child)


def _span_groups(block: Block) -> Iterator[Spans]:
    """The span sequences of ``block`` that are laid out as one run of text each."""
    if isinstance(block, Heading | Paragraph):
        yield block.spans
    elif isinstance(block, ListBlock):
        for item in block.items:
            for child in item:
                yield from _span_groups(child)
    elif isinstance(block, Quote):
        for child in block.blocks:
            yield from _span_groups(child)


def link_count(block: Block) -> int:
    """How many links the reader numbers in ``block``: :func:`link_spans`' runs, counted
    without making them (the app counts every block's as it shows an article)."""
    if not isinstance(block, _Block):
        return 0
    try:
        return block._links
    except AttributeError:
        pass
    if isinstance(block, Paragraph | Heading):
        count = _link_runs(block.spans)
    else:
        count = sum(_link_runs(spans) for spans in _span_groups(block))
    _set(block, "_links", count)
    return count


def prepare(blocks: Iterable[Block]) -> None:
    """Work out each block's text and link count now (they are kept on the block): the
    app needs both for every block as it shows an article, and a big page's blocks
    arrive from the extracting child in batches, each prepared while the next comes."""
    for block in blocks:
        block_text(block)
        link_count(block)


def _link_runs(spans: Spans) -> int:
    count = 0
    last: str | None = None  # the address of the last span with text
    for span in spans:
        if span.text:
            href = span.href
            if href and href != last:
                count += 1
            last = href
    return count


# --------------------------------------------------------------------------- derived


@dataclass(init=False, repr=False, eq=False, slots=True)
class Position(_Frozen):
    """A place in an article: top-level block index and character offset into its text.
    Positions are ordered as they come in reading order."""

    block: int
    offset: int = 0

    _names, _key = _fields_of("block", "offset")

    def __init__(self, block: int, offset: int = 0) -> None:
        _set(self, "block", block)
        _set(self, "offset", offset)

    def __lt__(self, other: Position) -> bool:
        if other.__class__ is not Position:
            return NotImplemented
        return (self.block, self.offset) < (other.block, other.offset)

    def __le__(self, other: Position) -> bool:
        if other.__class__ is not Position:
            return NotImplemented
        return (self.block, self.offset) <= (other.block, other.offset)

    def __gt__(self, other: Position) -> bool:
        if other.__class__ is not Position:
            return NotImplemented
        return (self.block, self.offset) > (other.block, other.offset)

    def __ge__(self, other: Position) -> bool:
        if other.__class__ is not Position:
            return NotImplemented
        return (self.block, self.offset) >= (other.block, other.offset)


@dataclass(init=False, repr=False, eq=False, slots=True)
class TocEntry(_Frozen):
    """A line of the contents pane: a heading (or a landmark) and where it is."""

    level: int
    title: str
    position: Position
    landmark: bool = False  # True for entries made up for an article without headings

    _names, _key = _fields_of("level", "title", "position", "landmark")

    def __init__(self, level: int, title: str, position: Position,
                 landmark: bool = False) -> None:
        _set(self, "level", level)
        _set(self, "title", title)
        _set(self, "position", position)
        _set(self, "landmark", landmark)


@dataclass(init=False, repr=False, eq=False, slots=True)
class Link(_Frozen):
    """A link in reading order, with where it sits in the article."""

    text: str
    href: str
    position: Position

    _names, _key = _fields_of("text", "href", "position")

    def __init__(self, text: str, href: str, position: Position) -> None:
        _set(self, "text", text)
        _set(self, "href", href)
        _set(self, "position", position)


# --------------------------------------------------------------------------- article


@dataclass(init=False, repr=False, eq=False, slots=True)
class Article(_Frozen):
    """The cleaned article: its metadata and its top-level blocks."""

    url: str | None = None
    title: str = ""
    byline: str | None = None
    site_name: str | None = None
    published: str | None = None  # ISO-8601 date or datetime
    lang: str | None = None
    excerpt: str | None = None
    lead_image: str | None = None
    blocks: tuple[Block, ...] = ()

    _names, _key = _fields_of("url", "title", "byline", "site_name", "published", "lang",
                              "excerpt", "lead_image", "blocks")

    def __init__(self, url: str | None = None, title: str = "", byline: str | None = None,
                 site_name: str | None = None, published: str | None = None,
                 lang: str | None = None, excerpt: str | None = None,
                 lead_image: str | None = None, blocks: tuple[Block, ...] = ()) -> None:
        _set(self, "url", url)
        _set(self, "title", title)
        _set(self, "byline", byline)
        _set(self, "site_name", site_name)
        _set(self, "published", published)
        _set(self, "lang", lang)
        _set(self, "excerpt", excerpt)
        _set(self, "lead_image", lead_image)
        _set(self, "blocks", blocks)

    # -- derived views ---------------------------------------------------------

    def toc(self, *, landmark_every: int = 6) -> list[TocEntry]:
        """Headings in order; an article without headings gets landmark entries
        (the first words of every ``landmark_every``-th paragraph) so the contents
        pane still helps to move around."""
        entries = [
            TocEntry(b.level, spans_text(b.spans).strip(), Position(i))
            for i, b in enumerate(self.blocks)
            if isinstance(b, Heading) and spans_text(b.spans).strip()
        ]
        if entries:
            return entries
        count = 0
        for i, b in enumerate(self.blocks):
            if not isinstance(b, Paragraph):
                continue
            if count % landmark_every == 0:
                entries.append(TocEntry(1, first_words(spans_text(b.spans)), Position(i), True))
            count += 1
        return entries

    def figures(self) -> list[tuple[Position, Figure]]:
        return [(Position(i), b) for i, b in enumerate(self.blocks) if isinstance(b, Figure)]

    def links(self) -> list[Link]:
        """Every link in reading order, numbered by its index in this list in the UI."""
        found: list[Link] = []
        for i, block in enumerate(self.blocks):
            # Offsets are exact for headings and paragraphs; nested blocks point at the
            # start of their block, which is where the reader scrolls to anyway.
            flat = isinstance(block, Heading | Paragraph)
            for spans in _span_groups(block):
                for offset, span, text in link_spans(spans):
                    found.append(Link(text, span.href or "", Position(i, offset if flat else 0)))
        return found

    def plain_text(self) -> str:
        """The body alone, blocks separated by blank lines; no title or byline."""
        return "\n\n".join(t for t in (block_text(b) for b in self.blocks) if t)

    @property
    def word_count(self) -> int:
        return sum(len(_WORD.findall(block_text(b))) for b in self.blocks)

    @property
    def reading_minutes(self) -> int:
        """Whole minutes at an ordinary reading speed; at least 1 for any text."""
        words = self.word_count
        return max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0

    # -- output ----------------------------------------------------------------

    def to_json(self, *, indent: int | None = None) -> str:
        import json  # here, not at the top: most commands never write JSON

        return json.dumps(article_to_dict(self), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes) -> Article:
        """The inverse of :meth:`to_json`; raises ``ValueError`` on anything else."""
        import json

        try:
            return article_from_dict(json.loads(data))
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not an article in reader's JSON form: {exc}") from exc


def first_words(text: str, limit: int = 40) -> str:
    """The start of ``text`` cut at a word boundary, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(",;:") + "…"


# --------------------------------------------------------------------------- JSON

_SPAN_FLAGS = ("bold", "italic", "code", "strike", "sub", "sup")
_ARTICLE_META = ("url", "title", "byline", "site_name", "published", "lang", "excerpt",
                 "lead_image")


def _span_to_json(span: Span) -> dict[str, Any]:
    out: dict[str, Any] = {"t": span.text}
    for flag in _SPAN_FLAGS:
        if getattr(span, flag):
            out[flag] = True
    if span.href is not None:
        out["href"] = span.href
    return out


def _span_from_json(data: dict[str, Any]) -> Span:
    return Span(
        data["t"], **{flag: bool(data.get(flag)) for flag in _SPAN_FLAGS}, href=data.get("href")
    )


def block_to_dict(block: Block) -> dict[str, Any]:
    out: dict[str, Any] = {"type": block.kind}
    if isinstance(block, Heading):
        out.update(level=block.level, spans=[_span_to_json(s) for s in block.spans],
                   anchor=block.anchor)
    elif isinstance(block, Paragraph):
        out["spans"] = [_span_to_json(s) for s in block.spans]
    elif isinstance(block, ListBlock):
        out.update(ordered=block.ordered, start=block.start,
                   items=[[block_to_dict(b) for b in item] for item in block.items])
    elif isinstance(block, Quote):
        out["blocks"] = [block_to_dict(b) for b in block.blocks]
    elif isinstance(block, Figure | CodeBlock | Table):
        for f in fields(block):
            value = getattr(block, f.name)
            out[f.name] = [list(r) for r in value] if f.name == "rows" else value
    return out


def block_from_dict(data: dict[str, Any]) -> Block:
    kind = data["type"]
    if kind == "heading":
        return Heading(int(data["level"]), tuple(_span_from_json(s) for s in data["spans"]),
                       data.get("anchor", ""))
    if kind == "paragraph":
        return Paragraph(tuple(_span_from_json(s) for s in data["spans"]))
    if kind == "list":
        items = tuple(tuple(block_from_dict(b) for b in item) for item in data["items"])
        return ListBlock(bool(data["ordered"]), items, int(data.get("start", 1)))
    if kind == "quote":
        return Quote(tuple(block_from_dict(b) for b in data["blocks"]))
    if kind == "code":
        return CodeBlock(data["text"], data.get("language"))
    if kind == "figure":
        return Figure(data.get("src"), data.get("alt", ""), data.get("caption", ""),
                      data.get("credit", ""), data.get("width"), data.get("height"))
    if kind == "table":
        return Table(tuple(data["header"]), tuple(tuple(r) for r in data["rows"]),
                     data.get("caption", ""))
    if kind == "rule":
        return Rule()
    raise KeyError(f"unknown block type {kind!r}")


def article_to_dict(article: Article) -> dict[str, Any]:
    out: dict[str, Any] = {"version": JSON_VERSION}
    for name in _ARTICLE_META:
        out[name] = getattr(article, name)
    out["blocks"] = [block_to_dict(b) for b in article.blocks]
    return out


def article_from_dict(data: dict[str, Any]) -> Article:
    if not isinstance(data, dict) or "blocks" not in data:
        raise KeyError("blocks")
    meta: dict[str, Any] = {name: data.get(name) for name in _ARTICLE_META}
    meta["title"] = meta["title"] or ""
    return Article(**meta, blocks=tuple(block_from_dict(b) for b in data["blocks"]))
