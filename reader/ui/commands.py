"""The command palette's reader commands, and the key names both it and help show.

Every binding with a description on the screen (and on reader's own focusable widgets)
is also a palette command, so the palette, the help screen and the keys can never
disagree: all three are read from the same ``BINDINGS``. A few app-wide commands
(library, import, history, all bookmarks) are added by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.widget import Widget

KEY_NAMES = {
    "slash": "/", "question_mark": "?", "right_square_bracket": "]",
    "left_square_bracket": "[", "plus": "+", "minus": "-", "equals_sign": "=",
    "space": "space", "apostrophe": "'", "escape": "Esc", "enter": "Enter",
    "backspace": "Backspace", "pagedown": "PgDn", "pageup": "PgUp", "home": "Home",
    "end": "End", "up": "↑", "down": "↓", "tab": "Tab", "shift+tab": "Shift+Tab",
    "asterisk": "*", "number_sign": "#", "delete": "Del", "left": "←", "right": "→",
    "left_parenthesis": "(", "right_parenthesis": ")", "left_curly_bracket": "{",
    "right_curly_bracket": "}", "dollar_sign": "$",
}

# Shown as their own entries (below), or not at all.
_SKIPPED = ("app.quit", "escape", "app.library", "app.history", "app.import", "app.feeds")


@runtime_checkable
class HasKeymap(Protocol):
    """An app whose keys a person may have changed (binding id → keys)."""

    keymap: dict[str, str]


def keys_of(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys that run ``binding`` now: the keymap's, else the binding's own."""
    return keymap.get(binding.id, binding.key) if binding.id else binding.key


def key_label(keys: str) -> str:
    """``"space,pagedown"`` as people write it: ``"space PgDn"``."""
    labels = []
    for key in keys.split(","):
        key = key.strip()
        if key.startswith("ctrl+"):
            labels.append("Ctrl+" + KEY_NAMES.get(key[5:], key[5:]))
        else:
            labels.append(KEY_NAMES.get(key, key))
    return " ".join(labels)


def own_widget(widget: object) -> bool:
    """Whether ``widget`` is one of reader's (Textual's own inputs and tables document
    their editing keys elsewhere, and would crowd the list)."""
    return any(cls.__module__.startswith("reader.") for cls in type(widget).__mro__)


def own_bindings(owner: object) -> list[Binding]:
    """The bindings ``owner``'s reader classes declare, without Textual's inherited ones."""
    found: list[Binding] = []
    for cls in type(owner).__mro__:
        if cls.__module__.startswith("reader."):
            found += [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    return found


Command = tuple[str, str, Callable[[], Awaitable[None]]]


def _runner(owner: Widget | App[Any], action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await owner.run_action(action)

    return run


class ReaderCommands(Provider):
    """The reader's palette commands for the screen the palette was opened on."""

    def commands(self) -> Iterator[Command]:
        app = self.app
        yield ("Library", "Saved articles, searched as you type", _runner(app, "library"))
        yield ("Import a reading list",
               "Pocket, Instapaper, Omnivore, wallabag, bookmarks, URLs, or OPML feeds",
               _runner(app, "import"))
        yield ("History", "Everything opened, newest first", _runner(app, "history"))
        yield ("Feeds", "Subscriptions and their new articles", _runner(app, "feeds"))
        yield ("All bookmarks", "Bookmarks across the library",
               _runner(app, "bookmarks(True)"))
        screen = self.screen
        if hasattr(screen, "action_highlights"):
            yield ("All highlights", "Highlights and notes across the library, searchable",
                   _runner(screen, "highlights(True)"))
        keymap = app.keymap if isinstance(app, HasKeymap) else {}
        seen: set[str] = set()
        owners: list[Any] = [screen]
        owners += [w for w in screen.query("*") if w.BINDINGS and w.can_focus
                   and own_widget(w)]
        for owner in owners:
            for binding in own_bindings(owner):
                if not binding.description or binding.action in seen or (
                        binding.action in _SKIPPED) or binding.action.startswith("sel_"):
                    # (selection-mode keys act on a selection only: not commands)
                    continue
                seen.add(binding.action)
                yield (binding.description, f"Key: {key_label(keys_of(binding, keymap))}",
                       _runner(owner, binding.action))

    async def discover(self) -> Hits:
        for name, help_text, run in self.commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
