"""A plain list of URLs, one a line (a file or standard input): the lowest common
denominator every other tool can produce. Blank lines and lines starting with ``#`` are
skipped, so a list can carry notes.
"""

from __future__ import annotations

from reader.errors import ImportFormatError
from reader.importers.base import ImportEntry, no_entries, shown, web_url


def parse(text: str, name: str) -> list[ImportEntry]:
    entries: list[ImportEntry] = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        item = line.strip()
        if not item or item.startswith("#"):
            continue
        url = web_url(item)
        if url is None:  # spaces and controls included
            raise ImportFormatError(f"Line {number} of {name} is not an http or https "
                                    f"address: {shown(item)}.")
        entries.append(ImportEntry(url=url))
    if not entries:
        raise no_entries(name)
    return entries
