"""Blocks → wrapped terminal lines, one block at a time.

The body never lays out the whole article: it asks this module for the lines of the
blocks near the viewport and uses :func:`estimate_height` for the rest. So the cost of
opening, scrolling and resizing depends on the screen, not on the article's length.

Every line remembers the character offset (into :func:`reader.document.block_text`) at
which it starts, which is how a ``Position(block, offset)`` becomes a line and back.
Text is turned into segments directly, never through Rich markup, so brackets in an
article stay brackets.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from rich.box import Box
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text
from textual.strip import Strip

from reader.document import (
    Block,
    CodeBlock,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Spans,
    Table,
    block_text,
)
from reader.text import wrap_ranges

BULLETS = ("•", "◦", "▪", "‣")


@dataclass(frozen=True)
class Palette:
    """The rich styles the layout uses, resolved from the current theme by the widget."""

    text: Style = field(default_factory=Style)
    heading: tuple[Style, ...] = (Style(bold=True),) * 6
    link: Style = field(default_factory=lambda: Style(underline=True))
    link_number: Style = field(default_factory=lambda: Style(dim=True))
    code: Style = field(default_factory=lambda: Style(bgcolor="grey15"))
    code_block: Style = field(default_factory=lambda: Style(bgcolor="grey11"))
    quote_bar: Style = field(default_factory=lambda: Style(dim=True))
    quote: Style = field(default_factory=lambda: Style(italic=True))
    caption: Style = field(default_factory=lambda: Style(italic=True, dim=True))
    frame: Style = field(default_factory=lambda: Style(dim=True))
    muted: Style = field(default_factory=lambda: Style(dim=True))
    hit: Style = field(default_factory=lambda: Style(reverse=True))
    current_hit: Style = field(default_factory=lambda: Style(reverse=True, bold=True))
    mark: Style = field(default_factory=lambda: Style(underline=True))
    mark_note: Style = field(default_factory=lambda: Style(underline=True, bold=True))
    selection: Style = field(default_factory=lambda: Style(reverse=True))
    cursor: Style = field(default_factory=lambda: Style(reverse=True, blink=True))
    syntax_theme: str = "monokai"


@dataclass(slots=True)
class LaidBlock:
    """A block's lines at one width. ``offsets[i]`` is where line ``i`` starts in the
    block's text; blank separator lines repeat the previous offset."""

    lines: list[Strip]
    offsets: list[int]

    @property
    def height(self) -> int:
        return len(self.lines)

    def line_for_offset(self, offset: int) -> int:
        """The line showing character ``offset`` (the last line starting at or before it)."""
        return max(0, bisect_right(self.offsets, offset) - 1) if self.lines else 0


HIT, MARK, MARK_NOTE, SELECTION, CURSOR = "hit", "mark", "mark-note", "selection", "cursor"


@dataclass(frozen=True)
class Highlight:
    """A range of a block's text drawn in another style. ``kind`` says which: a search
    hit (``current`` for the one in focus), a reader's highlight (``mark``, or
    ``mark-note`` for the last character of one with a note: its marker), the keyboard
    or mouse selection, or the selection's cursor. One mechanism for all of them, so a
    highlight inside a list item or a quote is placed exactly as a search hit is."""

    start: int
    end: int
    current: bool = False
    kind: str = HIT


def highlight_style(h: Highlight, palette: Palette) -> Style:
    if h.kind == HIT:
        return palette.current_hit if h.current else palette.hit
    return {MARK: palette.mark, MARK_NOTE: palette.mark_note, SELECTION: palette.selection,
            CURSOR: palette.cursor}.get(h.kind, palette.hit)


@dataclass
class LayoutContext:
    """What a layout needs besides the block: width, styles, link numbers, highlights."""

    width: int
    palette: Palette
    link_number: Callable[[], int] | None = None  # returns the next link's number
    highlights: Sequence[Highlight] = ()
    show_link_numbers: bool = True
    on_link: Callable[[int, str], Style] | None = None  # style (with click meta) for a link
    figure_lines: Callable[[Figure, int], list[Strip] | None] | None = None


# --------------------------------------------------------------------------- inline runs


