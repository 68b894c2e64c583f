"""Filling a side pane a slice at a time, so that a key is never held back behind it.

A long article has hundreds or thousands of sections and figures. Adding them all to an
OptionList at once is one long step of the event loop (and one long layout) that a key
pressed just after the text appeared must wait behind. Here the options are added
:data:`SLICE` at a time, each slice in its own turn of the pane's message queue, so keys
are handled between slices; showing another article cancels the slices of the last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

SLICE = 4000  # options added per turn of the event loop (cheap: prompts are lazy)


class LazyPrompt:
    """An entry's words, made into Content only when the entry is first drawn.

    Building Content strips control codes from every string: for the thousands of
    sections and figures of a long article that was most of the cost of filling a pane,
    for entries most people never scroll to. ``str()`` is the plain text."""

    __slots__ = ("_content", "_make")

    def __init__(self, make: Callable[[], Content]) -> None:
        self._make = make
        self._content: Content | None = None

    @property
    def content(self) -> Content:
        if self._content is None:
            self._content = self._make()
        return self._content

    def visualize(self, widget: object = None, obj: object = None) -> Content:
        return self.content

    def __str__(self) -> str:
        return self.content.plain


def set_virtual_size(widget: Widget, size: Size) -> None:
    """Give ``widget`` a new virtual size without a layout pass when only its length
    changed and its vertical scrollbar stays as it is (assigning ``virtual_size``
    always lays out the whole screen again, then draws all of it)."""
    old = widget.virtual_size
    if old == size:
        return
    view = widget.scrollable_content_region.height
    if view and (old.height > view) == (size.height > view):
        widget.set_reactive(Widget.virtual_size, size)
        widget._scroll_update(size)
        widget.refresh()
    else:
        widget.virtual_size = size


class SlicedOptionList(OptionList):
    """An OptionList whose :meth:`fill` adds its options in slices."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fill_generation = 0
        self.filling = False  # slices still to come

    @property
    def entry_height(self) -> int:
        """Lines of every entry: one fixed height, so that no entry is ever wrapped to
        count its lines (OptionList wraps every entry after every resize and slice)."""
        return 1

    def _update_lines(self) -> None:
        """Lines counted without measuring any entry (see :attr:`entry_height`)."""
        cache = self._line_cache
        lines = cache.lines
        height = self.entry_height
        for index in range(lines[-1][0] + 1 if lines else 0, len(self.options)):
            cache.index_to_line[index] = len(lines)
            cache.heights[index] = height
            lines.extend((index, n) for n in range(height))
        region = self.scrollable_content_region
        if not region:
            # Not laid out yet: the layout to come finds the length (and so whether
            # there is a scrollbar) already known, with no second layout after it.
            self.set_reactive(Widget.virtual_size, Size(0, len(lines)))
            return
        set_virtual_size(self, Size(region.width - self._get_left_gutter_width(), len(lines)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.options) * self.entry_height

    def fill(self, options: Sequence[Option], done: Callable[[], None] | None = None) -> None:
        """Replace the options with ``options``, the first slice now and the rest in
        later turns; ``done`` runs once the last slice is in."""
        self._fill_generation += 1
        self.clear_options()
        self.filling = True
        self._add_slice(self._fill_generation, list(options), 0, done)

    def _add_slice(self, generation: int, options: list[Option], start: int,
                   done: Callable[[], None] | None) -> None:
        if generation != self._fill_generation or not self.is_attached:
            return  # another fill began since
        self.add_options(options[start:start + SLICE])
        if start + SLICE < len(options):
            self.call_later(self._add_slice, generation, options, start + SLICE, done)
            return
        self.filling = False
        if done is not None:
            done()
