"""The Article model: the one shape every part of reader speaks.

Extraction produces an :class:`Article`, the library stores it as JSON, the UI renders
it and export writes it. Nothing downstream of extraction looks at HTML. The classes are
frozen dataclasses so an article can be shared between the UI thread and workers, and
compared for equality in tests.

A place in an article is a :class:`Position` ``(block, offset)``: the index of a
top-level block and a character offset into that block's :func:`block_text`. Bookmarks,
the reading position, TOC entries, search hits and figure references are positions, so
they survive a resize or a re-render where a line number would not.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeAlias

WORDS_PER_MINUTE = 230
JSON_VERSION = 1
_WORD = re.compile(r"\w+")


# --------------------------------------------------------------------------- inline


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text with one style; ``href`` makes it a link."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    sub: bool = False
    sup: bool = False
    href: str | None = None

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


Spans: TypeAlias = tuple[Span, ...]


def spans_text(spans: Spans) -> str:
    return "".join(span.text for span in spans)


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1..6
    spans: Spans
    anchor: str = ""  # the element's id in the page, for links to "#anchor"

    kind: ClassVar[str] = "heading"

    @property
    def text(self) -> str:
        return spans_text(self.spans)


@dataclass(frozen=True, slots=True)
class Paragraph:
    spans: Spans

    kind: ClassVar[str] = "paragraph"

    @property
    def text(self) -> str:
        return spans_text(self.spans)


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A list; each item is a sequence of blocks, so lists nest."""

    ordered: bool
    items: tuple[tuple[Block, ...], ...]
    start: int = 1

    kind: ClassVar[str] = "list"


@dataclass(frozen=True, slots=True)
class Quote:
    blocks: tuple[Block, ...]

    kind: ClassVar[str] = "quote"


@dataclass(frozen=True, slots=True)
class CodeBlock:
    text: str
    language: str | None = None

    kind: ClassVar[str] = "code"


@dataclass(frozen=True, slots=True)
class Figure:
    """An image with its words. ``caption`` is the caption as the page shows it; ``credit``
    is a credit line the page marks separately (photographer, agency)."""

    src: str | None
    alt: str = ""
    caption: str = ""
    credit: str = ""
    width: int | None = None
    height: int | None = None

    kind: ClassVar[str] = "figure"


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""

    kind: ClassVar[str] = "table"


@dataclass(frozen=True, slots=True)
class Rule:
    kind: ClassVar[str] = "rule"


Block: TypeAlias = Heading | Paragraph | ListBlock | Quote | CodeBlock | Figure | Table | Rule


def block_text(block: Block) -> str:
    """The plain text of one block: what offsets in a :class:`Position` count into.

    Lists put one item per line, quotes one child per paragraph, tables one row per
    line with tab-separated cells, and a figure its caption and credit.
    """
    if isinstance(block, Heading | Paragraph):
        return spans_text(block.spans)
    if isinstance(block, ListBlock):
        return "\n".join("\n".join(block_text(b) for b in item) for item in block.items)
    if isinstance(block, Quote):
        return "\n\n".join(block_text(b) for b in block.blocks)
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
    """How many links the reader numbers in ``block``."""
    return sum(1 for spans in _span_groups(block) for _ in link_spans(spans))


# --------------------------------------------------------------------------- derived


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A place in an article: top-level block index and character offset into its text."""

    block: int
    offset: int = 0


@dataclass(frozen=True, slots=True)
class TocEntry:
    level: int
    title: str
    position: Position
    landmark: bool = False  # True for entries made up for an article without headings


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    href: str
    position: Position


# --------------------------------------------------------------------------- article


@dataclass(frozen=True, slots=True)
class Article:
    url: str | None = None
    title: str = ""
    byline: str | None = None
    site_name: str | None = None
    published: str | None = None  # ISO-8601 date or datetime
    lang: str | None = None
    excerpt: str | None = None
    lead_image: str | None = None
    blocks: tuple[Block, ...] = field(default_factory=tuple)

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
        return json.dumps(article_to_dict(self), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes) -> Article:
        """The inverse of :meth:`to_json`; raises ``ValueError`` on anything else."""
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
