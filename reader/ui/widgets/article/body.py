"""The article body: a Line-API scroll view over lazily wrapped blocks.

One widget paints the whole article. It keeps, per top-level block, a height (exact once
the block has been wrapped, estimated before) and the prefix sums of those heights, and
wraps only the blocks near the viewport. That keeps opening, paging and resizing a
multi-megabyte article as fast as a short one — the reason the design rejects one
widget per paragraph.

Everything outside speaks :class:`~reader.document.Position`; lines are an internal
detail that changes with the width.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from reader.document import Article, Figure, Heading, Position, block_text, link_count
from reader.highlights import ArticleText, Passage
from reader.ui.widgets.article.layout import (
    CURSOR,
    MARK,
    MARK_NOTE,
    SELECTION,
    Highlight,
    LaidBlock,
    LayoutContext,
    Palette,
    estimate_height,
    layout_block,
)

DEFAULT_MEASURE = 80
MIN_MEASURE = 30
MAX_LAID = 600  # blocks whose lines are kept; heights are kept for all
MAX_DRAWN = 4000  # drawn lines kept for the next frames


@dataclass(frozen=True, slots=True)
class SearchHit:
    position: Position
    length: int


class Hits(Sequence[SearchHit]):
    """A search's hits, in reading order: where each starts in the article's text
    (:class:`ArticleText`, the blocks joined; one int each), made into a
    :class:`SearchHit` only when one is asked for.

    A common word in a 2 MB article has thousands of hits; building a Position and a
    SearchHit for each up front was most of a search's time. (A query is one line, so a
    hit never spans the blank line between two blocks.)"""

    def __init__(self, starts: list[int], length: int, text: ArticleText | None) -> None:
        self.starts = starts
        self.length = length
        self._text = text

    def __len__(self) -> int:
        return len(self.starts)

    def _hit(self, start: int) -> SearchHit:
        assert self._text is not None  # (there are hits: they were found in it)
        return SearchHit(self._text.position(start), self.length)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._hit(start) for start in self.starts[index]]
        return self._hit(self.starts[index])

    def __iter__(self) -> Iterator[SearchHit]:
        return (self._hit(start) for start in self.starts)

    def in_block(self, block: int, length: int) -> range:
        """The numbers of the hits in ``block`` (``length`` characters long)."""
        if not self.starts or self._text is None or block >= len(self._text.starts):
            return range(0)
        begin = self._text.starts[block]
        return range(bisect_left(self.starts, begin),
                      bisect_left(self.starts, begin + length))

    def after(self, position: Position) -> int:
        """The number of the first hit after ``position`` (len: none after it)."""
        if self._text is None:
            return len(self.starts)
        return bisect_right(self.starts, self._text.offset(position))


NO_HITS = Hits([], 0, None)


class ArticleBody(ScrollView, can_focus=True):
    """Draws an Article; scrolls, searches and maps positions to lines and back."""

    HELP_TITLE = "Moving through the text"
    HELP_ORDER = 0

    BINDINGS = [
        Binding("j,down", "line_down", "Down", show=False, id="reader.line_down"),
        Binding("k,up", "line_up", "Up", show=False, id="reader.line_up"),
        Binding("space,pagedown,ctrl+f", "page_down", "Page down", show=False,
                id="reader.page_down"),
        Binding("b,pageup,ctrl+b", "page_up", "Page up", show=False, id="reader.page_up"),
        Binding("ctrl+d", "half_page_down", "Half page down", show=False,
                id="reader.half_page_down"),
        Binding("ctrl+u", "half_page_up", "Half page up", show=False, id="reader.half_page_up"),
        Binding("g,home", "top", "Top", show=False, id="reader.top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="reader.bottom"),
        Binding("v", "select", "Select text (then w b ( ) { } j k 0 $, Enter, y)", show=False,
                id="reader.select"),
        # Selection mode only (see check_action): the same keys move the selection's
        # cursor instead of scrolling, and the footer shows them while selecting.
        # Short in the footer while selecting; the help screen lists the tooltip.
        Binding("w", "sel_word", "Word →", tooltip="Selecting: next word", id="select.word"),
        Binding("b", "sel_word_back", "← Word", tooltip="Selecting: previous word",
                id="select.word_back"),
        Binding("right_parenthesis", "sel_sentence", "Selecting: next sentence", show=False,
                id="select.sentence"),
        Binding("left_parenthesis", "sel_sentence_back", "Selecting: previous sentence", show=False,
                id="select.sentence_back"),
        Binding("right_curly_bracket", "sel_paragraph", "Selecting: next paragraph", show=False,
                id="select.paragraph"),
        Binding("left_curly_bracket", "sel_paragraph_back", "Selecting: previous paragraph",
                show=False, id="select.paragraph_back"),
        Binding("j,down", "sel_line_down", "Selecting: line down", show=False,
                id="select.line_down"),
        Binding("k,up", "sel_line_up", "Selecting: line up", show=False, id="select.line_up"),
        Binding("0", "sel_line_start", "Selecting: start of line", show=False,
                id="select.line_start"),
        Binding("dollar_sign", "sel_line_end", "Selecting: end of line", show=False,
                id="select.line_end"),
        Binding("enter", "sel_highlight", "Highlight (+ note)", id="select.highlight"),
        Binding("y", "sel_copy", "Copy selection", id="select.copy"),
        Binding("escape", "sel_cancel", "Cancel selection", id="select.cancel"),
    ]

    COMPONENT_CLASSES = {
        "body--text", "body--h1", "body--h2", "body--h3", "body--h4", "body--link",
        "body--link-number", "body--code", "body--code-block", "body--quote-bar",
        "body--quote", "body--caption", "body--frame", "body--muted", "body--hit",
        "body--current-hit", "body--mark", "body--mark-note", "body--selection",
        "body--cursor",
    }

    measure: reactive[int] = reactive(DEFAULT_MEASURE, init=False)

    class Moved(Message):
        """The top of the view moved to another position."""

        def __init__(self, body: ArticleBody, position: Position, progress: float) -> None:
            super().__init__()
            self.body = body
            self.position = position
            self.progress = progress

    class HighlightRequested(Message):
        """Enter in selection mode: make a highlight of ``passage``."""

        def __init__(self, passage: Passage, text: str) -> None:
            super().__init__()
            self.passage = passage
            self.text = text

    class CopyRequested(Message):
        """`y` in selection mode: copy the selected text."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class LinkClicked(Message):
        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.article = Article()
        # Pictures for figures (see reader.ui.pictures.loader); None draws placeholders.
        self.figure_lines: Callable[[Figure, int], list[Strip] | None] | None = None
        self._texts: list[str] = []
        self._text_len: list[int] = []
        self._text_total = 0
        self._link_base: list[int] = []
        self._heights: list[int] = []
        self._starts: list[int] = [0]
        self._exact = bytearray()
        self._laid: OrderedDict[int, LaidBlock] = OrderedDict()
        self._layout_width = 0
        self._palette: Palette | None = None
        self._highlights: dict[int, list[Highlight]] = {}  # search hits
        # The reader's highlights and the selection: a layer of their own, merged with
        # the search hits where a block is laid out (see _lay_out).
        self._marks: dict[int, list[Highlight]] = {}
        self._mark_spans: list[tuple[int, int, int]] = []  # (start, end, id), text offsets
        self._selection_marks: dict[int, list[Highlight]] = {}
        self._article_text: ArticleText | None = None
        self.selecting = False
        self._anchor = 0
        self._cursor = 0
        self._dragging = False
        self._drag_from = 0
        self._dirty_from: int | None = None
        self.hits: Hits = NO_HITS
        self.hit_index = -1
        # The article's text (article_text) lower-cased, made on the first search for a
        # query without capitals ("": lower case changes its length; see _find).
        self._folded: str | None = None
        # While a prompt takes the keys (see check_consume_key): which keys it takes.
        self.key_sink: Callable[[str, str | None], bool] | None = None
        self._last_reported: tuple[Position, float] | None = None
        self._anchoring = False
        self._pending_position: Position | None = None
        self._target_y: int | None = None  # where keys not yet drawn lead (see _scroll_lines)
        self._frame_pending = False
        # (width, margin, style) of the frame being drawn, and its lines already drawn.
        self._frame: tuple[int, int, Style] | None = None
        self._drawn: dict[tuple[int, int], tuple[LaidBlock, Strip]] = {}

    # ------------------------------------------------------------------ article

    def set_article(self, article: Article, position: Position | None = None) -> None:
        """Show ``article``, with ``position`` at the top of the view."""
        self.article = article
        blocks = article.blocks
        # Each block's text, kept: a search reads them all (making them again from the
        # spans was most of a search's time on a long article).
        self._texts = [block_text(b) for b in blocks]
        self._text_len = [len(t) for t in self._texts]
        self._text_total = sum(self._text_len)
        base, count = [], 0
        for b in blocks:
            base.append(count)
            count += link_count(b)
        self._link_base = base
        self.hits, self.hit_index, self._highlights = NO_HITS, -1, {}
        self._folded = None
        self._marks, self._mark_spans, self._selection_marks = {}, [], {}
        self._article_text = None
        if self.selecting:
            self.selecting = False
            self.refresh_bindings()
        self._last_reported = None
        self._relayout(position or Position(0))

    @property
    def text_length(self) -> int:
        """Characters of text in the article (its blocks' text, without markup)."""
        return self._text_total

    @property
    def laid_count(self) -> int:
        """Blocks whose lines are kept now (bounded by MAX_LAID, whatever the article)."""
        return len(self._laid)

    @property
    def content_width(self) -> int:
        """Cells of text per line: the measure, or less in a narrow window."""
        return max(16, min(self.measure, self.size.width - 4))

    @property
    def margin(self) -> int:
        return max(1, (self.size.width - self.content_width) // 2)

    def _relayout(self, position: Position) -> None:
        """Throw away lines, estimate all heights at the current width, show ``position``."""
        self._forget_frame()
        self._layout_width = self.content_width
        self._laid.clear()
        n = len(self.article.blocks)
        self._exact = bytearray(n)
        self._heights = [
            self._estimate(i) for i in range(n)
        ]
        self._starts = [0, *accumulate(self._heights)]
        if self.size.height == 0:  # not mounted yet: place the position on first resize
            self._pending_position = position
            self._sync_virtual_size()
            return
        self._pending_position = None  # superseded: this article, this position
        self.scroll_to_position(position, animate=False)
        self.refresh()
        if position != Position(0):
            # Textual clamps the scroll offset to the virtual size it knew before this
            # layout; once the new size has landed, put the position back on top.
            self.call_after_refresh(self._settle_position, position)

    def _settle_position(self, position: Position) -> None:
        if self.top_position() != position:
            self.scroll_to_position(position, animate=False)

    def _gap_before(self, i: int) -> int:
        return 1 if i > 0 and isinstance(self.article.blocks[i], Heading) else 0

    def _estimate(self, i: int) -> int:
        block = self.article.blocks[i]
        return self._gap_before(i) + estimate_height(block, self._text_len[i], self._layout_width)

    # ------------------------------------------------------------------ layout

    def _palette_now(self) -> Palette:
        if self._palette is None:
            s = self._component_style
            self._palette = Palette(
                text=s("body--text", partial=True),
                heading=(s("body--h1", partial=True), s("body--h2", partial=True),
                         s("body--h3", partial=True), s("body--h4", partial=True),
                         s("body--h4", partial=True), s("body--h4", partial=True)),
                link=s("body--link", partial=True),
                link_number=s("body--link-number", partial=True),
                code=s("body--code", partial=True),
                code_block=s("body--code-block", partial=True),
                quote_bar=s("body--quote-bar", partial=True),
                quote=s("body--quote", partial=True),
                caption=s("body--caption", partial=True),
                frame=s("body--frame", partial=True),
                muted=s("body--muted", partial=True),
                hit=s("body--hit", partial=True),
                current_hit=s("body--current-hit", partial=True),
                mark=s("body--mark", partial=True),
                mark_note=s("body--mark-note", partial=True),
                selection=s("body--selection", partial=True),
                cursor=s("body--cursor", partial=True),
                syntax_theme="monokai" if self.app.current_theme.dark else "default",
            )
        return self._palette

    def _component_style(self, name: str, *, partial: bool = True) -> Style:
        """A component class's style as opaque colours on the body's background.

        Rich styles cannot be translucent: a theme's ``$text-muted`` ("auto 60%") would
        otherwise come out as full white on every theme, light ones included. So
        translucent and automatic colours are blended here, the way Textual blends them
        for its own widgets."""
        style = self.get_component_rich_style(name, partial=partial)
        styles = self.get_component_styles(name)
        base = self.styles.background
        if base.a < 1:
            base = self.app.current_theme.to_color_system().background + base
        color = bgcolor = None
        if styles.has_rule("color"):
            fg = styles.color
            if styles.auto_color:
                fg = base.get_contrast_text(fg.a)
            if styles.auto_color or fg.a < 1:
                color = (base + fg).rich_color
        if styles.has_rule("background") and styles.background.a < 1:
            bgcolor = (base + styles.background).rich_color
        if color is None and bgcolor is None:
            return style
        return style + Style(color=color, bgcolor=bgcolor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette = None
        self._forget_frame()
        self._laid.clear()  # same heights, new colours
        self.refresh()

    def _lay_out(self, i: int) -> LaidBlock:
        laid = self._laid.get(i)
        if laid is not None:
            self._laid.move_to_end(i)
            return laid
        counter = iter(range(self._link_base[i] + 1, 1 << 30))
        ctx = LayoutContext(
            width=self._layout_width,
            palette=self._palette_now(),
            link_number=lambda: next(counter),
            on_link=lambda number, href: Style.from_meta({"@click": f"follow_link({number})"}),
            figure_lines=self.figure_lines,
        )
        highlights = self._search_highlights(i)
        if i in self._marks or i in self._selection_marks:  # marks under hits, cursor on top
            highlights = [*self._marks.get(i, ()), *highlights,
                          *self._selection_marks.get(i, ())]
        lines, offsets = layout_block(self.article.blocks[i], ctx, highlights=highlights)
        gap = self._gap_before(i)
        lines = [Strip.blank(0)] * gap + lines + [Strip.blank(0)]
        offsets = [0] * gap + offsets + [offsets[-1] if offsets else 0]
        laid = LaidBlock(lines, offsets)
        self._laid[i] = laid
        if len(self._laid) > MAX_LAID:
            self._laid.popitem(last=False)
        if not self._exact[i] or self._heights[i] != laid.height:
            self._exact[i] = 1
            if self._heights[i] != laid.height:
                self._heights[i] = laid.height
                self._dirty_from = i if self._dirty_from is None else min(self._dirty_from, i)
        return laid

    def _fix_starts(self) -> None:
        dirty = self._dirty_from
        if dirty is None:
            return
        self._dirty_from = None
        starts = self._starts
        total = starts[dirty]
        for j in range(dirty, len(self._heights)):
            total += self._heights[j]
            starts[j + 1] = total

    def block_at(self, y: int) -> int:
        """The index of the block drawn on virtual line ``y``."""
        n = len(self.article.blocks)
        if not n:
            return 0
        return min(n - 1, max(0, bisect_right(self._starts, y) - 1))

    def _ensure(self, y0: int, y1: int) -> None:
        """Wrap every block that shows between virtual lines y0 and y1."""
        if not self.article.blocks:
            return
        for _ in range(64):  # each pass wraps new blocks; a few passes settle it
            changed = False
            i = self.block_at(max(0, y0))
            while i < len(self._heights) and self._starts[i] < y1:
                if not self._exact[i]:
                    self._lay_out(i)
                    changed = True
                i += 1
            self._fix_starts()
            if not changed:
                break

    def _prepare_view(self) -> None:
        """Make the blocks in and around the view exact, keeping the top line still."""
        if self._anchoring or not self.article.blocks or self.size.height == 0:
            return
        height = self.size.height
        top = round(self.scroll_y)
        anchor = self.block_at(top)
        delta = top - self._starts[anchor]
        self._ensure(max(0, top - height), top + 2 * height)
        self._sync_virtual_size()
        new_top = self._starts[anchor] + min(delta, self._heights[anchor] - 1)
        if new_top != top:
            self._anchoring = True
            try:
                self.set_scroll(None, new_top)
            finally:
                self._anchoring = False

    def _sync_virtual_size(self) -> None:
        height = self._starts[-1] if self._starts else 0
        size = Size(self.size.width, height)
        old = self.virtual_size
        if old == size:
            return
        view = self.size.height
        if old.width == size.width and view and (old.height > view) == (height > view):
            # Only the length changed (estimates became exact while scrolling) and the
            # scrollbar stays: update it without the whole-screen layout pass that
            # assigning virtual_size costs — the difference between 30 ms and 10 ms a page.
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
        else:
            self.virtual_size = size

    def figure_ready(self, src: str) -> None:
        """The picture for ``src`` arrived: lay its figures out again, keeping the top
        line of the view still (a figure above it changes height)."""
        blocks = [position.block for position, f in self.article.figures() if f.src == src]
        if not blocks or not self._heights:
            return
        top = round(self.scroll_y)
        anchor = self.block_at(top)
        delta = top - self._starts[anchor]
        for i in blocks:
            self._laid.pop(i, None)
            if self._exact[i]:
                self._lay_out(i)
        self._fix_starts()
        self._sync_virtual_size()
        new_top = self._starts[anchor] + min(delta, self._heights[anchor] - 1)
        if new_top != top and self.size.height:
            self._anchoring = True
            try:
                self.set_scroll(None, new_top)
            finally:
                self._anchoring = False
        self.refresh()
        self.call_after_refresh(self._report_move)

    # ------------------------------------------------------------------ painting

    def _frame_now(self) -> tuple[int, int, Style]:
        """What every drawn line shares, worked out once until the size, the measure or
        the style changes: the widget's style alone took a quarter of a millisecond a
        line (CSS to a Rich style), the margin another tenth."""
        frame = (self.size.width, self.margin, self.rich_style)
        if frame != self._frame:
            self._frame = frame
            self._drawn.clear()
        return frame

    def _forget_frame(self) -> None:
        self._frame = None

    def render_line(self, y: int) -> Strip:
        width, margin, base = self._frame or self._frame_now()
        vy = y + round(self.scroll_y)
        n = len(self.article.blocks)
        if not n or vy >= self._starts[-1]:
            return Strip.blank(width, base)
        i = self.block_at(vy)
        laid = self._lay_out(i)
        line = vy - self._starts[i]
        if line >= laid.height:  # a height changed under this frame; fixed next frame
            self.call_after_refresh(self._after_shift)
            return Strip.blank(width, base)
        # Lines already drawn at this width, margin and style are kept (per wrapped
        # block: a block wrapped again has new lines and so new drawn lines).
        drawn = self._drawn.get((i, line))
        if drawn is not None and drawn[0] is laid:
            return drawn[1]
        strip = laid.lines[line]
        strip = Strip([Segment(" " * margin), *strip], margin + strip.cell_length
                      ).crop_extend(0, width, None).apply_style(base)
        if len(self._drawn) > MAX_DRAWN:
            self._drawn.clear()
        self._drawn[(i, line)] = (laid, strip)
        return strip

    def _after_shift(self) -> None:
        self._fix_starts()
        self._sync_virtual_size()
        self.refresh()

    # ------------------------------------------------------------------ events

    def on_resize(self, event: events.Resize) -> None:
        self._forget_frame()
        if self._pending_position is not None:
            position, self._pending_position = self._pending_position, None
            self._relayout(position)
        elif self.content_width != self._layout_width:
            self._relayout(self.top_position())
        else:
            self._prepare_view()
            self._sync_virtual_size()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if not self._anchoring:
            self._prepare_view()
        super().watch_scroll_y(old_value, new_value)
        self._report_move()

    def watch_measure(self, old: int, new: int) -> None:
        if self.article.blocks and self.size.height:
            self._relayout(self.top_position())

    def _report_move(self) -> None:
        if not self.article.blocks:
            return
        position = self.top_position()
        progress = self.progress
        # The progress changes without the top moving when a picture arrives above or
        # below, or the window is resized: the status line must hear of it too.
        if (position, progress) != self._last_reported:
            self._last_reported = (position, progress)
            self.post_message(self.Moved(self, position, progress))

    def action_follow_link(self, number: int) -> None:
        self.post_message(self.LinkClicked(number))

    # ------------------------------------------------------------------ positions

    def top_position(self) -> Position:
        """The position of the top line of the view."""
        return self.position_at(round(self.scroll_y))

    def position_at(self, y: int) -> Position:
        if not self.article.blocks:
            return Position(0)
        i = self.block_at(y)
        laid = self._lay_out(i)
        self._fix_starts()
        line = max(0, min(laid.height - 1, y - self._starts[i]))
        return Position(i, laid.offsets[line] if laid.offsets else 0)

    def y_of(self, position: Position) -> int:
        """The virtual line where ``position`` is drawn."""
        if not self.article.blocks:
            return 0
        i = max(0, min(position.block, len(self.article.blocks) - 1))
        laid = self._lay_out(i)
        self._fix_starts()
        gap = self._gap_before(i)
        line = laid.line_for_offset(position.offset) if position.offset else gap
        return self._starts[i] + line

    @property
    def progress(self) -> float:
        """How far through the article the reader has scrolled, 0 at the top, 1 at the end.

        Measured from the top of the view, so an article just opened is 0 % read (and
        stays "unread" in the library); one that fits on a screen is read at a glance.
        """
        if not self.size.height:
            return 0.0  # not laid out yet: nothing has been read
        longest = self.max_scroll_y
        if longest <= 0:
            return 1.0
        return min(1.0, round(self.scroll_y) / longest)

    def reading_position(self) -> Position:
        """The position whose section the reader is in: the top line of the view, or at the
        very end the bottom line — a short last section never reaches the top."""
        top = round(self.scroll_y)
        if self.max_scroll_y > 0 and top >= self.max_scroll_y:
            return self.position_at(top + self.size.height - 1)
        # A heading in the upper half of the view: that section is what is being read.
        blocks = self.article.blocks
        first = self.block_at(top)
        for i in range(self.block_at(top + self.size.height // 2), first, -1):
            if isinstance(blocks[i], Heading):
                return Position(i)
        return self.position_at(top)

    def scroll_to_position(self, position: Position, *, animate: bool = False,
                           context: int = 0) -> None:
        """Put ``position`` at the top of the view (``context`` lines below the top), or
        as near as the article's end allows: the view never goes past the last line
        (``set_scroll`` does not clamp, and no layout follows to do it)."""
        self._drop_target()
        if not self.article.blocks:
            return
        if self.size.height == 0:
            self._pending_position = position
            return
        y = self.y_of(position)
        self._ensure(y - self.size.height, y + 2 * self.size.height)
        self._sync_virtual_size()
        y = self.y_of(position)
        self._anchoring = True
        try:
            self.set_scroll(None, max(0, min(round(self.max_scroll_y), y - context)))
        finally:
            self._anchoring = False
        self._prepare_view()
        self.refresh()
        self._report_move()

    def visible_range(self) -> tuple[Position, Position]:
        top = round(self.scroll_y)
        return self.position_at(top), self.position_at(top + self.size.height - 1)

    # ------------------------------------------------------------------ actions

    def _scroll_lines(self, lines: int) -> None:
        """Scroll by ``lines``, at most once a frame: a key that comes while the last
        scroll's frame is still to be drawn only moves the target, and the frame after
        it draws where the keys have led (a held PgDn never queues frames behind the
        screen; the first key of a burst still scrolls at once)."""
        if self._frame_pending:
            base = self._target_y if self._target_y is not None else round(self.scroll_y)
            self._target_y = base + lines
            return
        self._scroll_now(round(self.scroll_y) + lines)

    def _scroll_now(self, y: int) -> None:
        before = round(self.scroll_y)
        self._jump(y)
        if round(self.scroll_y) != before:
            self._frame_pending = True
            self.call_after_refresh(self._frame_drawn)

    def _frame_drawn(self) -> None:
        self._frame_pending = False
        y, self._target_y = self._target_y, None
        if y is not None:
            self._scroll_now(y)

    def _drop_target(self) -> None:
        """A jump elsewhere (top, end, a section) overrides keys still to be drawn."""
        self._target_y = None

    def set_scroll(self, x: float | None, y: float | None) -> None:
        """As Textual's, and the scrollbar's thumb follows. Textual leaves the thumb to
        the scroll watchers, which ``set_scroll`` skips; every jump here goes through it,
        so the thumb stayed where the last layout had left it (at the top after End)."""
        super().set_scroll(x, y)
        if y is not None and self.show_vertical_scrollbar:
            self.vertical_scrollbar.position = round(y)

    def _jump(self, y: int) -> None:
        """Scroll to line ``y`` at once (no animation: keys should feel instant).

        ``set_scroll`` bypasses the scroll watchers, so this does their work: lay out
        what is now near the view and tell the screen where we are.
        """
        y = max(0, min(round(self.max_scroll_y), y))
        if y == round(self.scroll_y):
            return
        self.set_scroll(None, y)
        self._prepare_view()
        self.refresh()
        self._report_move()

    def action_line_down(self) -> None:
        self._scroll_lines(1)

    def action_line_up(self) -> None:
        self._scroll_lines(-1)

    def action_page_down(self) -> None:
        self._scroll_lines(max(1, self.size.height - 2))

    def action_page_up(self) -> None:
        self._scroll_lines(-max(1, self.size.height - 2))

    def action_half_page_down(self) -> None:
        self._scroll_lines(max(1, self.size.height // 2))

    def action_half_page_up(self) -> None:
        self._scroll_lines(-max(1, self.size.height // 2))

    def action_top(self) -> None:
        self._drop_target()
        self._jump(0)

    def action_bottom(self) -> None:
        """The end: wrap the last screenful exactly, then scroll to it."""
        self._drop_target()
        n = len(self.article.blocks)
        if not n:
            return
        height = self.size.height
        # Wrap backwards from the last block until a screen is covered.
        covered, i = 0, n - 1
        while i >= 0 and covered < 2 * height:
            covered += self._lay_out(i).height
            i -= 1
        self._fix_starts()
        self._sync_virtual_size()
        self._anchoring = True
        try:
            self.set_scroll(None, max(0, self._starts[-1] - height))
        finally:
            self._anchoring = False
        self.refresh()
        self._report_move()

    # ------------------------------------------------------------------ search

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """While a prompt on the screen is open (``key_sink``), the keys it takes are
        kept from the priority bindings of the screen and the app (`/`, `o`, the
        palette's Ctrl+P), which Textual would otherwise run before handing the key on."""
        sink = self.key_sink
        return sink is not None and sink(key, character)

    def _find(self, query: str) -> list[int]:
        """Where ``query`` starts in the joined text, without overlaps, smart case: a
        query with a capital matches as typed, one without matches any case (the text
        lower-cased once per article; str.find over 2 MB takes a few milliseconds, an
        IGNORECASE regex ten times that)."""
        joined = self.article_text.text
        haystack, needle = joined, query
        if not any(c.isupper() for c in query):
            if self._folded is None:
                folded = joined.lower()
                # (a few characters, e.g. "İ", lower-case into two: offsets would shift)
                self._folded = folded if len(folded) == len(joined) else ""
            needle = query.lower()
            if not self._folded or len(needle) != len(query):
                pattern = re.compile(re.escape(query), re.IGNORECASE)
                return [m.start() for m in pattern.finditer(joined)]
            haystack = self._folded
        starts: list[int] = []
        add, find, step = starts.append, haystack.find, len(needle)
        at = find(needle)
        while at >= 0:
            add(at)
            at = find(needle, at + step)
        return starts

    def search(self, query: str) -> int:
        """Find every occurrence of ``query`` (smart case) and return the exact count.

        Only where the hits start is listed here (one int each); a block's highlight
        ranges are built when it is laid out (:meth:`_search_highlights`), and a hit's
        Position when it is asked for, so a common word in a 2 MB article (thousands of
        hits) costs a pass over the text and the highlighting of the blocks on screen."""
        before = self.hits
        self._highlights = {}
        self.hit_index = -1
        if query:
            self.hits = Hits(self._find(query), len(query), self.article_text)
        else:
            self.hits = NO_HITS
        # Blocks already wrapped with the old highlights, or without the new ones.
        lengths = self._text_len
        for i in [i for i in self._laid
                  if before.in_block(i, lengths[i]) or self.hits.in_block(i, lengths[i])]:
            del self._laid[i]
        self.refresh()
        return len(self.hits)

    def _search_highlights(self, block: int) -> Sequence[Highlight]:
        """The search's highlight ranges in ``block``, built the first time it is laid out."""
        ranges = self._highlights.get(block)
        if ranges is None:
            hits = self.hits
            numbers = hits.in_block(block, self._text_len[block]) if hits else range(0)
            if not numbers:
                return ()
            begin = self.article_text.starts[block]
            length, current = hits.length, self.hit_index
            starts = hits.starts
            ranges = [Highlight(starts[n] - begin, starts[n] - begin + length, n == current)
                      for n in numbers]
            self._highlights[block] = ranges
        return ranges

    def _highlight_block(self, block: int) -> None:
        """The current hit moved into or out of ``block``: its ranges are built again
        when it is next drawn (same height, new colours)."""
        self._highlights.pop(block, None)
        self._laid.pop(block, None)

    def goto_hit(self, index: int) -> SearchHit | None:
        """Make hit ``index`` (wrapping around) current and bring it into view."""
        if not self.hits:
            return None
        previous = self.hits[self.hit_index].position.block if self.hit_index >= 0 else None
        self.hit_index = index % len(self.hits)
        hit = self.hits[self.hit_index]
        if previous is not None:
            self._highlight_block(previous)
        self._highlight_block(hit.position.block)
        y = self.y_of(hit.position)
        top = round(self.scroll_y)
        if not top <= y < top + self.size.height - 1:
            self.scroll_to_position(hit.position, context=min(3, self.size.height // 4))
        self.refresh()
        return hit

    def next_hit_index(self, forward: bool = True) -> int:
        """The hit after (or before) the top of the view, or after the current one."""
        if not self.hits:
            return -1
        if self.hit_index >= 0:
            return self.hit_index + (1 if forward else -1)
        i = self.hits.after(self.top_position())
        return i if forward else i - 1

    # ------------------------------------------------------------------ highlights

    @property
    def article_text(self) -> ArticleText:
        """The article as one text (built once per article, on the first selection or
        highlight): the offsets selection motions and highlights speak."""
        if self._article_text is None:
            self._article_text = ArticleText(self.article)
        return self._article_text

    def _block_ranges(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(block, start, end) pieces of the text range [start, end), per block."""
        text = self.article_text
        a, b = text.position(start), text.position(end)
        out = []
        for i in range(a.block, min(b.block, len(text.blocks) - 1) + 1):
            s = a.offset if i == a.block else 0
            e = b.offset if i == b.block else len(text.blocks[i])
            if e > s:
                out.append((i, s, e))
        return out

    def _redraw_blocks(self, blocks: set[int]) -> None:
        for i in blocks:
            self._laid.pop(i, None)
        self.refresh()

    def set_marks(self, marks: list[tuple[int, Passage, bool]]) -> None:
        """Draw the reader's highlights: ``(id, passage, has_note)``; a highlight with a
        note has a marker on its last character."""
        if not marks and not self._mark_spans:
            return  # nothing to draw or undraw: no need to flatten a long article's text
        old = set(self._marks)
        self._marks, self._mark_spans = {}, []
        text = self.article_text
        for mark_id, passage, noted in marks:
            start, end = text.offset(passage.start), text.offset(passage.end)
            if end <= start:
                continue
            self._mark_spans.append((start, end, mark_id))
            pieces = self._block_ranges(start, end)
            for block, s, e in pieces:
                self._marks.setdefault(block, []).append(Highlight(s, e, kind=MARK))
            if noted and pieces:
                block, s, e = pieces[-1]
                self._marks[block].append(Highlight(e - 1, e, kind=MARK_NOTE))
        self._redraw_blocks(old | set(self._marks))

    def mark_at(self, position: Position | None = None) -> int | None:
        """The id of the highlight under the cursor (or ``position``, or the top line)."""
        if position is not None:
            at = self.article_text.offset(position)
        elif self.selecting:
            at = self._cursor
        else:
            top, bottom = self.visible_range()
            text = self.article_text
            first, last = text.offset(top), text.offset(bottom)
            # The first highlight drawn on the top line of the view, else in the view.
            for start, end, mark_id in sorted(self._mark_spans):
                if end > first and start <= last:
                    return mark_id
            return None
        for start, end, mark_id in self._mark_spans:
            if start <= at < end:
                return mark_id
        return None

    # selection ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action.startswith("sel_"):
            return self.selecting
        # While selecting, the keys of these move the selection's cursor instead.
        return not (self.selecting
                    and action in ("line_down", "line_up", "page_up", "top", "bottom"))

    def action_select(self) -> None:
        """`v`: start selecting at the first word of the top line (again: stop)."""
        if self.selecting:
            self.cancel_selection()
            return
        if not self.article.blocks:
            return
        text = self.article_text
        at = text.offset(self.top_position())
        match = _WORD.search(text.text, at)
        self.start_selection(match.start() if match else at)

    def start_selection(self, offset: int, cursor: int | None = None) -> None:
        self.selecting = True
        self._anchor = offset
        self._cursor = offset if cursor is None else cursor
        self._draw_selection()
        self.refresh_bindings()

    def cancel_selection(self) -> None:
        if not self.selecting:
            return
        self.selecting = False
        old = set(self._selection_marks)
        self._selection_marks = {}
        self._redraw_blocks(old)
        self.refresh_bindings()

    def selection_range(self) -> tuple[int, int]:
        """The selected text as offsets, widened to whole words at both ends (a passage
        is words: half a word is never what a reader means), without edge spaces."""
        text = self.article_text.text
        a, b = sorted((self._anchor, self._cursor))
        b = min(len(text), b + 1)  # the cursor's character is selected
        while a > 0 and not text[a - 1].isspace() and not text[a].isspace():
            a -= 1
        while b < len(text) and not text[b].isspace() and not text[b - 1].isspace():
            b += 1
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        return a, b

    def selection_passage(self) -> Passage:
        a, b = self.selection_range()
        return self.article_text.passage(a, b)

    def selected_text(self) -> str:
        a, b = self.selection_range()
        return self.article_text.text[a:b]

    def cursor_position(self) -> Position:
        return self.article_text.position(self._cursor)

    def _draw_selection(self) -> None:
        old = set(self._selection_marks)
        self._selection_marks = {}
        a, b = self.selection_range()
        for block, s, e in self._block_ranges(a, b):
            self._selection_marks.setdefault(block, []).append(Highlight(s, e, kind=SELECTION))
        cur = self.article_text.position(self._cursor)
        if cur.block < len(self.article_text.blocks):
            length = len(self.article_text.blocks[cur.block])
            s = min(cur.offset, max(0, length - 1))
            self._selection_marks.setdefault(cur.block, []).append(
                Highlight(s, s + 1, kind=CURSOR))
        self._redraw_blocks(old | set(self._selection_marks))

    def _move(self, offset: int) -> None:
        text = self.article_text.text
        self._cursor = max(0, min(len(text) - 1 if text else 0, offset))
        self._draw_selection()
        self._keep_cursor_in_view()

    def _keep_cursor_in_view(self) -> None:
        y = self.y_of(self.cursor_position())
        top, height = round(self.scroll_y), self.size.height
        if y < top:
            self._jump(y)
        elif y >= top + height:
            self._jump(y - height + 1)

    def _line_bounds(self, offset: int) -> tuple[int, int, int]:
        """(virtual line, text offset where it starts, where the next line starts)."""
        text = self.article_text
        position = text.position(offset)
        y = self.y_of(position)
        line = self.position_at(y)
        start = text.offset(line)
        laid = self._lay_out(position.block)
        index = laid.line_for_offset(position.offset)
        following = [o for o in laid.offsets[index + 1:] if o > line.offset]
        end = (text.starts[position.block] + following[0] if following
               else text.offset(Position(position.block, len(text.blocks[position.block]))))
        return y, start, end

    def action_sel_word(self) -> None:
        match = _WORD.search(self.article_text.text, self._cursor + 1)
        if match:
            self._move(match.start())

    def action_sel_word_back(self) -> None:
        starts = [m.start() for m in _WORD.finditer(
            self.article_text.text, max(0, self._cursor - 200), self._cursor)]
        self._move(starts[-1] if starts else max(0, self._cursor - 1))

    def action_sel_sentence(self) -> None:
        """`)`: to the end of this sentence (its full stop), then of the next."""
        match = _SENTENCE_END.search(self.article_text.text, self._cursor + 1)
        self._move(match.end() - 1 if match else len(self.article_text.text) - 1)

    def action_sel_sentence_back(self) -> None:
        """`(`: to the start of this sentence, then of the one before."""
        text = self.article_text.text
        window = max(0, self._cursor - 2000)
        starts = [window]
        for m in _SENTENCE_END.finditer(text, window, self._cursor):
            start = m.end()
            while start < len(text) and text[start].isspace():
                start += 1
            starts.append(start)
        before = [s for s in starts if s < self._cursor]
        self._move(before[-1] if before else 0)

    def action_sel_paragraph(self) -> None:
        text = self.article_text
        block = text.position(self._cursor).block
        if block + 1 < len(text.blocks):
            self._move(text.starts[block + 1])
        else:
            self._move(len(text.text) - 1)

    def action_sel_paragraph_back(self) -> None:
        text = self.article_text
        position = text.position(self._cursor)
        block = position.block - 1 if position.offset == 0 and position.block else position.block
        self._move(text.starts[block])

    def action_sel_line_down(self) -> None:
        y, start, end = self._line_bounds(self._cursor)
        column = self._cursor - start
        for step in range(1, 8):  # past blank lines between blocks
            below = self.article_text.offset(self.position_at(y + step))
            if below >= end:
                _, s, e = self._line_bounds(below)
                self._move(min(s + column, max(s, e - 1)))
                return

    def action_sel_line_up(self) -> None:
        y, start, _ = self._line_bounds(self._cursor)
        column = self._cursor - start
        for step in range(1, 8):
            above = self.article_text.offset(self.position_at(max(0, y - step)))
            if above < start:
                _, s, e = self._line_bounds(above)
                self._move(min(s + column, max(s, e - 1)))
                return

    def action_sel_line_start(self) -> None:
        self._move(self._line_bounds(self._cursor)[1])

    def action_sel_line_end(self) -> None:
        _, start, end = self._line_bounds(self._cursor)
        self._move(max(start, end - 1))

    def action_sel_highlight(self) -> None:
        self.post_message(self.HighlightRequested(self.selection_passage(),
                                                  self.selected_text()))

    def action_sel_copy(self) -> None:
        self.post_message(self.CopyRequested(self.selected_text()))

    def action_sel_cancel(self) -> None:
        self.cancel_selection()

    # mouse ----------------------------------------------------------------

    def offset_at(self, x: int, y: int) -> int | None:
        """The text offset drawn at cell (x, y) of the view, or None off the text."""
        if not self.article.blocks:
            return None
        vy = y + round(self.scroll_y)
        if vy >= self._starts[-1]:
            return None
        i = self.block_at(vy)
        laid = self._lay_out(i)
        self._fix_starts()
        line = max(0, min(laid.height - 1, vy - self._starts[i]))
        start = laid.offsets[line] if laid.offsets else 0
        text = self.article_text
        block = text.blocks[i]
        following = [o for o in laid.offsets[line + 1:] if o > start]
        end = following[0] if following else len(block)
        drawn = laid.lines[line].text
        # Where the line's own text begins after its indent, bullet or quote bar.
        words = block[start:end].lstrip()
        lead = drawn.find(words[:8]) if words else -1
        lead = max(0, lead) - (len(block[start:end]) - len(words))
        column = x - self.margin - lead
        return text.starts[i] + max(start, min(end - 1 if end > start else start,
                                               start + column))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        at = event.get_content_offset_capture(self)
        offset = self.offset_at(at.x, at.y)
        if offset is None:
            return
        self._dragging = True
        self._drag_from = offset
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        at = event.get_content_offset_capture(self)
        offset = self.offset_at(at.x, max(0, min(self.size.height - 1, at.y)))
        if offset is None:
            return
        if not self.selecting:
            if offset == self._drag_from:
                return
            self.start_selection(self._drag_from, offset)
        else:
            self._cursor = offset
            self._draw_selection()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()


_WORD = re.compile(r"(?<!\S)\S+")  # a word start: no lookbehind match mid-word
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)")  # up to the sentence's last mark
