"""What a page says about itself: title, author, site, date, language, canonical URL.

Read from the whole page before any content is thrown away, in order of trust:
structured data (JSON-LD ``Article`` and kin, also inside ``@graph``), then OpenGraph and
other ``<meta>`` tags, then the visible page (``<time datetime>``, ``<title>``, the
``<h1>``). The title drops a site-name suffix ("Title – Site", "Title | Site") the way
browsers' reader views do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from reader.sanitize import clean_text, clean_url
from reader.urls import is_web_url

# schema.org types whose object describes the article on the page.
ARTICLE_TYPES = frozenset({
    "Article", "AdvertiserContentArticle", "NewsArticle", "AnalysisNewsArticle",
    "AskPublicNewsArticle", "BackgroundNewsArticle", "BlogPosting", "DiscussionForumPosting",
    "LiveBlogPosting", "OpinionNewsArticle", "ReportageNewsArticle", "ReviewNewsArticle",
    "Report", "SatiricalArticle", "ScholarlyArticle", "MedicalScholarlyArticle",
    "SocialMediaPosting", "TechArticle", "Review", "Recipe",
})
# " | ", " - ", " – ", " — ", " / ", " > ", " » ", " · ", " :: " between title and site.
_SEPARATOR = re.compile(r"\s(?:[|\-–—\\/>»])\s")
_HIERARCHY = re.compile(r"\s[\\/>»]\s")
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_CDATA = re.compile(r"^\s*(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*$")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(slots=True)
class Metadata:
    """What the page says about itself (head, JSON-LD, bylines), before the body."""

    title: str = ""
    byline: str | None = None
    site_name: str | None = None
    published: str | None = None
    lang: str | None = None
    excerpt: str | None = None
    lead_image: str | None = None
    canonical: str | None = None
    article_body: str | None = None  # JSON-LD articleBody: a fallback for the content


def squash(text: str | None) -> str:
    """Sanitised text with runs of whitespace made one space."""
    if not text:
        return ""
    return _SPACE.sub(" ", clean_text(text)).strip()


def read_metadata(doc: HtmlElement, url: str | None) -> Metadata:
    """Everything :class:`Metadata` holds, from the parsed page ``doc``."""
    meta = _meta_tags(doc)
    ld = _json_ld(doc)
    result = Metadata()

    page_url = _canonical(doc, meta, url)
    result.canonical = page_url
    base = page_url or url

    result.site_name = squash(
        _ld_name(ld.get("publisher")) or meta.get("og:site_name")
        or meta.get("application-name") or meta.get("twitter:site:name")
    ) or None

    result.title = _title(doc, meta, ld, result.site_name)
    result.byline = _byline(doc, meta, ld)
    result.published = _published(doc, meta, ld)
    lang = doc.get("lang") or doc.get("xml:lang") or meta.get("og:locale") or meta.get(
        "content-language")
    result.lang = squash(lang).replace("_", "-") or None if lang else None
    result.excerpt = squash(ld.get("description") or meta.get("og:description")
                            or meta.get("description") or meta.get("twitter:description")) or None
    image = _ld_image(ld.get("image")) or meta.get("og:image") or meta.get("twitter:image")
    image = clean_url(image) if image else None
    if image and base:
        image = urljoin(base, image)
    result.lead_image = image.strip() if image and _is_web_url(image) else None
    body = ld.get("articleBody")
    result.article_body = clean_text(body) if isinstance(body, str) and body.strip() else None
    return result


_is_web_url = is_web_url


# --------------------------------------------------------------------------- sources


def _meta_tags(doc: HtmlElement) -> dict[str, str]:
    """``<meta>`` contents by ``property``, ``name`` or ``itemprop``, normalised
    (lower case, ``DC.title`` = ``dc:title``); a later tag overrides an earlier one, as in
    browsers' reader views."""
    found: dict[str, str] = {}
    for el in doc.iter("meta"):
        content = el.get("content")
        if content is None or not content.strip():
            continue
        for attr in ("itemprop", "http-equiv", "name", "property"):
            keys = el.get(attr)
            if keys:
                # RDFa allows several space-separated properties in one attribute.
                for key in keys.lower().split():
                    found[key.replace(".", ":")] = content.strip()
    return found


