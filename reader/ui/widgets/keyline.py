"""One line of keys at the bottom of a screen, drawn as text; a prompt on the same line.

Textual's ``Footer`` mounts a widget per key and mounts them all again on every change
of focus; on a list screen that was most of the first paint (the library screen's and
the feeds screen's). :class:`KeyLine` shows the same keys (the screen's bindings with
``show``, the command palette at the right end) in one ``render``.

The line also shows a prompt (:class:`LineEdit`) the way less and vim do: `/` turns the
line into ``/query`` with a cursor. The line is always laid out and keeps its size, so
opening, editing and closing the prompt redraws one line: no widget shown or hidden
(``display`` is a layout property: a whole-screen layout), no focus moved (a restyle).
The screen that opens the prompt hands it the keys (see ArticleScreen.on_key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget

from reader.sanitize import clean_text

# Keys a prompt never takes: quitting works while a query is typed.
QUIT_KEYS = frozenset({"ctrl+c", "ctrl+q"})


def _word_start(text: str, at: int) -> int:
    """Where the word before ``at`` starts (spaces before it skipped), as readline's Ctrl+W."""
    i = at
    while i > 0 and text[i - 1].isspace():
        i -= 1
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return i


def _word_end(text: str, at: int) -> int:
    i = at
    while i < len(text) and text[i].isspace():
        i += 1
    while i < len(text) and not text[i].isspace():
        i += 1
    return i


def _printable(text: str) -> str:
    """Pasted or typed text made one line of plain characters: controls, escape
    sequences and bidi overrides go (reader.sanitize: they are data, never sent to the
    terminal), tabs and line breaks become spaces."""
    return clean_text(text).replace("\t", " ").replace("\n", " ")


@dataclass
class LineEdit:
    """A line being typed at a prompt: its text, the cursor, and whether the whole text
    is selected (the previous query, offered: a character typed replaces it, Enter
    takes it as it is, a move keeps it to edit).

    The editing keys are those of a shell's line (readline): Left/Right, Home/End and
    Ctrl+A/Ctrl+E, Ctrl+Left/Ctrl+Right by word, Backspace and Delete, Ctrl+W (the
    word before the cursor), Ctrl+U (everything before it), Ctrl+K (everything after),
    Up/Down and Ctrl+P/Ctrl+N (earlier entries of ``history``)."""

    text: str = ""
    cursor: int = -1  # -1: at the end
    selected: bool = False
    history: list[str] = field(default_factory=list)
    _recalled: int | None = None  # index into history while recalling
    _draft: str = ""  # what was typed before recalling

    def __post_init__(self) -> None:
        if self.cursor < 0:
            self.cursor = len(self.text)

    def insert(self, text: str) -> None:
        text = _printable(text)
        if not text:
            return
        if self.selected:
            self.text, self.cursor, self.selected = "", 0, False
        self.text = self.text[:self.cursor] + text + self.text[self.cursor:]
        self.cursor += len(text)

    def _set(self, text: str, cursor: int) -> None:
        self.text, self.cursor, self.selected = text, max(0, min(len(text), cursor)), False

    def key(self, key: str, character: str | None) -> bool:
        """Edit for ``key``; False when it is not an editing key (Enter, Esc, others)."""
        text, at = self.text, self.cursor
        if key in ("backspace", "ctrl+h", "delete", "ctrl+d") and self.selected:
            self._set("", 0)
        elif key in ("backspace", "ctrl+h"):
            if at:
                self._set(text[:at - 1] + text[at:], at - 1)
        elif key in ("delete", "ctrl+d"):
            self._set(text[:at] + text[at + 1:], at)
        elif key in ("left", "ctrl+b"):
            self._set(text, at - 1 if not self.selected else 0)
        elif key in ("right", "ctrl+f"):
            self._set(text, at + 1)
        elif key in ("home", "ctrl+a"):
            self._set(text, 0)
        elif key in ("end", "ctrl+e"):
            self._set(text, len(text))
        elif key in ("ctrl+left", "alt+b"):
            self._set(text, _word_start(text, at))
        elif key in ("ctrl+right", "alt+f"):
            self._set(text, _word_end(text, at))
        elif key in ("ctrl+w", "ctrl+backspace", "alt+backspace"):
            start = 0 if self.selected else _word_start(text, at)
            self._set(text[:start] + text[at:], start)
        elif key == "ctrl+u":
            self._set(text[at:] if not self.selected else "", 0)
        elif key == "ctrl+k":
            self._set(text[:at] if not self.selected else "", len(text))
        elif key in ("up", "ctrl+p"):
            self._recall(-1)
        elif key in ("down", "ctrl+n"):
            self._recall(+1)
        elif character and character.isprintable() and key not in ("enter", "escape"):
            self.insert(character)
        else:
            return False
        return True

    def _recall(self, step: int) -> None:
        """Up: the query before (the latest first); Down: back towards what was typed."""
        if not self.history:
            return
        if self._recalled is None:
            if step > 0:
                return
            self._draft = self.text
            index = len(self.history) - 1
            if self.history[index] == self.text and index > 0:
                index -= 1  # the latest is what is offered already
        else:
            index = self._recalled + step
        if index < 0:
            return
        if index >= len(self.history):
            self._recalled = None
            self._set(self._draft, len(self._draft))
            return
        self._recalled = index
        self._set(self.history[index], len(self.history[index]))


