"""Finding the feeds a web page links to (``<link rel="alternate" type="…">``).

People paste the address of a site, not of its feed; browsers and feed readers have long
looked for these links in the page's head. Titles and URLs come from the page, so they
are sanitised here like any page text.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.feeds.parse import clean_url, one_line

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json",
                        "application/rdf+xml", "application/json"})


@dataclass(frozen=True, slots=True)
class FoundFeed:
    url: str
    title: str
    type: str


def looks_like_html(data: bytes, content_type: str) -> bool:
    """A web page rather than a feed: by its type, else by its first tag."""
    if content_type in ("text/html", "application/xhtml+xml"):
        return True
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def discover(data: bytes, url: str) -> list[FoundFeed]:
    """The feeds ``data`` (a page fetched from ``url``) links to, in page order."""
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(data)
    except Exception:  # lxml refuses empty or wholly broken documents
        return []
    base = url
    for element in doc.iter("base"):
        if element.get("href"):
            base = clean_url(element.get("href"), url) or url
            break
    found: dict[str, FoundFeed] = {}
    for link in doc.iter("link"):
        rel = {part.lower() for part in str(link.get("rel", "")).split()}
        kind = str(link.get("type", "")).split(";")[0].strip().lower()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        target = clean_url(link.get("href"), base)
        if target is None or target in found:
            continue
        found[target] = FoundFeed(target, one_line(link.get("title")) or target, kind)
    return list(found.values())
