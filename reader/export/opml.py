"""Feed subscriptions written as OPML 2.0, which every feed reader imports.

Tags become folders (a tag "News/Science" nests); a feed with several tags appears in
each of its folders, which is how OPML says it, and :mod:`reader.importers.opml` reads it
back as one subscription with those tags. Text is escaped by the XML writer, never
pasted into markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from reader.library.feeds import Feed

FOLDER_SEPARATOR = "/"


def feeds_to_opml(feeds: Sequence[Feed], title: str = "reader subscriptions") -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}

    def folder(path: tuple[str, ...]) -> ET.Element:
        if path not in folders:
            parent = folder(path[:-1])
            folders[path] = ET.SubElement(parent, "outline", text=path[-1], title=path[-1])
        return folders[path]

    for feed in feeds:
        paths = [tuple(p for p in tag.split(FOLDER_SEPARATOR) if p) for tag in feed.tags]
        for path in [p for p in paths if p] or [()]:
            attrs = {"type": "rss", "text": feed.title or feed.url,
                     "title": feed.title or feed.url, "xmlUrl": feed.url}
            if feed.site_url:
                attrs["htmlUrl"] = feed.site_url
            ET.SubElement(folder(path), "outline", attrs)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="unicode") + "\n"
