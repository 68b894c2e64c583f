"""Highlights and notes: this article's in reading order, or every one in the library,
searchable; Enter jumps to one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.document import first_words
from reader.library.highlights import Placed
from reader.ui.dialogs import KeyedList, SearchBox
from reader.ui.widgets.keyline import KeyLine

if TYPE_CHECKING:
    from reader.ui.library_session import LibrarySession

NOT_FOUND = "not found in this version"


class HighlightsScreen(ModalScreen[None]):
    """Text, note and section of each highlight. Text from pages and notes is shown as
    plain text (Content.assemble of strings never parses markup)."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="highlights.close"),
        Binding("d,delete", "delete", "Delete", id="highlights.delete"),
        Binding("z,ctrl+z", "undo", "Undo delete", id="highlights.undo"),
        Binding("a", "toggle_scope", "This article / all", id="highlights.toggle_scope"),
        Binding("question_mark", "app.help", "Help", show=False, id="highlights.help"),
    ]

    def __init__(self, library: LibrarySession, placed: list[Placed], *, here: str,
                 everywhere: bool = False) -> None:
        super().__init__()
        self.library = library
        self.here = here
        self.placed_here = placed
        self.everywhere = everywhere
        self.items: list[Placed] = []
        self._deleted: list[Placed] = []  # this visit's deletions, for z

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(id="dialog-title")
            yield SearchBox(self._leave_search, placeholder="Search every highlight and note",
                            id="highlight-search")
            yield KeyedList(id="highlight-list")
        yield KeyLine()

    def on_mount(self) -> None:
        self.query_one(Input).display = self.everywhere
        self.reload()
        (self.query_one(Input) if self.everywhere else self.query_one(OptionList)).focus()

    def reload(self) -> None:
        if self.everywhere:
            query = self.query_one(Input).value.strip()
            self.items = [Placed(h, h.passage) for h in
                          self.library.highlights(search=query or None)]
            scope = "all articles" + (f", matching “{query}”" if query else "")
        else:
            self.items = list(self.placed_here)
            scope = "this article"
        self.query_one("#dialog-title", Static).update(Content.assemble(
            ("Highlights and notes", "bold"), (f" — {scope}, {len(self.items)}", "dim")))
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for placed in self.items:
            h = placed.highlight
            parts: list[str | tuple[str, str]] = []
            if self.everywhere:
                parts += [(h.title or h.url, "bold"), "\n"]
            if h.section:
                parts += [("§ " + h.section, "$accent"), "  "]
            if not placed.found:
                parts += [("(" + NOT_FOUND + ")", "$warning"), "  "]
            parts += ["\n" if parts and not self.everywhere else "",
                      "“" + first_words(h.text, 300) + "”"]
            if h.note:
                parts += ["\n", ("Note: " + h.note, "italic")]
            options.add_option(Option(Content.assemble(*parts)))
            options.add_option(None)
        if not self.items:
            options.add_option(Option(Content.styled(
                "No highlights yet. Press v while reading, move, then Enter." if not
                self.everywhere else "No highlight matches.", "dim"), disabled=True))
        else:
            options.highlighted = min(highlighted or 0, len(self.items) - 1)

    @on(Input.Changed, "#highlight-search")
    def _search(self) -> None:
        self.reload()

    def _leave_search(self, value: str) -> None:
        """Enter, Down, Page Down or Tab in the search box: to the list at once, as in the
        library (see SearchBox)."""
        self.set_focus(self.query_one(OptionList))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_index >= len(self.items):
            return
        placed = self.items[event.option_index]
        self.dismiss()
        from reader.ui.app import ReaderApp
        from reader.ui.screens.article_screen import ArticleScreen

        app = self.app
        if not isinstance(app, ReaderApp):
            return
        h = placed.highlight
        if h.url == self.here:
            screen = app.article_screen
            local = next((p for p in screen.placed if p.highlight.id == h.id), None)
            if local is None or local.passage is None:
                app.notify("That highlight is not found in this version of the article.",
                           timeout=3)
                return
            passage = local.passage
            app.call_after_refresh(ArticleScreen.jump_to_highlight, screen, passage)
        else:
            app.open_url_or_saved(h.url, h.passage.start)

    def action_delete(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.items):
            return
        placed = self.items[index]
        if self.library.delete_highlight(placed.highlight.id) is None:
            return
        self._deleted.append(placed)
        self.placed_here = [p for p in self.placed_here
                            if p.highlight.id != placed.highlight.id]
        self.notify("Highlight deleted. Press z to bring it back.", timeout=3)
        self.reload()

    def action_undo(self) -> None:
        if not self._deleted:
            self.notify("Nothing to undo.", timeout=2)
            return
        placed = self._deleted[-1]
        if not self.library.restore_highlight(placed.highlight):
            return
        self._deleted.pop()
        if placed.highlight.url == self.here:
            self.placed_here = sorted(
                [*self.placed_here, placed],
                key=lambda p: (p.passage is None, p.passage or p.highlight.passage,
                               p.highlight.id))
        self.notify("Highlight restored.", timeout=2)
        self.reload()

    def action_toggle_scope(self) -> None:
        self.everywhere = not self.everywhere
        search = self.query_one(Input)
        search.display = self.everywhere
        self.reload()
        if self.everywhere:
            search.focus()
        else:
            self.query_one(OptionList).focus()

    def action_close(self) -> None:
        self.dismiss()
