"""The library: saved articles, searched as you type, filtered, sorted and acted on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from reader.ui.dialogs import ConfirmDialog, TextPrompt
from reader.ui.messages import OpenSaved

if TYPE_CHECKING:
    from reader.ui.library_session import LibrarySession

SORTS = ("saved", "published", "title", "progress")
ROWS_PAGE = 100  # table rows fetched from the store and added at a time
WINDOW_PAGES = 5  # the most pages of rows the table holds at once
FILTERS = ("all", "unread", "archived", "favourites")


def short_date(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class LibraryScreen(Screen[None]):
    """Everything saved. Typing in the search box filters the list at once."""

    HELP_TITLE = "The library"
    HELP_ORDER = 10

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="library.focus_search"),
        Binding("enter", "open", "Open", show=False, id="library.open"),
        Binding("a", "archive", "Archive", id="library.archive"),
        Binding("asterisk", "favourite", "Favourite", show=False, id="library.favourite"),
        Binding("F", "app.feeds", "Feeds", show=False, id="library.feeds"),
        Binding("T", "tags", "Tags", show=False, id="library.tags"),
        Binding("d,delete", "delete", "Delete", id="library.delete"),
        Binding("z,ctrl+z", "undo", "Undo delete", show=False, id="library.undo"),
        Binding("S", "sort", "Sort", id="library.sort"),
        Binding("v", "filter", "Filter", id="library.filter"),
        Binding("number_sign", "tag_filter", "Tag filter", show=False, id="library.tag_filter"),
        Binding("i", "app.import", "Import", id="library.import"),
        # Listed in help (?) and the palette; the footer keeps room for Help and Quit.
        Binding("B", "app.bookmarks(True)", "Bookmarks", show=False, id="library.bookmarks_all"),
        Binding("H", "app.history", "History", show=False, id="library.history"),
        Binding("end,G", "last_row", "Last article", show=False, id="library.last_row"),
        Binding("home,g", "first_row", "First article", show=False, id="library.first_row"),
        Binding("escape", "back", "Back", show=False, id="library.back"),
        Binding("question_mark", "app.help", "Help", id="library.help"),
        Binding("q", "app.quit", "Quit", id="library.quit"),
    ]

    def __init__(self, library: LibrarySession, *,
                 has_article: Callable[[], bool] = lambda: False) -> None:
        super().__init__()
        self.library = library
        self._has_article = has_article  # Esc goes back to it, if there is one
        self.sort = "saved"
        self.filter = "all"
        self.tag: str | None = None
        self.search = ""
        self.ids: list[int] = []  # ids of the rows in the table, in order
        self.entries: list[Any] = []  # the entries of those rows (a window of the list)
        self.base = 0  # the list position of the table's first row
        self.total = 0  # how many articles the whole list holds
        self._laid_out_width = 0
        self._undo: list[Any] = []
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="library-bar"):
            yield Input(placeholder="Search title, author and text…", id="library-search")
            yield Static(id="library-state")
        yield DataTable(id="library-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="library-empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in (("", "flags"), ("Title", "title"), ("Site", "site"),
                           ("Saved", "saved"), ("Published", "published"), ("Min", "minutes"),
                           ("Read", "progress"), ("Tags", "tags")):
            table.add_column(label, key=key)
        self.refresh_rows()
        table.focus()

    # ------------------------------------------------------------------ rows

    def _query(self) -> dict[str, Any]:
        return {"search": self.search or None, "sort": self.sort, "filter": self.filter,
                "tag": self.tag}

    def refresh_rows(self, keep: int | None = None) -> None:
        """Ask the library again and show the page of the answer the cursor is on.

        The table never holds the whole list: a library of 100,000 articles would take
        seconds to read and measure. It holds a window of rows fetched a page at a time
        from the store (:meth:`_more_rows` adds pages as the cursor nears either edge);
        the list's length comes from a count apart. The cursor stays on the same article
        (found by :meth:`LibrarySession.index_of`), or at the same place if it is gone.
        """
        table = self.query_one(DataTable)
        place = self.base + table.cursor_row if self.ids else 0
        if keep is None and self.ids and table.cursor_row < len(self.ids):
            keep = self.ids[table.cursor_row]
        query = self._query()
        self.total = self.library.count(search=query["search"], filter=self.filter,
                                        tag=self.tag, sort=self.sort)
        where = None
        if keep is not None and self.total:
            where = self.library.index_of(keep, **query)
        if where is None:
            where = min(place, max(0, self.total - 1))
        self._show_window(where)
        self._say_if_empty()
        state = f"{self.total} · {self.filter} · by {self.sort}"
        if self.tag:
            state += f" · #{self.tag}"
        self.show_state(state)

    def _show_window(self, where: int) -> None:
        """Fill the table with a page of rows around list position ``where`` and put the
        cursor there."""
        start = max(0, min(where - ROWS_PAGE // 2, self.total - ROWS_PAGE))
        if where < ROWS_PAGE:
            start = 0  # the top of the list is always whole
        self._fill(start, self.library.entries(**self._query(), limit=ROWS_PAGE,
                                               offset=start))
        if self.ids:
            self.query_one(DataTable).move_cursor(row=min(where - start, len(self.ids) - 1))

    def _fill(self, start: int, entries: list[Any]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.base = start
        self.entries = []
        self.ids = []
        self._add_rows(entries)

    def _say_if_empty(self) -> None:
        """An empty table says why: nothing matches, or nothing is saved yet."""
        empty = self.query_one("#library-empty", Static)
        empty.display = not self.total
        if self.total:
            return
        narrowed = [f"“{self.search}”"] if self.search else []
        if self.filter != "all":
            narrowed.append(f"the filter {self.filter}")
        if self.tag:
            narrowed.append(f"the tag #{self.tag}")
        if narrowed:
            sentence = ("No saved article matches " + " and ".join(narrowed)
                        + ". (v changes the filter, # the tag.)")
        else:
            sentence = ("Nothing saved yet. Press s while reading to save an article, "
                        "or i to import a reading list.")
        empty.update(Content.styled(sentence, "italic"))

    def show_state(self, state: str) -> None:
        """The line beside the search box: count, filter, sort (or an import's progress)."""
        self.query_one("#library-state", Static).update(Content.styled(state, "dim"))

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(Footer).compact = event.size.width < 100  # Help and Quit stay in view
        if self.ids and event.size.width != self._laid_out_width:
            self.refresh_rows()  # clip titles again for the new width

    def _column_widths(self) -> tuple[int, int, int]:
        """Title, site and tags widths that fit the window beside the fixed columns
        (flags, two dates, minutes, progress and the table's padding take 46)."""
        # 46 for the fixed columns and the cells' padding, 2 for the scrollbar.
        room = max(30, (self.size.width or 120) - 48)
        tags = max(10, min(24, room // 5))
        site = max(6, min(20, room // 4))
        title = max(12, min(60, room - site - tags))
        return title, site, tags

    def _add_rows(self, entries: list[Any]) -> None:
        table = self.query_one(DataTable)
        title_w, site_w, tags_w = self._column_widths()
        self._laid_out_width = self.size.width
        for e in entries:
            flags = ("★" if e.favourite else " ") + ("▣" if e.archived else " ") + (
                "!" if getattr(e, "error", None) else " ")
            progress = f"{round((e.progress or 0) * 100)}%" if e.progress else ""
            # Text, never markup: titles and tags are data from strangers' pages.
            table.add_row(
                Text(flags),
                Text(_clip(e.title or e.url, title_w)),
                Text(_clip(e.site_name or "", site_w)),
                Text(short_date(e.saved_at)),
                Text(short_date(e.published)),
                Text(str(e.reading_minutes) if e.reading_minutes else ""),
                Text(progress),
                Text(_clip(", ".join(e.tags), tags_w)),
                key=str(e.id),
            )
            self.ids.append(e.id)
            self.entries.append(e)

    def action_last_row(self) -> None:
        """The real end of the list, not of the rows drawn so far: its last page."""
        if not self.total:
            return
        if self.base + len(self.ids) >= self.total:
            self.query_one(DataTable).move_cursor(row=len(self.ids) - 1)
        else:
            self._show_window(self.total - 1)

    def action_first_row(self) -> None:
        if not self.ids:
            return
        if self.base == 0:
            self.query_one(DataTable).move_cursor(row=0)
        else:
            self._show_window(0)

    @on(DataTable.RowHighlighted)
    def _more_rows(self, event: DataTable.RowHighlighted) -> None:
        """The next page from the store as the cursor nears the end of the rows held (keyset:
        as quick at row 99,000 as at row 100), the one before as it nears their top. The
        table keeps at most a few pages: scrolling through the whole list never holds it."""
        table = self.query_one(DataTable)
        row = table.cursor_row  # not the event's: the rows may have been refilled since
        if not self.ids or row >= len(self.ids):
            return
        end = self.base + len(self.ids)
        if row >= len(self.ids) - ROWS_PAGE // 4 and end < self.total:
            more = self.library.entries(**self._query(), limit=ROWS_PAGE, after=self.ids[-1])
            if len(self.ids) + len(more) <= ROWS_PAGE * WINDOW_PAGES:
                self._add_rows(more)
                return
            drop = len(self.ids) - ROWS_PAGE * (WINDOW_PAGES - 2)
            where = self.base + row
            self._fill(self.base + drop, self.entries[drop:] + more)
            table.move_cursor(row=where - self.base)
        elif row < ROWS_PAGE // 4 and self.base > 0:
            start = max(0, self.base - ROWS_PAGE)
            earlier = self.library.entries(**self._query(), limit=self.base - start,
                                           offset=start)
            where = self.base + row
            self._fill(start, earlier + self.entries[:ROWS_PAGE * (WINDOW_PAGES - 1)])
            table.move_cursor(row=where - start)

    def current_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not self.ids or table.cursor_row >= len(self.ids):
            return None
        return self.ids[table.cursor_row]

    # ------------------------------------------------------------------ search

    @on(Input.Changed, "#library-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        value = event.value
        self._debounce = self.set_timer(0.08, lambda: self._apply_search(value))

    def _apply_search(self, value: str) -> None:
        self.search = value.strip()
        self.refresh_rows()

    @on(Input.Submitted, "#library-search")
    def _search_done(self, event: Input.Submitted) -> None:
        self._apply_search(event.value)
        self.query_one(DataTable).focus()

    def on_key(self, event: events.Key) -> None:
        """From the search box, Down and Page Down go to the list (typing stays typing);
        in the list, End and Home go to the ends of the whole list."""
        if event.key in ("down", "pagedown", "tab") and self.focused is self.query_one(
                "#library-search"):
            event.stop()
            event.prevent_default()
            self.query_one(DataTable).focus()
        elif event.key in ("end", "home") and isinstance(self.focused, DataTable):
            # The table's own End goes to the last row it holds, a page of the list.
            event.stop()
            event.prevent_default()
            self.action_last_row() if event.key == "end" else self.action_first_row()

    def action_focus_search(self) -> None:
        self.query_one("#library-search", Input).focus()

    # ------------------------------------------------------------------ actions

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        article_id = self.current_id()
        if article_id is not None:
            self.app.post_message(OpenSaved(article_id))

    def action_archive(self) -> None:
        article_id = self.current_id()
        if article_id is None:
            return
        entry = self.library.get(article_id)
        if entry is None or not self.library.set_archived(article_id, not entry.archived):
            return
        self.notify("Archived." if not entry.archived else "Back in the reading list.",
                    timeout=2)
        self.refresh_rows()

    def action_favourite(self) -> None:
        article_id = self.current_id()
        if article_id is None:
            return
        entry = self.library.get(article_id)
        if entry is not None and self.library.set_favourite(article_id, not entry.favourite):
            self.refresh_rows()

    @work
    async def action_tags(self) -> None:
        article_id = self.current_id()
        if article_id is None:
            return
        entry = self.library.get(article_id)
        if entry is None:
            return
        answer = await self.app.push_screen_wait(TextPrompt(
            f"Tags for “{_clip(entry.title or entry.url, 50)}”, separated by commas",
            value=", ".join(entry.tags), placeholder="e.g. science, to-cite"))
        if answer is None:
            return
        tags = [t.strip() for t in answer.split(",") if t.strip()]
        if self.library.set_tags(article_id, tags):
            self.refresh_rows()

    @work
    async def action_delete(self) -> None:
        article_id = self.current_id()
        if article_id is None:
            return
        entry = self.library.get(article_id)
        if entry is None:
            return
        title = entry.article.title or entry.url
        if not await self.app.push_screen_wait(
                ConfirmDialog(f"Delete “{title}” from the library? (z undoes it)", "Delete",
                              "Keep")):
            return
        token = self.library.delete(article_id)
        if token is None:
            return
        self._undo.append(token)
        self.notify("Deleted. Press z to undo.", timeout=4)
        self.refresh_rows()

    def action_undo(self) -> None:
        if not self._undo:
            self.notify("Nothing to undo.", timeout=2)
            return
        article_id = self.library.undelete(self._undo.pop())
        if article_id is None:
            return
        self.app.clear_notifications()  # "Deleted. Press z to undo." is no longer true
        self.notify("Restored.", timeout=2)
        self.refresh_rows(keep=article_id)

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.refresh_rows()

    def action_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.refresh_rows()

    @work
    async def action_tag_filter(self) -> None:
        known = self.library.all_tags()
        in_use = ("Tags in use: " + ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
                  + ". ") if known else "No tags yet. "
        answer = await self.app.push_screen_wait(TextPrompt(
            "Show only articles with the tag", value=self.tag or "",
            hint=in_use + "An empty tag shows all; Esc cancels."))
        if answer is not None:
            self.tag = answer.strip() or None
            self.refresh_rows()

    def action_back(self) -> None:
        if self.focused is self.query_one("#library-search"):
            self.query_one(DataTable).focus()
        elif self._has_article():
            self.app.pop_screen()  # back to the article underneath
