"""A figure full screen: the picture at the best resolution the terminal can show."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from reader.document import Figure
from reader.images.loader import ImageLoader
from reader.ui.widgets.figure_view import FigureView


class FigureScreen(Screen[None]):
    """Shows one figure; Esc, q or Enter go back to the article."""

    DEFAULT_CSS = """
    FigureScreen #figure-title { height: 1; padding: 0 2; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "close", "Back"),
        Binding("O", "open_image", "Open image in browser"),
    ]

    def __init__(self, loader: ImageLoader, figure: Figure, mode: str = "halfblock",
                 title: str = "Figure") -> None:
        super().__init__()
        self.loader = loader
        self.figure = figure
        self.mode = mode
        self.title_text = title

    def compose(self) -> ComposeResult:
        yield Static(Content(self.title_text), id="figure-title")
        yield FigureView(self.loader, self.figure, self.mode, id="figure-view")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss()

    def action_open_image(self) -> None:
        if self.figure.src:
            opener = getattr(self.app, "open_in_browser", None)
            if opener is not None:
                opener(self.figure.src)
