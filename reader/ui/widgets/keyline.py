"""One line of keys at the bottom of a screen, drawn as text.

Textual's ``Footer`` mounts a widget per key and mounts them all again on every change
of focus; on a list screen that was most of the first paint (the library screen's and
the feeds screen's). :class:`KeyLine` shows the same keys (the screen's bindings with
``show``, the command palette at the right end) in one ``render``.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget


class KeyLine(Widget):
    """The keys of the screen, one line at the bottom, drawn as text.

    Textual's ``Footer`` mounts a widget per key and mounts them all again on every
    change of focus: most of this screen's first paint. This draws the same keys (the
    screen's bindings with ``show``) in one ``render``; a click on a key presses it."""

    DEFAULT_CSS = """
    KeyLine {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyLine > .key-line--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyLine > .key-line--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """
    COMPONENT_CLASSES = {"key-line--key", "key-line--description"}

    compact = reactive(False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spots: list[tuple[int, int, str]] = []  # (from x, to x, key) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < 100  # narrow: Help and Quit stay in view

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-line--key")
        text_style = self.get_component_rich_style("key-line--description")
        # Textual's footer: " key " then "description ", or "key description " compact.
        pad, gap = ("", " ") if self.compact else (" ", "")

        def piece(binding: Binding, enabled: bool = True) -> Text:
            return Text.assemble(
                (f"{pad}{self.app.get_key_display(binding)}{pad}", key_style),
                (f"{gap}{binding.description} ", text_style + Style(dim=not enabled)))

        pieces: list[tuple[Text, Binding, bool]] = []  # (drawn, binding, kept to the last)
        seen: set[str] = set()
        active = self.screen.active_bindings
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            pieces.append((piece(binding, enabled), binding, _pinned(binding)))
        # Too narrow for every key: the others go, last first, so that "? Help" (which
        # lists them all) and Quit stay in view at any width.
        room = self.size.width
        while sum(drawn.cell_len for drawn, _, _ in pieces) > room:
            droppable = [i for i, (_, _, pinned) in enumerate(pieces) if not pinned]
            if not droppable:
                break
            del pieces[droppable[-1]]
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spots = []
        for drawn, binding, _ in pieces:
            start = line.cell_len
            line.append_text(drawn)
            self._spots.append((start, line.cell_len, binding.key))
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.app.ENABLE_COMMAND_PALETTE and palette is not None:
            # At the right end, as Textual's footer has it, when there is room for it.
            right = piece(palette[1])
            room = self.size.width - line.cell_len - right.cell_len
            if room > 0:
                line.append(" " * room)
                self._spots.append((line.cell_len, line.cell_len + right.cell_len,
                                    palette[1].key))
                line.append_text(right)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spots:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


def _pinned(binding: Binding) -> bool:
    """Help and Quit: the keys a key line must never lose to a narrow terminal."""
    return binding.action.rpartition(".")[2] in ("help", "quit")
