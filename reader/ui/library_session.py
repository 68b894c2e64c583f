"""The app's one door to the library: every screen's library call goes through here.

A library can be damaged, locked by a second reader or on a full disk. Each call here
turns the store's :class:`~reader.errors.ReaderError` into one notification with its
sentence and a harmless default, so no key on any screen can end the app with a
traceback: reading goes on without the library rather than not at all. Screens are
handed this session, never a raw :class:`~reader.library.Library`.

It is a plain object the app owns (not an App mixin), so it can be tested without Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from reader.document import Article, Position
from reader.errors import ReaderError

if TYPE_CHECKING:
    from reader.highlights import Passage
    from reader.library import Bookmark, DeletedToken, Entry, HistoryEntry, Library, SavedArticle
    from reader.library.feeds import FeedItem, Feeds
    from reader.library.highlights import Highlight

T = TypeVar("T")
Notify = Callable[[str, str], None]  # (sentence, title)


class LibrarySession:
    """Opens the library on first use and answers for it; ``notify(sentence, title)``
    tells the person when something could not be done."""

    def __init__(self, data_dir: Path | None, notify: Notify) -> None:
        self.data_dir = data_dir
        self._notify = notify
        self._library: Library | None = None
        self._failed = False
        # Articles deleted in this session, newest last: the library's z brings them back.
        # Kept here, not on the screen, which is made anew each time L opens it (opening
        # an article and coming back lost the undo of a delete made by mistake).
        self.deleted: list[DeletedToken] = []

    @classmethod
    def over(cls, library: Library, notify: Notify) -> LibrarySession:
        """A session over a library that is already open (benchmarks, tests)."""
        session = cls(library.path.parent, notify)
        session._library = library
        return session

    # ------------------------------------------------------------------ the database

    @property
    def available(self) -> bool:
        """Whether there is a library to use (opening it now if need be)."""
        return self._open() is not None

    def _open(self) -> Library | None:
        if self._library is None and not self._failed:
            from reader.library import Library

            try:
                self._library = Library.open(self.data_dir)
            except ReaderError as exc:
                self._failed = True
                self._notify(exc.sentence, "Library unavailable")
        return self._library

    def call(self, action: Callable[[Library], T], default: T, *, title: str = "") -> T:
        """``action(library)``, or ``default`` after one notification if it failed."""
        library = self._open()
        if library is None:
            return default
        try:
            return action(library)
        except ReaderError as exc:
            self._notify(exc.sentence, title)
            return default

    def for_import(self) -> Library | None:
        """The library itself, for the import runner alone: it reports each entry's
        failure in its own summary, so it needs the store's errors, not notifications."""
        return self._open()

    def feeds(self) -> Feeds | None:
        """The feed subscriptions in this library (None: there is no library to use).
        The feeds screen guards its own calls with the same one-sentence rule."""
        library = self._open()
        if library is None:
            return None
        from reader.library.feeds import Feeds

        return Feeds(library)

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None

    # ------------------------------------------------------------------ articles

    def is_empty(self) -> bool:
        return self.call(lambda lib: lib.is_empty(), True)

    def save(self, article: Article, *, source_url: str, html: bytes | None = None,
             images: dict[str, bytes] | None = None) -> int | None:
        return self.call(lambda lib: lib.save(article, source_url=source_url, html=html,
                                              images=images), None, title="Not saved")

    def find(self, url: str) -> int | None:
        return self.call(lambda lib: lib.find(url), None)

    def get(self, article_id: int) -> SavedArticle | None:
        return self.call(lambda lib: lib.get(article_id), None)

    def entries(self, *, search: str | None, sort: str, filter: str,
                tag: str | None, limit: int | None = None, offset: int = 0,
                after: int | None = None) -> list[Entry]:
        """One page of the list (``limit`` rows from ``offset``, or after article
        ``after``), or the whole list without ``limit``."""
        return self.call(lambda lib: lib.entries(search=search, sort=sort, filter=filter,
                                                 tag=tag, limit=limit, offset=offset,
                                                 after=after), [])

    def count(self, *, search: str | None, filter: str, tag: str | None,
              sort: str = "saved") -> int:
        """How long that list is, without reading its rows."""
        return self.call(lambda lib: lib.count(search=search, filter=filter, tag=tag,
                                               sort=sort), 0)

    def index_of(self, article_id: int, *, search: str | None, sort: str, filter: str,
                 tag: str | None) -> int | None:
        """Where an article stands in that list (None when it is not in it), so a screen
        that lists again keeps its cursor on it."""
        return self.call(lambda lib: lib.index_of(article_id, search=search, sort=sort,
                                                  filter=filter, tag=tag), None)

    def feed_items(self, search: str, *, limit: int) -> list[FeedItem]:
        """The newest feed items that match ``search`` (a library search shows them
        after the articles)."""
        from reader.library.search import feed_items

        return self.call(lambda lib: feed_items(lib, search, limit=limit), [])

    def set_archived(self, article_id: int, value: bool) -> bool:
        return self.call(lambda lib: lib.set_archived(article_id, value) or True, False)

    def set_favourite(self, article_id: int, value: bool) -> bool:
        return self.call(lambda lib: lib.set_favourite(article_id, value) or True, False)

    def set_tags(self, article_id: int, tags: Sequence[str]) -> bool:
        return self.call(lambda lib: lib.set_tags(article_id, tags) or True, False)

    def all_tags(self) -> list[str]:
        return self.call(lambda lib: lib.all_tags(), [])

    def delete(self, article_id: int) -> DeletedToken | None:
        return self.call(lambda lib: lib.delete(article_id), None)

    def undelete(self, token: DeletedToken) -> int | None:
        return self.call(lambda lib: lib.undelete(token), None)

    def image(self, src: str) -> bytes | None:
        """A saved picture's bytes. Called from the image loader's worker thread: it never
        opens the library and never notifies (neither is safe off the UI thread)."""
        library = self._library
        if library is None:
            return None
        try:
            return library.image(src)
        except ReaderError:
            return None

    # ------------------------------------------------------------------ reading

    def position(self, url: str) -> Position | None:
        return self.call(lambda lib: lib.position(url), None)

    def set_position(self, url: str, position: Position, progress: float) -> None:
        if self._library is not None:  # never opens the library just to write a position
            self.call(lambda lib: lib.set_position(url, position, progress), None)

    def add_bookmark(self, url: str, position: Position, *, title: str = "", section: str = "",
                     snippet: str = "", note: str = "") -> int | None:
        return self.call(lambda lib: lib.add_bookmark(
            url, position, title=title, section=section, snippet=snippet, note=note), None)

    def bookmarks(self, url: str | None = None) -> list[Bookmark]:
        return self.call(lambda lib: lib.bookmarks(url), [])

    def delete_bookmark(self, bookmark_id: int) -> bool:
        return self.call(lambda lib: lib.delete_bookmark(bookmark_id) or True, False)

    # ------------------------------------------------------------------ highlights

    def add_highlight(self, url: str, article: Article, passage: Passage, *, note: str = "",
                      section: str = "") -> Highlight | None:
        def add(lib: Library) -> Highlight | None:
            try:
                return lib.add_highlight(url, article, passage, note=note, section=section)
            except ValueError as exc:  # a selection of nothing but spaces
                self._notify(str(exc), "Not highlighted")
                return None

        return self.call(add, None, title="Not highlighted")

    def highlights(self, url: str | None = None, *, search: str | None = None
                   ) -> list[Highlight]:
        return self.call(lambda lib: lib.highlights(url, search=search), [])

    def set_highlight_note(self, highlight_id: int, note: str) -> bool:
        return self.call(lambda lib: lib.set_highlight_note(highlight_id, note) or True, False,
                         title="Note not saved")

    def move_highlight(self, highlight_id: int, passage: Passage) -> None:
        self.call(lambda lib: lib.move_highlight(highlight_id, passage), None)

    def delete_highlight(self, highlight_id: int) -> Highlight | None:
        def delete(lib: Library) -> Highlight | None:
            try:
                return lib.delete_highlight(highlight_id)
            except KeyError:
                return None

        return self.call(delete, None, title="Not deleted")

    def restore_highlight(self, gone: Highlight) -> bool:
        return self.call(lambda lib: lib.restore_highlight(gone) or True, False,
                         title="Not restored")

    def record_history(self, url: str, title: str) -> None:
        self.call(lambda lib: lib.record_history(url, title), None)

    def history(self, limit: int = 500) -> list[HistoryEntry]:
        """Everything opened, newest first; the same page opened several times in a row
        (reloads, back and forth) is listed once."""
        empty: list[HistoryEntry] = []
        entries = self.call(lambda lib: lib.history(limit), empty)
        return [e for i, e in enumerate(entries) if i == 0 or e.url != entries[i - 1].url]
