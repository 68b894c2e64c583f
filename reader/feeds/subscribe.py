"""Subscribing to an address: the feed itself, or the feed a web page links.

Shared by ``reader feed add`` and the feeds screen's ``a`` so both accept the same
addresses and say the same sentences. The network part (:func:`find_feed`) comes
before the library is touched, so a wrong address changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.feeds.parse import FeedError, ParsedFeed, clean_url, parse_feed

if TYPE_CHECKING:
    from reader.feeds.discover import FoundFeed
    from reader.feeds.refresh import RefreshResult
    from reader.fetch import Fetcher
    from reader.library.feeds import Feeds

Choose = Callable[[list["FoundFeed"], str], "FoundFeed"]


@dataclass(frozen=True, slots=True)
class Found:
    """A feed found at an address: where it is, and what it held when read."""

    url: str  # the address to subscribe to (the feed's, not the page's)
    final_url: str  # where the last redirect led
    parsed: ParsedFeed
    links: int  # how many feeds the page linked (0: the address was a feed)


@dataclass(frozen=True, slots=True)
class Subscribed:
    feed_id: int
    title: str
    created: bool  # False: it was subscribed to already
    result: RefreshResult | None  # the first refresh of a new subscription


def first_feed(found: list[FoundFeed], page: str) -> FoundFeed:
    """The chooser with no one to ask: the page's first feed (the site's main one, by
    custom)."""
    return found[0]


async def find_feed(fetcher: Fetcher, address: str, choose: Choose = first_feed,
                    *, pick: int | None = None) -> Found:
    """The feed at ``address`` or linked by the page there (``choose`` decides among
    several; ``pick`` is the person's number, checked here). Raises a ReaderError with
    one sentence."""
    import asyncio

    from reader.feeds.discover import discover, looks_like_html

    url = clean_url(address.strip())
    if url is None:
        raise FeedError(f"{address.strip() or 'An empty address'} is not an http or https "
                        "address.")
    response = await fetcher.fetch_feed(url)
    feed_url = response.url
    links = 0
    if looks_like_html(response.body, response.content_type):
        linked = discover(response.body, response.url)
        links = len(linked)
        if not linked:
            raise FeedError(f"{response.url} is a web page that links no feed (no <link "
                            "rel=\"alternate\"> of an RSS, Atom or JSON Feed type).")
        if pick is not None:
            if not 1 <= pick <= len(linked):
                raise FeedError(f"--pick {pick} is not one of the {len(linked)} feeds "
                                f"{response.url} links (1 to {len(linked)}).")
            chosen = linked[pick - 1]
        elif len(linked) == 1:
            chosen = linked[0]
        else:
            chosen = choose(linked, response.url)
        feed_url = chosen.url
        response = await fetcher.fetch_feed(feed_url)
    elif pick is not None:
        raise FeedError(f"{url} is a feed itself, so there is nothing to --pick from.")
    parsed = await asyncio.to_thread(parse_feed, response.body, response.url,
                                     response.content_type)
    return Found(feed_url, response.url, parsed, links)


async def subscribe_found(feeds: Feeds, fetcher: Fetcher, found: Found, *,
                          tags: Sequence[str] = (), full_text: bool = False,
                          save: bool = False) -> Subscribed:
    """Subscribe to ``found`` (or add ``tags`` and options to the subscription it already
    has) and, when new, store its items at once."""
    from reader.feeds.refresh import refresh_one

    existing = feeds.find(found.url) or feeds.find(found.final_url)
    feed_id, created = feeds.add(existing.url if existing else found.url,
                                 title=found.parsed.title, site_url=found.parsed.site_url,
                                 tags=tags)
    if full_text or save:
        feeds.set_options(feed_id, full_text=full_text or None, save_new=save or None)
    title = found.parsed.title or found.url
    if not created:
        return Subscribed(feed_id, title, False, None)
    result = await refresh_one(feeds, fetcher, feeds.get(feed_id), force=True, save=save)
    return Subscribed(feed_id, title, True, result)


def subscribe_opml(feeds: Feeds, source: str) -> str:
    """Subscribe to every feed of the OPML file ``source`` (its folders become tags; a
    feed subscribed to already is not added twice) and say so in one sentence. Shared by
    ``reader import FILE`` and the app's import, which each add how to fetch the items."""
    from reader.importers.opml import read_opml

    entries = read_opml(source)
    added = feeds.add_many([(e.url, e.title, e.tags) for e in entries])
    return (f"Subscribed to {added} new feed{'s' if added != 1 else ''} of {len(entries)} "
            f"in the file ({len(entries) - added} already there).")