@dataclass(slots=True)
class _Runs:
    """Display text of a run of spans with style runs and a display→source offset map."""

    text: str
    runs: list[tuple[int, int, Style]]
    # (display_start, source_start) breakpoints; markers map to the source offset after them
    src: list[tuple[int, int]]
    # The first ``ordered`` runs are the spans' own: in order and not overlapping, so a
    # line finds its runs by bisection (a paragraph of 10,000 links is 20,000 runs, and
    # scanning them all for each of its lines made it quadratic). Highlights come after.
    ordered: int = 0
    starts: list[int] = field(default_factory=list)

    def to_source(self, display: int) -> int:
        i = bisect_right(self.src, (display, 1 << 62)) - 1
        d, s = self.src[max(0, i)]
        return s + (display - d) if i >= 0 else display

    def to_display(self, source: int) -> int:
        best = source
        for d, s in self.src:
            if s <= source:
                best = d + (source - s)
            else:
                break
        return best


def _span_style(span_bold: bool, italic: bool, code: bool, strike: bool, base: Style,
                palette: Palette) -> Style:
    style = base
    if span_bold:
        style += Style(bold=True)
    if italic:
        style += Style(italic=True)
    if strike:
        style += Style(strike=True)
    if code:
        style += palette.code
    return style


def _build_runs(spans: Spans, base: Style, ctx: LayoutContext) -> _Runs:
    pieces: list[str] = []
    runs: list[tuple[int, int, Style]] = []
    src: list[tuple[int, int]] = []
    pos = 0
    source = 0
    palette = ctx.palette
    present = [s for s in spans if s.text]
    number = 0
    for n, span in enumerate(present):
        text = span.text
        if span.sub or span.sup:
            text = _script(text, sup=span.sup)
        style = _span_style(span.bold, span.italic, span.code, span.strike, base, palette)
        if span.href:
            # Spans next to each other with one address are one link (a bold word inside
            # a link, say): one number, after the last of them.
            starts = n == 0 or present[n - 1].href != span.href
            ends = n + 1 == len(present) or present[n + 1].href != span.href
            if starts:
                number = ctx.link_number() if ctx.link_number else 0
            style = style + palette.link
            if ctx.on_link:
                style = style + ctx.on_link(number, span.href)
            src.append((pos, source))
            pieces.append(text)
            runs.append((pos, pos + len(text), style))
            pos += len(text)
            source += len(span.text)
            if ends and ctx.show_link_numbers and number:
                marker = f"[{number}]"
                src.append((pos, source))
                pieces.append(marker)
                runs.append((pos, pos + len(marker), palette.link_number))
                pos += len(marker)
                src.append((pos, source))
            continue
        src.append((pos, source))
        pieces.append(text)
        runs.append((pos, pos + len(text), style))
        pos += len(text)
        source += len(span.text)
    if not src:
        src.append((0, 0))
    return _Runs("".join(pieces), runs, src, len(runs), [rs for rs, _, _ in runs])


_SUP = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _script(text: str, *, sup: bool) -> str:
    """Superscript/subscript digits where Unicode has them; other text in ^() or _()."""
    table = _SUP if sup else _SUB
    converted = text.translate(table)
    if all(c != o or c.isspace() for c, o in zip(converted, text, strict=True)):
        return converted
    return ("^" if sup else "_") + (text if len(text) == 1 else f"({text})")


def _apply_highlights(r: _Runs, highlights: Sequence[Highlight], palette: Palette) -> None:
    for h in highlights:
        ds, de = r.to_display(h.start), r.to_display(h.end)
        if de > ds:
            r.runs.append((ds, de, highlight_style(h, palette)))


def _segments(r: _Runs, start: int, end: int, base: Style) -> list[Segment]:
    """Segments for display range [start, end), later runs drawn over earlier ones."""
    if start >= end:
        return []
    cuts = {start, end}
    active = []
    runs = r.runs
    for j in range(max(0, bisect_right(r.starts, start) - 1), r.ordered):
        rs, re_, style = runs[j]
        if rs >= end:
            break
        if re_ > start:
            cuts.add(max(rs, start))
            cuts.add(min(re_, end))
            active.append((rs, re_, style))
    for rs, re_, style in r.runs[r.ordered:]:
        if re_ > start and rs < end:
            cuts.add(max(rs, start))
            cuts.add(min(re_, end))
            active.append((rs, re_, style))
    points = sorted(cuts)
    out: list[Segment] = []
    text = r.text
    for a, b in pairwise(points):
        style = base
        for rs, re_, s in active:
            if rs <= a and re_ >= b:
                style = style + s
        out.append(Segment(text[a:b], style))
    return out


