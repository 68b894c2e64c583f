"""The `?` screen: every binding of the screen underneath, read from the bindings
themselves so it can never disagree with what the keys do."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from reader.ui.commands import key_label, keys_of, own_widget


def help_title(owner: object) -> str:
    """The heading of an owner's keys: its HELP_TITLE, else its class name in words."""
    title = getattr(owner, "HELP_TITLE", None)
    if isinstance(title, str):
        return title
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(owner).__name__)
    return words.capitalize()


def binding_rows(screen: Screen, keymap: Mapping[str, str] | None = None
                 ) -> list[tuple[str, str, str]]:
    """(where, keys, what) for the screen, its focusable widgets and the app, with the
    keys of ``keymap`` where the person changed them."""
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    sources: list[tuple[str, object]] = [(help_title(screen), screen)]
    for widget in screen.query("*"):
        # (not a search box: its keys are an Input's editing keys, and Enter twice)
        if (widget.BINDINGS and widget.can_focus and own_widget(widget)
                and not isinstance(widget, Input)):
            sources.append((help_title(widget), widget))
    # Moving through the text first: it is what a reader looks for.
    sources.sort(key=lambda source: getattr(source[1], "HELP_ORDER", 50))
    for where, owner in sources:
        for binding in getattr(owner, "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            ident = binding.action
            if ident in seen:
                continue
            seen.add(ident)
            # A key line's short label may lean on context ("Word →" while selecting);
            # the help screen lists every key at once, so the tooltip's fuller words win.
            rows.append((where, key_label(keys_of(binding, keymap or {})),
                         binding.tooltip or binding.description))
    rows.append(("Everywhere", "Ctrl+P", "Command palette: every action, themes"))
    rows.append(("Everywhere", "Tab Shift+Tab", "Move between the panes"))
    return rows


class HelpScreen(ModalScreen[None]):
    # The list is long: it scrolls with the keys that scroll an article (j k space b g G),
    # not only with the arrows, which is what a person reading it presses.
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        Binding("j", "scroll('down')", "Down", show=False, id="help.line_down"),
        Binding("k", "scroll('up')", "Up", show=False, id="help.line_up"),
        Binding("space,ctrl+f", "scroll('page_down')", "Page down", show=False,
                id="help.page_down"),
        Binding("b,ctrl+b", "scroll('page_up')", "Page up", show=False, id="help.page_up"),
        Binding("g", "scroll('home')", "Top", show=False, id="help.top"),
        Binding("G", "scroll('end')", "Bottom", show=False, id="help.bottom"),
    ]

    def __init__(self, target: Screen, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.target = target
        self.keymap = keymap or {}
        self.rows = binding_rows(self.target, self.keymap)
        # Keys that are not bindings (a prompt's editing keys), as the screen lists them.
        self.rows += list(getattr(self.target, "HELP_MORE", ()))
        self._room = 0  # the width the text was last wrapped to

    def help_text(self, room: int) -> Content:
        """The keys in a column, what each does beside it. A description longer than the
        room beside the keys is wrapped under itself (a hanging indent), not back to the
        left edge where it read as a key ("sentence", "word" at 60 columns)."""
        pieces: list[str | tuple[str, str] | Content] = [("Keys\n", "bold")]
        widths = max((len(keys) for _, keys, _ in self.rows), default=8)
        beside = max(12, room - widths - 2)
        last_where = None
        for where, keys, what in self.rows:
            if where != last_where and where:
                pieces.append(("\n" + where + "\n", "bold dim"))
            last_where = where
            lines = textwrap.wrap(what, beside) or [""]
            pieces += [(keys.ljust(widths + 2), "bold $accent"), lines[0], "\n"]
            pieces += [" " * (widths + 2) + line + "\n" for line in lines[1:]]
        pieces.append(("\nEsc or ? closes this help.", "dim"))
        return Content.assemble(*pieces)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(self.help_text(1000), id="help-text")

    def on_resize(self) -> None:
        self.call_after_refresh(self._rewrap)

    def _rewrap(self) -> None:
        """Wrap the descriptions to the width the box has now."""
        text = self.query_one("#help-text", Static)
        room = text.content_region.width
        if room > 0 and room != self._room:
            self._room = room
            text.update(self.help_text(room))

    def action_scroll(self, how: str) -> None:
        getattr(self.query_one("#dialog", VerticalScroll), f"scroll_{how}")(animate=False)

    def action_close(self) -> None:
        self.dismiss()