@dataclass
class Prompt:
    """What the key line shows instead of keys: ``lead`` (e.g. "/"), the line being
    edited, and a hint at the right end when there is room."""

    lead: str
    edit: LineEdit
    hint: str = ""


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
    KeyLine > .key-line--prompt {
        color: $foreground;
        background: $surface;
    }
    KeyLine > .key-line--cursor {
        color: $background;
        background: $foreground;
    }
    KeyLine > .key-line--selection {
        color: $foreground;
        background: $primary 45%;
    }
    KeyLine > .key-line--hint {
        color: $text-muted;
        background: $surface;
    }
    """
    COMPONENT_CLASSES = {"key-line--key", "key-line--description", "key-line--prompt",
                         "key-line--cursor", "key-line--selection", "key-line--hint"}

    compact = reactive(False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spots: list[tuple[int, int, str]] = []  # (from x, to x, key) for clicks
        self.prompt: Prompt | None = None

    def open_prompt(self, prompt: Prompt) -> None:
        """Show ``prompt`` instead of the keys (one line redrawn, nothing laid out)."""
        self.prompt = prompt
        self.refresh()

    def close_prompt(self) -> None:
        if self.prompt is not None:
            self.prompt = None
            self.refresh()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < 100  # narrow: Help and Quit stay in view

    def render(self) -> Text:
        if self.prompt is not None:
            return self._render_prompt(self.prompt)
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

    def _render_prompt(self, prompt: Prompt) -> Text:
        """``/query`` with the cursor a block on the character it is before (a space at
        the end); the text scrolled sideways to keep the cursor in view. Typed text is
        data: put in a Text as it is, never read as markup."""
        style = self.get_component_rich_style("key-line--prompt")
        edit = prompt.edit
        width = self.size.width
        hint = Text(f"  {prompt.hint} ", style=self.get_component_rich_style("key-line--hint"),
                    no_wrap=True, end="") if prompt.hint else Text("")
        shown = edit.text + " "  # the cell after the text, for the cursor at the end
        room = max(1, width - len(prompt.lead))
        if len(shown) + hint.cell_len > room:
            hint = Text("")  # the query first
        # (characters as cells: a wide character only shifts the window by a cell)
        first = max(0, edit.cursor - room + 1)
        line = Text(prompt.lead, style=style, no_wrap=True, overflow="crop", end="")
        piece = Text(shown[first:first + room], style=style, end="")
        if edit.selected and edit.text:
            piece.stylize(self.get_component_rich_style("key-line--selection"),
                          0, len(edit.text) - first)
        cursor = edit.cursor - first
        piece.stylize(self.get_component_rich_style("key-line--cursor"), cursor, cursor + 1)
        line.append_text(piece)
        pad = width - line.cell_len - hint.cell_len
        if pad > 0:
            line.append(" " * pad, style)
        line.append_text(hint)
        return line

    def on_click(self, event: events.Click) -> None:
        if self.prompt is not None:
            return  # the prompt has no keys to click
        for start, end, key in self._spots:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


def _pinned(binding: Binding) -> bool:
    """Help and Quit: the keys a key line must never lose to a narrow terminal."""
    return binding.action.rpartition(".")[2] in ("help", "quit")