# --------------------------------------------------------------------------- blocks


Prefix = tuple[list[Segment], list[Segment]]  # first line, following lines
_NO_PREFIX: Prefix = ([], [])


def _prefix_width(prefix: Prefix) -> int:
    return sum(s.cell_length for s in prefix[0])


def _wrap_spans(spans: Spans, base: Style, ctx: LayoutContext, prefix: Prefix,
                highlights: Sequence[Highlight], src_base: int = 0
                ) -> tuple[list[Strip], list[int]]:
    r = _build_runs(spans, base, ctx)
    if highlights:
        _apply_highlights(r, highlights, ctx.palette)
    width = max(8, ctx.width - _prefix_width(prefix))
    lines: list[Strip] = []
    offsets: list[int] = []
    for n, (a, b) in enumerate(wrap_ranges(r.text, width)):
        lead = prefix[0] if n == 0 else prefix[1]
        segs = list(lead) + _segments(r, a, b, base)
        lines.append(Strip(segs))
        offsets.append(src_base + r.to_source(a))
    return lines, offsets


def _shift(highlights: Sequence[Highlight], base: int, length: int) -> list[Highlight]:
    """The highlights that fall inside a child at ``base`` with ``length``, made relative."""
    out = []
    for h in highlights:
        if h.end > base and h.start < base + length:
            out.append(Highlight(max(0, h.start - base), min(length, h.end - base), h.current,
                                 h.kind))
    return out


