"""Found by driving the real program as a new user would (QA sweep, 2026-12): each test
fails on the code before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ui_library import fill_library, open_library
from textual import events
from textual.widgets import Input
from ui_helpers import run, wait_for

from reader.library import Library
from reader.ui.app import ReaderApp
from reader.ui.dialogs import ConfirmDialog, TextPrompt
from reader.ui.screens.library_screen import EntryList

FIXTURES = Path(__file__).parent / "fixtures"


def _burst(app: ReaderApp, keys: list[tuple[str, str | None]]) -> None:
    """Keys queued before any is handled: a fast typist, a paste, tmux send-keys."""
    for key, char in keys:
        app.post_message(events.Key(key, char))


def _typed(text: str) -> list[tuple[str, str | None]]:
    return [(c, c) for c in text]


def test_a_tag_typed_right_after_hash_reaches_the_prompt_whole(reader_home: Path) -> None:
    """`#later` typed in one burst filtered by "#ater": the prompt was pushed from a
    worker, so the "l" typed before it was up went to the list and was lost. And T
    showed the tags all selected, so the first letter typed wiped them."""
    ids = fill_library(reader_home)
    with Library.open(reader_home / "data") as library:
        for article_id in ids.values():
            library.set_tags(article_id, ["later"])

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_library(pilot, app)
            _burst(app, [("number_sign", "#"), *_typed("later")])
            await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
            field = app.screen.query_one(Input)
            await pilot.pause(0.3)
            assert field.value == "later", field.value
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.tag == "later")
            await pilot.press("T")
            await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
            field = app.screen.query_one(Input)
            await pilot.press(*", news")  # added to the tags, not replacing them
            assert field.value == "later, news", field.value
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)
            before = screen.total
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            await pilot.press("y")
            await wait_for(pilot, lambda: screen.total == before - 1)
            assert app.screen is screen
            assert app.current is None  # nothing was opened under the dialog

    run(scenario)


def _many_articles(home: Path, count: int) -> None:
    """``count`` distinct saved articles ("Shipping a Rust CLI 0" …), newest last."""
    import dataclasses

    from reader.extract import extract

    page = (FIXTURES / "ghost-blog-post.html").read_bytes()
    article = extract(page, "https://workshop.example.org/a")
    with Library.open(home / "data") as library:
        for n in range(count):
            url = f"https://workshop.example.org/{n}"
            library.save(dataclasses.replace(article, url=url, title=f"Shipping a Rust CLI {n}"),
                         source_url=url, html=page)


def test_the_library_list_has_no_horizontal_scrollbar(reader_home: Path) -> None:
    """With more rows than the screen holds, a horizontal scrollbar took the list's last
    line at 80x24: the list claimed its full width besides the vertical scrollbar."""
    _many_articles(reader_home, 40)

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_library(pilot, app)
            table = screen.query_one(EntryList)
            await pilot.pause()
            assert table.show_vertical_scrollbar
            assert not table.show_horizontal_scrollbar
            await pilot.press("end")
            await pilot.pause()
            last = table.render_line(table.size.height - 1).text
            assert "Shipping a Rust" in last  # the last row is drawn on the last line

    run(scenario)


def test_question_mark_shows_the_keys_on_the_list_screens_and_j_k_move_in_them(
        reader_home: Path) -> None:
    """`?` did nothing on the bookmarks and history screens (nor links, highlights,
    figure): they had no binding for it. And j/k/g/G, which move every other list,
    did nothing in their lists (Textual's option list moves with the arrows only)."""
    from textual.widgets import OptionList

    from reader.ui.screens.bookmarks_screen import BookmarksScreen
    from reader.ui.screens.help_screen import HelpScreen
    from reader.ui.screens.history_screen import HistoryScreen

    fill_library(reader_home)
    with Library.open(reader_home / "data") as library:
        for n in range(3):
            library.record_history(f"https://example.org/{n}", f"Page {n}")

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_library(pilot, app)
            for key, kind in (("H", HistoryScreen), ("B", BookmarksScreen)):
                await pilot.press(key)
                await wait_for(pilot, lambda kind=kind: isinstance(app.screen, kind))
                listing = app.screen
                await pilot.press("question_mark")
                await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
                await pilot.press("escape")
                await wait_for(pilot, lambda listing=listing: app.screen is listing)
                if kind is HistoryScreen:
                    options = listing.query_one(OptionList)
                    assert options.highlighted == 0
                    await pilot.press("j", "j")
                    assert options.highlighted == 2
                    await pilot.press("k")
                    assert options.highlighted == 1
                    await pilot.press("G")
                    assert options.highlighted == options.option_count - 1
                    await pilot.press("g")
                    assert options.highlighted == 0
                await pilot.press("escape")
                await wait_for(pilot, lambda: app.screen is screen)

    run(scenario)


def test_backup_and_restore_carry_the_feed_subscriptions(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    """`reader backup` ("everything, in one zip") left the feed subscriptions out: on the
    other machine `reader feed list` said "No subscriptions yet". They come back with
    their folders and options, and a second restore adds nothing."""
    import json

    from reader.cli import main
    from reader.library.feeds import Feeds

    home, other = tmp_path / "home", tmp_path / "other"
    with Library.open(home) as library:
        feeds = Feeds(library)
        feed_id, _ = feeds.add("https://news.example.org/rss.xml", title="Harbour Gazette",
                               tags=["news", "local"])
        feeds.add("https://blog.example.net/atom.xml", title="A blog")
        feeds.set_options(feed_id, full_text=True)
    archive = tmp_path / "b.zip"
    assert main(["--data-dir", str(home), "backup", str(archive)]) == 0
    assert "2 feed subscriptions" in capsys.readouterr().out
    assert main(["--data-dir", str(other), "restore", str(archive)]) == 0
    assert "2 feed subscriptions" in capsys.readouterr().out
    assert main(["--data-dir", str(other), "feed", "list", "--json"]) == 0
    listed = {f["url"]: f for f in json.loads(capsys.readouterr().out)}
    gazette = listed["https://news.example.org/rss.xml"]
    assert gazette["title"] == "Harbour Gazette"
    assert sorted(gazette["tags"]) == ["local", "news"]
    assert gazette["full_text"] and not gazette["save_new"]
    assert "https://blog.example.net/atom.xml" in listed
    assert main(["--data-dir", str(other), "restore", str(archive), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["feeds"] == 0


def test_exported_files_get_the_usual_permissions_not_owner_only(
        reader_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every file `reader export` wrote was -rw------- (the temporary file's mode), so an
    EPUB put in a shared e-reader folder or notes in a synced vault could not be read by
    anyone else; a new file follows the umask like any other program's."""
    import os
    import stat

    from reader.cli import main

    ids = fill_library(reader_home)
    first = next(iter(ids.values()))
    old = os.umask(0o022)
    try:
        for fmt in ("markdown", "html", "epub"):
            out = tmp_path / fmt
            assert main(["export", str(first), "-f", fmt, "-o", str(out)]) == 0
            written = [p for p in out.iterdir() if p.is_file()]
            assert written
            for path in written:
                assert stat.S_IMODE(path.stat().st_mode) == 0o644, (path, oct(path.stat().st_mode))
    finally:
        os.umask(old)


def test_a_feeds_error_is_read_whole_on_the_status_line_at_60_columns(
        reader_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The highlighted feed's line (address, last check, error) was one line high: at 80
    (and 120) columns the error was cut mid-sentence ("…atom.xml: the XML is"), and it
    named the address twice."""
    from localserver import LocalServer
    from textual.geometry import Region
    from textual.widgets import Static

    from reader.cli import main
    from reader.ui.screens.feeds_screen import FeedsScreen

    broken = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Half a feed</title>'
              b"<item><title>One</title><link>http://127.0.0.1/one</link></item><item><ti")
    with LocalServer() as server:
        server.add("/half.xml", body=broken, headers={"Content-Type": "application/rss+xml"})
        url = server.url("/half.xml")
        assert main(["feed", "add", url]) == 0
    capsys.readouterr()
    fill_library(reader_home)  # so that the app opens on the library

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(60, 20)) as pilot:
            await open_library(pilot, app)
            await pilot.press("F")
            await wait_for(pilot, lambda: isinstance(app.screen, FeedsScreen))
            await pilot.press("down")
            status = app.screen.query_one("#feeds-status", Static)
            await pilot.pause(0.5)
            assert "broken" in str(status.render()), (str(status.render()), capsys.readouterr())
            await pilot.pause(0.1)
            shown = " ".join(strip.text.strip() for strip in status.render_lines(
                Region(0, 0, status.size.width, status.size.height)))
            assert "reader kept the 2 items before it." in shown, shown
            assert shown.count(url) == 1, shown

    run(scenario)


def test_an_item_whose_page_is_gone_shows_the_feeds_summary(
        reader_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An RSS item with a short description whose page answers 404: `reader feed show`
    (and Enter on the feeds screen) said only "The server answered 404" and showed
    nothing, though the feed had a summary of it. It shows the summary, says why, and
    `'abc' is not an item number` reads right."""
    import json

    from localserver import LocalServer

    from reader.cli import main

    with LocalServer() as server:
        gone = server.url("/gone.html")
        feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>'
                f"<item><title>A missing page</title><link>{gone}</link><guid>g1</guid>"
                f"<description>The ferry timetable changes on Monday.</description></item>"
                f"</channel></rss>").encode()
        server.add("/rss.xml", body=feed, headers={"Content-Type": "application/rss+xml"})
        server.add("/gone.html", status=404, body=b"no")
        assert main(["feed", "add", server.url("/rss.xml")]) == 0
        capsys.readouterr()
        assert main(["feed", "items", "--json"]) == 0
        item = json.loads(capsys.readouterr().out)[0]
        assert main(["feed", "show", str(item["id"])]) == 0
        out, err = capsys.readouterr()
    assert "The ferry timetable changes on Monday." in out
    assert "404" in err and "summary" in err
    assert main(["feed", "show", "abc"]) == 1
    assert "'abc' is not an item number" in capsys.readouterr().err


def test_down_from_the_highlight_search_box_goes_to_the_list(reader_home: Path) -> None:
    """On every highlight (A, then a) Down in the search box did nothing; the library's
    box hands over to its list with Down, and so does this one."""
    from textual.widgets import OptionList
    from ui_helpers import wait_loaded

    from reader.ui.screens.highlights_screen import HighlightsScreen

    guide = FIXTURES / "site" / "field-guide.html"

    async def scenario() -> None:
        app = ReaderApp(str(guide), images=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("v", "w", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
            await pilot.press("enter")
            await wait_for(pilot, lambda: not isinstance(app.screen, TextPrompt))
            await pilot.press("A")
            await wait_for(pilot, lambda: isinstance(app.screen, HighlightsScreen))
            await pilot.press("a")
            screen = app.screen
            await wait_for(pilot, lambda: isinstance(screen.focused, Input))
            await pilot.press("down")
            await wait_for(pilot, lambda: isinstance(screen.focused, OptionList))
            assert screen.query_one(OptionList).highlighted == 0

    run(scenario)


def test_at_60_columns_the_library_gives_the_title_the_room(reader_home: Path) -> None:
    """At 60 columns every title was cut at 14 characters ("Shipping a Ru…") to keep the
    site and the date saved; there the title, progress and tags are what is kept."""
    fill_library(reader_home)

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(60, 20)) as pilot:
            screen = await open_library(pilot, app)
            table = screen.query_one(EntryList)
            await pilot.pause()
            lines = [table.render_line(y).text for y in range(table.size.height)]
            assert any("Shipping a Rust CLI without tears" in line for line in lines), lines
            assert "Title" in lines[0] and "Tags" in lines[0]
            assert all(len(line.rstrip()) <= 58 for line in lines)  # the scrollbar's 2

    run(scenario)


def test_esc_while_subscribing_cancels_and_stays_on_the_feeds_screen(
        reader_home: Path) -> None:
    """`a` and a slow address, then Esc ("esc Back / cancel" on the key line): the feeds
    screen closed and the subscription went on out of sight. Esc cancels it and says so;
    a second Esc closes the screen."""
    from localserver import LocalServer, stall
    from textual.widgets import Static

    from reader.ui.screens.feeds_screen import FeedsScreen

    fill_library(reader_home)
    with LocalServer() as server:
        slow = server.add_handler("/slow.xml", stall(server, 10.0))

        async def scenario() -> None:
            app = ReaderApp(None)
            async with app.run_test(size=(80, 24)) as pilot:
                library = await open_library(pilot, app)
                await pilot.press("F")
                await wait_for(pilot, lambda: isinstance(app.screen, FeedsScreen))
                feeds = app.screen
                await pilot.press("a")
                await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
                await pilot.press(*slow, "enter")
                status = feeds.query_one("#feeds-status", Static)
                await wait_for(pilot, lambda: "Subscribing" in str(status.render()))
                await pilot.press("escape")
                await pilot.pause(0.2)
                assert app.screen is feeds
                assert "cancelled" in str(status.render())
                await pilot.press("escape")
                await wait_for(pilot, lambda: app.screen is library)

        run(scenario)


def test_z_undoes_a_delete_after_reading_something_else(reader_home: Path) -> None:
    """d, then open an article and come back with L: z said "Nothing to undo" (the undo
    lived on the library screen, which L makes anew) and the article was gone for good."""
    from ui_helpers import wait_loaded

    fill_library(reader_home)

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_library(pilot, app)
            await pilot.press("d", "y")
            await wait_for(pilot, lambda: screen.total == 2)
            await pilot.press("enter")
            await wait_loaded(pilot, app)
            await pilot.press("L")
            screen = await open_library(pilot, app)
            await pilot.press("z")
            await wait_for(pilot, lambda: screen.total == 3)

    run(scenario)


def test_help_at_60_columns_wraps_descriptions_under_themselves(reader_home: Path) -> None:
    """At 60 columns a long description on the help screen wrapped back to the left
    edge, so its last word ("sentence", "word") stood in the keys' column and read as a
    key. It wraps under the description."""
    from textual.geometry import Region
    from textual.widgets import Static
    from ui_helpers import wait_loaded

    from reader.ui.screens.help_screen import HelpScreen

    guide = FIXTURES / "site" / "field-guide.html"

    async def scenario() -> None:
        app = ReaderApp(str(guide), images=False)
        async with app.run_test(size=(60, 20)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.pause(0.2)
            text = app.screen.query_one("#help-text", Static)
            lines = [strip.text.rstrip() for strip in text.render_lines(
                Region(0, 0, text.content_region.width, text.virtual_region.height))]
            wrapped = [line for line in lines if line.strip() in ("word", "sentence")]
            assert wrapped, lines  # 60 columns do wrap these descriptions
            assert all(line.startswith(" " * 10) for line in wrapped), wrapped

    run(scenario)


def test_the_links_screen_of_an_article_without_links_offers_no_open_keys(
        reader_home: Path) -> None:
    """`u` on an article with no links said "This article has no links." above a key
    line offering "O Open in browser"."""
    from ui_helpers import wait_loaded

    from reader.ui.screens.links_screen import LinksScreen
    from reader.ui.widgets.keyline import KeyLine

    page = reader_home / "plain.html"
    page.write_text("<html><head><title>Plain</title></head><body><article><h1>Plain</h1>"
                    + "<p>Words without a single link in them, said plainly. </p>" * 20
                    + "</article></body></html>")

    async def scenario() -> None:
        app = ReaderApp(str(page), images=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("u")
            await wait_for(pilot, lambda: isinstance(app.screen, LinksScreen))
            await pilot.pause()
            keys = str(app.screen.query_one(KeyLine).render())
            assert "Close" in keys and "browser" not in keys, keys

    run(scenario)


def test_highlights_that_find_nothing_say_so(reader_home: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """`reader highlights --search zzz` (or with none at all) printed nothing, exit 0: a
    blank that reads as "did it work?". It says so on standard error, as `reader list`
    does; --json still prints an empty list."""
    from reader.cli import main

    fill_library(reader_home)
    assert main(["highlights"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "No highlights yet" in err
    assert main(["highlights", "--search", "zzz"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "No highlights match." in err
    assert main(["highlights", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    assert main(["highlights", "--notes", str(reader_home / "notes")]) == 0
    assert "No highlights to write." in capsys.readouterr().err


def test_all_read_in_the_feeds_screen_can_be_undone(
        reader_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A on "All items" marked every item of every feed read, with no way back (an A
    typed for a, which adds a feed, lost all the unread marks). z marks them unread."""
    import json

    from localserver import LocalServer
    from textual.widgets import Static

    from reader.cli import main
    from reader.ui.screens.feeds_screen import FeedsScreen

    items = "".join(f"<item><title>Item {n}</title><link>https://example.org/{n}</link>"
                    f"<guid>i{n}</guid></item>" for n in range(4))
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Four</title>{items}' \
           "</channel></rss>"
    with LocalServer() as server:
        server.add("/rss.xml", body=feed.encode(),
                   headers={"Content-Type": "application/rss+xml"})
        assert main(["feed", "add", server.url("/rss.xml")]) == 0
    main(["feed", "read", "--item", "1"])  # one read already: it stays read
    fill_library(reader_home)

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(100, 30)) as pilot:
            await open_library(pilot, app)
            await pilot.press("F")
            await wait_for(pilot, lambda: isinstance(app.screen, FeedsScreen))
            title = app.screen.query_one("#feeds-title", Static)
            await wait_for(pilot, lambda: "3 unread" in str(title.render()))
            await pilot.press("A")
            await wait_for(pilot, lambda: "0 unread" in str(title.render()))
            await pilot.press("z")
            await wait_for(pilot, lambda: "3 unread" in str(title.render()))

    run(scenario)
    capsys.readouterr()
    assert main(["feed", "items", "--json"]) == 0
    read = {item["title"]: item["read"] for item in json.loads(capsys.readouterr().out)}
    assert sum(read.values()) == 1


def test_exporting_an_article_as_opml_is_refused_not_ignored(
        reader_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`reader export 12 -f opml` wrote subscriptions.opml (the feeds) and exit 0, as if
    article 12 had been exported; it says what OPML holds instead."""
    from reader.cli import main

    ids = fill_library(reader_home)
    first = str(next(iter(ids.values())))
    assert main(["export", first, "-f", "opml", "-o", str(tmp_path)]) == 1
    assert "feed subscriptions, not articles" in capsys.readouterr().err
    assert not (tmp_path / "subscriptions.opml").exists()
    assert main(["export", "--feeds", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "subscriptions.opml").exists()


@pytest.mark.parametrize("feed, why", [
    ({"url": "file:///etc/passwd"}, "is not a web address"),
    ({"url": "https://example.org/rss", "tags": [1]}, "is not a list of text"),
    ({"url": "https://example.org/rss", "full_text": "yes"}, "is not true or false"),
])
def test_a_hostile_feed_in_a_backup_is_refused_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], feed: dict[str, object],
        why: str) -> None:
    """The feeds the archive now carries are checked like everything else in it."""
    import json
    import zipfile

    from reader.cli import main

    entry = {"title": "T", "site_url": None, "added_at": "2026-01-01T00:00:00+00:00",
             "full_text": False, "save_new": False, "tags": [], **feed}
    manifest = {"format": "reader-tui-backup", "version": 1, "articles": [],
                "feeds": [entry]}
    archive = tmp_path / "hostile.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
    assert main(["--data-dir", str(tmp_path / "home"), "restore", str(archive)]) == 1
    err = capsys.readouterr().err
    assert (why in err and "nothing was changed" in err) or why in err, err
    assert main(["--data-dir", str(tmp_path / "home"), "feed", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_search_typed_in_one_burst_then_end_and_enter_opens_the_last_found(
        reader_home: Path) -> None:
    """`/with`, Enter, End, Enter typed at once: all of it reached the search box before
    it handled the first Enter, so End moved the box's cursor and the second Enter
    searched again; nothing opened. Now the keys after Enter act on the list: the last
    article found opens."""
    fill_library(reader_home)
    with Library.open(reader_home / "data") as library:
        found = [entry.title for entry in library.entries(search="with")]
    assert len(found) == 2  # the last differs from the first row

    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_library(pilot, app)
            _burst(app, [("slash", "/"), *_typed("with"), ("enter", "\r"), ("end", None),
                         ("enter", "\r")])
            await wait_for(pilot, lambda: app.current is not None)
            assert app.current is not None
            assert app.current.loaded.article.title == found[-1]

    run(scenario)
