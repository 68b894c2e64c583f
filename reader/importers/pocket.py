"""Pocket's CSV export (``title,url,time_added,tags,status``), the only way out of
Pocket after it closed in July 2025.

``tags`` are separated by ``|``; ``status`` is ``unread`` or ``archive``; ``time_added``
is a Unix time in seconds.
"""

from __future__ import annotations

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

COLUMNS = ("title", "url", "time_added", "tags", "status")
_STATUS = {"": False, "unread": False, "archive": True, "archived": True}


def parse(text: str, name: str) -> list[ImportEntry]:
    entries: list[ImportEntry] = []
    for line, row in csv_rows(text, name, ("url",)):
        url = row_url(row, line, name)
        added = row_unix_time(row, "time_added", "time_added", line, name)
        status = row.get("status", "").strip().lower()
        if status not in _STATUS:
            raise ImportFormatError(f"Line {line} of {name} has the status {shown(status)}; "
                                    "Pocket writes unread or archive.")
        entries.append(ImportEntry(
            url=url, title=row.get("title", "").strip(), added=added,
            tags=clean_tags(row.get("tags", "").split("|")), archived=_STATUS[status]))
    if not entries:
        raise no_entries(name)
    return entries
