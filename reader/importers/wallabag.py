"""wallabag's JSON export: a list of entries with ``url``, ``title``, ``created_at``,
``tags``, ``is_archived``, ``is_starred`` and the ``content`` wallabag extracted.

The content is kept on the entry so that a page that has since disappeared can still be
imported from wallabag's copy.
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
        url = entry_url(item, ("url", "given_url", "origin_url"), number, name)
        content = entry_text(item, "content", number, name)
        entries.append(ImportEntry(
            url=url, title=entry_text(item, "title", number, name),
            added=entry_time(item, "created_at", number, name),
            tags=entry_tags(item, "tags", number, name, ("label", "slug", "name")),
            archived=entry_flag(item, "is_archived", number, name),
            favourite=entry_flag(item, "is_starred", number, name),
            content=content or None))
    if not entries:
        raise no_entries(name)
    return entries
