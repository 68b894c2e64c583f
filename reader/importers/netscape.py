"""Browser bookmarks in the Netscape bookmark file format (``<!DOCTYPE
NETSCAPE-Bookmark-file-1>``), which every browser, Pinboard and Pocket's older HTML export
write.

Each ``<A HREF>`` is an entry, with ``ADD_DATE`` (Unix seconds) and ``TAGS``
(comma-separated). Pocket's HTML export puts archived items under a heading "Read
Archive"; Pinboard marks unread ones ``TOREAD="1"``. Bookmarklets and browser-internal
addresses (``javascript:``, ``place:``, ``about:`` …) are not articles and are passed over.
"""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser

from reader.errors import ImportFormatError
from reader.importers.base import ImportEntry, clean_tags, no_entries, shown, unix_time, web_url
from reader.urls import WEB_SCHEMES, scheme

ARCHIVE_HEADINGS = frozenset({"read archive", "archive", "archived"})


def _time(raw: str) -> datetime | None:
    """Seconds as the format says; milliseconds and microseconds as some tools write."""
    try:
        value = float(raw)
    except ValueError:
        return None
    for scale in (1, 1e3, 1e6):
        found = unix_time(value / scale)
        if found is not None:
            return found
    return None


class _Bookmarks(HTMLParser):
    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.entries: list[ImportEntry] = []
        self._link: dict[str, str] | None = None
        self._title: list[str] = []
        self._heading: list[str] | None = None
        self._archive = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._close_link()
            values = {k.lower(): (v or "") for k, v in attrs}
            values["_line"] = str(self.getpos()[0])
            self._link, self._title = values, []
        elif tag in ("h1", "h2", "h3"):
            self._close_link()
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close_link()
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            text = " ".join("".join(self._heading).split()).lower()
            if tag == "h1":
                self._archive = text in ARCHIVE_HEADINGS
            self._heading = None
        elif tag == "dt":
            self._close_link()

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._title.append(data)
        elif self._heading is not None:
            self._heading.append(data)

    def close(self) -> None:
        super().close()
        self._close_link()

    def _close_link(self) -> None:
        link, self._link = self._link, None
        if link is None:
            return
        line = link["_line"]
        raw = link.get("href", "").strip()
        if not raw:
            raise ImportFormatError(f"Line {line} of {self.name} has a bookmark without an "
                                    "address.")
        kind = scheme(raw)
        if kind and kind not in WEB_SCHEMES:
            return  # a bookmarklet or a browser page, not an article
        url = web_url(raw)
        if url is None:
            raise ImportFormatError(f"Line {line} of {self.name} has an address that is not "
                                    f"an http or https URL: {shown(raw)}.")
        stamp = (link.get("add_date") or link.get("time_added") or "").strip()
        added = _time(stamp) if stamp else None
        if stamp and stamp != "0" and added is None:
            raise ImportFormatError(f"Line {line} of {self.name} has an ADD_DATE that is not "
                                    f"a Unix time: {shown(stamp)}.")
        tags = link.get("tags", "").split(",")
        self.entries.append(ImportEntry(
            url=url, title=" ".join("".join(self._title).split()), added=added,
            tags=clean_tags(tags), archived=self._archive))


def parse(text: str, name: str) -> list[ImportEntry]:
    parser = _Bookmarks(name)
    parser.feed(text.lstrip("\ufeff"))
    parser.close()
    if not parser.entries:
        raise no_entries(name)
    return parser.entries
