"""Everything opened, newest first; Enter opens it again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.ui.dialogs import KeyedList
from reader.ui.messages import OpenAddress
from reader.ui.widgets.keyline import KeyLine

if TYPE_CHECKING:
    from reader.library import HistoryEntry
    from reader.ui.library_session import LibrarySession


class HistoryScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="history.close"),
        Binding("question_mark", "app.help", "Help", show=False, id="history.help"),
    ]
    # Long titles and addresses are cut with "…" rather than wrapped mid-word into ragged
    # extra lines (as the feeds screen's lists): an entry keeps its two lines at any width.
    DEFAULT_CSS = """
    HistoryScreen #history-list { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, library: LibrarySession) -> None:
        super().__init__()
        self.library = library
        self.entries: list[HistoryEntry] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(id="dialog-title")
            yield KeyedList(id="history-list")
        yield KeyLine()

    def on_mount(self) -> None:
        self.entries = self.library.history(500)
        self.query_one("#dialog-title", Static).update(
            Content.assemble(("History", "bold"), (f" — {len(self.entries)} opened", "dim")))
        options = self.query_one(OptionList)
        for entry in self.entries:
            when = entry.opened_at.astimezone().strftime("%Y-%m-%d %H:%M")  # local time
            options.add_option(Option(Content.assemble(
                (entry.title or entry.url, "bold"), "\n", (when + "  ", "dim"),
                (entry.url, "dim"))))
        if not self.entries:
            options.add_option(Option(Content.styled("Nothing opened yet.", "dim"),
                                      disabled=True))
        else:
            options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self.entries):
            url = self.entries[event.option_index].url
            self.dismiss()
            self.app.post_message(OpenAddress(url))

    def action_close(self) -> None:
        self.dismiss()
