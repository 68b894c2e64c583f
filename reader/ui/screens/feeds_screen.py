"""Feeds: subscriptions with unread counts on the left, their items newest first on the
right; Enter reads an item cleaned, as any article.

The screen is self-contained: it is given the :class:`~reader.library.feeds.Feeds` store
and a way to get the app's :class:`~reader.fetch.Fetcher`, and it tells the app what to
open with a typed message (:class:`FeedsScreen.OpenArticle`), never by calling into it.
Every library call is guarded: a busy or damaged library is a notification. Refreshing
runs in a worker with a progress line; Esc cancels it, and whatever feeds were done stay
done (each feed is one transaction).

An item becomes read when it has been read to the end — the app keeps a reading position
with how far through for every article, and the screen looks at it when the reader comes
back (and, for sessions that quit from the article, after its first paint) — not merely
when it was opened.

Large subscriptions stay quick to open: the items pane lists :data:`ITEMS_PAGE` items
at a time (the next page comes when the highlight reaches the end), folders start
folded when there are many feeds, and the feed list reads counts, not items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from reader.errors import ReaderError
from reader.ui.dialogs import KeyedList
from reader.ui.widgets.keyline import KeyLine

if TYPE_CHECKING:
    from reader.document import Article
    from reader.feeds.discover import FoundFeed
    from reader.feeds.refresh import RefreshResult
    from reader.fetch import Fetcher
    from reader.library.feeds import Feed, FeedItem, Feeds, FeedSummary

ITEMS_PAGE = 100  # items listed at a time (2-3 screens): an OptionList measures every row
FOLD_OVER = 40  # with more feeds than this, folders start folded
FAILURES_NOTIFIED = 3  # failures of one refresh shown as notifications; the rest marked !
FINISHED_SWEEP = timedelta(days=30)  # how far back reading is looked at on opening


@dataclass(frozen=True, slots=True)
class FeedRow:
    """A row of the feed list: every item, a tag's feeds, or one feed."""

    label: str
    feed_id: int | None = None
    tag: str | None = None


