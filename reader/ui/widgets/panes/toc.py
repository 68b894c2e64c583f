"""The contents pane: headings (or landmarks) and, for heading-less articles, figures."""

from __future__ import annotations

from bisect import bisect_right

from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.text import Text
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.document import Article, Position, first_words


class Indented:
    """A sub-section's entry: every wrapped line keeps the indent, so a long heading
    still reads as part of its section. ``str()`` is the plain, indented title."""

    def __init__(self, title: str, indent: int) -> None:
        self.title = title
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Padding(Text(self.title), (0, 0, 0, self.indent))

    def __str__(self) -> str:
        return " " * self.indent + self.title


class TocPane(OptionList):
    """Lists where an article's sections start; choosing one moves the body there."""

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

    def show(self, article: Article) -> None:
        entries = article.toc()
        items: list[tuple[Position, int, Content | Indented]] = []
        landmarks = bool(entries) and all(e.landmark for e in entries)
        top = min((e.level for e in entries), default=1)
        for e in entries:
            indent = "  " * (e.level - top)
            prompt: Content | Indented
            if e.landmark:
                prompt = Content.assemble(("¶ ", "dim"), e.title)
            elif indent:
                prompt = Indented(e.title, len(indent))
            else:
                prompt = Content.assemble((e.title, "bold"))
            items.append((e.position, e.level, prompt))
        if landmarks or not entries:
            for n, (position, figure) in enumerate(article.figures(), 1):
                label = first_words(figure.caption or figure.alt or f"Figure {n}", 36)
                items.append((position, 1, Content.assemble(("▣ ", "dim"), label)))
            items.sort(key=lambda item: item[0])
        self.positions = [p for p, _, _ in items]
        self.levels = [lv for _, lv, _ in items]
        self.clear_options()
        self.add_options([Option(prompt) for _, _, prompt in items])
        if not items:
            self.add_option(Option(Content.styled("(no sections)", "dim"), disabled=True))
        self.highlighted = 0 if items else None

    def index_for(self, position: Position) -> int | None:
        """The entry whose section contains ``position``."""
        if not self.positions:
            return None
        return max(0, bisect_right(self.positions, position) - 1)

    def follow(self, position: Position) -> None:
        """Highlight the current section without moving the body."""
        index = self.index_for(position)
        if index is not None and index != self.highlighted:
            self.highlighted = index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.positions):
            self.post_message(self.Chosen(self.positions[event.option_index]))
