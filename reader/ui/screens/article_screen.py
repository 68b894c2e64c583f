"""The screen where a person reads: header, contents, body, figures, status, footer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets._toast import ToastRack

from reader.config import Config
from reader.document import Article, Figure, Heading, Position, block_text, first_words
from reader.ui.messages import (
    CancelLoading,
    CopyText,
    GoBack,
    GoForward,
    OpenInBrowser,
    OpenLink,
    ReadingMoved,
    Remember,
)
from reader.ui.pictures.loader import ImageLoader
from reader.ui.widgets.article.body import ArticleBody
from reader.ui.widgets.article.header import ArticleHeader
from reader.ui.widgets.article.status import StatusLine
from reader.ui.widgets.keyline import QUIT_KEYS, KeyLine, LineEdit, Prompt
from reader.ui.widgets.panes.figures import ENTRY_LINES as FIGURE_ENTRY_LINES
from reader.ui.widgets.panes.figures import FiguresPane
from reader.ui.widgets.panes.toc import TocPane

if TYPE_CHECKING:
    from reader.library.highlights import Highlight, Placed
    from reader.ui.app import ReaderApp

COUNT_INLINE_CHARS = 200_000  # an article longer than this has its words counted aside
COUNT_WHEN_STILL = 1.0  # seconds without scrolling before they are
NARROW = 90  # columns below which the panes become overlays
SHORT = 20  # rows below which the header takes one line
SETTLE_AT_MOST = 0.5  # seconds when_settled waits for the screen's first Resize


def _short(article: Article) -> bool:
    """Whether the article's reading time is counted as it is shown (see show())."""
    total = 0
    for block in article.blocks:
        total += len(block_text(block))
        if total >= COUNT_INLINE_CHARS:
            return False
    return True


def _lines_over(article: Article, measure: int, rows: int) -> bool:
    """Whether the article surely takes more than ``rows`` lines at ``measure`` columns
    (a block is at least a line; a paragraph at least its characters over the measure)."""
    lines = 0
    for block in article.blocks:
        lines += 1 + len(block_text(block)) // max(1, measure)
        if lines > rows:
            return True
    return False


