"""Article → Markdown (CommonMark with GFM tables), for ``dump`` and export.

Text is escaped so that article text can never turn into Markdown structure that was
not in the article (a paragraph starting with "# " stays a paragraph).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reader.document import (
    Article,
    Block,
    CodeBlock,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Span,
    Spans,
    Table,
)

if TYPE_CHECKING:
    from reader.library.highlights import Placed

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START_SPECIAL = re.compile(r"^(\s*)([#>+=-]|\d+[.)])(?=\s|$)", re.MULTILINE)


def escape(text: str) -> str:
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LINE_START_SPECIAL.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _url(href: str) -> str:
    return "<" + href.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20") + ">"


def _span(span: Span) -> str:
    text = span.text
    # Markers must hug non-space text, so surrounding spaces go outside every marker.
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    if span.code:
        ticks = "``" if "`" in core else "`"
        body = f"{ticks} {core} {ticks}" if "`" in core else f"{ticks}{core}{ticks}"
    else:
        body = escape(core)
        if span.strike:
            body = f"~~{body}~~"
        if span.italic:
            body = f"*{body}*"
        if span.bold:
            body = f"**{body}**"
        if span.sub:
            body = f"<sub>{body}</sub>"
        if span.sup:
            body = f"<sup>{body}</sup>"
    if span.href:
        body = f"[{body}]({_url(span.href)})"
    return lead + body + trail


def spans_to_markdown(spans: Spans) -> str:
    return "".join(_span(s) for s in spans).replace("\n", "  \n")


def _indent(text: str, prefix: str, first: str | None = None) -> str:
    lines = text.split("\n")
    head = first if first is not None else prefix
    return "\n".join([head + lines[0]] + [(prefix + ln if ln else ln) for ln in lines[1:]])


def block_to_markdown(block: Block) -> str:
    if isinstance(block, Heading):
        return "#" * max(1, min(6, block.level)) + " " + spans_to_markdown(block.spans)
    if isinstance(block, Paragraph):
        return spans_to_markdown(block.spans)
    if isinstance(block, ListBlock):
        out = []
        for n, item in enumerate(block.items, block.start):
            marker = f"{n}. " if block.ordered else "- "
            body = "\n\n".join(block_to_markdown(b) for b in item) or ""
            out.append(_indent(body, " " * len(marker), marker))
        return "\n".join(out)
    if isinstance(block, Quote):
        inner = "\n\n".join(block_to_markdown(b) for b in block.blocks)
        return "\n".join("> " + ln if ln else ">" for ln in inner.split("\n"))
    if isinstance(block, CodeBlock):
        fence = "```"
        while fence in block.text:
            fence += "`"
        return f"{fence}{block.language or ''}\n{block.text.rstrip(chr(10))}\n{fence}"
    if isinstance(block, Figure):
        parts = []
        if block.src:
            parts.append(f"![{escape(block.alt)}]({_url(block.src)})")
        words = " ".join(p for p in (block.caption, block.credit) if p)
        if words:
            parts.append("*" + escape(words) + "*")
        return "\n\n".join(parts)
    if isinstance(block, Table):
        width = max(len(block.header), *(len(r) for r in block.rows), 0)
        if not width:
            return ""

        def row(cells: tuple[str, ...]) -> str:
            padded = list(cells) + [""] * (width - len(cells))
            return "| " + " | ".join(escape(c).replace("\n", " ") for c in padded) + " |"

        lines = [row(block.header or ("",) * width), "|" + " --- |" * width]
        lines += [row(r) for r in block.rows]
        if block.caption:
            lines.insert(0, "*" + escape(block.caption) + "*\n")
        return "\n".join(lines)
    if isinstance(block, Rule):
        return "---"
    return ""


def highlights_to_markdown(highlights: Sequence[Placed]) -> str:
    """A "Highlights" section: each passage ``==marked==`` in a block quote, its note
    under it; those no longer in this version last, marked (never dropped)."""
    if not highlights:
        return ""
    parts = ["## Highlights"]
    for placed in highlights:
        h = placed.highlight
        text = " ".join(h.text.split())
        quote = "> ==" + escape(text) + "=="
        if not placed.found:
            quote += "\n>\n> *(not found in this version)*"
        parts.append(quote)
        if h.note:
            parts.append(escape(" ".join(h.note.split())))
    return "\n\n".join(parts)


def article_to_markdown(article: Article, *, image_src: dict[str, str] | None = None,
                        highlights: Sequence[Placed] | None = None) -> str:
    """The article as a Markdown document: title, a metadata line, then the body.

    ``image_src`` maps figure URLs to other paths (export writes images beside the file).
    """
    parts = []
    if article.title:
        parts.append("# " + escape(article.title))
    meta = [m for m in (article.byline, article.site_name, article.published) if m]
    if meta:
        parts.append("*" + escape(" · ".join(meta)) + "*")
    if article.url:
        parts.append(f"<{article.url}>")
    for block in article.blocks:
        if image_src and isinstance(block, Figure) and block.src in image_src:
            from dataclasses import replace

            block = replace(block, src=image_src[block.src])
        text = block_to_markdown(block)
        if text.strip():
            parts.append(text)
    if highlights:
        parts.append(highlights_to_markdown(highlights))
    return "\n\n".join(parts) + "\n"
