"""``reader feed``: subscribe to sites and read their new articles, cleaned.

``add`` takes a feed's address or any page that links one; ``refresh`` checks the
feeds politely (see :mod:`reader.feeds.refresh`) and prints one line per failure;
``items`` lists what came in; ``show`` prints an item's cleaned article; ``read`` marks
items read. Output for people is one line per feed or item; ``--json`` output is for
programs and keeps its field names stable. Every string printed came from a feed and
has been sanitised when the feed was read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.cli import job_count
from reader.errors import LibraryError, ReaderError
from reader.files import replace_file

if TYPE_CHECKING:
    from reader.feeds.discover import FoundFeed
    from reader.feeds.refresh import RefreshResult
    from reader.library import Library
    from reader.library.feeds import Feed, FeedItem, Feeds


def register(sub: argparse._SubParsersAction) -> None:
    feed = sub.add_parser("feed", help="subscribe to feeds (RSS, Atom, JSON Feed) and read them",
                          description="Feed subscriptions: add, list, rm, set, refresh, items, "
                          "show, read. `reader feed COMMAND --help` for each.")
    cmds = feed.add_subparsers(dest="feed_command", metavar="COMMAND", required=True)

    p = cmds.add_parser("add", help="subscribe to a feed, or to the feed a page links",
                        description="Subscribe to URL: a feed, or a page whose <link "
                        "rel=alternate> names one (several: choose with --pick N).")
    p.add_argument("url", metavar="URL")
    p.add_argument("--pick", type=int, metavar="N", help="take the N-th feed the page links")
    p.add_argument("--tag", "-t", action="append", default=[], metavar="TAG",
                   help="file the feed under TAG (repeatable)")
    p.add_argument("--full-text", action="store_true",
                   help="the feed carries whole articles: show its text instead of the page")
    p.add_argument("--save", action="store_true",
                   help="save every new item of this feed to the library on refresh")
    p.set_defaults(handler=run_add)

    p = cmds.add_parser("list", help="list subscriptions with unread counts",
                        description="Every subscription: id, unread/total, title, URL, last "
                        "refresh and what came of it.")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.set_defaults(handler=run_list)

    p = cmds.add_parser("rm", help="unsubscribe", description="Unsubscribe from feeds by id "
                        "(their items go; articles saved from them stay).")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(handler=run_rm)

    p = cmds.add_parser("refresh", help="fetch new items",
                        description="Check the feeds (all, or the IDs given) for new items, "
                        "leaving alone those checked recently unless --force.")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--jobs", "-j", type=job_count, default=4, metavar="N",
                   help="feeds fetched at once (default 4)")
    p.add_argument("--force", action="store_true",
                   help="check even the feeds checked recently (a server's Retry-After "
                   "is still respected)")
    p.add_argument("--save", action="store_true",
                   help="save new items to the library with their pictures")
    p.add_argument("--keep", type=_keep, default=None, metavar="N",
                   help="read items kept per feed, beyond those the feed still lists "
                   "(default 200; `all` keeps every one); unread items are always kept")
    p.set_defaults(handler=run_refresh)

    p = cmds.add_parser("set", help="change a feed's options",
                        description="Change the options of feeds ID…: whether opening an "
                        "item shows the feed's own text (--full-text) and whether a "
                        "refresh saves its new items to the library (--save-new).")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--full-text", action=argparse.BooleanOptionalAction, default=None,
                   help="show the feed's own text instead of fetching the page")
    p.add_argument("--save-new", action=argparse.BooleanOptionalAction, default=None,
                   help="save every new item to the library on refresh")
    p.add_argument("--tag", "-t", action="append", default=[], metavar="TAG",
                   help="file the feed under TAG too (repeatable)")
    p.set_defaults(handler=run_set)

    p = cmds.add_parser("items", help="list items, newest first",
                        description="Items of feed ID (or of every feed), newest first.")
    p.add_argument("id", nargs="?", metavar="ID")
    p.add_argument("--unread", action="store_true", help="only unread items")
    p.add_argument("--search", "-s", metavar="Q", help="full-text search in titles and summaries")
    p.add_argument("--tag", metavar="TAG", help="only items of feeds filed under TAG")
    p.add_argument("--limit", "-n", type=int, metavar="N", help="at most N items")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.set_defaults(handler=run_items)

    p = cmds.add_parser("show", help="print an item's cleaned article and mark it read",
                        description="Fetch the item's page and print the cleaned article; "
                        "the feed's own text when the page cannot be had.")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("--format", "-f", choices=("text", "markdown", "html", "json"),
                   default="text")
    p.set_defaults(handler=run_show)

    p = cmds.add_parser("read", help="mark items read",
                        description="Mark every item of feed ID read, or of all feeds with "
                        "--all, or single items with --item.")
    p.add_argument("id", nargs="?", metavar="ID")
    p.add_argument("--all", action="store_true", help="every item of every feed")
    p.add_argument("--item", type=int, action="append", default=[], metavar="ITEM",
                   help="one item by its id (repeatable)")
    p.add_argument("--unread", action="store_true", help="mark unread instead")
    p.set_defaults(handler=run_read)

    for parser in cmds.choices.values():  # `reader feed list --data-dir DIR` works too
        parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                            help="show a traceback on errors")
        parser.add_argument("--data-dir", type=Path, metavar="DIR", default=argparse.SUPPRESS,
                            help="the library's folder")


def _keep(text: str) -> int:
    if text.strip().lower() == "all":
        return -1
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"--keep takes a number of items (0 or more) or "
                                         f"`all`, not {text!r}")
    return value


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[tuple[Library, Feeds]]:
    from reader.library import Library
    from reader.library.feeds import Feeds

    library = Library.open(getattr(args, "data_dir", None))
    try:
        yield library, Feeds(library)
    finally:
        library.close()


def _id(text: str, what: str = "feed") -> int:
    if not text.strip().isdigit():
        raise LibraryError(f"{text!r} is not {'an' if what[0] in 'aeiou' else 'a'} {what} "
                           f"number; `reader feed "
                           f"{'list' if what == 'feed' else 'items'}` shows them.")
    return int(text)


def _err(sentence: str) -> None:
    from reader.cli import one_line

    print(f"reader: error: {one_line(sentence)}", file=sys.stderr)


async def _with_fetcher(work: Any) -> Any:
    from reader.fetch import Fetcher

    fetcher = Fetcher()
    try:
        return await work(fetcher)
    finally:
        await fetcher.aclose()


# ---------------------------------------------------------------------- add


def run_add(args: argparse.Namespace) -> int:
    from reader.feeds.subscribe import find_feed, subscribe_found

    async def work(fetcher: Any) -> int:
        found = await find_feed(fetcher, args.url, _choose, pick=args.pick)
        with opened(args) as (_, feeds):
            done = await subscribe_found(feeds, fetcher, found, tags=args.tag,
                                         full_text=args.full_text, save=args.save)
        if not done.created:
            print(f"Already subscribed as {done.feed_id}: {found.parsed.title}")
            return 0
        result = done.result
        if result is not None and result.error:
            _err(result.error)
        new = result.new if result is not None else 0
        print(f"Subscribed {done.feed_id}: {found.parsed.title} ({new} item"
              f"{'s' if new != 1 else ''})")
        if result is not None and result.problem and not result.error:
            # The feed was read up to a fault and subscribed: worth knowing, not a failure.
            from reader.cli import one_line

            sys.stdout.flush()
            print(f"reader: warning: {one_line(result.problem)}", file=sys.stderr)
        return 0

    result: int = asyncio.run(_with_fetcher(work))
    return result


def _choose(found: list[FoundFeed], page: str) -> FoundFeed:
    """Several feeds on the page and no --pick: list them and ask (a terminal), else
    say how to choose."""
    from reader.cli import one_line
    from reader.feeds.parse import FeedError

    print(f"{page} links {len(found)} feeds:", file=sys.stderr)
    for n, item in enumerate(found, 1):
        print(f"  {n}. {one_line(item.title)}  <{item.url}>", file=sys.stderr)
    if not sys.stdin.isatty():
        raise FeedError(f"{page} links {len(found)} feeds; choose one with --pick N.")
    answer = input(f"Which one (1-{len(found)})? ").strip()
    if not answer.isdigit() or not 1 <= int(answer) <= len(found):
        raise FeedError(f"{answer!r} is not one of 1 to {len(found)}; nothing was added.")
    return found[int(answer) - 1]


# ---------------------------------------------------------------------- list and rm


def feed_json(feed: Feed) -> dict[str, Any]:
    return {"id": feed.id, "url": feed.url, "title": feed.title, "site_url": feed.site_url,
            "unread": feed.unread, "items": feed.total, "tags": list(feed.tags),
            "added_at": feed.added_at.isoformat(),
            "checked_at": feed.checked_at.isoformat() if feed.checked_at else None,
            "next_check": feed.next_check.isoformat() if feed.next_check else None,
            "outcome": feed.outcome, "error": feed.error, "full_text": feed.full_text,
            "save_new": feed.save_new}


def run_list(args: argparse.Namespace) -> int:
    from reader.cli import one_line

    with opened(args) as (_, feeds):
        rows = feeds.feeds()
    if args.json:
        json.dump([feed_json(f) for f in rows], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print("No subscriptions yet: `reader feed add URL` adds one.", file=sys.stderr)
    width = max((len(str(f.id)) for f in rows), default=1)
    for f in rows:
        when = f"{f.checked_at.astimezone():%Y-%m-%d %H:%M}" if f.checked_at else "never"
        outcome = f.outcome or "not refreshed yet"
        error = f" — {one_line(f.error)}" if f.error else ""
        tags = "  #" + " #".join(one_line(t) for t in f.tags) if f.tags else ""
        options = [name for name, on in (("full text", f.full_text),
                                         ("saves new", f.save_new)) if on]
        shown = f"  [{', '.join(options)}]" if options else ""
        print(f"{f.id:>{width}} {f.unread:>5}/{f.total:<5} {one_line(f.title or f.url)}  "
              f"<{f.url}>  {when}: {outcome}{error}{tags}{shown}")
    return 0


def run_rm(args: argparse.Namespace) -> int:
    from reader.cli import one_line

    failed = 0
    with opened(args) as (_, feeds):
        for text in args.ids:
            try:
                feed = feeds.remove(_id(text))
            except ReaderError as exc:
                _err(exc.sentence)
                failed += 1
                continue
            print(f"Unsubscribed {feed.id}: {one_line(feed.title or feed.url)}")
    return 1 if failed else 0


# ---------------------------------------------------------------------- refresh


def run_refresh(args: argparse.Namespace) -> int:
    from reader.feeds.refresh import refresh_feeds
    from reader.library.feeds import KEEP_READ

    ids = [_id(text) for text in args.ids] or None
    results: list[RefreshResult] = []

    def on_result(result: RefreshResult) -> None:
        from reader.cli import one_line

        if result.error:
            print(f"reader: feed {result.feed_id}: {one_line(result.error)}", file=sys.stderr)
        elif result.problem:
            print(f"reader: feed {result.feed_id}: {one_line(result.problem)}",
                  file=sys.stderr)

    with opened(args) as (_, feeds):
        if ids is not None:
            for feed_id in ids:
                feeds.get(feed_id)  # one sentence for an unknown id, before any fetch

        async def work(fetcher: Any) -> list[RefreshResult]:
            keep = KEEP_READ if args.keep is None else None if args.keep < 0 else args.keep
            return await refresh_feeds(feeds, fetcher, ids, jobs=args.jobs, force=args.force,
                                       save=args.save, on_result=on_result, keep_read=keep)

        try:
            results = asyncio.run(_with_fetcher(work))
        except KeyboardInterrupt:
            print("Interrupted: the feeds refreshed so far are kept.", file=sys.stderr)
            return 130
    print(summary(results))
    tried = [r for r in results if r.status in ("new", "unchanged", "failed")]
    return 1 if tried and all(r.status == "failed" for r in tried) else 0


def summary(results: list[RefreshResult]) -> str:
    """One sentence: "Refreshed 3 feeds: 12 new items, 1 unchanged, 1 failed."."""
    if not results:
        return "No subscriptions to refresh: `reader feed add URL` adds one."
    counts = {k: sum(1 for r in results if r.status == k)
              for k in ("new", "unchanged", "skipped", "waiting", "failed")}
    new = sum(r.new for r in results)
    saved = sum(r.saved for r in results)
    parts = [f"{new} new item{'s' if new != 1 else ''}"]
    if saved:
        parts.append(f"{saved} saved to the library")
    if counts["unchanged"]:
        parts.append(f"{counts['unchanged']} unchanged")
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} checked recently (--force checks them anyway)")
    if counts["waiting"]:
        parts.append(f"{counts['waiting']} waiting as their server asked")
    if counts["failed"]:
        parts.append(f"{counts['failed']} failed")
    pruned = sum(r.pruned for r in results)
    if pruned:
        parts.append(f"{pruned} old read item{'s' if pruned != 1 else ''} forgotten")
    checked = len(results) - counts["skipped"] - counts["waiting"]
    return f"Refreshed {checked} of {len(results)} feeds: {', '.join(parts)}."


def run_set(args: argparse.Namespace) -> int:
    from reader.cli import one_line

    if args.full_text is None and args.save_new is None and not args.tag:
        raise LibraryError("Say what to change: --full-text/--no-full-text, "
                           "--save-new/--no-save-new or --tag TAG.")
    failed = 0
    with opened(args) as (_, feeds):
        for text in args.ids:
            try:
                feed = feeds.get(_id(text))
            except ReaderError as exc:
                _err(exc.sentence)
                failed += 1
                continue
            feeds.set_options(feed.id, full_text=args.full_text, save_new=args.save_new)
            if args.tag:
                feeds.add(feed.url, tags=args.tag)
            feed = feeds.get(feed.id)
            options = [("full text" if feed.full_text else "opens its pages, cleaned"),
                       ("saves new items" if feed.save_new else "does not save new items")]
            tags = "  #" + " #".join(one_line(t) for t in feed.tags) if feed.tags else ""
            print(f"{feed.id} {one_line(feed.title or feed.url)}: {', '.join(options)}{tags}")
    return 1 if failed else 0


# ---------------------------------------------------------------------- items, show, read


def item_json(item: FeedItem) -> dict[str, Any]:
    return {"id": item.id, "feed_id": item.feed_id, "feed": item.feed_title, "url": item.url,
            "title": item.title, "author": item.author, "published": item.published,
            "summary": item.summary, "read": item.read, "article_id": item.article_id}


def run_items(args: argparse.Namespace) -> int:
    from reader.cli import one_line

    with opened(args) as (_, feeds):
        feed_id = _id(args.id) if args.id is not None else None
        if feed_id is not None:
            feeds.get(feed_id)
        rows = feeds.items(feed_id, unread=args.unread, search=args.search, tag=args.tag,
                           limit=args.limit)
    if args.json:
        json.dump([item_json(i) for i in rows], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print("No items match." if args.unread or args.search or args.tag
              else "No items yet: `reader feed refresh` fetches them.", file=sys.stderr)
    width = max((len(str(i.id)) for i in rows), default=1)
    for i in rows:
        mark = " " if i.read else "•"
        date = (i.published or i.sort_at)[:10]
        print(f"{i.id:>{width}} {mark} {date}  {one_line(i.title)}  "
              f"({one_line(i.feed_title)})")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from reader.cli.dump import render
    from reader.feeds.refresh import item_article

    with opened(args) as (_, feeds):
        item = feeds.item(_id(args.item, "item"))

        async def work(fetcher: Any) -> Any:
            return await item_article(feeds, fetcher, item)

        article, _, _, note = asyncio.run(_with_fetcher(work))
        feeds.mark_read(item_ids=[item.id])
    if note:
        _err(note)
    sys.stdout.write(render(article, args.format))
    return 0


def run_read(args: argparse.Namespace) -> int:
    chosen = sum(bool(x) for x in (args.id is not None, args.all, args.item))
    if chosen != 1:
        raise LibraryError("Name one feed ID, or --all, or --item ITEM to mark read.")
    with opened(args) as (_, feeds):
        read = not args.unread
        if args.item:
            for item_id in args.item:
                feeds.item(item_id)
            count = feeds.mark_read(item_ids=args.item, read=read)
        elif args.all:
            count = feeds.mark_read(read=read)
        else:
            feed_id = _id(args.id)
            feeds.get(feed_id)
            count = feeds.mark_read(feed_id=feed_id, read=read)
    state = "read" if read else "unread"
    print(f"Marked {count} item{'s' if count != 1 else ''} {state}.")
    return 0


# ---------------------------------------------------------------------- OPML


def run_opml_import(args: argparse.Namespace) -> int:
    """``reader import subscriptions.opml``: subscribe to every feed of the file,
    folders becoming tags; running it again adds nothing twice."""
    from reader.feeds.subscribe import subscribe_opml

    with opened(args) as (_, feeds):
        said = subscribe_opml(feeds, args.file)
    print(f"{said} `reader feed refresh` fetches their items.")
    return 0


def run_export_feeds(args: argparse.Namespace) -> int:
    """``reader export --feeds --format opml``: every subscription into
    ``subscriptions.opml`` in the --out folder (or standard output with ``--out -``)."""
    from reader.export.opml import feeds_to_opml

    with opened(args) as (_, feeds):
        text = feeds_to_opml(feeds.feeds())
    out = Path(args.out)
    if str(out) == "-":
        sys.stdout.write(text)
        return 0
    try:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "subscriptions.opml"
        replace_file(path, text.encode("utf-8"))  # never through a link planted there
    except OSError as exc:
        raise LibraryError(f"{out} cannot be written: {exc.strerror or exc}.") from None
    print(path)
    return 0
