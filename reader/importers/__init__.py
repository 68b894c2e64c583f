"""Reading lists from other services and browsers, brought into the library.

``detect(text)`` names the format of an export from its content, ``parse(text, format)``
turns it into :class:`ImportEntry` values (checking the whole file first), and
:mod:`reader.importers.runner` fetches, extracts and saves them. One module per format
keeps each exporter's quirks in one place.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable
from importlib import import_module

from reader.errors import ImportFormatError
from reader.importers.base import ImportEntry, check_json_values, clean_tags, web_url
from reader.sanitize import clean_text

FORMATS = ("pocket", "instapaper", "omnivore", "wallabag", "netscape", "urls")

__all__ = ["FORMATS", "ImportEntry", "detect", "parse"]


def detect(text: str, name: str = "The file") -> str:
    """The format of an export from its content; ImportFormatError if it is none of ours."""
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise ImportFormatError(f"{name} is empty.")
    head = body[:4096].lower()
    if head.startswith("<") and "<opml" in head:  # feed subscriptions (reader.importers.opml)
        return "opml"
    if head.startswith("<!doctype netscape-bookmark-file") or (
            head.startswith("<") and "<a " in head and "href" in head):
        return "netscape"
    if body[0] in "[{":
        return _json_kind(body, name)
    end = body.find("\n")
    first = (body if end < 0 else body[:end]).splitlines()[0]  # not a list of every line
    if web_url(first.strip()) is not None or first.startswith("#"):
        return "urls"
    columns = {c.strip().lower() for c in next(csv.reader(io.StringIO(first)), [])}
    if "url" in columns and "time_added" in columns:
        return "pocket"
    if "url" in columns and columns & {"folder", "selection", "timestamp"}:
        return "instapaper"
    raise ImportFormatError(f"reader cannot tell what kind of export {name} is; name it "
                            "with --format.")


def _json_kind(body: str, name: str) -> str:
    check_json_values(body, name)
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, RecursionError):
        raise ImportFormatError(f"{name} looks like JSON but is not valid JSON; name its "
                                "format with --format to see where.") from None
    items = data if isinstance(data, list) else []
    keys: set[str] = set()
    for item in items[:20]:
        if isinstance(item, dict):
            keys |= set(item)
    if keys & {"savedAt", "labels", "slug", "isArchived"}:
        return "omnivore"
    if keys & {"is_archived", "is_starred", "created_at", "given_url"}:
        return "wallabag"
    raise ImportFormatError(f"{name} is JSON but neither an Omnivore nor a wallabag export.")


def parse(text: str, format: str, name: str = "the file") -> list[ImportEntry]:
    """Every entry of the export, or ImportFormatError naming the first bad line/entry."""
    if format not in FORMATS:
        raise ImportFormatError(f"Unknown import format {format!r}; use one of "
                                f"{', '.join(FORMATS)}.")
    module = import_module(f"reader.importers.{format}")
    parser: Callable[[str, str], list[ImportEntry]] = module.parse
    return [_clean(entry) for entry in parser(text, name)]


def _clean(entry: ImportEntry) -> ImportEntry:
    """Titles and tags come from a file a stranger may have written: they are sanitised
    here, at the boundary, like article text at extraction (one line, no controls)."""
    title = " ".join(clean_text(entry.title).split())
    tags = clean_tags(clean_text(tag) for tag in entry.tags)
    if title == entry.title and tags == entry.tags:
        return entry
    return dataclasses.replace(entry, title=title, tags=tags)
