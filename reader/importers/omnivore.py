"""Omnivore's JSON export (Omnivore closed in November 2024).

The export is a list of objects with ``url``, ``title``, ``savedAt`` (ISO 8601),
``labels`` (names, or objects with a ``name``) and ``state`` (``Archived`` for archived
items; newer exports also say ``isArchived``). Items in the ``Deleted`` state were
thrown away in Omnivore and are not brought back. The zip Omnivore handed out
holds such lists as ``metadata_*.json``; :mod:`reader.importers.runner` reads it.
"""

from __future__ import annotations

from reader.importers.base import (
    ImportEntry,
    entry_flag,
    entry_tags,
    entry_text,
    entry_time,
    entry_url,
    json_entries,
    no_entries,
)


def parse(text: str, name: str) -> list[ImportEntry]:
    entries: list[ImportEntry] = []
    for number, item in enumerate(json_entries(text, name), 1):
        url = entry_url(item, ("url", "originalArticleUrl"), number, name)
        state = entry_text(item, "state", number, name).lower()
        archived = state == "archived" or entry_flag(item, "isArchived", number, name)
        title = entry_text(item, "title", number, name)
        added = entry_time(item, "savedAt", number, name)
        tags = entry_tags(item, "labels", number, name)
        if state == "deleted":
            continue
        entries.append(ImportEntry(url=url, title=title, added=added, tags=tags,
                                   archived=archived))
    if not entries:
        raise no_entries(name)
    return entries
