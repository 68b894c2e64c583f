"""The figures pane: every figure's caption and alt text; choosing one scrolls to it."""

from __future__ import annotations

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.document import Article, Figure, Position


def figure_prompt(number: int, figure: Figure) -> Content:
    parts: list[str | tuple[str, str]] = [(f"Figure {number}", "bold")]
    words = " ".join(p for p in (figure.caption, figure.credit) if p)
    if words:
        parts += ["\n", words]
    if figure.alt and figure.alt != figure.caption:
        parts += ["\n", ("Alt: " + figure.alt, "dim italic")]
    if not words and not figure.alt:
        parts += ["\n", ("(no caption)", "dim")]
    return Content.assemble(*parts)


class FiguresPane(OptionList):
    class Chosen(Message):
        def __init__(self, position: Position, figure: Figure) -> None:
            super().__init__()
            self.position = position
            self.figure = figure

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Figures"
        self.items: list[tuple[Position, Figure]] = []

    def show(self, article: Article) -> None:
        self.items = article.figures()
        self.clear_options()
        self.add_options([Option(figure_prompt(n, f)) for n, (_, f) in enumerate(self.items, 1)])
        if not self.items:
            self.add_option(Option(Content.styled("(no figures)", "dim"), disabled=True))
        self.border_subtitle = str(len(self.items)) if self.items else ""

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.items):
            position, figure = self.items[event.option_index]
            self.post_message(self.Chosen(position, figure))
