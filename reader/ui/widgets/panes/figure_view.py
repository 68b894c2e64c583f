"""One figure, as big as the screen allows, with its words under it.

Terminals that speak the Kitty graphics protocol or Sixel get the real pixels through
textual-image (decoded again at up to 2048 px, off the UI thread); every other terminal
gets half-block cells fitted to the widget, from the same picture the body uses. A
picture that cannot be shown becomes its alt text and the reason, never an error.
"""

from __future__ import annotations

import asyncio

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.content import Content
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from reader.document import Figure
from reader.ui.pictures.decode import ImageRejected, decode
from reader.ui.pictures.loader import ImageLoader

FULL_SIDE = 2048


class HalfBlockPicture(Widget):
    """A picture in half-block cells, fitted to and centred in the widget."""

    DEFAULT_CSS = """
    HalfBlockPicture { width: 1fr; height: 1fr; }
    """

    def __init__(self, loader: ImageLoader, url: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.loader = loader
        self.url = url

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        strips = self.loader.strips(self.url, width, height) if width and height else None
        if not strips:
            return Strip.blank(width, self.rich_style)
        row = y - (height - len(strips)) // 2
        if not 0 <= row < len(strips):
            return Strip.blank(width, self.rich_style)
        strip = strips[row]
        pad = max(0, (width - strip.cell_length) // 2)
        return Strip([Segment(" " * pad), *strip], pad + strip.cell_length).crop_extend(
            0, width, self.rich_style)


def figure_words(figure: Figure) -> Content:
    """Caption, credit and alt text as plain content (article text is never markup)."""
    parts: list[str | tuple[str, str]] = []
    words = " ".join(p for p in (figure.caption, figure.credit) if p)
    if words:
        parts.append((words, "italic"))
    if figure.alt and figure.alt != figure.caption:
        if parts:
            parts.append("\n")
        parts.append(("Alt: " + figure.alt, "dim"))
    return Content.assemble(*parts) if parts else Content("")


class FigureView(Vertical):
    """The picture area and the figure's words; ``mode`` is "halfblock", "kitty" or
    "sixel" (see :func:`reader.ui.pictures.terminal.resolve_mode`)."""

    DEFAULT_CSS = """
    FigureView { height: 1fr; }
    FigureView #figure-area { height: 1fr; align: center middle; }
    FigureView #figure-message { width: auto; max-width: 80%; color: $text-muted; }
    FigureView #figure-words { height: auto; max-height: 8; padding: 0 2; }
    FigureView .full-picture { width: auto; height: auto; max-width: 100%; max-height: 100%; }
    """

    def __init__(self, loader: ImageLoader, figure: Figure, mode: str = "halfblock", *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.loader = loader
        self.figure = figure
        self.mode = mode
        self.state = "loading"  # then "shown" or "failed"

    def compose(self) -> ComposeResult:
        with Center(id="figure-area"):
            yield Static(Content("Loading the picture …"), id="figure-message")
        yield Static(figure_words(self.figure), id="figure-words")

    def on_mount(self) -> None:
        self.run_worker(self._show(), group="figure", exclusive=True, exit_on_error=False)

    async def _show(self) -> None:
        url = self.figure.src
        area = self.query_one("#figure-area")
        if not url:
            self._fail("This figure has no picture.")
            return
        if self.mode in ("kitty", "sixel"):
            widget = await self._full_resolution(url)
            if widget is not None:
                await area.remove_children()
                await area.mount(widget)
                self.state = "shown"
                return
        picture = await self.loader.load(url)
        if picture is None:
            self._fail(self.loader.failure(url) or "The picture could not be shown.")
            return
        await area.remove_children()
        await area.mount(HalfBlockPicture(self.loader, url, id="figure-picture"))
        self.state = "shown"

    async def _full_resolution(self, url: str) -> Widget | None:
        data = await self.loader.get_bytes(url)
        if data is None:
            return None
        try:
            picture = await asyncio.to_thread(decode, data, keep_side=FULL_SIDE)
        except ImageRejected:
            return None
        try:
            from textual_image.widget import SixelImage, TGPImage
        except Exception:
            return None
        cls = TGPImage if self.mode == "kitty" else SixelImage
        return cls(picture.image, id="figure-picture", classes="full-picture")

    def _fail(self, reason: str) -> None:
        self.state = "failed"
        alt = self.figure.alt or "(no description)"
        self.query_one("#figure-message", Static).update(
            Content.assemble(("Picture: ", "bold"), alt, "\n", (reason, "dim")))


PREVIEW_COLS, PREVIEW_ROWS = 8, 4


class PreviewPrompt:
    """A figures-pane entry: a small half-block preview beside the figure's words.

    A Rich renderable (a two-column grid) whose ``str()`` is the plain words, so code and
    tests that read the prompt as text still can.
    """

    def __init__(self, strips: list[Strip], words: Text) -> None:
        self.strips = strips
        self.words = words

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=PREVIEW_COLS, no_wrap=True)
        grid.add_column(ratio=1)
        picture = Text("\n").join(
            Text.assemble(*((s.text, s.style or "") for s in strip)) for strip in self.strips)
        grid.add_row(picture, self.words)
        yield grid

    def __str__(self) -> str:
        return self.words.plain


def preview_prompt(loader: ImageLoader, figure: Figure, words: Text) -> PreviewPrompt | None:
    """The pane entry with a preview, or None while (or if) the picture is not here."""
    if not figure.src:
        return None
    strips = loader.strips(figure.src, PREVIEW_COLS, PREVIEW_ROWS)
    return PreviewPrompt(strips, words) if strips else None
