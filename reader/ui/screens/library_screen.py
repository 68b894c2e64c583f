"""The library: saved articles, searched as you type, filtered, sorted and acted on.

The screen is drawn by two small widgets of its own instead of a ``DataTable`` and a
``Footer``, because those two were nearly all of its first paint (measured with
``benchmarks/library.py``): a DataTable renders every cell through Rich (about half a
millisecond a cell), and a Footer mounts a widget per key and builds them again on every
focus change. :class:`EntryList` draws each visible line straight from the store's rows
(the list is virtual: it holds pages of a 100,000-article list, fetched as they come into
view), and :class:`~reader.ui.widgets.keyline.KeyLine` draws the keys as one line of text.

A search also finds articles by their highlights and notes (the store does that), and
items of the feeds subscribed to: they are listed after the articles under a heading,
"From your feeds", and Enter reads one as the feeds screen does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Input, Static

from reader.errors import ReaderError
from reader.ui.dialogs import ConfirmDialog, SearchBox, TextPrompt
from reader.ui.messages import OpenSaved
from reader.ui.widgets.keyline import KeyLine

if TYPE_CHECKING:
    from reader.fetch import Fetcher
    from reader.library.feeds import FeedItem
    from reader.ui.library_session import LibrarySession

SORTS = ("saved", "published", "title", "progress")
ROWS_PAGE = 100  # rows fetched from the store at a time
KEEP_PAGES = 8  # the most pages of rows held at once
NARROW_LIST = 100  # below this many columns the list drops its less needed columns
VERY_NARROW_LIST = 72  # and below this many, all but the title, progress and tags
FILTERS = ("all", "unread", "archived", "favourites")
FEED_HITS = 50  # feed items listed under a search's articles (the newest that match)
FEEDS_HEADING = "From your feeds"


def short_date(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.isoformat()[:10]  # strftime costs ten times as much, on every line
    return str(value)[:10]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: cut with "…" (wide characters counted as two)
    or padded with spaces."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    return set_cell_size(text, width)


class Heading(NamedTuple):
    """A row that heads a group of rows ("From your feeds"); the cursor passes over it."""

    label: str


# --------------------------------------------------------------------------- the list


class EntryList(ScrollView, can_focus=True):
    """The library list: a header line, then one line per row of a list that may hold
    100,000 articles. It is virtual: it knows the list's length (``total``) and asks
    ``fetch(offset, limit, before)`` for a page of rows when a line of it is drawn
    (``before`` is the row just before ``offset`` when it is held, for keyset paging),
    keeping a few pages around the cursor. A row is a library ``Entry``, a feed item or
    a :class:`Heading`."""

    DEFAULT_CSS = """
    EntryList {
        background: $surface;
        color: $foreground;
        /* rows are cut to the width: no horizontal scrollbar taking the last line */
        overflow-x: hidden;
        &:focus { background-tint: $foreground 5%; }
    }
    EntryList > .entry-list--header { text-style: bold; background: $panel; color: $foreground; }
    EntryList > .entry-list--even { background: $surface-lighten-1 50%; }
    EntryList:dark > .entry-list--even { background: $surface-darken-1 40%; }
    EntryList > .entry-list--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    EntryList:focus > .entry-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    EntryList > .entry-list--heading { color: $text-accent; text-style: bold; }
    EntryList > .entry-list--muted { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"entry-list--header", "entry-list--even", "entry-list--cursor",
                         "entry-list--heading", "entry-list--muted"}
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False, id="library.row_up"),
        Binding("down,j", "move(1)", "Down", show=False, id="library.row_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="library.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="library.page_down"),
        # No descriptions: the screen's "First article", "Last article" and "Open" are the
        # same keys, and help and the palette listed each twice.
        Binding("home", "move_to(0)", "", show=False, id="library.list_first"),
        Binding("end", "move_to(-1)", "", show=False, id="library.list_last"),
        Binding("enter", "select", "", show=False, id="library.select"),
    ]
    HELP_TITLE = "Moving in the list"
    COLUMNS = ("", "Title", "Site", "Saved", "Published", "Min", "Read", "Tags")

    class Selected(Message):
        """Enter (or a click on the cursor's row) on row ``index``."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, fetch: Callable[[int, int, Any], list[Any]], *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.fetch = fetch
        self.total = 0
        self.cursor = 0
        self._pages: dict[int, list[Any]] = {}

    # -- rows

    def reset(self, total: int, cursor: int = 0) -> None:
        """A new list of ``total`` rows, the cursor on row ``cursor``."""
        self._pages = {}
        self.total = total
        self.virtual_size = Size(self.size.width, total + 1)
        self.cursor = max(0, min(cursor, total - 1))
        self._skip_heading(1)
        self._show_cursor()
        self.refresh()

    def row(self, index: int) -> Any | None:
        """Row ``index`` of the list (fetched with its page if need be)."""
        if not 0 <= index < self.total:
            return None
        number, at = divmod(index, ROWS_PAGE)
        page = self._pages.get(number)
        if page is None:
            before = self._pages.get(number - 1)
            page = self.fetch(number * ROWS_PAGE, ROWS_PAGE, before[-1] if before else None)
            if len(self._pages) >= KEEP_PAGES:  # forget the page farthest from the cursor
                here = self.cursor // ROWS_PAGE
                del self._pages[max(self._pages, key=lambda n: abs(n - here))]
            self._pages[number] = page
        return page[at] if at < len(page) else None

    def held(self) -> list[Any]:
        """The rows held now (the pages fetched so far), in list order."""
        return [row for n in sorted(self._pages) for row in self._pages[n]]

    def current(self) -> Any | None:
        return self.row(self.cursor) if self.total else None

    # -- moving

    def move_to(self, index: int) -> None:
        if not self.total:
            return
        step = 1 if index >= self.cursor else -1
        self.cursor = max(0, min(index, self.total - 1))
        self._skip_heading(step)
        self._show_cursor()
        self.refresh()

    def _skip_heading(self, step: int) -> None:
        for direction in (step, -step):
            index = self.cursor
            while 0 <= index < self.total and isinstance(self.row(index), Heading):
                index += direction
            if 0 <= index < self.total:
                self.cursor = index
                return

    def _show_cursor(self) -> None:
        rows = max(1, self.size.height - 1)  # the header takes a line
        top = round(self.scroll_y)
        if self.cursor < top:
            top = self.cursor
        elif self.cursor >= top + rows:
            top = self.cursor - rows + 1
        self.scroll_to(y=top, animate=False, immediate=True)

    def action_move_to(self, index: int) -> None:
        """Row ``index``; -1 is the last row of the whole list (not of the rows held)."""
        self.move_to(index if index >= 0 else self.total - 1)

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        self.move_to(self.cursor + step * max(1, self.size.height - 2))

    def action_select(self) -> None:
        if self.total:
            self.post_message(self.Selected(self.cursor))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.total + 1)
        self._show_cursor()

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        index = round(self.scroll_y) + event.y - 1
        if not 0 <= index < self.total or isinstance(self.row(index), Heading):
            return
        if index == self.cursor or event.chain > 1:
            self.post_message(self.Selected(index))
        else:
            self.move_to(index)

    # -- drawing

    def widths(self) -> tuple[int, ...]:
        """Column widths for the present width: title, site and tags share what the
        fixed columns (flags, two dates, minutes, progress) leave."""
        if self.size.width < VERY_NARROW_LIST:
            # 60 columns: the site and the date saved give way too, or the title would be
            # cut at 14 characters ("Council approv…") to keep them.
            room = max(24, self.size.width - 15)  # flags, progress, padding, scrollbar
            tags = max(6, min(12, room // 5))
            return 3, max(12, room - tags - 2), 0, 0, 0, 0, 4, tags
        if self.size.width < NARROW_LIST:
            # An 80-column terminal: the publication date and the minutes give way (a
            # width of 0 hides a column), or the title would be cut at 14 characters.
            room = max(30, self.size.width - 31)  # 29 fixed with the padding, 2 scrollbar
            tags = max(8, min(24, room // 5))
            site = max(6, min(20, room // 4))
            return 3, max(12, room - site - tags), site, 10, 0, 0, 4, tags
        room = max(30, self.size.width - 48)  # 46 fixed with the cells' padding, 2 scrollbar
        tags = max(10, min(24, room // 5))
        site = max(6, min(20, room // 4))
        title = max(12, min(60, room - site - tags))
        return 3, title, site, 10, 10, 3, 4, tags

    def cells(self, row: Any) -> tuple[str, ...]:
        """The texts of a row's columns."""
        if hasattr(row, "saved_at"):  # a library entry
            flags = ("★" if row.favourite else " ") + ("▣" if row.archived else " ") + (
                "!" if row.error else " ")
            return (flags, row.title or row.url, row.site_name or "", short_date(row.saved_at),
                    short_date(row.published),
                    str(row.reading_minutes) if row.reading_minutes else "",
                    f"{round(row.progress * 100)}%" if row.progress else "",
                    ", ".join(row.tags))
        # a feed item
        return ("  ●" if not row.read else "   ", row.title or row.url or "", row.feed_title,
                "", short_date(row.published), "", "", "feed")

    def drawn_cells(self, row: Any) -> list[str]:
        """A row's columns as they are drawn at the present width (cut to fit)."""
        return [_fit(t, w).rstrip() for t, w in zip(self.cells(row), self.widths(),
                                                      strict=True)]

    def _line(self, texts: tuple[str, ...], widths: tuple[int, ...]) -> str:
        return "".join(" " + _fit(t, w) + " " for t, w in zip(texts, widths, strict=True)
                       if w)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        widths = self.widths()
        if y == 0:
            style = base + self.get_component_rich_style("entry-list--header")
            return Strip([Segment(set_cell_size(self._line(self.COLUMNS, widths), width),
                                  style)], width)
        index = round(self.scroll_y) + y - 1
        row = self.row(index)
        if row is None:
            return Strip([Segment(" " * width, base)], width)
        if isinstance(row, Heading):
            style = base + self.get_component_rich_style("entry-list--heading")
            return Strip([Segment(set_cell_size(f" ── {row.label} ", width), style)], width)
        style = base
        if index % 2:
            style += self.get_component_rich_style("entry-list--even")
        if not hasattr(row, "saved_at"):
            style += self.get_component_rich_style("entry-list--muted")
        if index == self.cursor:
            style += self.get_component_rich_style("entry-list--cursor")
        text = set_cell_size(self._line(self.cells(row), widths), width)
        return Strip([Segment(text, style)], width)


