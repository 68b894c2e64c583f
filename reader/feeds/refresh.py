"""Refreshing subscriptions the way a good citizen of the web does.

Feed servers are often small sites that a thousand readers poll every few minutes, so a
refresh here:

* asks conditionally (``If-None-Match`` with the stored ETag, ``If-Modified-Since`` with
  the stored Last-Modified), and a 304 costs nothing but a row update;
* waits between checks: the feed's ``<ttl>`` or the answer's ``Cache-Control: max-age``
  when given (kept between :data:`MIN_INTERVAL` and :data:`MAX_INTERVAL`), else
  :data:`DEFAULT_INTERVAL`; ``force`` skips this wait;
* honours ``429``/``503`` with ``Retry-After`` (seconds or a date) and otherwise backs
  off exponentially after failures; ``force`` does *not* override a server's explicit
  request to wait;
* fetches at most ``jobs`` feeds at once, through the same :class:`~reader.fetch.Fetcher`
  (limits, redirect rules, address policy) as pages;
* commits each feed that brought something in one transaction
  (:meth:`Feeds.store_refresh`), so an interrupted refresh keeps what was done and
  repeats nothing; 304 answers, which change only when to ask next, are written
  :data:`UNCHANGED_BATCH` at a time (a refresh of unchanged feeds is mostly those).

Opening an item (:func:`item_article`) fetches its page and cleans it like any page; the
feed's own content is the fallback when the page cannot be had, or the first choice when
the feed is marked full-text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from reader.errors import FetchError, ReaderError
from reader.feeds.parse import FeedError, parse_feed
from reader.library.feeds import KEEP_READ

if TYPE_CHECKING:
    from reader.document import Article
    from reader.fetch import FeedResponse, Fetcher
    from reader.library import Library
    from reader.library.feeds import Feed, FeedItem, Feeds, Unchanged

DEFAULT_INTERVAL = timedelta(minutes=30)
MIN_INTERVAL = timedelta(minutes=5)
MAX_INTERVAL = timedelta(hours=24)
RATE_LIMITED = "rate-limited"  # the outcome that even --force respects
UNCHANGED_BATCH = 64  # 304 answers written per transaction during refresh_feeds
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What happened to one feed: ``status`` is "new" (fetched, maybe 0 new items),
    "unchanged" (304), "skipped" (checked recently), "waiting" (the server asked us to
    wait) or "failed"."""

    feed_id: int
    url: str
    title: str
    status: str
    new: int = 0
    error: str | None = None
    problem: str | None = None  # a feed read only in part (broken XML)
    new_ids: tuple[int, ...] = ()
    saved: int = 0
    pruned: int = 0  # old read items forgotten


def now() -> datetime:
    return datetime.now(UTC)


def interval(headers: dict[str, str], ttl_minutes: int | None) -> timedelta:
    """How long to leave the feed alone after a successful check."""
    candidates = []
    match = _MAX_AGE.search(headers.get("cache-control", ""))
    if match:
        candidates.append(timedelta(seconds=int(match.group(1))))
    if ttl_minutes:
        candidates.append(timedelta(minutes=ttl_minutes))
    if not candidates:
        return DEFAULT_INTERVAL
    return min(MAX_INTERVAL, max(MIN_INTERVAL, max(candidates)))


