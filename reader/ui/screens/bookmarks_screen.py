"""Bookmarks: this article's, or all of them across the library; jump to one, delete one."""

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
from reader.ui.messages import JumpToBookmark
from reader.ui.screens.library_screen import short_date
from reader.ui.widgets.keyline import KeyLine

if TYPE_CHECKING:
    from reader.library import Bookmark
    from reader.ui.library_session import LibrarySession


class BookmarksScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="bookmarks.close"),
        Binding("d,delete", "delete", "Delete", id="bookmarks.delete"),
        Binding("z,ctrl+z", "undo", "Undo delete", id="bookmarks.undo"),
        Binding("a", "toggle_scope", "This article / all", id="bookmarks.toggle_scope"),
        Binding("question_mark", "app.help", "Help", show=False, id="bookmarks.help"),
    ]

    def __init__(self, library: LibrarySession, url: str | None,
                 here: str | None = None) -> None:
        super().__init__()
        self.library = library
        self.url = url  # None: every bookmark in the library
        self.here = here  # the article being read, for `a`
        self.marks: list[Bookmark] = []
        self._deleted: list[Bookmark] = []  # this session's deletions, for z

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(id="dialog-title")
            yield KeyedList(id="bookmark-list")
        yield KeyLine()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(OptionList).focus()

    def reload(self) -> None:
        self.marks = self.library.bookmarks(self.url)
        scope = "this article" if self.url else "all articles"
        self.query_one("#dialog-title", Static).update(
            Content.assemble(("Bookmarks", "bold"), (f" — {scope}, {len(self.marks)}", "dim")))
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for mark in self.marks:
            parts: list[str | tuple[str, str]] = []
            if self.url is None:
                parts += [(mark.title or mark.url, "bold"), "\n"]
            if mark.section:
                parts += [("§ " + mark.section + "  ", "$accent")]
            parts += [(short_date(mark.created), "dim"), "\n", "“" + mark.snippet + "”"]
            if mark.note:
                parts += ["\n", ("Note: " + mark.note, "italic")]
            options.add_option(Option(Content.assemble(*parts)))
            options.add_option(None)  # a rule between bookmarks (not an option itself)
        if not self.marks:
            options.add_option(Option(Content.styled(
                "No bookmarks yet. Press m while reading to add one.", "dim"), disabled=True))
        else:
            options.highlighted = min(highlighted or 0, len(self.marks) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self.marks):
            mark = self.marks[event.option_index]
            self.dismiss()
            self.app.post_message(JumpToBookmark(mark))

    def action_delete(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.marks):
            return
        mark = self.marks[index]
        if not self.library.delete_bookmark(mark.id):
            return
        self._deleted.append(mark)
        self.notify("Bookmark deleted. Press z to bring it back.", timeout=3)
        self.reload()

    def action_undo(self) -> None:
        if not self._deleted:
            self.notify("Nothing to undo.", timeout=2)
            return
        mark = self._deleted[-1]
        if self.library.add_bookmark(mark.url, mark.position, title=mark.title,
                                     section=mark.section, snippet=mark.snippet,
                                     note=mark.note) is None:
            return
        self._deleted.pop()
        self.notify("Bookmark restored.", timeout=2)
        self.reload()

    def action_toggle_scope(self) -> None:
        if self.url is not None:
            self.url = None
        elif self.here is not None:
            self.url = self.here
        self.reload()

    def action_close(self) -> None:
        self.dismiss()