class FeedsScreen(Screen[None]):
    """Subscriptions and their items."""

    HELP_TITLE = "Feeds"
    BINDINGS = [
        Binding("escape", "back", "Back / cancel", id="feeds.back"),
        Binding("q", "close", "Close the feeds", show=False, id="feeds.close"),
        Binding("tab", "switch_pane", "Switch pane", show=False, id="feeds.switch_pane"),
        Binding("r", "refresh_one", "Refresh", id="feeds.refresh_one"),
        Binding("R", "refresh_all", "Refresh all", id="feeds.refresh_all"),
        Binding("A", "all_read", "All read", id="feeds.all_read"),
        Binding("z", "undo_read", "Undo all read", show=False, id="feeds.undo_read"),
        Binding("s", "save", "Save", id="feeds.save"),
        Binding("u", "toggle_unread", "Unread only", id="feeds.toggle_unread"),
        Binding("a", "add_feed", "Add feed", id="feeds.add"),
        Binding("f", "toggle_full_text", "Feed: full text on/off", show=False,
                id="feeds.full_text"),
        Binding("n", "toggle_save_new", "Feed: save new items on/off", show=False,
                id="feeds.save_new"),
        Binding("x", "unsubscribe", "Unsubscribe from the feed", show=False,
                id="feeds.unsubscribe"),
        Binding("question_mark", "app.help", "Help", id="feeds.help"),
    ]

    class OpenArticle(Message):
        """Show ``article`` (the cleaned page of feed item ``item_id``) in the reader;
        ``html`` is the page as fetched (None when it came from the feed's own text)."""

        def __init__(self, article: Article, source_url: str, html: bytes | None,
                     item_id: int, note: str | None) -> None:
            super().__init__()
            self.article = article
            self.source_url = source_url
            self.html = html
            self.item_id = item_id
            self.note = note

    def __init__(self, feeds: Feeds, fetcher: Callable[[], Fetcher], *,
                 jobs: int = 4) -> None:
        super().__init__()
        self.feeds = feeds
        self.fetcher = fetcher
        self.jobs = jobs
        self.rows: list[FeedRow] = []
        self.shown: list[FeedItem] = []
        self.unread_only = False
        self.unfolded: set[str] | None = None  # tags shown open; None until first load
        self._more = False  # the items pane has another page to load
        self._loaded: FeedRow | None = None  # the row whose items are shown
        self._refresh_worker: Worker[Any] | None = None
        self._add_worker: Worker[Any] | None = None  # a subscription being looked up
        self._marked: list[int] = []  # the items the last A marked read, for z
        self._opened: dict[int, str] = {}  # items opened, not yet read to the end
        self._subscriptions = 0
        self._totals = (0, 0)  # subscriptions, unread items
        self._by_id: dict[int, FeedSummary] = {}
        self._described = False  # the status line describes the highlighted feed
        self._described_id: int | None = None  # the feed last described

    def compose(self) -> ComposeResult:
        yield Static(id="feeds-title")
        with Horizontal(id="feeds-panes"):
            yield KeyedList(id="feeds-list")
            yield KeyedList(id="feed-items")
        yield Static(id="feeds-status")
        yield KeyLine()

    def on_mount(self) -> None:
        self.reload_feeds()
        self.query_one("#feeds-list", OptionList).focus()
        self.call_after_refresh(self._sweep_finished)

    # ------------------------------------------------------------------ guarded calls

    def _guard(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except ReaderError as exc:
            self.notify(exc.sentence, severity="error", markup=False)
            return None

    # ------------------------------------------------------------------ filling

    def reload_feeds(self) -> None:
        """Rebuild the feed list (keeping the highlighted row) and the items pane."""
        feeds: list[FeedSummary] | None = self._guard(self.feeds.summaries)
        if feeds is None:
            return
        listing = self.query_one("#feeds-list", OptionList)
        keep = listing.highlighted or 0
        self.rows = []
        options: list[Option] = []
        total_unread = sum(f.unread for f in feeds)
        self.rows.append(FeedRow("All items"))
        options.append(Option(_row("All items", total_unread, bold=True)))
        tags = sorted({t for f in feeds for t in f.tags}, key=str.casefold)
        if self.unfolded is None:
            self.unfolded = set(tags) if len(feeds) <= FOLD_OVER else set()
        for tag in tags:
            members = [f for f in feeds if tag in f.tags]
            self.rows.append(FeedRow(tag, tag=tag))
            arrow = "▾" if tag in self.unfolded else "▸"
            options.append(Option(_row(f"{arrow} {tag}", sum(f.unread for f in members),
                                       bold=True)))
            if tag not in self.unfolded:
                continue
            for feed in members:
                self.rows.append(FeedRow(feed.title or feed.url, feed_id=feed.id))
                options.append(Option(_feed_row(feed, indent=True)))
        for feed in (f for f in feeds if not f.tags):
            self.rows.append(FeedRow(feed.title or feed.url, feed_id=feed.id))
            options.append(Option(_feed_row(feed, indent=False)))
        listing.clear_options()
        listing.add_options(options)
        listing.highlighted = min(keep, len(options) - 1)
        self._totals = (len(feeds), total_unread)
        self._show_title()
        self._subscriptions = len(feeds)
        self._by_id = {feed.id: feed for feed in feeds}
        if not feeds:
            self._status(self._no_feeds_hint())
        self.reload_items()

    def _show_title(self) -> None:
        count, unread = self._totals
        title = Content.assemble(
            ("Feeds", "bold"),
            (f" — {count} subscription{'s' if count != 1 else ''}, {unread} unread", "dim"),
            (" · showing unread items only (u)" if self.unread_only else "", "bold"))
        self.query_one("#feeds-title", Static).update(title)

    def _no_feeds_hint(self) -> str:
        if self._subscriptions:
            return ""
        return ("No subscriptions yet: press a to add a feed by its address "
                "(or `reader feed add URL`, `reader import subscriptions.opml`).")

    def current(self) -> FeedRow:
        index = self.query_one("#feeds-list", OptionList).highlighted or 0
        return self.rows[index] if index < len(self.rows) else FeedRow("All")

    def _page(self, offset: int, count: int = ITEMS_PAGE) -> list[FeedItem] | None:
        """Up to ``count`` items from ``offset``, and one more to tell whether there are."""
        selection = self.current()
        found: list[FeedItem] | None = self._guard(lambda: self.feeds.items(
            selection.feed_id, tag=selection.tag, unread=self.unread_only,
            limit=count + 1, offset=offset))
        return found

    def reload_items(self) -> None:
        selection = self.current()
        pane = self.query_one("#feed-items", OptionList)
        keep = pane.highlighted or 0
        count = ITEMS_PAGE * (keep // ITEMS_PAGE + 1)  # enough pages to keep the place
        found = self._page(0, count)
        if found is None:
            return
        self._more = len(found) > count
        found = found[:count]
        self.shown = found
        self._loaded = selection
        pane.clear_options()
        pane.add_options([Option(_item_row(item, selection.feed_id is None))
                          for item in found])
        if not found:
            if not self._subscriptions:
                empty = "No subscriptions yet: press a to add one."  # more on the status line
            elif self.unread_only:
                empty = "No unread items."
            else:
                empty = "No items yet: press r to refresh."
            pane.add_option(Option(Content.styled(empty, "dim"), disabled=True))
        else:
            pane.highlighted = min(keep, len(found) - 1)

    @on(OptionList.OptionHighlighted, "#feed-items")
    def _item_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self._more and event.option_index >= len(self.shown) - 1:
            self._load_more()

    def _load_more(self) -> None:
        selection = self.current()
        more = self._page(len(self.shown))
        if not more:
            self._more = False
            return
        self._more = len(more) > ITEMS_PAGE
        more = more[:ITEMS_PAGE]
        self.shown = self.shown + more
        self.query_one("#feed-items", OptionList).add_options(
            [Option(_item_row(item, selection.feed_id is None)) for item in more])

    @on(OptionList.OptionHighlighted, "#feeds-list")
    def _describe_feed(self) -> None:
        """The highlighted feed's address, last refresh and options on the status line
        (unless a refresh is reporting its progress there)."""
        if self._refresh_worker is not None and self._refresh_worker.is_running:
            return
        listed = self._by_id.get(self.current().feed_id or -1)
        if listed is None:
            self._described_id = None
            if self._described:  # not another message (a refresh's outcome)
                self._status("")
            return
        if listed.id == self._described_id and not self._described:
            return  # the list was rebuilt under the same feed: keep the message shown
        feed: Feed | None = self._guard(lambda: self.feeds.get(listed.id))
        if feed is None:
            return
        self._described_id = feed.id
        when = (f"checked {feed.checked_at.astimezone():%Y-%m-%d %H:%M}: "
                f"{feed.outcome or ''}" if feed.checked_at else "not refreshed yet")
        parts = [feed.url, when]
        if feed.error:  # the sentence names the feed's address, shown just before it
            parts.append(feed.error.removeprefix(feed.url + ": "))
        if feed.full_text:
            parts.append("full text (f)")
        if feed.save_new:
            parts.append("saves new items (n)")
        self._status(" · ".join(parts))
        self._described = True

    @on(OptionList.OptionHighlighted, "#feeds-list")
    def _feed_highlighted(self) -> None:
        if self.current() == self._loaded:
            return  # the list was rebuilt around the same row: its items are shown
        pane = self.query_one("#feed-items", OptionList)
        pane.highlighted = None
        self.reload_items()

    @on(OptionList.OptionSelected, "#feeds-list")
    def _feed_selected(self) -> None:
        row = self.current()
        if row.tag is not None and self.unfolded is not None:  # a folder: fold or unfold
            self.unfolded ^= {row.tag}
            self.reload_feeds()
            return
        self.query_one("#feed-items", OptionList).focus()

    @on(OptionList.OptionSelected, "#feed-items")
    def _item_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self.shown):
            self.open_item(self.shown[event.option_index])

    # ------------------------------------------------------------------ opening

    @work(exclusive=True, group="open")
    async def open_item(self, item: FeedItem) -> None:
        from reader.feeds.refresh import item_article

        self._status(f"Opening {item.title} …")
        try:
            article, html, source, note = await item_article(self.feeds, self.fetcher(), item)
        except ReaderError as exc:
            self._status("")
            self.notify(exc.sentence, severity="error", markup=False)
            return
        # read when read to the end, not when opened: see on_screen_resume
        self._opened[item.id] = article.url or source  # the key positions are kept under
        self._status("")
        self.post_message(self.OpenArticle(article, source, html, item.id, note))

    def on_screen_resume(self) -> None:
        """Back from reading: the items read to the end (the reader writes its position,
        with how far through, when leaving an article) are now read."""
        if not self._opened:
            return
        done = self._guard(lambda: self.feeds.finished(self._opened.values())) or set()
        ids = [item_id for item_id, key in self._opened.items() if key in done]
        for item_id in ids:
            del self._opened[item_id]
        if ids and self._guard(lambda: self.feeds.mark_read(item_ids=ids)):
            self.reload_feeds()

    @work(thread=True, exit_on_error=False, group="finished")
    def _sweep_finished(self) -> None:
        """Items read to the end in an earlier session (one that quit from the article)
        become read; after the first paint, so opening the screen does not wait for it."""
        since = datetime.now(UTC) - FINISHED_SWEEP
        try:
            changed = self.feeds.mark_finished_read(since)
        except ReaderError:
            return  # a busy library: next time
        if changed:
            self.app.call_from_thread(self.reload_feeds)

    # ------------------------------------------------------------------ actions

    def action_switch_pane(self) -> None:
        left = self.query_one("#feeds-list", OptionList)
        right = self.query_one("#feed-items", OptionList)
        (right if left.has_focus else left).focus()

    def action_back(self) -> None:
        if self._refresh_worker is not None and self._refresh_worker.is_running:
            self._refresh_worker.cancel()
            self._status("Refresh cancelled; the feeds already done are kept.")
            return
        if self._add_worker is not None and self._add_worker.is_running:
            # "Esc cancels" as the key line says; it used to close the screen, and the
            # subscription went on (or failed) out of sight.
            self._add_worker.cancel()
            self._status("Subscribing cancelled.")
            return
        right = self.query_one("#feed-items", OptionList)
        if right.has_focus:
            self.query_one("#feeds-list", OptionList).focus()
            return
        self.action_close()

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_refresh_one(self) -> None:
        selection = self.current()
        if selection.feed_id is not None:
            ids: list[int] | None = [selection.feed_id]
        elif selection.tag is not None:
            feeds = self._guard(self.feeds.summaries) or []
            ids = [f.id for f in feeds if selection.tag in f.tags]
        else:
            ids = None
        self._start_refresh(ids)

    def action_refresh_all(self) -> None:
        self._start_refresh(None)

    def _start_refresh(self, ids: list[int] | None) -> None:
        if self._refresh_worker is not None and self._refresh_worker.is_running:
            self.notify("A refresh is already running; Esc cancels it.", markup=False)
            return
        self._refresh_worker = self.refresh_feeds(ids)

    @work(exclusive=True, group="refresh")
    async def refresh_feeds(self, ids: list[int] | None) -> None:
        from reader.feeds.refresh import refresh_feeds

        chosen = self._guard(lambda: self.feeds.feeds(ids, counts=False)) or []
        total = len(chosen)
        if not total:
            self._status("No subscriptions to refresh: press a to add one.")
            return
        done: list[RefreshResult] = []
        warned = 0

        def on_result(result: RefreshResult) -> None:
            nonlocal warned
            done.append(result)
            new = sum(r.new for r in done)
            failed = sum(1 for r in done if r.status == "failed")
            self._status(f"Refreshing {len(done)}/{total} · {new} new · {failed} failed"
                         " — Esc cancels")
            if result.error and warned < FAILURES_NOTIFIED:  # the rest: marked ! in the list
                warned += 1
                self.notify(f"{result.title}: {result.error}", severity="warning",
                            markup=False)

        self._status(f"Refreshing 0/{total} — Esc cancels")
        try:
            # a press of r is a request now: the minimum interval does not hold it back
            await refresh_feeds(self.feeds, self.fetcher(), ids, jobs=self.jobs, force=True,
                                on_result=on_result)
        except ReaderError as exc:
            self.notify(exc.sentence, severity="error", markup=False)
        new = sum(r.new for r in done)
        failed = sum(1 for r in done if r.status == "failed")
        self._status(f"Refreshed {len(done)} feed{'s' if len(done) != 1 else ''}: "
                     f"{new} new item{'s' if new != 1 else ''}"
                     + (f", {failed} failed (marked ! in the list)." if failed else "."))
        self.reload_feeds()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self._refresh_worker and event.state == WorkerState.CANCELLED:
            self.reload_feeds()

    def action_all_read(self) -> None:
        """Mark the highlighted feed's, folder's or every item read; z marks those same
        items unread again (one A pressed for a, on All items, used to lose every unread
        mark for good)."""
        selection = self.current()
        ids = [item.id for item in self._guard(lambda: self.feeds.items(
            selection.feed_id, tag=selection.tag, unread=True)) or []]
        count = self._guard(lambda: self.feeds.mark_read(item_ids=ids))
        if count is not None:
            if count:
                self._marked = ids
            self.notify(f"Marked {count} item{'s' if count != 1 else ''} read in "
                        f"{selection.label}." + (" z marks them unread again." if count else ""),
                        markup=False)
        self.reload_feeds()

    def action_undo_read(self) -> None:
        if not self._marked:
            self.notify("Nothing to undo.", timeout=2)
            return
        ids, self._marked = self._marked, []
        count = self._guard(lambda: self.feeds.mark_read(item_ids=ids, read=False))
        if count is not None:
            self.notify(f"{count} item{'s' if count != 1 else ''} unread again.", timeout=3,
                        markup=False)
        self.reload_feeds()

    def action_toggle_unread(self) -> None:
        self.unread_only = not self.unread_only
        self._show_title()
        self.reload_items()

    def action_save(self) -> None:
        pane = self.query_one("#feed-items", OptionList)
        index = pane.highlighted
        if index is None or index >= len(self.shown):
            self.notify("Choose an item to save.", markup=False)
            return
        self.save_item(self.shown[index])

    @work(group="save")
    async def save_item(self, item: FeedItem) -> None:
        from reader.feeds.refresh import save_items

        self._status(f"Saving {item.title} …")
        try:
            saved = await save_items(self.feeds, self.fetcher(), [item.id])
        except ReaderError as exc:
            self.notify(exc.sentence, severity="error", markup=False)
            saved = 0
        self._status("")
        if saved:
            self.notify(f"Saved to the library: {item.title}", markup=False)
        else:
            self.notify(f"Saved as a link only (its text could not be had): {item.title}",
                        severity="warning", markup=False)
        self.reload_items()

    # ------------------------------------------------------------------ subscriptions

    def action_add_feed(self) -> None:
        from reader.ui.dialogs import TextPrompt

        def chosen(address: str | None) -> None:
            if address and address.strip():
                self._add_worker = self.add_feed(address.strip())

        self.app.push_screen(TextPrompt(
            "Subscribe to a feed", placeholder="https://… a feed, or a site that links one",
            hint="Enter to subscribe, Esc to cancel"), chosen)

    @work(exclusive=True, group="add")
    async def add_feed(self, address: str) -> None:
        """Subscribe to ``address`` (a feed, or the one of a page's feeds the person chooses)
        and show it."""
        from reader.feeds.subscribe import find_feed, subscribe_found
        from reader.ui.dialogs import ChoiceDialog

        self._status(f"Subscribing to {address} …")
        try:
            try:
                found = await find_feed(self.fetcher(), address, _ask_later)
            except _SeveralFeeds as several:
                # The page links several: the person chooses (as `feed add` asks at a
                # terminal), and the page is read again with that choice.
                self._status("")
                from reader.sanitize import clean_text

                pick = await self.app.push_screen_wait(ChoiceDialog(
                    f"{clean_text(several.page)} links {len(several.linked)} feeds; "
                    "which one?",
                    [f"{clean_text(f.title) or 'untitled'}  <{f.url}>"
                     for f in several.linked]))
                if pick is None:
                    self._status(self._no_feeds_hint())
                    return
                self._status(f"Subscribing to {several.linked[pick].url} …")
                found = await find_feed(self.fetcher(), address, pick=pick + 1)
            done = await subscribe_found(self.feeds, self.fetcher(), found)
        except ReaderError as exc:
            self._status(self._no_feeds_hint())
            self.notify(exc.sentence, severity="error", markup=False)
            return
        self._status("")
        if not done.created:
            self.notify(f"Already subscribed: {done.title}", markup=False)
        else:
            new = done.result.new if done.result is not None else 0
            text = f"Subscribed: {done.title} ({new} item{'s' if new != 1 else ''})."
            problem = done.result.error or done.result.problem if done.result else None
            self.notify(text + (f" {problem}" if problem else ""), markup=False,
                        severity="warning" if problem else "information")
        self.reload_feeds()
        self._highlight_feed(done.feed_id)

    def _highlight_feed(self, feed_id: int) -> None:
        for index, row in enumerate(self.rows):
            if row.feed_id == feed_id:
                self.query_one("#feeds-list", OptionList).highlighted = index
                return

    def _chosen_feed(self) -> Feed | None:
        """The highlighted feed, or a notification saying to choose one."""
        row = self.current()
        if row.feed_id is None:
            self.notify("Choose a feed in the list first (not a folder or All items).",
                        markup=False)
            return None
        feed: Feed | None = self._guard(lambda: self.feeds.get(row.feed_id or 0))
        return feed

    def action_toggle_full_text(self) -> None:
        """Whether opening an item shows the feed's own text instead of fetching its
        page (for feeds that carry whole articles)."""
        feed = self._chosen_feed()
        if feed is None:
            return
        value = not feed.full_text
        if not self._guard(lambda: self.feeds.set_options(feed.id, full_text=value) or True):
            return
        self.notify(f"{feed.title or feed.url}: "
                    + ("items open with the feed's own text." if value
                       else "items open their page, cleaned."), markup=False)
        self.reload_feeds()
        self._describe_feed()

    def action_toggle_save_new(self) -> None:
        """Whether a refresh saves this feed's new items to the library for offline
        reading."""
        feed = self._chosen_feed()
        if feed is None:
            return
        value = not feed.save_new
        if not self._guard(lambda: self.feeds.set_options(feed.id, save_new=value) or True):
            return
        self.notify(f"{feed.title or feed.url}: "
                    + ("new items are saved to the library on refresh." if value
                       else "new items are no longer saved to the library."), markup=False)
        self.reload_feeds()
        self._describe_feed()

    def action_unsubscribe(self) -> None:
        from reader.ui.dialogs import ConfirmDialog

        feed = self._chosen_feed()
        if feed is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            if self._guard(lambda: self.feeds.remove(feed.id)) is not None:
                self.notify(f"Unsubscribed from {feed.title or feed.url}.", markup=False)
                self._loaded = None
                self.reload_feeds()

        self.app.push_screen(ConfirmDialog(
            f"Unsubscribe from {feed.title or feed.url}? Its {feed.total} items go; "
            "articles saved from it stay in the library.", yes="Unsubscribe",
            no="Keep"), answered)

    def _status(self, text: str) -> None:
        self._described = False
        self.query_one("#feeds-status", Static).update(Content(text))


# ---------------------------------------------------------------------- rows


def _row(label: str, unread: int, *, bold: bool) -> Content:
    count = f"{unread:>5} " if unread else "      "
    return Content.assemble((count, "bold" if unread else "dim"),
                            (label, "bold" if bold else ""))


def _feed_row(feed: FeedSummary, *, indent: bool) -> Content:
    label = ("  " if indent else "") + (feed.title or feed.url)
    row = _row(label, feed.unread, bold=False)
    if feed.failing:
        # A badge, white on the theme's error colour: plain red text all but vanished on
        # the blue of the highlighted row.
        row = Content.assemble(row, " ", ("!", "bold #ffffff on $error"))
    return row


def _item_row(item: FeedItem, with_feed: bool) -> Content:
    mark = ("  ", "") if item.read else ("● ", "bold")
    date = (item.published or item.sort_at)[:10]
    parts: list[tuple[str, str] | str] = [mark, (date + "  ", "dim"),
                                          (item.title or item.url or "Untitled",
                                           "dim" if item.read else "bold")]
    if with_feed and item.feed_title:
        parts.append(("  · " + item.feed_title, "dim"))
    if item.article_id is not None:
        parts.append(("  · saved", "dim"))
    return Content.assemble(*parts)


class _SeveralFeeds(Exception):
    """Raised from inside ``find_feed`` when a page links several feeds, so that the
    screen can ask which one (a dialog has to be awaited; the chooser is called plain)."""

    def __init__(self, linked: list[FoundFeed], page: str) -> None:
        super().__init__(page)
        self.linked = linked
        self.page = page


def _ask_later(linked: list[FoundFeed], page: str) -> FoundFeed:
    raise _SeveralFeeds(linked, page)