def retry_after(headers: dict[str, str], at: datetime) -> timedelta | None:
    """The wait a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(MAX_INTERVAL, timedelta(seconds=int(value)))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(MAX_INTERVAL, max(timedelta(0), when - at))


def backoff(failures: int) -> timedelta:
    """The wait after ``failures`` failures in a row: 30 min, 1 h, 2 h … at most a day."""
    return min(MAX_INTERVAL, DEFAULT_INTERVAL * (2 ** max(0, min(failures, 10))))


def is_due(feed: Feed, at: datetime, force: bool) -> bool:
    if feed.next_check is None or feed.next_check <= at:
        return True
    return force and feed.outcome != RATE_LIMITED


def validators(feed: Feed) -> dict[str, str]:
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


async def refresh_feeds(feeds: Feeds, fetcher: Fetcher, ids: Sequence[int] | None = None,
                        *, jobs: int = 4, force: bool = False, save: bool = False,
                        on_result: Callable[[RefreshResult], None] | None = None,
                        keep_read: int | None = KEEP_READ) -> list[RefreshResult]:
    """Refresh the feeds ``ids`` (all when None), ``jobs`` at a time; results in the
    order of the feeds. ``save`` saves new items to the library (as does a feed's own
    save setting); ``keep_read`` is how many read items a feed keeps (see
    :meth:`Feeds.store_refresh`)."""
    chosen = await asyncio.to_thread(lambda: feeds.feeds(ids, counts=False))
    gate = asyncio.Semaphore(max(1, jobs))
    pending: list[Unchanged] = []

    async def one(feed: Feed) -> RefreshResult:
        async with gate:
            result = await refresh_one(feeds, fetcher, feed, force=force,
                                       save=save or feed.save_new, unchanged=pending,
                                       keep_read=keep_read)
            if len(pending) >= UNCHANGED_BATCH:
                batch = pending[:]
                pending.clear()
                await asyncio.to_thread(feeds.store_unchanged_many, batch)
        if on_result is not None:
            on_result(result)
        return result

    try:
        return list(await asyncio.gather(*(one(feed) for feed in chosen)))
    finally:  # also when cancelled (Esc, Ctrl-C): the answers had are kept
        batch = pending[:]
        pending.clear()
        feeds.store_unchanged_many(batch)


async def refresh_one(feeds: Feeds, fetcher: Fetcher, feed: Feed, *, force: bool = False,
                      save: bool = False, unchanged: list[Unchanged] | None = None,
                      keep_read: int | None = KEEP_READ) -> RefreshResult:
    """Refresh one feed; never raises a ReaderError (it is the result's ``error``). A 304
    is appended to ``unchanged`` for the caller to write in a batch, when given."""
    at = now()
    title = feed.title or feed.url
    if not is_due(feed, at, force):
        status = "waiting" if feed.outcome == RATE_LIMITED else "skipped"
        return RefreshResult(feed.id, feed.url, title, status)
    try:
        response = await fetcher.fetch_feed(feed.url, headers=validators(feed))
    except FetchError as exc:
        await asyncio.to_thread(feeds.store_failure, feed.id, exc.sentence,
                                next_check=at + backoff(feed.failures))
        return RefreshResult(feed.id, feed.url, title, "failed", error=exc.sentence)
    return await _handle(feeds, fetcher, feed, response, at, save, unchanged, keep_read)


async def _handle(feeds: Feeds, fetcher: Fetcher, feed: Feed, response: FeedResponse,
                  at: datetime, save: bool, unchanged: list[Unchanged] | None,
                  keep_read: int | None) -> RefreshResult:
    from reader.library.feeds import Unchanged

    title = feed.title or feed.url
    headers = response.headers
    if response.status == 304:
        answer = Unchanged(feed.id, at, at + interval(headers, None), "not modified",
                           headers.get("etag"), headers.get("last-modified"))
        if unchanged is not None:
            unchanged.append(answer)
        else:
            await asyncio.to_thread(feeds.store_unchanged_many, [answer])
        return RefreshResult(feed.id, feed.url, title, "unchanged")
    if response.status in (429, 503):
        wait = retry_after(headers, at) or backoff(feed.failures)
        until = (at + wait).astimezone()
        word = "429 Too Many Requests" if response.status == 429 else \
            "503 Service Unavailable"
        sentence = (f"{feed.url} answered {word}; reader will not ask again before "
                    f"{until:%Y-%m-%d %H:%M}.")
        await asyncio.to_thread(feeds.store_failure, feed.id, sentence, next_check=at + wait,
                                outcome=RATE_LIMITED)
        return RefreshResult(feed.id, feed.url, title, "failed", error=sentence)
    try:
        parsed = await asyncio.to_thread(parse_feed, response.body, response.url,
                                         response.content_type)
    except FeedError as exc:
        await asyncio.to_thread(feeds.store_failure, feed.id, exc.sentence,
                                next_check=at + backoff(feed.failures))
        return RefreshResult(feed.id, feed.url, title, "failed", error=exc.sentence)
    problem = f"{feed.url}: {parsed.problem}." if parsed.problem else None
    stored = await asyncio.to_thread(
        feeds.store_refresh, feed.id, parsed, etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        next_check=at + interval(headers, parsed.ttl_minutes), problem=problem,
        keep_read=keep_read)
    saved = 0
    if save and stored.new_ids:
        saved = await save_items(feeds, fetcher, stored.new_ids)
    return RefreshResult(feed.id, feed.url, parsed.title or title, "new",
                         new=len(stored.new_ids), problem=problem, new_ids=stored.new_ids,
                         saved=saved, pruned=stored.pruned)


# ---------------------------------------------------------------------- full text


async def item_article(feeds: Feeds, fetcher: Fetcher, item: FeedItem, *,
                       summary_ok: bool = True
                       ) -> tuple[Article, bytes | None, str, str | None]:
    """The cleaned article for ``item``: ``(article, page bytes or None, source URL,
    note)``. The page is fetched and cleaned; the feed's own content is used when the
    page cannot be had (``note`` then says why) or when the feed is full-text. An item
    with only a summary whose page is gone (a 404, a site down) shows the summary, with
    the note, rather than nothing (``summary_ok=False`` when saving: a teaser is not the
    article)."""
    from reader.sources import article_from_fetch

    feed = await asyncio.to_thread(feeds.get, item.feed_id)
    content = await asyncio.to_thread(feeds.content, item.id)
    source = item.url or feed.url
    if content and (feed.full_text or not item.url):
        return await asyncio.to_thread(article_from_content, item, content), None, source, None
    if item.url is None:
        raise FeedError(f"The item “{item.title}” has neither a link nor any text.")
    try:
        result = await fetcher.fetch(item.url)
        article = await asyncio.to_thread(article_from_fetch, result)
        return _with_item(article, item), result.body, result.url, None
    except ReaderError as exc:
        if content:
            article = await asyncio.to_thread(article_from_content, item, content)
            return article, None, source, f"{exc.sentence} Showing the feed's own text."
        if not (summary_ok and item.summary.strip()):
            raise
        teaser = f"<p>{html.escape(item.summary)}</p>"
        article = await asyncio.to_thread(article_from_content, item, teaser)
        return article, None, source, f"{exc.sentence} Showing the feed's summary."


def article_from_content(item: FeedItem, content: str) -> Article:
    """The feed's HTML for ``item`` cleaned like a page (figures and links kept)."""
    from reader.document import Article
    from reader.extract import extract

    page = (f"<html><head><title>{html.escape(item.title)}</title></head><body><article>"
            f"<h1>{html.escape(item.title)}</h1>{content}</article></body></html>")
    article = extract(page, item.url)
    if not article.blocks:
        article = Article(url=item.url, title=item.title)
    return _with_item(article, item)


def _with_item(article: Article, item: FeedItem) -> Article:
    """The feed's title, author and date fill what the page did not say."""
    return dataclasses.replace(
        article, title=article.title or item.title, byline=article.byline or item.author,
        published=article.published or item.published,
        site_name=article.site_name or item.feed_title or None)


async def save_items(feeds: Feeds, fetcher: Fetcher, item_ids: Sequence[int]) -> int:
    """Save the items to the library with their pictures, as ``reader save`` does; an
    item whose page and feed text both fail is kept as a link with its reason."""
    from reader.library import download_images

    library = feeds.library
    saved = 0
    for item_id in item_ids:
        item = await asyncio.to_thread(feeds.item, item_id)
        feed = await asyncio.to_thread(feeds.get, item.feed_id)
        try:
            article, page, source, _ = await item_article(feeds, fetcher, item,
                                                          summary_ok=False)
        except ReaderError as exc:
            if item.url:
                article_id = await asyncio.to_thread(
                    library.save_link, item.url, title=item.title, error=exc.sentence,
                    tags=feed.tags)
                await asyncio.to_thread(feeds.set_article, item.id, article_id)
            continue
        images = await download_images(article, fetcher)
        article_id = await asyncio.to_thread(_save, library, article, source, page, images,
                                             feed.tags)
        await asyncio.to_thread(feeds.set_article, item.id, article_id)
        saved += 1
    return saved


def _save(library: Library, article: Article, source: str, page: bytes | None,
          images: dict[str, bytes], tags: tuple[str, ...]) -> int:
    return library.save(article, source_url=source, html=page, images=images, tags=tags)
