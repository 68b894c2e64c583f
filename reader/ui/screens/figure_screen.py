"""A figure full screen: the picture at the best resolution the terminal can show.

``n``/``p`` (or the arrow keys) step through the article's other figures without going
back to the text, which is how people look through a photo essay.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from reader.document import Figure
from reader.ui.messages import OpenInBrowser
from reader.ui.pictures.loader import ImageLoader
from reader.ui.widgets.keyline import KeyLine
from reader.ui.widgets.panes.figure_view import FigureView


class FigureScreen(Screen[None]):
    """Shows one figure; Esc, q or Enter go back to the article."""

    DEFAULT_CSS = """
    FigureScreen #figure-title { height: 1; padding: 0 2; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "close", "Back", id="figure.close"),
        Binding("n,right", "step(1)", "Next figure", id="figure.step_next"),
        Binding("p,left", "step(-1)", "Previous figure", id="figure.step_previous"),
        Binding("O", "open_image", "Open image in browser", id="figure.open_image"),
        Binding("question_mark", "app.help", "Help", show=False, id="figure.help"),
    ]

    def __init__(self, loader: ImageLoader, figure: Figure, mode: str = "halfblock",
                 title: str = "Figure", figures: Sequence[Figure] = ()) -> None:
        super().__init__()
        self.loader = loader
        self.figure = figure
        self.mode = mode
        self.title_text = title
        self.figures = [f for f in figures if f.src]
        self._index = self.figures.index(figure) if figure in self.figures else -1
        if self._index >= 0:
            self.title_text = self._title()

    def _title(self) -> str:
        return f"Figure {self._index + 1} of {len(self.figures)}"

    def compose(self) -> ComposeResult:
        yield Static(Content(self.title_text), id="figure-title")
        yield FigureView(self.loader, self.figure, self.mode, id="figure-view")
        yield KeyLine()

    def action_close(self) -> None:
        self.dismiss()

    async def action_step(self, delta: int) -> None:
        if self._index < 0 or len(self.figures) < 2:
            return
        self._index = (self._index + delta) % len(self.figures)
        self.figure = self.figures[self._index]
        self.title_text = self._title()
        self.query_one("#figure-title", Static).update(Content(self.title_text))
        await self.query_one(FigureView).remove()
        await self.mount(FigureView(self.loader, self.figure, self.mode, id="figure-view"),
                         after="#figure-title")

    def action_open_image(self) -> None:
        if self.figure.src:
            self.app.post_message(OpenInBrowser(self.figure.src))
