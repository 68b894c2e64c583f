"""What the app does with the library: save, bookmarks, reading positions, history.

Kept apart from :mod:`reader.ui.app` so the app module stays about opening and showing
articles. Every library call that can fail (a damaged or locked database) ends in a
notification with its one sentence, never in a crash: reading goes on without the
library rather than not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.app import App
from textual.timer import Timer

from reader.document import Position, block_text, first_words
from reader.errors import ReaderError
from reader.sources import WELCOME_URL, Loaded, welcome

if TYPE_CHECKING:
    from reader.library import Bookmark, Library
    from reader.ui.app import Visit
    from reader.ui.library_session import LibrarySession
    from reader.ui.screens.article_screen import ArticleScreen

T = TypeVar("T")
POSITION_DELAY = 1.0  # seconds of stillness before a reading position is written


class LibraryActions(App[None]):
    """Mixed into ReaderApp: the library half of the app (see the module docstring)."""

    data_dir: Path | None
    current: Visit | None
    session: LibrarySession
    _position_timer: Timer | None
    _unsaved_position: tuple[str, Position, float] | None

    # Provided by ReaderApp.
    @property
    def article_screen(self) -> ArticleScreen:
        raise NotImplementedError

    def show(self, loaded: Loaded, position: Position | None = None, *,
             record: bool = True) -> None:
        raise NotImplementedError

    def open_source(self, source: str, *, fragment: str = "",
                    position: Position | None = None) -> None:
        raise NotImplementedError

    def fetcher(self) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------------ the database

    @property
    def library(self) -> LibrarySession | None:
        """The library session, if the library could be opened (else None, after one
        notification)."""
        return self.session if self.session.available else None

    def _try(self, action: Callable[[Library], T], default: T) -> T:
        return self.session.call(action, default)

    def image_lookup(self, src: str) -> bytes | None:
        """A saved picture's bytes, so saved articles show their figures offline.

        Called from the image loader's worker thread: it never opens the library and
        never notifies (neither is safe off the UI thread); a failure is just a miss.
        """
        return self.session.image(src)

    def close_library(self) -> None:
        self.save_position_now()
        self.session.close()

    # ------------------------------------------------------------------ start-up

    def start_without_source(self) -> None:
        """No SOURCE: the library, or on the very first run the welcome article (which
        goes into the library so it is there next time)."""
        library = self.library
        if library is None:
            self.show(welcome())
            return
        empty = library.is_empty()
        if empty:
            loaded = welcome()
            self._try(lambda lib: lib.save(loaded.article, source_url=WELCOME_URL), 0)
            self.show(loaded)
        else:
            self.action_library()

    # ------------------------------------------------------------------ opening

    def open_saved(self, article_id: int, position: Position | None = None) -> None:
        """Open a saved copy (offline), at ``position`` or where reading stopped."""
        saved = self._try(lambda lib: lib.get(article_id), None)
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

    def open_url_or_saved(self, url: str, position: Position | None = None) -> None:
        """The saved copy of ``url`` if there is one, else fetch it."""
        found = self._try(lambda lib: lib.find(url), None)
        if found is not None:
            self.open_saved(found, position)
            return
        self._close_library_screens()
        if url == WELCOME_URL:
            self.show(welcome(), position)
        else:
            self.open_source(url, position=position)

    def jump_to_bookmark(self, mark: Bookmark) -> None:
        current = self.current
        if current is not None and current.loaded.key == mark.url:
            self._close_library_screens()
            # After the dialog has gone: the screen underneath lays out again on resume.
            self.call_after_refresh(self.article_screen.body.scroll_to_position, mark.position)
            return
        self.open_url_or_saved(mark.url, mark.position)

    def _close_library_screens(self) -> None:
        from reader.ui.screens.article_screen import ArticleScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, ArticleScreen):
            self.pop_screen()

    def resume_position(self, loaded: Loaded) -> Position | None:
        """Where reading of ``loaded`` stopped last time, if anywhere but the top."""
        position = self._try(lambda lib: lib.position(loaded.key), None)
        if position is None or position == Position(0):
            return None
        if position.block >= len(loaded.article.blocks):
            return None
        return position

    def record_opened(self, loaded: Loaded) -> None:
        # A page from a file is reopened from the file, whatever its canonical address.
        where = loaded.source_url if loaded.source_url.startswith("file:") else loaded.key
        self._try(lambda lib: lib.record_history(where, loaded.article.title), None)

    def open_saved_instead(self, url: str, sentence: str, position: Position | None) -> bool:
        """After ``url`` failed to load: open its saved copy, if there is one."""
        found = self._try(lambda lib: lib.find(url), None)
        saved = self._try(lambda lib: lib.get(found), None) if found is not None else None
        if saved is None or not saved.article.blocks:
            return False  # nothing saved, or only a link that failed before
        self.notify(f"{sentence} Showing your saved copy instead.", severity="warning",
                    timeout=6)
        self.show(Loaded(saved.article, saved.html, saved.source_url),
                  position or saved.position)
        return True

    # ------------------------------------------------------------------ screens

    def action_library(self) -> None:
        from reader.ui.screens.library_screen import LibraryScreen

        if isinstance(self.screen, LibraryScreen):
            return
        library = self.library
        if library is not None:
            self.save_position_now()
            self.push_screen(LibraryScreen(library))

    def action_bookmarks(self, everywhere: bool = False) -> None:
        from reader.ui.screens.bookmarks_screen import BookmarksScreen

        library = self.library
        if library is None or isinstance(self.screen, BookmarksScreen):
            return
        url = None if everywhere or self.current is None else self.current.loaded.key
        self.push_screen(BookmarksScreen(library, url))

    def action_history(self) -> None:
        from reader.ui.screens.history_screen import HistoryScreen

        library = self.library
        if library is not None and not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen(library))

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self.current is None:
            return
        self._save(self.current.loaded)

    @work(group="save", exclusive=True, exit_on_error=False)
    async def _save(self, loaded: Loaded) -> None:
        library = self.library
        if library is None:
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
        if library.save(loaded.article, source_url=loaded.source_url, html=loaded.html,
                        images=images) is None:
            return
        self.save_position_now()
        missing = sum(1 for _, f in loaded.article.figures() if f.src) - len(images)
        note = (f" ({missing} picture{'s' if missing > 1 else ''} could not be fetched)"
                if missing > 0 else "")
        self.notify(f"Saved to the library{note}.", timeout=3)

    # ------------------------------------------------------------------ importing

    @work(group="import", exclusive=True, exit_on_error=False)
    async def action_import(self) -> None:
        """Import a reading list (Pocket, Instapaper, Omnivore, wallabag, bookmarks, URLs):
        the library screen fills in as each entry arrives."""
        from textual.widgets import Static

        from reader.importers.runner import read_export, run_import
        from reader.ui.dialogs import TextPrompt
        from reader.ui.screens.library_screen import LibraryScreen

        library = self.library
        if library is None:
            return
        path = await self.push_screen_wait(TextPrompt(
            "Import a reading list", placeholder="path to an export file",
            hint="Pocket or Instapaper CSV, Omnivore or wallabag JSON, browser bookmarks, "
                 "or a list of URLs · Enter starts, Esc cancels"))
        if not path or not path.strip():
            return
        try:
            entries = read_export(str(Path(path.strip()).expanduser()))
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
                screen.query_one("#library-state", Static).update(
                    f"importing {done}/{len(entries)} …")

        self.notify(f"Importing {len(entries)} entries; they appear as they arrive.",
                    timeout=4)
        try:
            target = self.session.for_import()
            if target is None:
                return
            summary = await run_import(entries, target, self.fetcher(), on_entry=arrived)
        except ReaderError as exc:
            self.notify(exc.sentence, title="Import stopped", severity="error", timeout=8)
            return
        if isinstance(self.screen, LibraryScreen):
            self.screen.refresh_rows()
        self.notify(summary.sentence(), title="Import finished", timeout=8)

    # ------------------------------------------------------------------ bookmarks

    @work(group="bookmark", exclusive=True, exit_on_error=False)
    async def action_bookmark(self) -> None:
        """Bookmark the top of the view, with an optional note."""
        from reader.ui.dialogs import TextPrompt

        current = self.current
        if current is None or self.library is None:
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
        added = self._try(lambda lib: lib.add_bookmark(
            current.loaded.key, position, title=article.title, section=section,
            snippet=snippet, note=note.strip()), None)
        if added is not None:
            self.notify("Bookmarked. Press ' to list this article's bookmarks.", timeout=3)

    # ------------------------------------------------------------------ positions

    def position_moved(self, position: Position, progress: float) -> None:
        """The body moved: remember where, and write it once scrolling has stopped.

        The latest position is kept in memory so that quitting can write it even after
        the screens are gone.
        """
        if self.current is None:
            return
        self._unsaved_position = (self.current.loaded.key, position, progress)
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
