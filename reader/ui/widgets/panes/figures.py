"""The figures pane: every figure's caption and alt text; choosing one scrolls to it."""

from __future__ import annotations

from functools import partial

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.document import Article, Figure, Position
from reader.ui.pictures.loader import ImageLoader
from reader.ui.widgets.panes.figure_view import preview_prompt
from reader.ui.widgets.panes.sliced import LazyPrompt, SlicedOptionList


def figure_prompt(number: int, figure: Figure) -> Content:
    return Content.assemble(*_prompt_parts(number, figure))


def _prompt_parts(number: int, figure: Figure) -> list[str | tuple[str, str]]:
    parts: list[str | tuple[str, str]] = [(f"Figure {number}", "bold")]
    words = " ".join(p for p in (figure.caption, figure.credit) if p)
    if words:
        parts += ["\n", words]
    if figure.alt and figure.alt != figure.caption:
        parts += ["\n", ("Alt: " + figure.alt, "dim italic")]
    if not words and not figure.alt:
        parts += ["\n", ("(no caption)", "dim")]
    return parts


ENTRY_LINES = 4  # every entry: "Figure N" and three lines of words (a preview's height)


class FiguresPane(SlicedOptionList):
    """Every figure of the article, one entry of :data:`ENTRY_LINES` lines each.

    Entries of one fixed height (longer words are cut with an ellipsis): OptionList
    otherwise wraps every entry to count its lines, for all of them, on every resize
    and every slice added — a second and more for the hundreds of figures of a long
    article, while the keys wait. Only the entries drawn are wrapped."""

    HELP_TITLE = "In the figures pane"

    class Chosen(Message):
        def __init__(self, position: Position, figure: Figure) -> None:
            super().__init__()
            self.position = position
            self.figure = figure

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Figures"
        self.items: list[tuple[Position, Figure]] = []
        self.images: ImageLoader | None = None  # set by the screen when pictures are on
        self._previewed: set[int] = set()

    def show_preview(self, src: str) -> None:
        """Put a small picture beside the entries of the figure whose image is ``src``."""
        if self.images is None:
            return
        for n, (_, figure) in enumerate(self.items):
            if figure.src == src and n not in self._previewed and n < self.option_count:
                words = Text.assemble(*_prompt_parts(n + 1, figure))
                prompt = preview_prompt(self.images, figure, words)
                if prompt is not None:
                    self._previewed.add(n)
                    self.replace_option_prompt_at_index(n, prompt)

    @property
    def entry_height(self) -> int:
        return ENTRY_LINES if self.items else 1  # "(no figures)" takes one line

    def _get_option_render(self, option: Option, style: VisualStyle) -> list[Strip]:
        """The entry wrapped as OptionList does, then cut or padded to its fixed height."""
        strips = super()._get_option_render(option, style)
        height = self.entry_height
        if len(strips) == height:
            return strips
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        meta = {"option": self._option_to_index[option]}
        rich_style = style.rich_style
        if len(strips) > height:
            last = strips[height - 1]
            end = min(cell_len(last.text.rstrip()), width - 1)  # the ellipsis after the words
            cut = Strip([*last.crop(0, end), Segment("…", rich_style)]).extend_cell_length(
                width, rich_style).apply_meta(meta)
            strips = [*strips[:height - 1], cut]
        else:
            blank = Strip.blank(width, rich_style).apply_meta(meta)
            strips = [*strips, *[blank] * (height - len(strips))]
        padding = self.get_component_styles("option-list--option").padding
        self._option_render_cache[(option, style, padding)] = strips
        return strips

    def request_previews(self) -> None:
        """Ask for the pictures of the entries in (and just around) the visible part."""
        if self.images is None or not self.items or not self.display or not self.size.height:
            return
        first = max(0, round(self.scroll_y) // ENTRY_LINES - 1)
        last = min(len(self.items), (round(self.scroll_y) + self.size.height) // ENTRY_LINES + 2)
        for n in range(first, min(last, self.option_count)):
            figure = self.items[n][1]
            if n in self._previewed or not figure.src:
                continue
            if self.images.status(figure.src) == "ready":
                self.show_preview(figure.src)
            else:
                self.images.request(figure.src)

    def on_resize(self, event: events.Resize) -> None:
        self.request_previews()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.request_previews()

    def show(self, article: Article) -> None:
        self.items = article.figures()
        self._previewed = set()
        options = [Option(LazyPrompt(partial(figure_prompt, n, f)))
                   for n, (_, f) in enumerate(self.items, 1)] or [
            Option(Content.styled("(no figures)", "dim"), disabled=True)]
        self.fill(options, self.request_previews)
        self.border_subtitle = str(len(self.items)) if self.items else ""

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.items):
            position, figure = self.items[event.option_index]
            self.post_message(self.Chosen(position, figure))
