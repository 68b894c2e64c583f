"""The Textual application: opening sources, following links, the library, settings.

The app owns what outlives one article — the HTTP client, the back/forward
:class:`~reader.ui.navigation.Navigation`, the :class:`~reader.ui.library_session.LibrarySession`,
the config — and the article screen shows whatever the app hands it. Screens ask the app
for things with the typed messages of :mod:`reader.ui.messages`; the app talks down to
its screens by their methods. Loading runs in a worker so the screen stays responsive;
Esc cancels it.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from reader import config as config_module
from reader.document import Article, Heading, Position, block_text, first_words
from reader.errors import ReaderError
from reader.media import format_size
from reader.sources import (
    WELCOME_URL,
    Loaded,
    PendingArticle,
    describe,
    file_size,
    is_url,
    load_async,
    welcome,
)
from reader.ui import messages
from reader.ui.commands import ReaderCommands
from reader.ui.library_session import LibrarySession
from reader.ui.navigation import Navigation, Visit
from reader.ui.screens.article_screen import ArticleScreen
from reader.urls import is_web_url, scheme

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.screen import Screen

    from reader.fetch import Fetcher
    from reader.library import Bookmark
    from reader.ui.screens.feeds_screen import FeedsScreen

POSITION_DELAY = 1.0  # seconds of stillness before a reading position is written
WHOLE_PAGE_HINT_BYTES = 2 * 2**20  # pages measured for the "under a third" hint
WHOLE_PAGE_SMALL_BYTES = 256 * 2**10  # smaller pages wait for a shorter stillness
FREEZE_BYTES = 2**20  # pages loaded in the app whose objects the collector leaves alone
WHOLE_PAGE_STILL = 2.0  # seconds without a key or a scroll before a bigger page is measured
WHOLE_PAGE_STILL_SMALL = 0.5  # the same for a smaller page (about 60 ms of work at 200 KB)
MAX_HELD_KEYS = 64  # keys typed while a page is extracted, kept to hand on when it shows


class ReaderApp(App[None]):
    """Reads articles. ``source`` is what the command line named (None: the library, or
    the welcome article on the first run); ``saved_id`` opens a saved copy."""

    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ReaderCommands}
    BINDINGS = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    def __init__(
        self,
        source: str | None = None,
        *,
        loaded: Loaded | None = None,
        pending: PendingArticle | None = None,
        stdin_data: bytes | None = None,
        width: int | None = None,
        images: bool = True,
        config_path: Path | None = None,
        data_dir: Path | None = None,
        saved_id: int | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        self.saved_id = saved_id
        self.initial = loaded
        # A page still being extracted in a child process (see reader.sources): the app
        # starts meanwhile and shows it as soon as it comes.
        self._pending = pending
        self._held_keys: list[events.Key] | None = None
        self._on_next_idle: list[Callable[[], object]] = []
        self.stdin_data = stdin_data
        self.config_path = config_path
        self.config, self._config_warning = config_module.load(config_path)
        if width:
            self.config = replace(self.config, width=max(30, min(200, width)))
        if not images:
            self.config = replace(self.config, images="off")
        self.session = LibrarySession(data_dir, self._library_trouble)
        self.navigation = Navigation()
        self._fetcher: Fetcher | None = None
        self._loading: Worker[None] | None = None
        self._last_progress = 0.0
        self._last_moved = 0.0  # time.monotonic() of the last key or scroll
        self._position_timer: Timer | None = None
        self._unsaved_position: tuple[str, Position, float] | None = None
        self._article_screen: ArticleScreen | None = None
        self.failure: str | None = None  # why the SOURCE could not be opened, on exit
        # An unexpected error extracting the page given on the command line, raised
        # again by the command line once the terminal is its own again.
        self.load_error: Exception | None = None
        self.keymap = _keymap(self.config)
        # (cleaned, whole page) pairs for W, the latest few; each kept alive by its pair.
        self._pages: list[tuple[Loaded, Loaded]] = []
        self._from_feeds: Loaded | None = None  # an item opened from the feeds screen

    # ------------------------------------------------------------------ start-up

    async def on_mount(self) -> None:
        # Every frame makes and drops many objects, and the lines kept for scrolling
        # back live long: a full collection walked them all every second or so while a
        # key was held (75-130 ms at 2 MB, a frame held back each time). Full
        # collections ten times rarer; the younger generations as before.
        young, middle, old = gc.get_threshold()
        gc.set_threshold(young, middle, max(old, 100))
        self.set_keymap(self.keymap)
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        pending = self._pending if self.initial is None else None
        # The screen is made knowing what it will show first, so that the layout that
        # shows the text is its last (see ArticleScreen._first_layout_final).
        opening: Article | str | None = (
            describe(pending.name) if pending is not None
            else self.initial.article if self.initial is not None else None)
        screen = ArticleScreen(self.config, fetcher=self.fetcher,
                               image_lookup=self.session.image, opening=opening)
        self._article_screen = screen
        await self.push_screen(screen)
        screen.body.measure = self.config.width
        if self._config_warning:
            self.notify(self._config_warning, severity="warning")
        if pending is not None:
            self._held_keys = []  # typed while the page is extracted: kept for it
            self._wait_for_page(pending)  # a worker: keys (Ctrl+C, q) work meanwhile
        else:
            self._open_first()

    @work(group="initial")
    async def _wait_for_page(self, pending: PendingArticle) -> None:
        """The page given on the command line, extracted while the app started (the
        child's answer, or the page extracted here if the child failed)."""
        try:
            # The library is opened while the child works (showing the page reads the
            # reading position from it): once the page comes, its opening (the schema
            # checked, or made on a first run) is no longer between it and the screen.
            self.call_after_refresh(self._open_library)
            loaded = await asyncio.to_thread(pending.loaded)
        except ReaderError as exc:
            self.failure = exc.sentence  # said on the command line once the app ends
            self.exit(return_code=1)
            return
        except asyncio.CancelledError:
            # The app is quitting: the child is killed, and so the thread waiting for
            # it ends at once (the process could not exit before it).
            pending.cancel()
            raise
        except Exception as exc:  # a bug in extraction: the command line reports it
            self.load_error = exc  # (one line, or the traceback with --debug)
            self.exit(return_code=1)
            return
        finally:
            self._pending = None
        # A long article is hundreds of thousands of long-lived objects: the collector
        # leaves them alone from now on (as for a page extracted before the app ran).
        gc.freeze()
        self.initial = loaded
        self._open_first()

    def _open_library(self) -> None:
        if self._pending is not None:  # (not once the page has come, or the app quits)
            self.session.available  # noqa: B018 - opens it

    def _open_first(self) -> None:
        """Show what the command line asked for."""
        if self.saved_id is not None:
            self.open_saved(self.saved_id)
        elif self.initial is not None:
            # Once the app and the new screen are idle (see ArticleScreen.when_settled);
            # the app hands the terminal's first Resize to the screen on top when it is
            # next idle, and that Resize lays the screen out again.
            initial, screen = self.initial, self.article_screen
            self._on_next_idle.append(lambda: screen.when_settled(self._show_first, initial))
        elif self.source is None:
            self.start_without_source()
        else:
            self.open_source(self.source)

    def _show_first(self, loaded: Loaded) -> None:
        self.show(loaded)
        if self._held_keys is not None:
            self.call_after_refresh(self._replay_held_keys)

    def _replay_held_keys(self) -> None:
        held, self._held_keys = self._held_keys or [], None
        for key in held:
            self.post_message(events.Key(key.key, key.character))

    async def on_event(self, event: events.Event) -> None:
        """Keys typed while a big page is still extracted (in a child process, the app
        already up) are kept, and handed on once the article shows, as a terminal holds
        them for a program that is busy: `G` typed early still goes to the end. Quit
        (`q`, Ctrl+C) acts at once."""
        if isinstance(event, events.Key):
            self._last_moved = time.monotonic()  # a key is a move: measuring waits for quiet
        held = self._held_keys
        if held is not None and isinstance(event, events.Key) and not event.is_forwarded:
            binding = self.screen.active_bindings.get(event.key)
            if binding is None or binding[1].action.rpartition(".")[2] != "quit":
                if len(held) < MAX_HELD_KEYS:
                    held.append(event)
                return
        await super().on_event(event)

    def on_idle(self) -> None:
        if self._on_next_idle:
            callbacks, self._on_next_idle = self._on_next_idle, []
            for callback in callbacks:
                self.call_later(callback)  # after Textual's own idle work

    @property
    def article_screen(self) -> ArticleScreen:
        if self._article_screen is None:
            raise LookupError("no article screen yet")
        return self._article_screen

    @property
    def current(self) -> Visit | None:
        return self.navigation.current

    async def on_unmount(self) -> None:
        if self._pending is not None:
            self._pending.cancel()  # quit before the page came: its child is killed
        self.save_position_now()
        self.session.close()
        if self._fetcher is not None:
            await self._fetcher.aclose()

    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            from reader.fetch import Fetcher

            self._fetcher = Fetcher()
        return self._fetcher

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is plain text: sentences quote URLs, titles and server
        answers, which are strangers' text and must never act as markup. (Widgets'
        ``notify`` passes ``markup=True`` by default; it is ignored on purpose.)"""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _library_trouble(self, sentence: str, title: str) -> None:
        self.notify(sentence, title=title, severity="error", timeout=8)

    # ------------------------------------------------------------------ settings

    def remember(self, **changes: Any) -> None:
        """Change settings and write them to the config file."""
        self.config = replace(self.config, **changes)
        try:
            config_module.save(self.config, self.config_path)
        except OSError as exc:
            self.notify(f"Settings could not be saved: {exc.strerror or exc}.",
                        severity="warning")

    @on(messages.Remember)
    def _remember(self, message: messages.Remember) -> None:
        self.remember(**message.changes)

    def _theme_changed(self, theme: Any) -> None:
        if self.config.theme != self.theme:
            self.remember(theme=self.theme)

    # ------------------------------------------------------------------ showing

    def show(self, loaded: Loaded, position: Position | None = None, *,
             record: bool = True) -> None:
        """Put ``loaded`` on the article screen, remembering where we were for Back.

        With no ``position``, reading resumes where it stopped last time.
        """
        screen = self.article_screen
        self.save_position_now()
        if position is None:
            position = self.resume_position(loaded)
            if position is not None:
                self.notify("Back where you stopped reading (g goes to the top).", timeout=3)
        left_at = screen.body.top_position() if self.current is not None else None
        self.navigation.go_to(Visit(loaded, position or Position(0)), left_at, record=record)
        screen.show(loaded.article, position, origin=loaded.source_url)
        self._set_sub_title(loaded.article.title)
        self.record_opened(loaded)
        if loaded.html is not None and len(loaded.html) < WHOLE_PAGE_HINT_BYTES and (
                self._cleaned_of(loaded) is None):
            self._last_moved = time.monotonic()  # opening counts as a move
            self._measure_when_still(loaded)

    def _set_sub_title(self, title: str) -> None:
        """The title for the command palette and screenshots. No screen of ours shows
        it, and assigning the reactive repaints the whole screen — a frame drawn
        without the layout the article needs, which the text's first frame then
        waited for, and a key pressed as soon as it showed too."""
        self.set_reactive(ReaderApp.sub_title, title)

    def _measure_when_still(self, loaded: Loaded) -> None:
        """Measure the whole page once the reader has been still for a while (longer for
        a long page): extracting it again holds the interpreter (tens of milliseconds at
        200 KB, seconds at 2 MB, even in a thread), and the keys typed as soon as the
        text appears should be answered at once."""
        current = self.current
        if current is None or current.loaded is not loaded or loaded.html is None:
            return
        wait = WHOLE_PAGE_STILL if len(loaded.html) >= WHOLE_PAGE_SMALL_BYTES else (
            WHOLE_PAGE_STILL_SMALL)
        still = time.monotonic() - self._last_moved
        if still < wait:
            self.set_timer(wait - still, lambda: self._measure_when_still(loaded))
            return
        self._measure_whole(loaded)

    # ------------------------------------------------------------------ whole page

    @work(group="whole", exclusive=True, exit_on_error=False)
    async def _measure_whole(self, loaded: Loaded) -> None:
        """Off the UI thread: the whole page's text, to say so when the cleaned article
        keeps under a third of it (the cleaning may have dropped what was wanted)."""
        def measure() -> bool | None:  # words counted off the UI thread too
            whole = self._whole_page(loaded)
            if whole is None:
                return None
            return loaded.article.word_count * 3 < whole.article.word_count

        under_a_third = await asyncio.to_thread(measure)
        current = self.current
        if under_a_third is None or current is None or current.loaded is not loaded:
            return
        if under_a_third:
            self.article_screen.status.set(
                hint="W: whole page (this article is under a third of its text)")

    def _whole_page(self, loaded: Loaded) -> Loaded | None:
        for cleaned, whole in self._pages:
            if cleaned is loaded:
                return whole
        if loaded.html is None:
            return None
        from reader.extract import extract_full

        article = extract_full(loaded.html, loaded.article.url or loaded.source_url)
        whole = Loaded(article, loaded.html, loaded.source_url)
        self._pages = [*self._pages[-7:], (loaded, whole)]
        return whole

    def _cleaned_of(self, loaded: Loaded) -> Loaded | None:
        """The cleaned article whose whole page ``loaded`` is (None: it is not one)."""
        return next((cleaned for cleaned, whole in self._pages if whole is loaded), None)

    def action_toggle_whole_page(self) -> None:
        """`W`: the whole page instead of the cleaned article, or back, near the same text."""
        current = self.current
        if current is None:
            return
        loaded = current.loaded
        target = self._cleaned_of(loaded) or self._whole_page(loaded)
        if target is None:
            self.notify("The original page of this article is not kept, so there is no "
                        "whole page to show.", severity="warning", timeout=4)
            return
        screen = self.article_screen
        self.save_position_now()
        position = _near(loaded.article, screen.body.top_position(), target.article)
        self.navigation.go_to(Visit(target, position), None, record=False)
        screen.show(target.article, position, origin=target.source_url)
        if self._cleaned_of(target) is not None:
            self.notify("The whole page; W goes back to the article.", timeout=3)

    def open_source(self, source: str, *, fragment: str = "",
                    position: Position | None = None) -> None:
        """Load ``source`` in a worker; a later call replaces an earlier one."""
        self.cancel_loading(quiet=True)
        size = file_size(source) if not is_url(source) else 0
        what = describe(source) + (f" ({format_size(size)})" if size > 2**20 else "")
        self.article_screen.status.set(busy=f"Loading {what} … (Esc cancels)")
        self._loading = self.run_worker(self._load(source, fragment, position), group="load",
                                        exclusive=True, exit_on_error=False)

    async def _load(self, source: str, fragment: str, position: Position | None = None
                    ) -> None:
        status = self.article_screen.status
        label = describe(source)

        def progress(received: int, total: int | None) -> None:
            now = time.monotonic()
            if now - self._last_progress < 0.1 and received != total:
                return
            self._last_progress = now
            size = format_size(received) + (f" of {format_size(total)}" if total else "")
            status.set(busy=f"Loading {label} … {size} (Esc cancels)")

        try:
            stdin = self.stdin_data if source == "-" else None
            loaded = await load_async(source, self.fetcher, progress=progress,
                                      stdin_data=stdin)
        except asyncio.CancelledError:
            status.set(busy="")
            raise
        except ReaderError as exc:
            status.set(busy="")
            if is_url(source) and self.open_saved_instead(source, exc.sentence, position):
                return
            if self.current is None and source == self.source and is_url(source):
                # `reader URL` that fails: like a missing file, one sentence and status 1
                # (said by the command line after the screen is gone), not a welcome page.
                self.failure = exc.sentence
                self.exit(return_code=1)
                return
            self.notify(exc.sentence, title="Could not open", severity="error", timeout=8)
            if self.current is None:
                self.start_without_source()  # not an empty screen: the library or welcome
            return
        except Exception as exc:  # a bad page must never take the app down
            status.set(busy="")
            self.notify(f"{label} could not be read: {type(exc).__name__}: {exc}",
                        title="Could not open", severity="error", timeout=8)
            return
        status.set(busy="")
        if len(loaded.html or b"") > FREEZE_BYTES:
            # A long article is hundreds of thousands of long-lived objects: keep the
            # collector from walking them all again and again (a full collection in a
            # frame held a key back by more than a second at 8 MB). `reader FILE`
            # does the same for a file read before the app starts.
            gc.freeze()
        if fragment:
            position = self._anchor_position(loaded, fragment) or position
        self.show(loaded, position)

    def cancel_loading(self, *, quiet: bool = False) -> bool:
        """Stop a load in progress; True if there was one."""
        worker = self._loading
        if worker is None or worker.state not in (WorkerState.PENDING, WorkerState.RUNNING):
            return False
        worker.cancel()
        self._loading = None
        self.article_screen.status.set(busy="")
        if not quiet:
            self.notify("Loading cancelled.", timeout=2)
        return True

    @on(messages.CancelLoading)
    def _cancel_loading(self) -> None:
        self.cancel_loading()

    @property
    def is_loading(self) -> bool:
        worker = self._loading
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    # ------------------------------------------------------------------ links

    @on(messages.OpenLink)
    def _open_link(self, message: messages.OpenLink) -> None:
        self.follow_link(message.href)

    def follow_link(self, href: str) -> None:
        """Open a link from the article: same-page anchors scroll, pages load."""
        current = self.current.loaded if self.current else None
        base = (current.article.url or current.source_url) if current else None
        target = urljoin(base, href) if base and ":" not in href.split("/", 1)[0] else href
        page, fragment = urldefrag(target)
        if current is not None and fragment and page in (
            urldefrag(current.article.url or "")[0], urldefrag(current.source_url)[0], ""
        ):
            position = self._anchor_position(current, fragment)
            if position is not None:
                body = self.article_screen.body
                self.navigation.jump(body.top_position(), position)
                body.scroll_to_position(position)
                return
        kind = scheme(page)
        if kind == "file":
            self.open_source(unquote(urlsplit(page).path), fragment=fragment)
        elif is_web_url(page):
            self.open_source(page, fragment=fragment)
        elif kind == "mailto":
            self.notify(f"That link is an e-mail address: {href[len('mailto:'):]} "
                        "(reader opens http and https links).", severity="warning")
        else:
            self.notify(f"reader opens http and https links, not this one: {href}",
                        severity="warning")

    @staticmethod
    def _anchor_position(loaded: Loaded, fragment: str) -> Position | None:
        for i, block in enumerate(loaded.article.blocks):
            if isinstance(block, Heading) and block.anchor == fragment:
                return Position(i)
        return None

    @on(messages.OpenInBrowser)
    def _open_in_browser(self, message: messages.OpenInBrowser) -> None:
        self.open_in_browser(message.url)

    def open_in_browser(self, url: str) -> None:
        """The system browser, through Python's webbrowser (never a shell), http(s) only."""
        from reader.ui.browser import open_in_browser

        open_in_browser(self, url)

    @on(messages.GoBack)
    def go_back(self) -> None:
        current = self.current
        if current is not None and current.loaded is self._from_feeds and (
                self.is_screen_installed("feeds")):
            self._from_feeds = None
            self.save_position_now()
            self.push_screen("feeds")
            return
        visit = self.navigation.back(self.article_screen.body.top_position())
        if visit is None:
            self.notify("Nothing to go back to.", timeout=2)
        else:
            self._restore(visit)

    @on(messages.GoForward)
    def go_forward(self) -> None:
        visit = self.navigation.forward(self.article_screen.body.top_position())
        if visit is None:
            self.notify("Nothing to go forward to.", timeout=2)
        else:
            self._restore(visit)

    def _restore(self, visit: Visit) -> None:
        screen = self.article_screen
        if screen.article is visit.loaded.article:
            screen.body.scroll_to_position(visit.position)  # an anchor jump on the same page
        else:
            screen.show(visit.loaded.article, visit.position, origin=visit.loaded.source_url)
        self._set_sub_title(visit.loaded.article.title)

    # ------------------------------------------------------------------ go to, copy

    def action_open_address(self) -> None:
        """`o`: type an address (or a file's path) to open; the history completes it.
        The prompt is pushed here, not from a worker, so that an address typed straight
        after `o` lands in it rather than acting as keys of the article."""
        from textual.suggester import SuggestFromList

        from reader.ui.dialogs import TextPrompt

        known = [e.url for e in self.session.history(200)] if self.session.available else []
        self.push_screen(TextPrompt(
            "Go to address", placeholder="https://… or a file",
            hint="→ completes from history · Enter opens, Esc cancels",
            suggester=SuggestFromList(known, case_sensitive=False)), self._open_typed_address)

    def _open_typed_address(self, answer: str | None) -> None:
        address = (answer or "").strip()
        if not address:
            return
        if not is_url(address) and "://" not in address and not Path(address).expanduser(
                ).exists() and "." in address.split("/", 1)[0] and " " not in address:
            address = "https://" + address  # "example.org/page", as browsers take it
        self.open_url_or_saved(address)

    @on(messages.CopyText)
    def _copy_text(self, message: messages.CopyText) -> None:
        self.copy_text(message.text, message.what)

    def copy_text(self, text: str, what: str) -> None:
        """Put ``text`` on the clipboard through the terminal (OSC 52). Where the terminal
        is not known to allow that, the text is also shown to select by hand."""
        from reader.ui.dialogs import ShowText

        self.copy_to_clipboard(text)
        if _terminal_copies():
            self.notify(f"Copied {what}: {text}", timeout=3)
        else:
            self.push_screen(ShowText(f"Copy {what}", text))

    # ------------------------------------------------------------------ the library

    def start_without_source(self) -> None:
        """No SOURCE: the library, or on the very first run the welcome article (which
        goes into the library so it is there next time)."""
        if not self.session.available:
            self.show(welcome())
            return
        if self.session.is_empty():
            loaded = welcome()
            self.session.save(loaded.article, source_url=WELCOME_URL)
            self.show(loaded)
        else:
            self.action_library()

    @on(messages.OpenSaved)
    def _open_saved(self, message: messages.OpenSaved) -> None:
        self.open_saved(message.article_id)

    def open_saved(self, article_id: int, position: Position | None = None) -> None:
        """Open a saved copy (offline), at ``position`` or where reading stopped."""
        saved = self.session.get(article_id)
        if saved is None:
            return
        self._close_library_screens()
        if saved.error and not saved.article.blocks:
            # A link whose import failed: say why, and try the page again now (a success
            # can then be saved over the failed link with `s`).
            self.notify(f"{saved.error} Trying again…", title="Not saved yet", timeout=6)
            self.open_source(saved.url, position=position)
            return
        loaded = Loaded(saved.article, saved.html, saved.source_url)
        self.show(loaded, position or saved.position)

    @on(messages.OpenAddress)
    def _open_address(self, message: messages.OpenAddress) -> None:
        self.open_url_or_saved(message.url)

    def open_url_or_saved(self, url: str, position: Position | None = None) -> None:
        """The saved copy of ``url`` if there is one, else fetch it."""
        found = self.session.find(url) if self.session.available else None
        if found is not None:
            self.open_saved(found, position)
            return
        self._close_library_screens()
        if url == WELCOME_URL:
            self.show(welcome(), position)
        elif is_url(url) or url.startswith("file:"):
            page = unquote(urlsplit(url).path) if url.startswith("file:") else url
            self.open_source(page, position=position)
        else:
            self.open_source(url, position=position)

    @on(messages.JumpToBookmark)
    def _jump_to_bookmark(self, message: messages.JumpToBookmark) -> None:
        self.jump_to_bookmark(message.mark)

    def jump_to_bookmark(self, mark: Bookmark) -> None:
        current = self.current
        if current is not None and current.loaded.key == mark.url:
            self._close_library_screens()
            # After the dialog has gone: the screen underneath lays out again on resume.
            self.call_after_refresh(self.article_screen.body.scroll_to_position, mark.position)
            return
        self.open_url_or_saved(mark.url, mark.position)

    def _close_library_screens(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ArticleScreen):
            self.pop_screen()

    def resume_position(self, loaded: Loaded) -> Position | None:
        """Where reading of ``loaded`` stopped last time, if anywhere but the top."""
        position = self.session.position(loaded.key) if self.session.available else None
        if position is None or position == Position(0):
            return None
        if position.block >= len(loaded.article.blocks):
            return None
        return position

    def record_opened(self, loaded: Loaded) -> None:
        # A page from a file is reopened from the file, whatever its canonical address.
        where = loaded.source_url if loaded.source_url.startswith("file:") else loaded.key
        if self.session.available:
            self.session.record_history(where, loaded.article.title)

    def open_saved_instead(self, url: str, sentence: str, position: Position | None) -> bool:
        """After ``url`` failed to load: open its saved copy, if there is one."""
        if not self.session.available:
            return False
        found = self.session.find(url)
        saved = self.session.get(found) if found is not None else None
        if saved is None or not saved.article.blocks:
            return False  # nothing saved, or only a link that failed before
        self.notify(f"{sentence} Showing your saved copy instead.", severity="warning",
                    timeout=6)
        self.show(Loaded(saved.article, saved.html, saved.source_url),
                  position or saved.position)
        return True

    def action_library(self) -> None:
        from reader.ui.screens.library_screen import LibraryScreen

        if isinstance(self.screen, LibraryScreen) or not self.session.available:
            return
        self.save_position_now()
        self.push_screen(LibraryScreen(self.session, has_article=lambda: self.current is not None))

    def action_bookmarks(self, everywhere: bool = False) -> None:
        from reader.ui.screens.bookmarks_screen import BookmarksScreen

        if isinstance(self.screen, BookmarksScreen) or not self.session.available:
            return
        here = self.current.loaded.key if self.current is not None else None
        self.push_screen(BookmarksScreen(self.session, None if everywhere else here, here))

    def action_history(self) -> None:
        from reader.ui.screens.history_screen import HistoryScreen

        if self.session.available and not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen(self.session))

    def action_feeds(self) -> None:
        """`F`: the feed subscriptions. The screen is installed, so leaving it for an item
        keeps its place, and Back from that item returns to it."""
        from reader.ui.screens.feeds_screen import FeedsScreen

        if isinstance(self.screen, FeedsScreen):
            return
        if not self.is_screen_installed("feeds"):
            feeds = self.session.feeds()
            if feeds is None:
                return
            self.install_screen(FeedsScreen(feeds, self.fetcher), name="feeds")
        self.save_position_now()
        self.push_screen("feeds")

    def on_feeds_screen_open_article(self, message: FeedsScreen.OpenArticle) -> None:
        """An item chosen on the feeds screen: read it like any article; Back returns."""
        self._close_library_screens()
        if message.note:
            self.notify(message.note, timeout=6)
        loaded = Loaded(message.article, message.html, message.source_url)
        self.show(loaded)
        self._from_feeds = loaded

    def action_help(self) -> None:
        from reader.ui.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen, self.keymap))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own palette entries, less the ones that fight reader's: its "Keys"
        panel lists internal keys and ignores Esc (reader's help screen is the key list),
        and "Maximize" hides the panes the layout keys manage."""
        for command in super().get_system_commands(screen):
            if command.title == "Keys":
                yield SystemCommand("Keys", "Every key on this screen (the help screen, ?)",
                                    self.action_help)
            elif command.title not in ("Maximize", "Minimize"):
                yield command

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self.current is not None:
            self._save(self.current.loaded)

    @work(group="save", exclusive=True, exit_on_error=False)
    async def _save(self, loaded: Loaded) -> None:
        if not self.session.available:
            return
        from reader.library import download_images

        status = self.article_screen.status
        status.set(busy="Saving … fetching pictures")
        try:
            images = await download_images(loaded.article, self.fetcher())
        except ReaderError as exc:
            self.notify(exc.sentence, title="Not saved", severity="error", timeout=8)
            return
        finally:
            status.set(busy="")
        if self.session.save(loaded.article, source_url=loaded.source_url, html=loaded.html,
                             images=images) is None:
            return
        self.save_position_now()
        missing = sum(1 for _, f in loaded.article.figures() if f.src) - len(images)
        note = (f" ({missing} picture{'s' if missing > 1 else ''} could not be fetched)"
                if missing > 0 else "")
        self.notify(f"Saved to the library{note}.", timeout=3)

    @work(group="import", exclusive=True, exit_on_error=False)
    async def action_import(self) -> None:
        """Import a reading list (Pocket, Instapaper, Omnivore, wallabag, bookmarks, URLs):
        the library screen fills in as each entry arrives. An OPML file subscribes."""
        from reader.importers.opml import wanted as opml_wanted
        from reader.importers.runner import read_export, run_import
        from reader.ui.dialogs import TextPrompt
        from reader.ui.screens.library_screen import LibraryScreen

        library = self.session.for_import()
        if library is None:
            return
        path = await self.push_screen_wait(TextPrompt(
            "Import a reading list", placeholder="path to an export file",
            hint="Pocket or Instapaper CSV, Omnivore or wallabag JSON, browser bookmarks, "
                 "a list of URLs, or OPML feeds · Enter starts, Esc cancels"))
        if not path or not path.strip():
            return
        source = str(Path(path.strip()).expanduser())
        if opml_wanted(source, "auto"):
            self._subscribe_from_opml(source)
            return
        try:
            entries = read_export(source)
        except ReaderError as exc:
            self.notify(exc.sentence, title="Nothing imported", severity="error", timeout=8)
            return
        self.action_library()
        done = 0

        def arrived(_result: object) -> None:
            nonlocal done
            done += 1
            screen = self.screen
            if isinstance(screen, LibraryScreen):
                screen.refresh_rows()
                screen.show_state(f"importing {done}/{len(entries)} …")

        self.notify(f"Importing {len(entries)} entries; they appear as they arrive.",
                    timeout=4)
        try:
            summary = await run_import(entries, library, self.fetcher(), on_entry=arrived)
        except ReaderError as exc:
            self.notify(exc.sentence, title="Import stopped", severity="error", timeout=8)
            return
        if isinstance(self.screen, LibraryScreen):
            self.screen.refresh_rows()
        self.notify(summary.sentence(), title="Import finished", timeout=8)

    def _subscribe_from_opml(self, source: str) -> None:
        """An OPML file given to import is feed subscriptions: subscribe to each, as
        ``reader import FILE`` does, and show the feeds."""
        from reader.feeds.subscribe import subscribe_opml

        feeds = self.session.feeds()
        if feeds is None:
            return
        try:
            said = subscribe_opml(feeds, source)
        except ReaderError as exc:
            self.notify(exc.sentence, title="Nothing imported", severity="error", timeout=8)
            return
        self.notify(f"{said} R on the feeds screen fetches their items.",
                    title="Feeds imported", timeout=8)
        self.action_feeds()

    # ------------------------------------------------------------------ bookmarks

    @work(group="bookmark", exclusive=True, exit_on_error=False)
    async def action_bookmark(self) -> None:
        """Bookmark the top of the view, with an optional note."""
        from reader.ui.dialogs import TextPrompt

        current = self.current
        if current is None or not self.session.available:
            return
        screen = self.article_screen
        position = screen.body.top_position()
        article = current.loaded.article
        section = screen.section_at(position)
        text = block_text(article.blocks[position.block]) if article.blocks else ""
        snippet = first_words(text[position.offset:] or text, 80)
        note = await self.push_screen_wait(TextPrompt(
            "Bookmark here — add a note?", placeholder="optional note",
            hint=f"“{snippet}” · Enter saves, Esc cancels"))
        if note is None:
            return
        added = self.session.add_bookmark(current.loaded.key, position, title=article.title,
                                          section=section, snippet=snippet, note=note.strip())
        if added is not None:
            self.notify("Bookmarked. Press ' to list this article's bookmarks.", timeout=3)

    # ------------------------------------------------------------------ positions

    @on(messages.ReadingMoved)
    def position_moved(self, message: messages.ReadingMoved) -> None:
        """The body moved: remember where, and write it once scrolling has stopped.

        The latest position is kept in memory so that quitting can write it even after
        the screens are gone.
        """
        self._last_moved = time.monotonic()
        if self.current is None or self._cleaned_of(self.current.loaded) is not None:
            return  # no reading position is kept for a whole page: its blocks differ
        self._unsaved_position = (self.current.loaded.key, message.position, message.progress)
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(POSITION_DELAY, self.save_position_now)

    def save_position_now(self) -> None:
        if self._position_timer is not None:
            self._position_timer.stop()
            self._position_timer = None
        unsaved, self._unsaved_position = self._unsaved_position, None
        if unsaved is not None:
            self.session.set_position(*unsaved)


def _near(article: Article, position: Position, other: Article) -> Position:
    """Where in ``other`` the text at ``position`` of ``article`` is (the same words), else
    the same fraction of the way through."""
    blocks = article.blocks
    if not blocks or not other.blocks:
        return Position(0)
    text = " ".join(block_text(blocks[min(position.block, len(blocks) - 1)]).split())[:60]
    if text:
        for i, block in enumerate(other.blocks):
            if text in " ".join(block_text(block).split()):
                return Position(i)
    return Position(min(len(other.blocks) - 1, position.block * len(other.blocks) // len(blocks)))


def _keymap(config: config_module.Config) -> dict[str, str]:
    """The config's ``[keys]`` table: binding id → keys, e.g. ``"reader.line_down" = "j,n"``.
    The file is edited by hand: an entry whose keys are not text is ignored."""
    return {str(k): v.strip() for k, v in config.keys.items()
            if isinstance(v, str) and v.strip()}


def _terminal_copies() -> bool:
    """Whether this terminal is known to take OSC 52 clipboard writes (kitty, WezTerm,
    iTerm2, foot, Alacritty, Windows Terminal, Ghostty; tmux passes them on)."""
    import os

    env = os.environ
    if any(name in env for name in ("KITTY_WINDOW_ID", "WEZTERM_PANE", "WT_SESSION",
                                    "ALACRITTY_WINDOW_ID", "GHOSTTY_RESOURCES_DIR")):
        return True
    return env.get("TERM_PROGRAM", "") in ("iTerm.app", "WezTerm", "ghostty") or env.get(
        "TERM", "").startswith(("xterm-kitty", "foot", "alacritty"))
