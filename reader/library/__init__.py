"""The local library: offline copies, bookmarks, reading positions and history.

One SQLite file (``library.db`` in the data folder). The public surface is
:class:`Library` and the frozen row types it returns; the storage details live in
``store`` and ``schema``, image downloading in ``images``.

A list of any length is read a page at a time: ``Library.entries(..., limit=N,
after=last_id)`` (or ``offset=``), ``Library.count(...)`` for its length, and
``Library.index_of(id, ...)`` for an article's place in it; ``Library.iter_entries``
walks a whole list in pages.
"""

from __future__ import annotations

from reader.library.images import download_images
from reader.library.models import Bookmark, DeletedToken, Entry, HistoryEntry, SavedArticle
from reader.library.store import FILTERS, SORTS, Library

__all__ = [
    "FILTERS",
    "SORTS",
    "Bookmark",
    "DeletedToken",
    "Entry",
    "HistoryEntry",
    "Library",
    "SavedArticle",
    "download_images",
]
