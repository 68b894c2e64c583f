"""A feed's bytes turned into plain, sanitised values: :class:`ParsedFeed` and its items.

RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and RDF go through ``feedparser``, which has met every
quirk of twenty years of feeds (it resolves relative links against ``xml:base`` and the
feed's URL, and takes scripts out of embedded HTML). JSON Feed 1.0/1.1 is small enough to
read here over :mod:`json`. Either way the result is the same frozen values, and every
string in them has been through :func:`reader.sanitize.clean_text` (a feed is as hostile
as a page): titles, authors and summaries are plain one-line text with any markup
removed, never something to be parsed as markup later.

Broken XML is not all-or-nothing: feedparser's "bozo" flag says what broke and the items
read before it are kept, with the sentence in :attr:`ParsedFeed.problem`.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from reader.errors import ReaderError
from reader.sanitize import clean_text

JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")
SUMMARY_MAX = 600  # characters of summary kept per item: a teaser, not the article
_TAG = re.compile(r"<[^>]*>")
# Where one block of HTML ends and the next begins, so "<p>a</p><p>b</p>" reads "a b".
_BLOCK_END = re.compile(r"<(?:/(?:p|div|li|h[1-6]|figure|figcaption|blockquote|td|tr)|br\s*/?)>",
                        re.IGNORECASE)


class FeedError(ReaderError):
    """A document that is not a feed reader can read."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed. ``key`` identifies it across refreshes: the guid/id, else
    the link, else a digest of its title and text."""

    key: str
    url: str | None
    title: str
    author: str | None
    published: str | None  # ISO-8601, UTC
    summary: str  # plain text, one paragraph
    content_html: str | None  # the feed's own full content (content:encoded, Atom content)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    site_url: str | None
    items: tuple[FeedItem, ...]
    ttl_minutes: int | None = None  # RSS <ttl>
    problem: str | None = None  # what broke, when only part of the feed could be read
    kind: str = "rss"  # "rss", "atom", "rdf", "json"


def one_line(text: str | None, *, markup: bool = True) -> str:
    """Plain text of a feed string: markup stripped (unless the feed said the string is
    plain text, ``markup=False``), controls removed, one line."""
    if not text:
        return ""
    if markup and "<" in text:
        text = _strip_tags(_BLOCK_END.sub(r" \g<0>", text))
    return " ".join(clean_text(text).split())


def _strip_tags(text: str) -> str:
    import html

    try:
        import lxml.html

        fragment = lxml.html.fragment_fromstring(text, create_parent="div")
        return str(fragment.text_content())
    except Exception:  # lxml refuses some fragments (empty, only a comment)
        return html.unescape(_TAG.sub(" ", text))


def clean_url(value: object, base: str | None = None) -> str | None:
    """An http(s) URL (resolved against ``base``), sanitised; None otherwise."""
    if not isinstance(value, str) or not value.strip():
        return None
    url = clean_text(value).strip()
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if any(c.isspace() for c in url):
        return None
    return url


def looks_like_json_feed(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b"jsonfeed.org/version" in data[:65536]


def parse_feed(data: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """The feed in ``data`` fetched from ``url``; FeedError when nothing in it is a feed."""
    if content_type in ("application/feed+json", "application/json") or \
            looks_like_json_feed(data):
        return parse_json_feed(data, url)
    return _parse_xml(data, url, content_type)


# ---------------------------------------------------------------------- XML via feedparser


def _parse_xml(data: bytes, url: str, content_type: str) -> ParsedFeed:
    import feedparser  # no stubs published

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never a string: feedparser treats a string as a URL or a path to open.
    result = feedparser.parse(io.BytesIO(data), response_headers=headers,
                              resolve_relative_uris=True, sanitize_html=True)
    feed = result.get("feed", {})
    entries = result.get("entries", [])
    version = str(result.get("version") or "")
    problem = _bozo_sentence(result, url, len(entries))
    if not version and not entries:
        why = f" ({problem})" if problem else ""
        raise FeedError(f"{url} is not a feed reader can read{why}.")
    items = tuple(_xml_item(entry, url) for entry in entries)
    kind = "atom" if version.startswith("atom") else "rdf" if version in (
        "rss090", "rss10") else "rss"
    return ParsedFeed(
        title=_text_field(feed, "title") or _host(url),
        site_url=clean_url(feed.get("link"), url),
        items=items,
        ttl_minutes=_int(feed.get("ttl")),
        problem=problem,
        kind=kind,
    )


def _bozo_sentence(result: Any, url: str, count: int) -> str | None:
    """What broke, in words, when the XML was not well-formed; None for the harmless
    kinds of bozo (a charset label that was wrong, an unusual content type)."""
    if not result.get("bozo"):
        return None
    exc = result.get("bozo_exception")
    name = type(exc).__name__
    if name in ("CharacterEncodingOverride", "NonXMLContentType"):
        return None
    detail = one_line(str(exc)) or name
    line = getattr(exc, "getLineNumber", None)
    where = ""
    if callable(line):
        try:
            where = f" at line {int(line())}"
        except (TypeError, ValueError):
            where = ""
    detail = re.sub(r"^[^:]*:\d+:\d+:\s*", "", detail)
    kept = f"; reader kept the {count} item{'s' if count != 1 else ''} before it" \
        if count else ""
    return f"the XML is broken{where} ({detail}){kept}"


def _xml_item(entry: Any, feed_url: str) -> FeedItem:
    link = clean_url(entry.get("link"), feed_url)
    title = _text_field(entry, "title")
    content_html = None
    for content in entry.get("content") or ():
        value = content.get("value")
        if value and (content_html is None or len(value) > len(content_html)):
            content_html = clean_text(value)
    summary_html = entry.get("summary") or ""
    if content_html is None and summary_html and len(summary_html) > SUMMARY_MAX:
        content_html = clean_text(summary_html)  # RSS <description> holding the whole post
    summary = one_line(summary_html or content_html or "")[:SUMMARY_MAX]
    published = _iso(entry.get("published_parsed") or entry.get("updated_parsed"))
    author = one_line(entry.get("author")) or None
    raw_id = entry.get("id")
    key = one_line(raw_id) if isinstance(raw_id, str) and raw_id.strip() else ""
    return FeedItem(key=key or link or _digest(title, summary, published), url=link,
                    title=title or (link or "Untitled"), author=author, published=published,
                    summary=summary, content_html=content_html)


def _text_field(obj: Any, name: str) -> str:
    """A title as plain text: feedparser says (``title_detail.type``) whether the feed
    gave it as text, where ``<`` is a character, or as HTML, where it is a tag."""
    detail = obj.get(f"{name}_detail") or {}
    plain = str(detail.get("type", "")) == "text/plain"
    return one_line(obj.get(name), markup=not plain)


def _iso(value: Any) -> str | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
    except (OverflowError, ValueError, OSError):
        return None


# ---------------------------------------------------------------------- JSON Feed


def parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        doc = json.loads(data.decode("utf-8-sig", errors="replace"))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise FeedError(f"{url} is not valid JSON (line {getattr(exc, 'lineno', '?')}), "
                        "so not a JSON Feed.") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
            "https://jsonfeed.org/version/"):
        raise FeedError(f"{url} is JSON but not a JSON Feed (it has no jsonfeed.org version).")
    base = clean_url(doc.get("feed_url")) or url
    raw_items = doc.get("items")
    if not isinstance(raw_items, list):
        raw_items = []
    items = []
    skipped = 0
    feed_author = _json_author(doc)
    for raw in raw_items:
        if not isinstance(raw, dict):
            skipped += 1
            continue
        items.append(_json_item(raw, base, feed_author))
    problem = None
    if skipped:
        problem = (f"{skipped} of its items were not JSON objects and were skipped"
                   if skipped != 1 else "one of its items was not a JSON object and was skipped")
    return ParsedFeed(title=one_line(_str(doc.get("title"))) or _host(url),
                      site_url=clean_url(doc.get("home_page_url"), base),
                      items=tuple(items), problem=problem, kind="json")


def _json_item(raw: dict[str, Any], base: str, feed_author: str | None) -> FeedItem:
    link = clean_url(raw.get("url"), base) or clean_url(raw.get("external_url"), base)
    title = one_line(_str(raw.get("title")))
    content_html = _str(raw.get("content_html"))
    text = _str(raw.get("content_text"))
    if content_html:
        content_html = _absolute_links(clean_text(content_html), base)
    elif text:
        import html

        content_html = "".join(f"<p>{html.escape(p.strip())}</p>"
                               for p in re.split(r"\n\s*\n", clean_text(text)) if p.strip())
    summary = one_line(_str(raw.get("summary")) or content_html or "")[:SUMMARY_MAX]
    published = _json_date(raw.get("date_published")) or _json_date(raw.get("date_modified"))
    raw_id = raw.get("id")
    key = one_line(str(raw_id)) if isinstance(raw_id, str | int) and str(raw_id).strip() \
        else ""
    return FeedItem(key=key or link or _digest(title, summary, published), url=link,
                    title=title or (link or "Untitled"),
                    author=_json_author(raw) or feed_author, published=published,
                    summary=summary, content_html=content_html or None)


def _json_author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")  # 1.1
    if not isinstance(authors, list):
        authors = [obj.get("author")]  # 1.0
    names = [one_line(_str(a.get("name"))) for a in authors if isinstance(a, dict)]
    names = [n for n in names if n]
    return ", ".join(names) or None


def _json_date(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _absolute_links(html_text: str, base: str) -> str:
    """Relative ``href``/``src`` in a JSON Feed's HTML made absolute (feedparser does
    this for XML feeds; JSON Feed 1.1 says they are relative to the feed URL)."""
    return re.sub(r'''(\s(?:href|src)\s*=\s*)(["'])([^"']*)\2''',
                  lambda m: f"{m.group(1)}{m.group(2)}{_join(base, m.group(3))}{m.group(2)}",
                  html_text, flags=re.IGNORECASE)


def _join(base: str, url: str) -> str:
    try:
        return urljoin(base, url)
    except ValueError:
        return url


# ---------------------------------------------------------------------- small helpers


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _digest(*parts: str | None) -> str:
    text = "\x1f".join(p or "" for p in parts)
    return "sha1:" + hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()