def _json_ld(doc: HtmlElement) -> dict[str, Any]:
    """The first JSON-LD object of an article type, searched through lists and @graph."""
    for script in doc.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = _CDATA.sub("", script.text or "")
        import json  # only for a page with JSON-LD: a small dump spares the import

        try:
            data = json.loads(text, strict=False)
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep
            continue
        found = _find_article(data, 0)
        if found is not None:
            return found
    return {}


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    names = kind if isinstance(kind, list) else [kind]
    return {n.rsplit("/", 1)[-1] for n in names if isinstance(n, str)}


def _find_article(data: Any, depth: int) -> dict[str, Any] | None:
    if depth > 6:
        return None
    if isinstance(data, list):
        for item in data:
            found = _find_article(item, depth + 1)
            if found is not None:
                return found
        return None
    if not isinstance(data, dict):
        return None
    if _types(data) & ARTICLE_TYPES:
        return data
    for key in ("@graph", "mainEntity", "mainEntityOfPage"):
        found = _find_article(data.get(key), depth + 1)
        if found is not None:
            return found
    return None


def _ld_name(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        name = value.get("name")
        return name if isinstance(name, str) else ""
    if isinstance(value, list):
        names = [n for n in (_ld_name(v) for v in value) if n]
        return ", ".join(dict.fromkeys(names))
    return ""


def _ld_image(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        url = value.get("url") or value.get("contentUrl")
        return url if isinstance(url, str) else None
    if isinstance(value, list) and value:
        return _ld_image(value[0])
    return None


def _canonical(doc: HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
    url = clean_url(url) if url else url
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        href = clean_url(link.get("href") or "")
        if "canonical" in rels and href:
            full = urljoin(url, href) if url else href
            if _is_web_url(full):
                return full
    og = clean_url(meta.get("og:url") or "")
    if og:
        full = urljoin(url, og) if url else og
        if _is_web_url(full):
            return full
    return url


# --------------------------------------------------------------------------- title


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _document_title(doc: HtmlElement) -> str:
    title = doc.find(".//title")
    return squash(title.text_content()) if title is not None else ""


def _headings(doc: HtmlElement) -> list[str]:
    return [squash(h.text_content()) for h in doc.iter("h1", "h2")]


def strip_site_suffix(title: str, site_name: str | None, headings: list[str], *,
                      generic: bool = True) -> str:
    """``title`` without a leading or trailing site name.

    A part between separators that is the site's name always goes. Otherwise, with
    ``generic``, Readability's rule: cut at the last separator; if that leaves fewer than
    three words, cut the first part instead; keep the whole if what is left is too
    short to be a title. A title that appears verbatim as a heading is kept whole.
    """
    title = title.strip()
    if not title or title in headings:
        return title
    seps = list(_SEPARATOR.finditer(title))
    if seps:
        first, last = title[: seps[0].start()], title[seps[-1].end():]
        if site_name:
            site = site_name.casefold()
            if _same_site(last, site):
                return title[: seps[-1].start()].strip()
            if _same_site(first, site):
                return title[seps[0].end():].strip()
        if not generic:
            return title
        had_hierarchy = _HIERARCHY.search(title) is not None
        cut = title[: seps[-1].start()]
        if _words(cut) < 3:
            cut = title[seps[0].end():]
        if _words(cut) <= 4 and (not had_hierarchy or _words(cut) != _words(
                _SEPARATOR.sub(" ", title)) - 1):
            return title
        return cut.strip()
    if generic and ": " in title:
        after = title[title.rfind(":") + 1:].strip()
        if _words(after) < 3:
            after = title[title.find(":") + 1:].strip()
        elif _words(title[: title.find(":")]) > 5:
            return title
        return after if _words(after) > 4 else title
    return title


def _same_site(part: str, site: str) -> bool:
    part = part.strip().casefold()
    return bool(part) and (part == site or part.replace(" ", "") == site.replace(" ", "")
                           or (len(part) > 3 and site.startswith(part)))


def similarity(a: str, b: str) -> float:
    """How much of ``b``'s text is also in ``a`` (1.0: all of it), by words."""
    tokens_a = set(_WORD.findall(a.lower()))
    tokens_b = _WORD.findall(b.lower())
    if not tokens_a or not tokens_b:
        return 0.0
    unique_b = [t for t in tokens_b if t not in tokens_a]
    return 1 - len(" ".join(unique_b)) / len(" ".join(tokens_b))


def _ld_title(ld: dict[str, Any], document_title: str, site_name: str | None) -> str | None:
    """JSON-LD's ``name`` or ``headline``: the headline when only it resembles the page's
    <title> (``name`` is sometimes a section's or a list's name)."""
    name, headline = ld.get("name"), ld.get("headline")
    name = name if isinstance(name, str) and name.strip() else None
    headline = headline if isinstance(headline, str) and headline.strip() else None
    if name and headline and name != headline:
        if site_name and name.strip().casefold() == site_name.casefold():
            return headline
        if similarity(headline, document_title) > 0.75 and similarity(
                name, document_title) <= 0.75:
            return headline
        return name
    return name or headline


def _title(doc: HtmlElement, meta: dict[str, str], ld: dict[str, Any],
           site_name: str | None) -> str:
    headings = _headings(doc)
    document_title = _document_title(doc)
    for candidate in (_ld_title(ld, document_title, site_name), meta.get("dc:title"),
                      meta.get("dcterm:title"), meta.get("og:title"), meta.get("title"),
                      meta.get("twitter:title"), meta.get("parsely-title"),
                      meta.get("sailthru:title")):
        if isinstance(candidate, str) and squash(candidate):
            text = squash(candidate)
            return strip_site_suffix(text, site_name, headings, generic=False)
    if document_title:
        title = strip_site_suffix(document_title, site_name, headings)
        if (len(title) > 150 or len(title) < 15) and not _SEPARATOR.search(document_title):
            h1s = [h for h in doc.iter("h1")]
            if len(h1s) == 1 and _words(squash(h1s[0].text_content())) > 4:
                return squash(h1s[0].text_content())
        return title
    for heading in doc.iter("h1"):
        text = squash(heading.text_content())
        if text:
            return text
    return ""


# --------------------------------------------------------------------------- byline, date


_BYLINE_CLASS = re.compile(r"byline|author|writtenby|p-author", re.IGNORECASE)
_BY_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|av)\s+", re.IGNORECASE)


def clean_byline(text: str) -> str:
    text = squash(text)
    text = _BY_PREFIX.sub("", text).strip(" ,|·-–—")
    return text


def _byline(doc: HtmlElement, meta: dict[str, str], ld: dict[str, Any]) -> str | None:
    name = _ld_name(ld.get("author")) or _ld_name(ld.get("creator"))
    if not name:
        for key in ("author", "dc:creator", "dcterm:creator", "dcterms:creator",
                    "parsely-author", "sailthru:author", "article:author", "twitter:creator",
                    "byl"):
            value = meta.get(key)
            if value and not _is_web_url(value) and not value.startswith("@"):
                name = value
                break
    if not name:
        for el in doc.iterfind(".//*[@rel='author']"):
            name = el.text_content()
            if name.strip():
                break
    if not name:
        for el in doc.iterfind(".//*[@itemprop='author']"):
            name = el.text_content()
            if name.strip():
                break
    name = clean_byline(name or "")
    if not name or len(name) > 120:
        return None
    return name


def normalise_date(value: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD) for any of the usual machine-readable date forms."""
    if not value:
        return None
    value = value.strip()
    match = _DATE.search(value)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    if value.isdigit() and 9 <= len(value) <= 13:  # a Unix timestamp, in s or ms
        stamp = int(value) / (1000 if len(value) > 11 else 1)
        try:
            return datetime.fromtimestamp(stamp).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _published(doc: HtmlElement, meta: dict[str, str], ld: dict[str, Any]) -> str | None:
    candidates: list[Any] = [ld.get("datePublished"), ld.get("dateCreated")]
    candidates += [meta.get(k) for k in (
        "article:published_time", "og:article:published_time", "datepublished",
        "published_time", "article:published", "dc:date:issued", "dc:date", "dcterms:created",
        "date", "pubdate", "publish-date", "publishdate", "sailthru:date", "parsely-pub-date",
        "article:modified_time", "datemodified", "dc:date:modified")]
    for candidate in candidates:
        if isinstance(candidate, str):
            found = normalise_date(candidate)
            if found:
                return found
    times = list(doc.iter("time"))
    # A <time pubdate> or one marked as the publication date first, then any.
    times.sort(key=lambda t: 0 if t.get("pubdate") is not None or "publish" in (
        (t.get("class") or "") + (t.get("itemprop") or "")).lower() else 1)
    for el in times:
        found = normalise_date(el.get("datetime"))
        if found:
            return found
    return None