def layout_block(block: Block, ctx: LayoutContext, prefix: Prefix = _NO_PREFIX,
                 highlights: Sequence[Highlight] = ()) -> tuple[list[Strip], list[int]]:
    """Lines and offsets of one block, without the blank line after it."""
    p = ctx.palette
    if isinstance(block, Paragraph):
        return _wrap_spans(block.spans, p.text, ctx, prefix, highlights)
    if isinstance(block, Heading):
        style = p.heading[max(1, min(6, block.level)) - 1]
        lines, offsets = _wrap_spans(block.spans, style, ctx, prefix, highlights)
        if block.level <= 2 and lines:
            rule_width = min(ctx.width - _prefix_width(prefix),
                             max(line.cell_length for line in lines) - _prefix_width(prefix))
            char = "━" if block.level == 1 else "─"
            lines.append(Strip([*prefix[1], Segment(char * max(1, rule_width), p.muted)]))
            offsets.append(offsets[-1])
        return lines, offsets
    if isinstance(block, ListBlock):
        return _layout_list(block, ctx, prefix, highlights)
    if isinstance(block, Quote):
        bar = Segment("▌ ", p.quote_bar)
        inner: Prefix = ([*prefix[1], bar], [*prefix[1], bar])
        first_inner: Prefix = ([*prefix[0], bar], [*prefix[1], bar])
        lines, offsets = [], []
        base = 0
        quote_ctx = ctx
        for i, child in enumerate(block.blocks):
            if i:
                lines.append(Strip([*prefix[1], bar]))
                offsets.append(base)
            length = len(block_text(child))
            child_lines, child_offsets = layout_block(
                child, quote_ctx, first_inner if i == 0 else inner,
                _shift(highlights, base, length))
            if isinstance(child, Paragraph):
                child_lines = [line.apply_style(p.quote) for line in child_lines]
            lines += child_lines
            offsets += [base + o for o in child_offsets]
            base += length + 2
        return lines, offsets
    if isinstance(block, CodeBlock):
        return _layout_code(block, ctx, prefix, highlights)
    if isinstance(block, Figure):
        return _layout_figure(block, ctx, prefix, highlights)
    if isinstance(block, Table):
        return _layout_table(block, ctx, prefix)
    if isinstance(block, Rule):
        width = ctx.width - _prefix_width(prefix)
        pad = max(0, width // 4)
        return [Strip([*prefix[0], Segment(" " * pad + "─" * (width - 2 * pad), p.muted)])], [0]
    return [], []


def _layout_list(block: ListBlock, ctx: LayoutContext, prefix: Prefix,
                 highlights: Sequence[Highlight], depth: int = 0
                 ) -> tuple[list[Strip], list[int]]:
    p = ctx.palette
    lines: list[Strip] = []
    offsets: list[int] = []
    base = 0
    last = block.start + len(block.items) - 1
    marker_width = len(f"{last}. ") if block.ordered else 2
    for n, item in enumerate(block.items, block.start):
        marker = f"{n}.".rjust(marker_width - 1) + " " if block.ordered else (
            BULLETS[depth % len(BULLETS)] + " ")
        first = True
        for j, child in enumerate(item):
            if j:
                base += 1  # the "\n" between an item's blocks in block_text
            lead = prefix[0] if not lines else prefix[1]
            child_prefix: Prefix = (
                [*lead, Segment(marker, p.muted)] if first else [*prefix[1],
                                                                Segment(" " * marker_width)],
                [*prefix[1], Segment(" " * marker_width)],
            )
            length = len(block_text(child))
            if isinstance(child, ListBlock):
                child_lines, child_offsets = _layout_list(
                    child, ctx, child_prefix, _shift(highlights, base, length), depth + 1)
            else:
                child_lines, child_offsets = layout_block(
                    child, ctx, child_prefix, _shift(highlights, base, length))
            lines += child_lines
            offsets += [base + o for o in child_offsets]
            base += length
            first = False
        if not item:
            lines.append(Strip([*prefix[1], Segment(marker, p.muted)]))
            offsets.append(base)
        base += 1  # the "\n" between items
    return lines, offsets


@lru_cache(maxsize=64)
def _lexer_known(language: str) -> bool:
    try:
        from pygments.lexers import get_lexer_by_name

        get_lexer_by_name(language)
        return True
    except Exception:
        return False


def _layout_code(block: CodeBlock, ctx: LayoutContext, prefix: Prefix,
                 highlights: Sequence[Highlight]) -> tuple[list[Strip], list[int]]:
    p = ctx.palette
    width = max(8, ctx.width - _prefix_width(prefix))
    code = block.text.rstrip("\n").expandtabs(4)
    if block.language and _lexer_known(block.language.lower()):
        from rich.syntax import Syntax

        text = Syntax(code, block.language.lower(), theme=p.syntax_theme,
                      background_color="default").highlight(code)
        text.rstrip()
    else:
        text = Text(code)
    for h in highlights:
        text.stylize(highlight_style(h, p), h.start, h.end)
    lines: list[Strip] = []
    offsets: list[int] = []
    offset = 0
    inner = width - 2
    for line in text.split("\n", allow_blank=True):
        pieces = [line] if line.cell_len <= inner else line.divide(
            code_cuts(line.plain, inner, inner - len(CODE_CONTINUATION)))
        local = 0
        for n, piece in enumerate(pieces):
            segs = [Segment(" ", p.code_block)]
            if n:  # a wrapped code line says so: code is never silently reflowed
                segs.append(Segment(CODE_CONTINUATION, p.code_block + p.muted))
            # The highlighter's own background would punch holes in the block's.
            segs += [Segment(s.text, p.code_block + Style(color=s.style.color, bold=s.style.bold,
                                                          italic=s.style.italic)
                             if s.style else p.code_block)
                     for s in piece.render(_CONSOLE)]
            used = piece.cell_len + (len(CODE_CONTINUATION) if n else 0)
            segs.append(Segment(" " * max(1, width - 1 - used), p.code_block))
            lines.append(Strip([*prefix[0 if not lines else 1], *segs]))
            offsets.append(offset + local)
            local += len(piece.plain)
        offset += len(line.plain) + 1
    return lines, offsets


CODE_CONTINUATION = "↪ "
_CODE_BREAK_AFTER = frozenset(" ,;)]}>")
_CODE_BREAK_BEFORE = frozenset("([{<.")


def code_cuts(line: str, first: int, rest: int) -> list[int]:
    """Where to cut a code line too long for the block: after a space or a separator when
    one is in the last 40 % of the room, else at the edge. ``first`` is the room on the
    first row, ``rest`` on continuation rows (which start with a marker)."""
    cuts: list[int] = []
    start, room = 0, max(4, first)
    while len(line) - start > room:
        end = start + room
        cut = end
        for i in range(end, start + room * 6 // 10, -1):
            if line[i - 1] in _CODE_BREAK_AFTER or line[i] in _CODE_BREAK_BEFORE:
                cut = i
                break
        cuts.append(cut)
        start, room = cut, max(4, rest)
    return cuts


_CONSOLE = Console(width=200, color_system="truecolor", force_terminal=True, legacy_windows=False,
                   markup=False, emoji=False, highlight=False)


def _framed(label: str, body: list[Text], width: int, style: Style) -> list[list[Segment]]:
    """A box of ``width`` cells with a label in its top edge."""
    inner = width - 4
    top_label = f" {label} " if label else ""
    top = "┌─" + top_label + "─" * max(0, width - 3 - cell_len(top_label)) + "┐"
    rows = [[Segment(top[: width - 1] + "┐" if cell_len(top) > width else top, style)]]
    for text in body:
        for line in text.wrap(_CONSOLE, inner):
            line.truncate(inner, pad=True)
            rows.append([Segment("│ ", style), *line.render(_CONSOLE), Segment(" │", style)])
    rows.append([Segment("└" + "─" * (width - 2) + "┘", style)])
    return rows


def _layout_figure(block: Figure, ctx: LayoutContext, prefix: Prefix,
                   highlights: Sequence[Highlight]) -> tuple[list[Strip], list[int]]:
    p = ctx.palette
    width = max(12, ctx.width - _prefix_width(prefix))
    lines: list[Strip] = []
    picture = ctx.figure_lines(block, width) if ctx.figure_lines else None
    if picture is not None:
        lines += [Strip([*prefix[1], *line]) for line in picture]
    else:
        alt = block.alt or "(no description)"
        label = "picture" if block.src else "figure"
        for row in _framed(label, [Text(alt, style=p.frame + Style(italic=True))],
                           width, p.frame):
            lines.append(Strip([*prefix[1], *row]))
    offsets = [0] * len(lines)
    words = " ".join(part for part in (block.caption, block.credit) if part)
    if words:
        from reader.document import Span

        spans: tuple[Span, ...] = (Span(block.caption),) if block.caption else ()
        if block.credit:
            spans += (Span((" " if block.caption else "") + block.credit),)
        cap_lines, cap_offsets = _wrap_spans(spans, p.caption, ctx, (prefix[1], prefix[1]),
                                             highlights)
        lines += cap_lines
        offsets += cap_offsets
    return lines, offsets


def _layout_table(block: Table, ctx: LayoutContext, prefix: Prefix
                  ) -> tuple[list[Strip], list[int]]:
    p = ctx.palette
    width = max(12, ctx.width - _prefix_width(prefix))
    table = RichTable(
        title=Text(block.caption, style=p.caption) if block.caption else None,
        show_header=bool(block.header), border_style=p.frame, header_style=p.heading[3],
        expand=False, show_lines=False, box=_table_box(),
    )
    columns = max(len(block.header), *(len(r) for r in block.rows), 1)
    header = list(block.header) + [""] * (columns - len(block.header))
    for name in header:
        table.add_column(Text(name), overflow="fold")
    for row in block.rows:
        table.add_row(*(Text(c) for c in list(row) + [""] * (columns - len(row))))
    options = _CONSOLE.options.update_width(width)
    rendered = _CONSOLE.render_lines(table, options, style=p.text, pad=False)
    lines = [Strip([*prefix[0 if i == 0 else 1], *row]) for i, row in enumerate(rendered)]
    return lines, [0] * len(lines)


def _table_box() -> Box:
    from rich import box

    return box.ROUNDED


# --------------------------------------------------------------------------- estimates


def estimate_height(block: Block, text_len: int, width: int) -> int:
    """A cheap guess at a block's height in lines (plus its blank line after), used for
    every block that has not been laid out yet."""
    width = max(8, width)
    if isinstance(block, Paragraph):
        return 1 + (text_len * 110 // 100) // width + 1
    if isinstance(block, Heading):
        return 1 + text_len // width + (2 if block.level <= 2 else 1) + 1
    if isinstance(block, CodeBlock):
        return block.text.count("\n") + 2
    if isinstance(block, Figure):
        return 4 + (text_len * 110 // 100) // width + 1
    if isinstance(block, Table):
        return len(block.rows) + 5 + text_len // (width * 2)
    if isinstance(block, ListBlock):
        return sum(1 + (len(block_text(b)) * 110 // 100) // max(8, width - 4)
                   for item in block.items for b in item) + 1
    if isinstance(block, Quote):
        return sum(estimate_height(b, len(block_text(b)), width - 2) for b in block.blocks)
    return 2