# --------------------------------------------------------------------------- the screen


class LibraryScreen(Screen[None]):
    """Everything saved. Typing in the search box filters the list at once."""

    HELP_TITLE = "The library"
    HELP_ORDER = 10

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="library.focus_search", priority=True),
        Binding("enter", "open", "Open", show=False, id="library.open"),
        Binding("a", "archive", "Archive", id="library.archive"),
        Binding("asterisk", "favourite", "Favourite", show=False, id="library.favourite"),
        Binding("F", "app.feeds", "Feeds", show=False, id="library.feeds"),
        Binding("T", "tags", "Tags", show=False, id="library.tags"),
        Binding("d,delete", "delete", "Delete", id="library.delete"),
        Binding("z,ctrl+z", "undo", "Undo delete", show=False, id="library.undo"),
        Binding("S", "sort", "Sort", id="library.sort"),
        Binding("v", "filter", "Filter", id="library.filter"),
        # A priority binding, as "/" is: see the note above action_tags.
        Binding("number_sign", "tag_filter", "Tag filter", show=False, id="library.tag_filter",
                priority=True),
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
                 has_article: Callable[[], bool] = lambda: False,
                 fetcher: Callable[[], Fetcher] | None = None) -> None:
        super().__init__()
        self.library = library
        self._has_article = has_article  # Esc goes back to it, if there is one
        self._fetcher = fetcher  # for feed items found by a search
        self.sort = "saved"
        self.filter = "all"
        self.tag: str | None = None
        self.search = ""
        self.total = 0  # how many articles the whole list holds
        self.feed_hits: list[FeedItem] = []  # feed items a search found, after the articles
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="library-bar"):
            yield SearchBox(self._leave_search,
                            placeholder="Search title, author, text, highlights and feeds…",
                            id="library-search")
            yield Static(id="library-state")
        yield EntryList(self._fetch, id="library-table")
        yield Static(id="library-empty")
        yield KeyLine()

    def on_mount(self) -> None:
        self.refresh_rows()
        self.entry_list.focus()

    @property
    def entry_list(self) -> EntryList:
        return self.query_one(EntryList)

    # ------------------------------------------------------------------ rows

    def _query(self) -> dict[str, Any]:
        return {"search": self.search or None, "sort": self.sort, "filter": self.filter,
                "tag": self.tag}

    def _fetch(self, offset: int, limit: int, before: Any) -> list[Any]:
        """Rows ``offset`` to ``offset + limit`` of the list: the articles (keyset after
        ``before`` when it is an article), then the feed items a search found."""
        rows: list[Any] = []
        if offset < self.total:
            after = before.id if before is not None and hasattr(before, "saved_at") else None
            rows = self.library.entries(**self._query(), limit=min(limit, self.total - offset),
                                        offset=0 if after is not None else offset, after=after)
        if self.feed_hits and offset + limit > self.total:
            extra: list[Any] = [Heading(f"{FEEDS_HEADING} ({len(self.feed_hits)})"),
                                *self.feed_hits]
            start = max(0, offset - self.total)
            rows += extra[start:start + limit - len(rows)]
        return rows

    def refresh_rows(self, keep: int | None = None) -> None:
        """Ask the library again and show the list with the cursor on the same article
        (found by :meth:`LibrarySession.index_of`), or at the same place if it is gone.

        Nothing here reads the whole list: a library of 100,000 articles would take
        seconds to read. The list's length comes from a count, and :class:`EntryList`
        fetches the pages it draws."""
        table = self.entry_list
        place = table.cursor
        current = table.current()
        if keep is None and current is not None and hasattr(current, "saved_at"):
            keep = current.id
        query = self._query()
        self.total = self.library.count(search=query["search"], filter=self.filter,
                                        tag=self.tag, sort=self.sort)
        self.feed_hits = self._feed_hits() if self.search else []
        where = None
        if keep is not None and self.total:
            where = self.library.index_of(keep, **query)
        if where is None:
            where = min(place, max(0, self.total - 1))
        rows = self.total + (len(self.feed_hits) + 1 if self.feed_hits else 0)
        table.reset(rows, where)
        self._say_if_empty()
        state = f"{self.total} · {self.filter} · by {self.sort}"
        if self.tag:
            state += f" · #{self.tag}"
        if self.feed_hits:
            state += f" · {len(self.feed_hits)} in feeds"
        self.show_state(state)

    def _feed_hits(self) -> list[FeedItem]:
        """The newest feed items that match the search (none while a filter or tag
        narrows the list: those are about saved articles)."""
        if self.filter != "all" or self.tag:
            return []
        return self.library.feed_items(self.search, limit=FEED_HITS)

    def _say_if_empty(self) -> None:
        """An empty table says why: nothing matches, or nothing is saved yet."""
        empty = self.query_one("#library-empty", Static)
        empty.display = not self.entry_list.total
        # An empty list keeps only its header, so the sentence sits where the rows would
        # be rather than at the foot of the screen, thirty lines from where one looks.
        self.entry_list.styles.height = "1fr" if self.entry_list.total else 1
        if self.entry_list.total:
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

    def rows_held(self) -> list[Any]:
        """The rows the list holds now (pages of it), in order: for tests and tools."""
        return self.entry_list.held()

    @property
    def ids(self) -> list[int]:
        """The ids of the articles among the rows held now."""
        return [row.id for row in self.entry_list.held() if hasattr(row, "saved_at")]

    def action_last_row(self) -> None:
        """The real end of the list, not of the rows drawn so far."""
        self.entry_list.move_to(self.entry_list.total - 1)

    def action_first_row(self) -> None:
        self.entry_list.move_to(0)

    def current_id(self) -> int | None:
        row = self.entry_list.current()
        return row.id if row is not None and hasattr(row, "saved_at") else None

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

    def _leave_search(self, value: str) -> None:
        """Enter, Down, Page Down or Tab in the search box: the list shows what was typed
        (not waiting for the pause after typing) and has the focus, at once (see
        SearchBox: the keys typed after these act on the list)."""
        if self._debounce is not None:
            self._debounce.stop()
        if value.strip() != self.search:
            self._apply_search(value)
        self.set_focus(self.entry_list)

    def action_focus_search(self) -> None:
        """Focus the search box at once. "/" is a priority binding (run as the app reads
        the key, before it hands on the keys after it) and the focus moves now, not
        later as ``focus()`` would: "/" and a word typed in one burst (a fast typist, a
        paste, tmux) put the word in the box instead of acting on the list letter by
        letter."""
        self.set_focus(self.query_one("#library-search", Input))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In the search box "/" and "#" are characters to type, not this screen's keys
        # (they are priority bindings, seen before the box sees them).
        return action not in ("focus_search", "tag_filter") or (
            self.focused is not self.query_one("#library-search"))

    # ------------------------------------------------------------------ actions

    @on(EntryList.Selected)
    def _row_selected(self, event: EntryList.Selected) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self.entry_list.current()
        if row is None or isinstance(row, Heading):
            return
        if hasattr(row, "saved_at"):
            self.app.post_message(OpenSaved(row.id))
        else:
            self.open_feed_item(row)

    @work(exclusive=True, group="open")
    async def open_feed_item(self, item: FeedItem) -> None:
        """Read a feed item found by a search as the feeds screen reads one (the page
        cleaned, else the feed's own text), marked read; Back returns to the article
        shown before, as from the feeds screen."""
        from reader.feeds.refresh import item_article
        from reader.ui.screens.feeds_screen import FeedsScreen

        feeds = self.library.feeds()
        fetcher = self._fetcher or getattr(self.app, "fetcher", None)
        if feeds is None or fetcher is None:
            return
        self.show_state(f"opening {_clip(item.title, 40)} …")
        try:
            article, html, source, note = await item_article(feeds, fetcher(), item)
            feeds.mark_read(item_ids=[item.id])
        except ReaderError as exc:
            self.show_state("")
            self.notify(exc.sentence, title="Not opened", severity="error", markup=False)
            return
        self.post_message(FeedsScreen.OpenArticle(article, source, html, item.id, note))

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

    # The dialogs below are pushed from their key's handler, not from a worker, so that
    # the keys that come after it reach the dialog. T and d act on the row under the
    # cursor, so they wait for the keys before them (a "j" typed ahead still moves the
    # cursor first); # concerns no row, and is a priority binding like "/": "#later" typed
    # in one burst reaches the prompt whole (its "l" was lost).

    def action_tags(self) -> None:
        article_id = self.current_id()
        if article_id is None:
            return
        entry = self.library.get(article_id)
        if entry is None:
            return

        def done(answer: str | None) -> None:
            if answer is None:
                return
            tags = [t.strip() for t in answer.split(",") if t.strip()]
            if self.library.set_tags(article_id, tags):
                self.refresh_rows()

        self.app.push_screen(TextPrompt(
            f"Tags for “{_clip(entry.title or entry.url, 50)}”, separated by commas",
            value=", ".join(entry.tags), placeholder="e.g. science, to-cite"), done)

    def action_delete(self) -> None:
        article_id = self.current_id()
        if article_id is None:
            return
        entry = self.library.get(article_id)
        if entry is None:
            return
        title = entry.article.title or entry.url

        def done(yes: bool | None) -> None:
            if not yes:
                return
            token = self.library.delete(article_id)
            if token is None:
                return
            self.library.deleted.append(token)
            self.notify("Deleted. Press z to undo.", timeout=4)
            self.refresh_rows()

        self.app.push_screen(ConfirmDialog(
            f"Delete “{title}” from the library? (y deletes, z undoes it)", "Delete", "Keep"),
            done)

    def action_undo(self) -> None:
        if not self.library.deleted:
            self.notify("Nothing to undo.", timeout=2)
            return
        article_id = self.library.undelete(self.library.deleted[-1])
        if article_id is None:  # a busy library: said so; the delete stays undoable
            return
        self.library.deleted.pop()
        self.app.clear_notifications()  # "Deleted. Press z to undo." is no longer true
        self.notify("Restored.", timeout=2)
        self.refresh_rows(keep=article_id)

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.refresh_rows()

    def action_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.refresh_rows()

    def action_tag_filter(self) -> None:
        known = self.library.all_tags()
        in_use = ("Tags in use: " + ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
                  + ". ") if known else "No tags yet. "

        def done(answer: str | None) -> None:
            if answer is not None:
                self.tag = answer.strip() or None
                self.refresh_rows()

        self.app.push_screen(TextPrompt(
            "Show only articles with the tag", value=self.tag or "",
            hint=in_use + "An empty tag shows all; Esc cancels.", select=True), done)

    def action_back(self) -> None:
        if self.focused is self.query_one("#library-search"):
            self.entry_list.focus()
        elif self._has_article():
            self.app.pop_screen()  # back to the article underneath
