"""The Textual application: opening sources, following links, history, settings.

The app owns what outlives one article — the HTTP client, the back/forward history, the
config — and the article screen shows whatever the app hands it. Loading runs in a
worker so the screen stays responsive; Esc cancels it.
"""

from __future__ import annotations

import asyncio
import time
import webbrowser
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from textual.app import SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from reader import config as config_module
from reader.document import Heading, Position
from reader.errors import ReaderError
from reader.sources import Loaded, describe, is_url, load_async
from reader.ui.library_actions import LibraryActions
from reader.ui.library_session import LibrarySession

if TYPE_CHECKING:
    from reader.fetch import Fetcher
    from reader.ui.screens.article_screen import ArticleScreen

HISTORY_LIMIT = 50


@dataclass
class Visit:
    loaded: Loaded
    position: Position


class ReaderApp(LibraryActions):
    """Reads articles. ``source`` is what the command line named (None: the library, or
    the welcome article on the first run); ``saved_id`` opens a saved copy."""

    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        source: str | None = None,
        *,
        loaded: Loaded | None = None,
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
        self.data_dir = data_dir
        self.session = LibrarySession(data_dir, lambda sentence, title: self.notify(
            sentence, title=title, severity="error", timeout=8))
        self._position_timer = None
        self._unsaved_position = None
        self.initial = loaded
        self.stdin_data = stdin_data
        self.config_path = config_path
        self.config, self._config_warning = config_module.load(config_path)
        if width:
            self.config = replace(self.config, width=max(30, min(200, width)))
        if not images:
            self.config = replace(self.config, images="off")
        self.current: Visit | None = None
        self.back_stack: list[Visit] = []
        self.forward_stack: list[Visit] = []
        self._fetcher: Fetcher | None = None
        self._loading: Worker[None] | None = None
        self._last_progress = 0.0

    # ------------------------------------------------------------------ start-up

    async def on_mount(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        from reader.ui.screens.article_screen import ArticleScreen

        screen = ArticleScreen()
        await self.push_screen(screen)
        screen.body.measure = self.config.width
        if self._config_warning:
            self.notify(self._config_warning, severity="warning")
        if self.saved_id is not None:
            self.open_saved(self.saved_id)
        elif self.initial is not None:
            self.show(self.initial)
        elif self.source is None:
            self.start_without_source()
        else:
            self.open_source(self.source)

    @property
    def article_screen(self) -> ArticleScreen:
        from reader.ui.screens.article_screen import ArticleScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, ArticleScreen):
                return screen
        raise LookupError("no article screen")

    async def on_unmount(self) -> None:
        self.close_library()
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

    # ------------------------------------------------------------------ settings

    def remember(self, **changes: Any) -> None:
        """Change settings and write them to the config file."""
        self.config = replace(self.config, **changes)
        try:
            config_module.save(self.config, self.config_path)
        except OSError as exc:
            self.notify(f"Settings could not be saved: {exc.strerror or exc}.",
                        severity="warning")

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
        if record and self.current is not None:
            self.back_stack.append(Visit(self.current.loaded, screen.body.top_position()))
            del self.back_stack[:-HISTORY_LIMIT]
            self.forward_stack.clear()
        if position is None:
            position = self.resume_position(loaded)
            if position is not None:
                self.notify("Back where you stopped reading (g goes to the top).", timeout=3)
        self.current = Visit(loaded, position or Position(0))
        screen.show(loaded.article, position)
        self.sub_title = loaded.article.title
        self.record_opened(loaded)

    def open_source(self, source: str, *, fragment: str = "",
                    position: Position | None = None) -> None:
        """Load ``source`` in a worker; a later call replaces an earlier one."""
        self.cancel_loading(quiet=True)
        size = _file_size(source) if not is_url(source) else 0
        what = describe(source) + (f" ({_size(size)})" if size > 2**20 else "")
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
            size = _size(received) + (f" of {_size(total)}" if total else "")
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

    @property
    def is_loading(self) -> bool:
        worker = self._loading
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    # ------------------------------------------------------------------ links

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
                self.back_stack.append(Visit(current, self.article_screen.body.top_position()))
                self.article_screen.body.scroll_to_position(position)
                return
        scheme = urlsplit(page).scheme.lower()
        if scheme == "file":
            self.open_source(unquote(urlsplit(page).path), fragment=fragment)
        elif scheme in ("http", "https"):
            self.open_source(page, fragment=fragment)
        elif scheme == "mailto":
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

    def open_in_browser(self, url: str) -> None:
        """The system browser, through Python's webbrowser (never a shell), http(s) only."""
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            self.notify("Only http and https addresses open in the browser.",
                        severity="warning")
            return
        try:
            opened = webbrowser.open(url)
        except webbrowser.Error:
            opened = False
        if opened:
            self.notify(f"Opened in the browser: {url}", timeout=3)
        else:
            self.notify("No web browser could be started here.", severity="warning")

    def go_back(self) -> None:
        if not self.back_stack:
            self.notify("Nothing to go back to.", timeout=2)
            return
        visit = self.back_stack.pop()
        if self.current is not None:
            self.forward_stack.append(
                Visit(self.current.loaded, self.article_screen.body.top_position()))
        self._restore(visit)

    def go_forward(self) -> None:
        if not self.forward_stack:
            self.notify("Nothing to go forward to.", timeout=2)
            return
        visit = self.forward_stack.pop()
        if self.current is not None:
            self.back_stack.append(
                Visit(self.current.loaded, self.article_screen.body.top_position()))
        self._restore(visit)

    def _restore(self, visit: Visit) -> None:
        screen = self.article_screen
        if self.current is not None and visit.loaded is self.current.loaded:
            screen.body.scroll_to_position(visit.position)  # an anchor jump on the same page
        else:
            screen.show(visit.loaded.article, visit.position)
        self.current = visit
        self.sub_title = visit.loaded.article.title

    # ------------------------------------------------------------------ help & palette

    def action_help(self) -> None:
        from reader.ui.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every binding of the screen is also a palette command."""
        yield from super().get_system_commands(screen)
        from reader.ui.screens.help_screen import key_label, own_bindings, own_widget

        yield SystemCommand("Library", "Saved articles, searched as you type",
                            self.action_library)
        yield SystemCommand("Import a reading list",
                            "Pocket, Instapaper, Omnivore, wallabag, bookmarks or URLs",
                            self.action_import)
        yield SystemCommand("History", "Everything opened, newest first", self.action_history)
        yield SystemCommand("All bookmarks", "Bookmarks across the library",
                            lambda: self.action_bookmarks(True))

        seen = set()
        owners: list[Any] = [screen]
        owners += [w for w in screen.query("*") if w.BINDINGS and w.can_focus
                   and own_widget(w)]
        for owner in owners:
            for binding in own_bindings(owner):
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                if binding.action in seen or binding.action in (
                        "app.quit", "escape", "app.library", "app.history", "app.import"):
                    continue
                seen.add(binding.action)
                yield SystemCommand(
                    binding.description,
                    f"Key: {key_label(binding.key)}",
                    _runner(owner, binding.action),
                )


def _runner(owner: Any, action: str) -> Any:
    async def run() -> None:
        await owner.run_action(action)

    return run


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"


def run_app(source: str | None = None, *, data_dir: Path | None = None, width: int | None = None,
            images: bool = True, loaded: Loaded | None = None, saved_id: int | None = None
            ) -> int:
    """Run the app in this terminal; returns the exit status.

    A file or a pipe is read and extracted before Textual starts: the first frame is then
    the article itself, and a file that is not a page fails like any command-line error
    (one sentence, exit status 1) instead of opening an empty reader. Only URLs load
    inside the app, where their download shows progress and Esc cancels it.
    """
    import os
    import sys

    from reader.sources import article_from_page, load, read_stdin, stdin_url

    stdin_data = None
    if source == "-":
        stdin_data = read_stdin()
        _reattach_terminal()
        if loaded is None:
            loaded = Loaded(article_from_page(stdin_data, "Standard input", None), stdin_data,
                            stdin_url(stdin_data))
    elif not sys.stdin.isatty() and os.path.exists("/dev/tty"):
        _reattach_terminal()
    if loaded is None and source is not None and source != "-" and not source.lower().startswith(
            ("http://", "https://")) and _file_size(source) <= PRELOAD_BYTES:
        loaded = load(source)
    if loaded is not None:
        import gc

        # A long article is hundreds of thousands of long-lived objects; keep the
        # collector from walking them again and again while Textual starts up.
        gc.freeze()
    app = ReaderApp(source, loaded=loaded, stdin_data=stdin_data, width=width, images=images,
                    data_dir=data_dir, saved_id=saved_id)
    from reader.images.terminal import prepare

    prepare(app.config.images)  # terminal graphics queries must run before Textual starts
    app.run()
    return app.return_code or 0


# Files up to this size are extracted before the app starts (about a second at most); a
# bigger one loads inside the app, which says so and lets Esc cancel it.
PRELOAD_BYTES = 4 * 2**20


def _file_size(source: str) -> int:
    try:
        return Path(source).expanduser().stat().st_size
    except (OSError, ValueError):
        return 0  # missing or odd: let load() say what is wrong


def _reattach_terminal() -> None:
    """After reading a pipe, give Textual the terminal by making /dev/tty our stdin."""
    import os
    import sys

    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        raise ReaderError("reader needs a terminal to show an article; "
                          "`reader dump SOURCE` prints one instead.") from None
    os.dup2(tty, sys.stdin.fileno())
    os.close(tty)
