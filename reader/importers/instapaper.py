"""Instapaper's CSV export (``URL,Title,Selection,Folder,Timestamp,Tags``).

Instapaper keeps state as folders: ``Unread``, ``Archive`` and ``Starred``; any other
folder is one the person made, and becomes a tag so the grouping survives. ``Tags`` is a
JSON list of strings in newer exports (``["a", "b"]``); older ones have no such column.
"""

from __future__ import annotations

import json

from reader.errors import ImportFormatError
from reader.importers.base import (
    ImportEntry,
    clean_tags,
    csv_rows,
    no_entries,
    row_unix_time,
    row_url,
    shown,
)

COLUMNS = ("url", "title", "selection", "folder", "timestamp", "tags")


def _tags(raw: str, line: int, name: str) -> list[str]:
    raw = raw.strip()
    if not raw:
        return []
    if raw.startswith("["):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise ImportFormatError(f"Line {line} of {name} has Tags that are not a list "
                                    f"of names: {shown(raw)}.")
        return value
    return raw.replace("|", ",").split(",")


def parse(text: str, name: str) -> list[ImportEntry]:
    entries: list[ImportEntry] = []
    for line, row in csv_rows(text, name, ("url",)):
        url = row_url(row, line, name)
        added = row_unix_time(row, "timestamp", "Timestamp", line, name)
        folder = " ".join(row.get("folder", "").split())
        tags = _tags(row.get("tags", ""), line, name)
        if folder.lower() not in ("", "unread", "archive", "starred"):
            tags.insert(0, folder)
        entries.append(ImportEntry(
            url=url, title=row.get("title", "").strip(), added=added, tags=clean_tags(tags),
            archived=folder.lower() == "archive", favourite=folder.lower() == "starred"))
    if not entries:
        raise no_entries(name)
    return entries