class ArticleScreen(Screen[None]):
    """Shows one article; the app swaps articles in and out through :meth:`show`."""

    HELP_TITLE = "Reading"
    HELP_ORDER = 10
    # The `/` prompt's keys (it takes keys as a line does, not through bindings).
    HELP_MORE = [
        ("Search prompt (/)", "Enter", "Find, from the view on"),
        ("Search prompt (/)", "Esc", "Close the prompt (Esc again clears the search)"),
        ("Search prompt (/)", "← → Home End", "Move the cursor (also Ctrl+A, Ctrl+E)"),
        ("Search prompt (/)", "Backspace Del", "Delete (Backspace on an empty query closes)"),
        ("Search prompt (/)", "Ctrl+W Ctrl+U", "Delete the word before the cursor, all before it"),
        ("Search prompt (/)", "↑ ↓", "Earlier searches of this session"),
    ]

    BINDINGS = [
        Binding("t", "toggle_toc", "Contents", id="reader.toggle_toc"),
        Binding("f", "toggle_figures", "Figures", id="reader.toggle_figures"),
        # A priority binding: taken when the app reads the key, so that the prompt is
        # open before the keys typed after it are handed on (see on_key).
        Binding("slash", "search", "Search", priority=True, id="reader.search"),
        Binding("n", "next_hit", "Next hit", show=False, id="reader.next_hit"),
        Binding("N", "previous_hit", "Previous hit", show=False, id="reader.previous_hit"),
        Binding("right_square_bracket", "next_section", "Next section", show=False,
                id="reader.next_section"),
        Binding("left_square_bracket", "previous_section", "Previous section", show=False,
                id="reader.previous_section"),
        Binding("enter", "open_link", "Open link (typed number) or figure", show=False,
                id="reader.open_link"),
        Binding("O", "open_in_browser", "Open link, figure or page in browser", show=False,
                id="reader.open_in_browser"),
        # In help (?) and the palette, not the footer: it keeps room for Help and Quit.
        Binding("u", "links", "Links", show=False, id="reader.links"),
        # Priority, as `/`: the prompt is up before an address typed straight after `o`
        # is handed on, so the address is not read as keys of the article.
        Binding("o", "open_address", "Go to address", show=False, priority=True,
                id="reader.open_address"),
        Binding("y", "copy_link", "Copy link (typed number) or page address", show=False,
                id="reader.copy_link"),
        Binding("Y", "copy_page", "Copy page address", show=False, id="reader.copy_page"),
        Binding("W", "app.toggle_whole_page", "Whole page / cleaned article", show=False,
                id="reader.whole_page"),
        Binding("s", "app.save", "Save", id="reader.save"),
        Binding("m", "app.bookmark", "Bookmark", show=False, id="reader.bookmark"),
        Binding("apostrophe,B", "app.bookmarks", "Bookmarks", show=False, id="reader.bookmarks"),
        Binding("A", "highlights", "Highlights and notes", show=False, id="reader.highlights"),
        Binding("e", "edit_highlight", "Edit the note of the highlight at the cursor (or in view)",
                show=False, id="reader.edit_highlight"),
        Binding("d", "delete_highlight", "Delete the highlight at the cursor (or in view)",
                show=False, id="reader.delete_highlight"),
        Binding("z", "undo_highlight", "Undo deleting a highlight", show=False,
                id="reader.undo_highlight"),
        Binding("L", "app.library", "Library", id="reader.library"),
        Binding("H", "app.history", "History", show=False, id="reader.history"),
        Binding("F", "app.feeds", "Feeds", show=False, id="reader.feeds"),
        Binding("backspace,h", "back", "Back", show=False, id="reader.back"),
        Binding("l", "forward", "Forward", show=False, id="reader.forward"),
        Binding("plus,equals_sign", "wider", "Text width: wider", show=False, id="reader.wider"),
        Binding("minus", "narrower", "Text width: narrower", show=False, id="reader.narrower"),
        Binding("escape", "escape", "Cancel", show=False, id="reader.escape"),
        Binding("question_mark", "app.help", "Help", id="reader.help"),
        Binding("q", "app.quit", "Quit", id="reader.quit"),
    ]

    def __init__(self, config: Config | None = None, *,
                 fetcher: Callable[[], Any] | None = None,
                 image_lookup: Callable[[str], bytes | None] | None = None,
                 opening: Article | str | None = None) -> None:
        super().__init__()
        self.config = config or Config()
        # What the first show() will show, known before the screen is first laid out:
        # the article itself, or the name of a page still being extracted (see
        # _first_layout_final). None: nothing known in advance.
        self._opening = opening
        self._settled = False  # the first Resize came (see when_settled)
        self._when_settled: list[Callable[[], object]] = []
        self._fetcher = fetcher
        self._image_lookup = image_lookup
        self.article = Article()
        self.query_text = ""
        self._keyline = KeyLine(id="footer")  # (asked for on every key: kept at hand)
        self._queries: list[str] = []  # this session's searches, for Up at the prompt
        self.link_digits = ""
        # The panes a person opened or closed, per layout ("wide", "narrow"): closing an
        # overlay in a narrow window says nothing about the side panes of a wide one.
        self._panes: dict[str, dict[str, bool]] = {"wide": {}, "narrow": {}}
        self._minutes: int | None = 0  # None while a long article's words are counted
        self._last_moved = 0.0  # time.monotonic() of the body's last move
        self._toc_at: Position | None = None  # where the contents pane is to follow next
        self.images: ImageLoader | None = None  # pictures for figures; None when off
        self.image_mode = "off"
        self.placed: list[Placed] = []  # this article's highlights, re-anchored
        self._deleted_highlights: list[Highlight] = []  # for z

    def compose(self) -> ComposeResult:
        # The layout classes before anything is styled: set once mounted, they restyled
        # every widget again before the first frame.
        self._apply_width(self.app.size.width)
        header = ArticleHeader(id="header")
        body = ArticleBody(id="body")
        toc = TocPane(id="toc")
        figures = FiguresPane(id="figures")
        self._first_layout_final(header, body, toc, figures)
        yield header
        with Horizontal(id="main"):
            yield toc
            yield body
            yield figures
        yield StatusLine(id="status")
        yield self._keyline

    def _first_layout_final(self, header: ArticleHeader, body: ArticleBody, toc: TocPane,
                            figures: FiguresPane) -> None:
        """Give the widgets, before their first layout, the shape the article will give
        them: the header its lines, and the body and panes their scrollbars if the
        article will overflow them.

        Textual lays the screen out again after any layout in which a widget changed
        size or a scrollbar came or went — and draws every widget again after it. A
        header growing a line, or a scrollbar appearing, when the article arrived made
        the first text frame the first of three whole-screen layouts, and a key pressed
        as soon as the text showed waited behind the other two. Shaped in advance, the
        layout that shows the text is the last one."""
        opening = self._opening
        if opening is None:
            return
        rows = self.app.size.height
        if isinstance(opening, str):
            header.show_placeholder(f"Opening {opening} …", "extracting the article")
            # Long until shown otherwise: only a big page (sources.ASIDE_BYTES) is
            # extracted aside.
            overflows = {body: True, toc: True, figures: True}
        else:
            header.show(opening, None if _short(opening) else 0)
            # The panes have the rows less the header (1-4), status line, footer and
            # border: more entries than the most they can have overflow, and so
            # (guessed) do a few less.
            pane_rows = rows - 8
            overflows = {body: _lines_over(opening, self.config.width, rows),
                         toc: len(opening.toc()) > pane_rows,
                         figures: len(opening.figures()) * FIGURE_ENTRY_LINES > pane_rows}
        for widget, overflow in overflows.items():
            # While it stays empty, a class keeps the scrollbar (see reader.tcss);
            # show() takes the class away and lets Textual decide again.
            widget.set_class(overflow, "-opening")

    def _settle_scrollbars(self) -> None:
        """The article is in: each scrollbar shown if its widget overflows (the
        layout to come is the one that shows the text, and the last)."""
        for widget in (self.body, self.query_one(TocPane), self.query_one(FiguresPane)):
            if widget.has_class("-opening"):
                # Not restyled through the stylesheet (20 ms a widget at first paint):
                # the class goes, and the one style it set is set back by hand to what
                # the stylesheet gives these widgets without it.
                widget.remove_class("-opening", update=False)
                widget.styles.overflow_y = "auto"
                if widget.container_size:
                    widget._scroll_update(widget.virtual_size)

    @property
    def body(self) -> ArticleBody:
        return self.query_one(ArticleBody)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        # Textual hides the notifications' rack on every screen resume by setting its
        # display, which is a change the first time (a CSS rule, not a style of its
        # own yet): a layout right after the text's. Set now, before any layout.
        for rack in self.query(ToastRack):
            rack.display = rack.display
        self._apply_width(self.size.width)
        self.query_one(ArticleHeader).set_compact(0 < self.size.height < SHORT)
        self._start_images()
        self.body.focus()

    def _start_images(self) -> None:
        """Pictures for figures, unless the config (or --no-images) turned them off."""
        from reader.ui.pictures.terminal import resolve_mode

        self.image_mode = resolve_mode(self.config.images)
        if self.image_mode == "off":
            return
        self.images = ImageLoader(
            fetcher=self._fetcher,
            library_lookup=self._image_lookup,
            # after the next paint: pictures never hold up the text's first frame
            spawn=lambda job: self.call_after_refresh(
                self.run_worker, job, group="images", exit_on_error=False),
        )
        self.images.subscribe(self._image_ready)
        self.body.figure_lines = self.images.body_lines
        self.query_one(FiguresPane).images = self.images

    def _image_ready(self, src: str) -> None:
        self.body.figure_ready(src)
        self.query_one(FiguresPane).show_preview(src)

    # ------------------------------------------------------------------ showing

    def show(self, article: Article, position: Position | None = None, *,
             origin: str | None = None) -> None:
        """Show ``article``; ``origin`` is the address it was fetched from, whose figures
        the private-address policy judges (a public page may not load private pictures)."""
        self.article = article
        if self.images is not None:
            self.images.page_url = origin or article.url
        self.link_digits = ""
        self.status.set(link_input="", search="", hint="")
        self.query_text = ""
        self._close_prompt()
        self.body.set_article(article, position)
        # The reading time is counted once, not on every scroll step; a long article's
        # words (0.1-0.3 s at 2-8 MB) off the UI thread once the reader has been still.
        header = self.query_one(ArticleHeader)
        if self.body.text_length < COUNT_INLINE_CHARS:
            shown = header.shown
            self._minutes = (shown[1] if shown is not None and shown[0] is article and
                             shown[1] is not None else article.reading_minutes)
        else:
            self._minutes = None
            self._last_moved = time.monotonic()
            self.set_timer(COUNT_WHEN_STILL, lambda: self._count_when_still(article))
        header.show(article, self._minutes or 0)
        self.load_highlights()
        self.body.focus()
        # The panes are filled before the first frame: their entries are cheap (words
        # made into Content only when drawn, one fixed height each), and a pane filled
        # after it would cost a second layout and whole-screen frame, which a key
        # pressed as soon as the text shows had to wait behind.
        self._fill_panes(article)
        self._settle_scrollbars()

    def _count_when_still(self, article: Article) -> None:
        """Count a long article's words once the reader has not scrolled for a moment:
        the count holds the interpreter for a quarter of a second at 8 MB, which the
        first keys after the text appears would wait behind."""
        if article is not self.article:
            return
        still = time.monotonic() - self._last_moved
        if still < COUNT_WHEN_STILL:
            self.set_timer(COUNT_WHEN_STILL - still, lambda: self._count_when_still(article))
            return
        self._count_minutes(article)

    @work(group="minutes", exclusive=True, exit_on_error=False)
    async def _count_minutes(self, article: Article) -> None:
        minutes = await asyncio.to_thread(lambda: article.reading_minutes)
        if article is not self.article:
            return  # another article was shown in the meantime
        self._minutes = minutes
        self.query_one(ArticleHeader).show(article, minutes)
        self._update_status(self.body.top_position(), self.body.progress)

    def _fill_panes(self, article: Article) -> None:
        if article is not self.article:
            return  # another article was shown in the meantime
        toc = self.query_one(TocPane)
        toc.show(article)
        self.query_one(FiguresPane).show(article)
        position = self.body.reading_position()
        toc.follow(position)
        self._update_status(position, self.body.progress)

    # ------------------------------------------------------------------ layout

    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)
        self.query_one(ArticleHeader).set_compact(event.size.height < SHORT)
        if not self._settled:
            self.call_after_refresh(self._settle)

    def when_settled(self, callback: Callable[..., object], *args: object) -> None:
        """Call ``callback(*args)`` once the new screen has been laid out for its size.

        Textual lays a new screen out three or four times: when it is resumed, for each
        Resize event that follows (its own, from size 0; the terminal's, relayed by the
        app), and once more because widgets got their first size in the first (the
        layouts on a Resize leave that one pending). An article shown before these
        had its text drawn by the second, and a key pressed as soon as the text showed
        waited behind the rest. Shown once the screen is idle after its first Resize
        (and after the app's, see ReaderApp._open_first), the text's layout is the
        only one."""
        self._when_settled.append(partial(callback, *args))
        if self._settled:
            self.call_after_refresh(self._settle)  # after any Resize already on its way
        elif len(self._when_settled) == 1:
            self.set_timer(SETTLE_AT_MOST, self._settle)  # should no Resize ever come

    def _settle(self) -> None:
        self._settled = True
        callbacks, self._when_settled = self._when_settled, []
        for callback in callbacks:
            callback()

    def _apply_width(self, width: int) -> None:
        narrow = width < NARROW
        chosen = self._panes["narrow" if narrow else "wide"]
        toc = chosen.get("toc", not narrow and self.config.show_toc)
        figures = chosen.get("figures", not narrow and self.config.show_figures)
        wanted = {"-narrow": narrow, "-show-toc": toc, "-show-figures": figures}
        # All at once: each class changed on its own restyles every widget of the screen.
        self.add_class(*(name for name, on in wanted.items() if on))
        self.remove_class(*(name for name, on in wanted.items() if not on))

    @property
    def _layout(self) -> str:
        return "narrow" if self.has_class("-narrow") else "wide"

    def action_toggle_toc(self) -> None:
        shown = not self.has_class("-show-toc")
        self._panes[self._layout]["toc"] = shown
        self.set_class(shown, "-show-toc")
        if shown and self.has_class("-narrow"):
            self._panes["narrow"]["figures"] = False
            self.remove_class("-show-figures")
            self.query_one(TocPane).focus()
        elif not shown:
            self.body.focus()
        self._remember_panes()

    def action_toggle_figures(self) -> None:
        shown = not self.has_class("-show-figures")
        self._panes[self._layout]["figures"] = shown
        self.set_class(shown, "-show-figures")
        if shown and self.has_class("-narrow"):
            self._panes["narrow"]["toc"] = False
            self.remove_class("-show-toc")
            self.query_one(FiguresPane).focus()
        elif not shown:
            self.body.focus()
        self._remember_panes()

    def _remember_panes(self) -> None:
        if not self.has_class("-narrow"):
            self.app.post_message(Remember(show_toc=self.has_class("-show-toc"),
                                           show_figures=self.has_class("-show-figures")))

    def _close_overlays(self) -> bool:
        if not self.has_class("-narrow"):
            return False
        closed = False
        for cls, pane in (("-show-toc", "toc"), ("-show-figures", "figures")):
            if self.has_class(cls):
                self.remove_class(cls)
                self._panes["narrow"][pane] = False
                closed = True
        if closed:
            self.body.focus()
        return closed

    # ------------------------------------------------------------------ moving

    @on(ArticleBody.Moved)
    def _moved(self, event: ArticleBody.Moved) -> None:
        self._last_moved = time.monotonic()
        where = self.body.reading_position()
        self._update_status(where, event.progress)
        # The contents pane follows in the frame after the text's: End redraws the whole
        # pane (its highlight jumps to the last section), which was as much work as the
        # text's own frame, and a key should show its text first. Moves made before that
        # frame are one update.
        if self._toc_at is None:
            self.call_after_refresh(self._toc_follow)
        self._toc_at = where
        self.app.post_message(ReadingMoved(event.position, event.progress))

    def _toc_follow(self) -> None:
        where, self._toc_at = self._toc_at, None
        if where is not None:
            self.query_one(TocPane).follow(where)

    def _update_status(self, position: Position, progress: float) -> None:
        minutes = self._minutes
        left = None if minutes is None else round(minutes * (1 - progress)) if progress < 1 else 0
        self.status.set(
            percent=round(progress * 100),
            minutes_left=left,
            section=self.section_at(position),
        )

    def section_at(self, position: Position) -> str:
        toc = self.query_one(TocPane)
        index = toc.index_for(position)
        if index is None or position < toc.positions[0]:
            return ""  # still in the introduction, before the first heading
        block = self.article.blocks[toc.positions[index].block] if self.article.blocks else None
        if isinstance(block, Heading):
            return first_words(block.text, 48)
        return ""

    @on(TocPane.Chosen)
    def _toc_chosen(self, event: TocPane.Chosen) -> None:
        self.body.scroll_to_position(event.position)
        if self.has_class("-narrow"):
            self._close_overlays()
        self.body.focus()  # the reader chose where to read: the keys go back to the text

    @on(FiguresPane.Chosen)
    def _figure_chosen(self, event: FiguresPane.Chosen) -> None:
        self.body.scroll_to_position(event.position, context=1)
        if self.has_class("-narrow"):
            self._close_overlays()
        self.open_figure(event.figure)

    def figure_in_view(self) -> Figure | None:
        """The first figure drawn in the body's view, if any."""
        top, bottom = self.body.visible_range()
        for i in range(top.block, min(bottom.block + 1, len(self.article.blocks))):
            block = self.article.blocks[i]
            if isinstance(block, Figure):
                return block
        return None

    def open_figure(self, figure: Figure | None = None) -> None:
        """Show a figure full screen (the one in view by default)."""
        figure = figure or self.figure_in_view()
        if figure is None or self.images is None or not figure.src:
            return
        from reader.ui.screens.figure_screen import FigureScreen

        numbers = [f for _, f in self.article.figures()]
        number = numbers.index(figure) + 1 if figure in numbers else 0
        title = f"Figure {number} of {len(numbers)}" if number else "Figure"
        self.app.push_screen(FigureScreen(self.images, figure, self.image_mode, title, numbers))

    def _section_starts(self) -> list[Position]:
        return [e.position for e in self.article.toc()]

    def action_next_section(self) -> None:
        top = self.body.top_position()
        for position in self._section_starts():
            if position.block > top.block:
                self.body.scroll_to_position(position)
                return
        self.notify("This is the last section.", timeout=2)

    def action_previous_section(self) -> None:
        top = self.body.top_position()
        starts = [p for p in self._section_starts() if p.block < top.block]
        if starts:
            self.body.scroll_to_position(starts[-1])
        else:
            self.body.action_top()

    def action_wider(self) -> None:
        self._set_measure(self.body.measure + 4)

    def action_narrower(self) -> None:
        self._set_measure(self.body.measure - 4)

    def _set_measure(self, measure: int) -> None:
        measure = max(30, min(200, measure))
        self.body.measure = measure
        shown = self.body.content_width
        if shown < measure:
            self.notify(f"Text width {measure} columns; this window has room for {shown}.",
                        timeout=2)
        else:
            self.notify(f"Text width {measure} columns.", timeout=1.5)
        self.app.post_message(Remember(width=measure))

    # ------------------------------------------------------------------ search

    def action_open_address(self) -> None:
        if self.searching:
            raise SkipAction()  # `o` typed at the search prompt is part of the query
        self.app.action_open_address()  # type: ignore[attr-defined]

    @property
    def searching(self) -> bool:
        """Whether the `/` prompt is open (on the key line) and takes the keys."""
        return self._keyline.prompt is not None

    @property
    def search_prompt(self) -> LineEdit | None:
        """The query being typed at the `/` prompt, None when it is closed."""
        prompt = self._keyline.prompt
        return prompt.edit if prompt is not None else None

    def action_search(self) -> None:
        """Open the `/` prompt on the key line, the previous query offered (selected:
        typing replaces it, Enter searches it again, a move keeps it to edit).

        Nothing is shown, hidden or focused: the key line is redrawn, and the keys go on
        to the focused text, whose ``check_consume_key`` keeps them from the priority
        bindings (this `/` and `o`, the palette's Ctrl+P), and reach :meth:`on_key`,
        which edits. Keys typed together (`/word` Enter `n`, typed while the app was
        busy) are handled in the order typed: all of them go the same way."""
        if self.searching:
            raise SkipAction()  # `/` typed at the prompt is part of the query
        if self.focused is not self.body:
            self.set_focus(self.body)  # a pane had it: the keys go the body's way
        self._keyline.open_prompt(Prompt("/", LineEdit(self.query_text,
                                                 selected=bool(self.query_text),
                                                 history=self._queries),
                                   hint="Enter find · Esc cancel"
                                   + (" · ↑ earlier" if self._queries else "")))
        self.body.key_sink = self._prompt_consumes

    def _prompt_consumes(self, key: str, character: str | None) -> bool:
        """Every key but the quit keys is the prompt's while it is open."""
        return key not in QUIT_KEYS

    def _close_prompt(self) -> None:
        if self.is_mounted and self.searching:
            self.body.key_sink = None
            self._keyline.close_prompt()

    def _prompt_key(self, event: events.Key) -> None:
        """A key while the prompt is open: Enter searches, Esc gives up, Backspace on an
        empty query gives up (as less does), the rest edits."""
        edit = self.search_prompt
        if edit is None:
            return
        event.stop()
        event.prevent_default()
        key = event.key
        if key == "enter":
            self.submit_search(edit.text)
        elif key in ("escape", "ctrl+g") or (key in ("backspace", "ctrl+h") and not edit.text):
            self.close_search(clear=False)
        elif edit.key(key, event.character):
            self._keyline.refresh()

    def on_paste(self, event: events.Paste) -> None:
        edit = self.search_prompt
        if edit is not None:
            event.stop()
            edit.insert(event.text)
            self._keyline.refresh()

    def submit_search(self, query: str) -> None:
        """Enter at the prompt: close it, then find ``query``."""
        self.close_search(clear=False)
        if query and (not self._queries or self._queries[-1] != query):
            self._queries.append(query)
        self.run_search(query)

    def run_search(self, query: str) -> int:
        self.query_text = query
        count = self.body.search(query)
        if query and count:
            index = self.body.next_hit_index(True)
            self.body.goto_hit(max(0, index))
        self._update_search_status()
        if query and not count:
            self.notify(f"No match for “{query}” in this article.", severity="warning",
                        timeout=3)
        return count

    def close_search(self, *, clear: bool) -> None:
        """Close the prompt; ``clear`` also forgets the search and its highlights."""
        self._close_prompt()
        if clear:
            self.query_text = ""
            self.body.search("")
            self._update_search_status()

    def _update_search_status(self) -> None:
        body = self.body
        if not self.query_text:
            self.status.set(search="")
            return
        total = len(body.hits)
        current = body.hit_index + 1 if body.hit_index >= 0 else 0
        self.status.set(search=f"{current}/{total} “{self.query_text}”")

    def action_next_hit(self) -> None:
        self._step_hit(True)

    def action_previous_hit(self) -> None:
        self._step_hit(False)

    def _step_hit(self, forward: bool) -> None:
        if not self.body.hits:
            if self.query_text:
                self.notify(f"No match for “{self.query_text}” in this article.",
                            severity="warning", timeout=2)
            return
        self.body.goto_hit(self.body.next_hit_index(forward))
        self._update_search_status()

    # ------------------------------------------------------------------ links

    def on_key(self, event: events.Key) -> None:
        if self.searching:
            self._prompt_key(event)
            return
        if self._late_prompt_key(event):
            return
        if (event.character and event.character.isdigit() and self.focused is self.body
                and not self.body.selecting):  # `0` moves the selection's cursor
            self.link_digits = (self.link_digits + event.character)[-6:]
            self.status.set(link_input=self.link_digits)
            event.stop()
            event.prevent_default()

    def _late_prompt_key(self, event: events.Key) -> bool:
        """`/` or `o` handed on while the prompt was open (typed fast after an Enter
        that was still on its way to it): now that it is closed, the key acts."""
        from reader.ui.commands import keys_of

        keymap = getattr(self.app, "_keymap", {})  # the keys a person chose, normalised
        for binding in self.BINDINGS:
            if not (isinstance(binding, Binding) and binding.priority):
                continue
            if event.key in (key.strip() for key in keys_of(binding, keymap).split(",")):
                event.stop()
                event.prevent_default()
                self.call_next(self.run_action, binding.action)
                return True
        return False

    def _typed_link(self) -> int | None:
        if not self.link_digits:
            return None
        number = int(self.link_digits)
        self.link_digits = ""
        self.status.set(link_input="")
        links = self.article.links()
        if not 1 <= number <= len(links):
            self.notify(f"There is no link {number}; this article has {len(links)}.",
                        severity="warning", timeout=3)
            return None
        return number

    def action_open_link(self) -> None:
        if not self.link_digits:  # Enter with no link number: the figure in view
            self.open_figure()
            return
        number = self._typed_link()
        if number is not None:
            self.app.post_message(OpenLink(self.article.links()[number - 1].href))

    @on(ArticleBody.LinkClicked)
    def _link_clicked(self, event: ArticleBody.LinkClicked) -> None:
        links = self.article.links()
        if 1 <= event.number <= len(links):
            self.app.post_message(OpenLink(links[event.number - 1].href))

    def action_open_in_browser(self) -> None:
        number = self._typed_link()
        if number is not None:
            self.app.post_message(OpenInBrowser(self.article.links()[number - 1].href))
        elif (figure := self._figure_for_o()) is not None and figure.src:
            self.app.post_message(OpenInBrowser(figure.src))
        elif self.article.url:
            self.app.post_message(OpenInBrowser(self.article.url))

    def action_copy_link(self) -> None:
        if not self.link_digits:
            self.action_copy_page()
            return
        number = self._typed_link()
        if number is not None:
            self.app.post_message(CopyText(self.article.links()[number - 1].href,
                                           f"link {number}"))

    def action_copy_page(self) -> None:
        if self.article.url:
            self.app.post_message(CopyText(self.article.url, "the page address"))
        else:
            self.notify("This article has no web address.", timeout=2)

    def _figure_for_o(self) -> Figure | None:
        """`O` on a figure: the one highlighted in the figures pane when it has focus,
        else one in the body's view."""
        pane = self.query_one(FiguresPane)
        if self.focused is pane:
            index = pane.highlighted
            if index is not None and 0 <= index < len(pane.items):
                return pane.items[index][1]
            return None
        return self.figure_in_view()

    def action_links(self) -> None:
        from reader.ui.screens.links_screen import LinksScreen

        self.app.push_screen(LinksScreen(self.article))

    def action_back(self) -> None:
        self.app.post_message(GoBack())

    def action_forward(self) -> None:
        self.app.post_message(GoForward())

    def action_escape(self) -> None:
        """Esc undoes the most recent thing in progress: loading, link input, overlay, search."""
        if self.status.info.busy.startswith("Loading"):
            self.app.post_message(CancelLoading())
            return
        if self.link_digits:
            self.link_digits = ""
            self.status.set(link_input="")
            return
        if self._close_overlays():
            return
        if self.query_text:
            self.close_search(clear=True)
            return
        if self.focused is not self.body:
            self.body.focus()

    # ------------------------------------------------------------------ highlights

    def _reader(self) -> ReaderApp | None:
        from reader.ui.app import ReaderApp

        return self.app if isinstance(self.app, ReaderApp) else None

    def _key(self) -> str | None:
        """The library key (canonical URL) of the article shown, when there is a library."""
        app = self._reader()
        if app is None or app.current is None or app.current.loaded.article is not self.article:
            return None
        if not app.session.available:
            return None
        return app.current.loaded.key

    def load_highlights(self) -> None:
        """Re-anchor this article's highlights in the version shown and draw them."""
        from reader.library.highlights import place

        app, key = self._reader(), self._key()
        if app is None or key is None:
            self.placed = []
            self.body.set_marks([])
            return
        stored = app.session.highlights(key)
        # (place() flattens the article's text: not worth it for an article without any)
        self.placed = place(stored, self.article) if stored else []
        for p in self.placed:  # re-anchored in a changed page: remember where it is now
            if p.passage is not None and p.passage != p.highlight.passage:
                app.session.move_highlight(p.highlight.id, p.passage)
        self.body.set_marks([(p.highlight.id, p.passage, bool(p.highlight.note))
                             for p in self.placed if p.passage is not None])

    def _highlight_here(self) -> Highlight | None:
        mark_id = self.body.mark_at()
        for placed in self.placed:
            if placed.highlight.id == mark_id:
                return placed.highlight
        self.notify("No highlight here: put the cursor (v) or the top of the view on one.",
                    timeout=3)
        return None

    @on(ArticleBody.HighlightRequested)
    def _highlight_requested(self, event: ArticleBody.HighlightRequested) -> None:
        self.make_highlight(event.passage, event.text)

    @work(group="highlight", exclusive=True, exit_on_error=False)
    async def make_highlight(self, passage: Any, text: str) -> None:
        """Enter on a selection: ask for a note (Enter alone skips it), then store it."""
        from reader.document import first_words
        from reader.ui.dialogs import TextPrompt

        app, key = self._reader(), self._key()
        if app is None or key is None:
            self.notify("Highlights need the library, which is not available.",
                        severity="warning", timeout=3)
            return
        note = await app.push_screen_wait(TextPrompt(
            "Highlight — add a note?", placeholder="optional note",
            hint=f"“{first_words(text, 60)}” · Enter saves, Esc cancels"))
        if note is None:
            return  # the selection stays, to change or copy
        added = app.session.add_highlight(key, self.article, passage, note=note.strip(),
                                          section=self.section_at(passage.start))
        if added is None:
            return
        self.body.cancel_selection()
        self.load_highlights()
        self.notify("Highlighted. Press A to list this article's highlights.", timeout=3)

    @on(ArticleBody.CopyRequested)
    def _copy_requested(self, event: ArticleBody.CopyRequested) -> None:
        if event.text:
            self.app.post_message(CopyText(event.text, "the selection"))

    @work(group="highlight", exclusive=True, exit_on_error=False)
    async def action_edit_highlight(self) -> None:
        from reader.ui.dialogs import TextPrompt

        app = self._reader()
        highlight = self._highlight_here()
        if app is None or highlight is None:
            return
        note = await app.push_screen_wait(TextPrompt(
            "Note on this highlight", value=highlight.note, placeholder="note",
            hint="Enter saves (empty removes the note), Esc cancels"))
        if note is not None and app.session.set_highlight_note(highlight.id, note.strip()):
            self.load_highlights()
            self.notify("Note saved." if note.strip() else "Note removed.", timeout=2)

    def action_delete_highlight(self) -> None:
        app = self._reader()
        highlight = self._highlight_here()
        if app is None or highlight is None:
            return
        gone = app.session.delete_highlight(highlight.id)
        if gone is None:
            return
        self._deleted_highlights.append(gone)
        self.load_highlights()
        self.notify("Highlight deleted. Press z to bring it back.", timeout=3)

    def action_undo_highlight(self) -> None:
        app = self._reader()
        if app is None or not self._deleted_highlights:
            self.notify("Nothing to undo.", timeout=2)
            return
        if app.session.restore_highlight(self._deleted_highlights[-1]):
            self._deleted_highlights.pop()
            self.load_highlights()
            self.notify("Highlight restored.", timeout=2)

    def action_highlights(self, everywhere: bool = False) -> None:
        from reader.ui.screens.highlights_screen import HighlightsScreen

        app, key = self._reader(), self._key()
        if app is None or key is None:
            self.notify("Highlights need the library, which is not available.",
                        severity="warning", timeout=3)
            return
        # Deleted or restored there: drawn again here once the list closes.
        self.app.push_screen(HighlightsScreen(app.session, self.placed, here=key,
                                              everywhere=everywhere),
                             lambda _: self.load_highlights())

    def jump_to_highlight(self, passage: Any) -> None:
        self.body.scroll_to_position(passage.start, context=min(3, self.body.size.height // 4))
