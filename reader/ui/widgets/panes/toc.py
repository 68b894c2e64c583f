"""The contents pane: headings (or landmarks) and, for heading-less articles, figures."""

from __future__ import annotations

from bisect import bisect_right
from functools import partial

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.document import Article, Position, first_words
from reader.ui.widgets.panes.sliced import LazyPrompt, SlicedOptionList


def _entry(title: str, indent: str, landmark: bool) -> Content:
    if landmark:
        return Content.assemble(("¶ ", "dim"), title)
    if indent:
        return Content(indent + title)
    return Content.assemble((title, "bold"))


class TocPane(SlicedOptionList):
    """Lists where an article's sections start; choosing one moves the body there.

    Every entry is one line, cut with an ellipsis when the pane is narrow: an article of
    hundreds of sections would otherwise be re-wrapped, entry by entry, on every layout
    (a resize at 2 MB spent 60% of its time there). The line counting of OptionList is
    replaced by one line per entry (see SlicedOptionList)."""

    DEFAULT_CSS = """
    TocPane { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    HELP_TITLE = "In the contents pane"

    class Chosen(Message):
        def __init__(self, position: Position) -> None:
            super().__init__()
            self.position = position

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Contents"
        self.positions: list[Position] = []
        self.levels: list[int] = []
        self._wanted: int | None = None  # the entry to highlight once it is added

    def show(self, article: Article) -> None:
        entries = article.toc()
        items: list[tuple[Position, int, LazyPrompt]] = []
        landmarks = bool(entries) and all(e.landmark for e in entries)
        top = min((e.level for e in entries), default=1)
        for e in entries:
            indent = "  " * (e.level - top)
            items.append((e.position, e.level,
                          LazyPrompt(partial(_entry, e.title, indent, e.landmark))))
        if landmarks or not entries:
            for n, (position, figure) in enumerate(article.figures(), 1):
                label = first_words(figure.caption or figure.alt or f"Figure {n}", 36)
                items.append((position, 1,
                               LazyPrompt(partial(Content.assemble, ("▣ ", "dim"), label))))
            items.sort(key=lambda item: item[0])
        self.positions = [p for p, _, _ in items]
        self.levels = [lv for _, lv, _ in items]
        self._wanted = 0 if items else None
        options = [Option(prompt) for _, _, prompt in items] or [
            Option(Content.styled("(no sections)", "dim"), disabled=True)]
        self.fill(options, self._filled)
        if items:
            self.highlighted = 0

    def _filled(self) -> None:
        """The last slice is in: highlight the section the body is in by now."""
        if self._wanted is not None and self._wanted < self.option_count:
            self.highlighted = self._wanted

    def index_for(self, position: Position) -> int | None:
        """The entry whose section contains ``position``."""
        if not self.positions:
            return None
        return max(0, bisect_right(self.positions, position) - 1)

    def follow(self, position: Position) -> None:
        """Highlight the current section without moving the body."""
        index = self.index_for(position)
        self._wanted = index
        if index is not None and index != self.highlighted and index < self.option_count:
            self.highlighted = index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.positions):
            self.post_message(self.Chosen(self.positions[event.option_index]))
