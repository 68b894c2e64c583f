"""``reader feed`` against a real HTTP server on 127.0.0.1 serving feeds in every format.

Everything goes through the command line (``reader.cli.main``) as a person or a script
would use it; what is checked is what they would see: the items listed, the article
printed, the one-line errors, and what the server was asked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from localserver import LocalServer, send

from reader.cli import main

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
ARTICLE = Path(__file__).parent / "fixtures" / "site" / "field-guide.html"
TYPES = {".xml": "application/rss+xml", ".rdf": "application/rdf+xml",
         ".json": "application/feed+json", ".html": "text/html; charset=utf-8"}
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        for file in FEEDS.iterdir():
            running.add_file(f"/feeds/{file.name}", file, TYPES[file.suffix])
        yield running


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def add(server: LocalServer, name: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["feed", "add", server.url(f"/feeds/{name}")])
    out = capsys.readouterr()
    assert code == 0, out.err
    found = re.search(r"Subscribed (\d+):", out.out)
    assert found, out.out
    return int(found.group(1)), out.err


def items(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = cli_json(capsys, "feed", "items", *args)
    return result


# ---------------------------------------------------------------------- every format


@pytest.mark.parametrize(("name", "titles", "first_url"), [
    ("rss091.xml", ["Minutes of the parish meeting", "Bell tower repairs"],
     "/minutes/1999-12.html"),
    ("rss092.xml", ["Episode 12: café society"], "/shows/12.html"),
    ("rss10.rdf", ["Nest count", "Swallows return"], "/log/2"),
    ("rss20.xml", ["The new breakwater", "Tide tables for December"],
     "/posts/breakwater.html"),
    ("atom03.xml", ["Legacy entry"], "/legacy/1.html"),
    ("atom10.xml", ["Planing oak boards", "Glue < screws?"], "/blog/posts/oak.html"),
    ("feed10.json", ["First JSON item", "Second JSON item"], "/j/1.html"),
    ("feed11.json", ["Eleven first", "Eleven second"], "/feeds/posts/e1.html"),
])
def test_each_format_is_subscribed_with_items_newest_first_and_links_absolute(
        server: LocalServer, capsys: pytest.CaptureFixture[str], name: str,
        titles: list[str], first_url: str) -> None:
    feed_id, _ = add(server, name, capsys)
    got = items(capsys, str(feed_id))
    assert [i["title"] for i in got] == titles
    assert got[0]["url"] == server.url(first_url)
    assert all(not i["read"] for i in got)
    listed = cli_json(capsys, "feed", "list")
    assert listed[0]["unread"] == len(titles)
    assert listed[0]["error"] is None or name == "feed11.json"  # it has a bad item


def test_json_feed_authors_dates_and_a_non_object_item(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    _, err = add(server, "feed11.json", capsys)
    assert "was not a JSON object and was skipped" in err
    got = items(capsys)
    assert got[0]["author"] == "Guest Writer" and got[1]["author"] == "Elle Even"
    assert got[1]["url"] == "https://elsewhere.invalid/e2"
    add(server, "feed10.json", capsys)
    second = next(i for i in items(capsys) if i["title"] == "Second JSON item")
    assert second["published"] == "2026-11-01T08:00:00+00:00"  # +02:00 in the feed


# ---------------------------------------------------------------------- full text


def test_opening_an_item_fetches_and_cleans_its_page_and_marks_it_read(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.add_file("/posts/breakwater.html", ARTICLE, "text/html")
    add(server, "rss20.xml", capsys)
    item = next(i for i in items(capsys) if i["title"] == "The new breakwater")
    assert main(["feed", "show", str(item["id"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("A Field Guide to Urban Birds")  # the page, not the feed's teaser
    assert "feral pigeon" in out and "Leave a Reply" not in out
    assert next(i for i in items(capsys) if i["id"] == item["id"])["read"] is True


def test_content_encoded_with_figures_is_shown_when_the_page_cannot_be_fetched(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    add(server, "rss20.xml", capsys)
    item = next(i for i in items(capsys) if i["title"] == "The new breakwater")
    assert main(["feed", "show", str(item["id"]), "--format", "json"]) == 0
    out = capsys.readouterr()
    assert "404 Not Found" in out.err and "Showing the feed's own text" in out.err
    assert len(out.err.strip().splitlines()) == 1
    article = json.loads(out.out)
    text = json.dumps(article)
    assert "three winters of work" in text
    assert "alert(" not in text  # the feed's script went
    figures = [b for b in article["blocks"] if b["type"] == "figure"]
    assert figures and figures[0]["src"] == server.url("/img/breakwater.png")
    assert "The breakwater at dawn" in figures[0]["caption"]
    assert server.url("/feeds/docs/plan.html") in text  # relative to the feed's URL


def test_atom_xhtml_content_resolves_links_against_xml_base(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    add(server, "atom10.xml", capsys)
    oak = next(i for i in items(capsys) if i["title"] == "Planing oak boards")
    assert oak["url"] == server.url("/blog/posts/oak.html") and oak["author"] == "Joiner Jo"
    glue = next(i for i in items(capsys) if i["title"] == "Glue < screws?")
    assert glue["url"] == server.url("/elsewhere/glue.html")  # the entry's own xml:base
    assert main(["feed", "show", str(oak["id"]), "--format", "json"]) == 0
    article = json.loads(capsys.readouterr().out)
    text = json.dumps(article)
    assert "read the board first" in text
    assert server.url("/blog/images/plane.png") in text
    assert server.url("/tools/sharpening.html") in text  # "../tools/…" from /blog/


def test_a_full_text_feed_is_shown_from_the_feed_without_fetching_the_page(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.add_file("/posts/breakwater.html", ARTICLE, "text/html")
    assert main(["feed", "add", server.url("/feeds/rss20.xml"), "--full-text"]) == 0
    item = next(i for i in items(capsys) if i["title"] == "The new breakwater")
    assert main(["feed", "show", str(item["id"])]) == 0
    out = capsys.readouterr()
    assert "three winters of work" in out.out and out.err == ""
    assert not server.requests_to("/posts/breakwater.html")


def test_refresh_save_saves_new_items_to_the_library_with_pictures(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.add_file("/posts/breakwater.html", ARTICLE, "text/html")
    add(server, "rss20.xml", capsys)
    assert cli_json(capsys, "list") == []
    # the feed gains nothing; a forced refresh with --save saves only new items
    assert main(["feed", "refresh", "--force", "--save"]) == 0
    assert cli_json(capsys, "list") == []
    server.add("/feeds/rss20.xml", body=(FEEDS / "rss20.xml").read_text().replace(
        "<item>", "<item><title>Third</title><link>/posts/breakwater.html?x</link>"
        "<guid>harbour-3</guid></item><item>", 1), content_type="application/rss+xml")
    assert main(["feed", "refresh", "--force", "--save"]) == 0
    assert "1 new item, 1 saved to the library" in capsys.readouterr().out
    saved = cli_json(capsys, "list")
    assert [s["title"] for s in saved] == ["A Field Guide to Urban Birds"]


# ---------------------------------------------------------------------- hostile and broken


def test_titles_with_escape_sequences_and_markup_are_plain_clean_text(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    add(server, "hostile.xml", capsys)
    add(server, "hostile.json", capsys)
    got = items(capsys)
    for item in got:
        for value in (item["title"], item["author"] or "", item["summary"], item["feed"]):
            assert not CONTROL.search(value), value
    titles = {i["title"] for i in got}
    assert "Red alert here" in titles
    assert "<script>x</script>[red]Rich[/red] gnp.exe" in titles  # text, never markup
    assert "Bell and bold [b]x[/b]" in titles
    assert main(["feed", "list"]) == 0
    out = capsys.readouterr().out
    assert "Evil Feed" in out and "Clipboard" in out and not CONTROL.search(out)
    assert main(["feed", "items"]) == 0
    assert not CONTROL.search(capsys.readouterr().out)


def test_broken_xml_keeps_what_parsed_and_says_what_broke(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    feed_id, err = add(server, "broken.xml", capsys)
    assert "XML is broken at line 5" in err and len(err.strip().splitlines()) == 1
    titles = [i["title"] for i in items(capsys, str(feed_id))]
    assert "Survivor one" in titles and "Survivor two" in titles
    listed = cli_json(capsys, "feed", "list")
    assert "XML is broken" in listed[0]["error"]


def test_a_document_that_is_no_feed_is_refused_in_one_sentence(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.add("/nonsense.xml", body=b"<?xml version='1.0'?><nothing/>",
               content_type="application/xml")
    server.add("/page.pdf", body=b"%PDF-1.4 ...", content_type="application/pdf")
    for path, words in (("/nonsense.xml", "is not a feed reader can read"),
                        ("/page.pdf", "is a PDF document"),
                        ("/feeds/page-none.html", "links no feed")):
        assert main(["feed", "add", server.url(path)]) == 1
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert cli_json(capsys, "feed", "list") == []


def test_a_30_mb_feed_is_refused_by_the_size_cap_and_the_feed_keeps_its_error(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    feed_id, _ = add(server, "rss20.xml", capsys)

    def huge(h: BaseHTTPRequestHandler) -> None:
        piece = b"<item><title>x</title><description>" + b"a" * 65000 + b"</description></item>"
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Connection", "close")
        h.end_headers()
        try:
            h.wfile.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
            for _ in range(30 * 2**20 // len(piece)):
                h.wfile.write(piece)
        except OSError:
            pass
        h.close_connection = True

    server.add_handler("/feeds/rss20.xml", huge)
    assert main(["feed", "refresh", "--force"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "larger than 20 MiB" in err
    listed = cli_json(capsys, "feed", "list")
    assert listed[0]["id"] == feed_id and "larger than 20 MiB" in listed[0]["error"]
    assert listed[0]["items"] == 2  # what it had is kept


# ---------------------------------------------------------------------- good citizen


def test_redirects_are_followed(server: LocalServer,
                                capsys: pytest.CaptureFixture[str]) -> None:
    server.add("/old-feed", status=301, headers={"Location": "/feeds/rss20.xml"})
    server.add("/older-feed", status=302, headers={"Location": "/old-feed"})
    assert main(["feed", "add", server.url("/older-feed")]) == 0
    assert "Harbour Notes (2 items)" in capsys.readouterr().out
    assert len(items(capsys)) == 2


def conditional(body: bytes, etag: str, modified: str, seen: list[dict[str, str]]
                ) -> Any:
    """A feed that answers 304 when the client sends its validators."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        headers = {k.lower(): v for k, v in h.headers.items()}
        seen.append(headers)
        if headers.get("if-none-match") == etag or headers.get("if-modified-since") == modified:
            send(h, 304, b"", {"ETag": etag})
            return
        send(h, 200, body, {"Content-Type": "application/rss+xml", "ETag": etag,
                            "Last-Modified": modified})

    return handler


def test_304_the_server_sees_the_validators_and_nothing_new_is_stored(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[dict[str, str]] = []
    modified = format_datetime(datetime(2026, 11, 30, 8, 0, tzinfo=UTC), usegmt=True)
    server.add_handler("/cond.xml", conditional((FEEDS / "rss20.xml").read_bytes(), '"v1"',
                                                modified, seen))
    assert main(["feed", "add", server.url("/cond.xml")]) == 0
    before = items(capsys)
    assert main(["feed", "refresh", "--force"]) == 0
    assert "1 unchanged" in capsys.readouterr().out
    assert seen[-1]["if-none-match"] == '"v1"' and seen[-1]["if-modified-since"] == modified
    assert items(capsys) == before
    listed = cli_json(capsys, "feed", "list")
    assert listed[0]["outcome"] == "not modified" and listed[0]["error"] is None


def test_a_feed_checked_recently_is_left_alone_unless_forced(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    add(server, "rss20.xml", capsys)
    asked = len(server.requests_to("/feeds/rss20.xml"))
    assert main(["feed", "refresh"]) == 0
    assert "checked recently" in capsys.readouterr().out
    assert len(server.requests_to("/feeds/rss20.xml")) == asked
    listed = cli_json(capsys, "feed", "list")
    # <ttl>60</ttl> in the feed: an hour before the next check
    gap = (datetime.fromisoformat(listed[0]["next_check"])
           - datetime.fromisoformat(listed[0]["checked_at"]))
    assert 59 * 60 <= gap.total_seconds() <= 61 * 60
    assert main(["feed", "refresh", "--force"]) == 0
    assert len(server.requests_to("/feeds/rss20.xml")) == asked + 1


def test_429_with_retry_after_is_honoured_even_when_forced(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    feed_id, _ = add(server, "rss20.xml", capsys)
    server.add("/feeds/rss20.xml", status=429, body=b"slow down",
               headers={"Retry-After": "7200", "Content-Type": "text/plain"})
    assert main(["feed", "refresh", "--force"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "429 Too Many Requests" in err
    asked = len(server.requests_to("/feeds/rss20.xml"))
    assert main(["feed", "refresh", "--force"]) == 0
    assert "1 waiting as their server asked" in capsys.readouterr().out
    assert len(server.requests_to("/feeds/rss20.xml")) == asked  # not asked again
    listed = cli_json(capsys, "feed", "list")
    gap = (datetime.fromisoformat(listed[0]["next_check"])
           - datetime.fromisoformat(listed[0]["checked_at"]))
    assert 7190 <= gap.total_seconds() <= 7210
    assert listed[0]["id"] == feed_id and "429" in listed[0]["error"]


def test_one_line_per_failure_and_the_others_still_refresh(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    add(server, "rss20.xml", capsys)
    add(server, "atom10.xml", capsys)
    add(server, "feed10.json", capsys)
    server.add("/feeds/rss20.xml", status=500, body=b"oops", content_type="text/plain")
    server.add("/feeds/atom10.xml", status=404, body=b"gone", content_type="text/plain")
    assert main(["feed", "refresh", "--force", "--jobs", "2"]) == 0
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert len(lines) == 2
    assert any("500 Internal Server Error" in line for line in lines)
    assert any("404 Not Found" in line for line in lines)
    assert "2 failed" in out.out
    assert len(items(capsys)) == 6  # nothing lost


# ---------------------------------------------------------------------- dedup, volume


def test_items_are_deduplicated_by_guid_else_link_across_refreshes(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    def rss(entries: list[str]) -> str:
        return ("<?xml version='1.0'?><rss version='2.0'><channel><title>D</title>"
                + "".join(entries) + "</channel></rss>")

    a = "<item><title>A</title><link>/a</link><guid>id-a</guid></item>"
    b = "<item><title>B</title><link>/b</link></item>"  # no guid: the link is its key
    server.add("/d.xml", body=rss([a, b]), content_type="application/rss+xml")
    assert main(["feed", "add", server.url("/d.xml")]) == 0
    a2 = "<item><title>A, retitled</title><link>/a-moved</link><guid>id-a</guid></item>"
    c = "<item><title>C</title><link>/c</link></item>"
    server.add("/d.xml", body=rss([c, a2, b]), content_type="application/rss+xml")
    assert main(["feed", "refresh", "--force"]) == 0
    assert "1 new item" in capsys.readouterr().out
    assert sorted(i["title"] for i in items(capsys)) == ["A", "B", "C"]


def test_a_feed_of_10000_items(server: LocalServer, capsys: pytest.CaptureFixture[str]
                               ) -> None:
    def date(n: int) -> str:
        return format_datetime(datetime.fromtimestamp(1.7e9 + n * 60, UTC), usegmt=True)

    entries = "".join(
        f"<item><title>Item {n}</title><link>/big/{n}</link><guid>big-{n}</guid>"
        f"<pubDate>{date(n)}</pubDate><description>Number {n} of many</description></item>"
        for n in range(10_000))
    server.add("/big.xml", body=f"<?xml version='1.0'?><rss version='2.0'><channel>"
               f"<title>Big</title>{entries}</channel></rss>", content_type="text/xml")
    assert main(["feed", "add", server.url("/big.xml")]) == 0
    assert "(10000 items)" in capsys.readouterr().out
    assert main(["feed", "refresh", "--force"]) == 0
    assert "0 new items" in capsys.readouterr().out
    listed = cli_json(capsys, "feed", "list")
    assert listed[0]["items"] == 10_000 and listed[0]["unread"] == 10_000
    newest = items(capsys, "--limit", "2")
    assert [i["title"] for i in newest] == ["Item 9999", "Item 9998"]
    found = items(capsys, "--search", "Item 4242")
    assert found and found[0]["title"] == "Item 4242"


# ---------------------------------------------------------------------- discovery


def test_a_page_linking_one_feed_subscribes_to_it(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feed", "add", server.url("/feeds/page-one.html")]) == 0
    assert "Harbour Notes" in capsys.readouterr().out
    assert cli_json(capsys, "feed", "list")[0]["url"] == server.url("/feeds/rss20.xml")


def test_a_page_linking_several_feeds_lists_them_and_pick_chooses(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feed", "add", server.url("/feeds/page-many.html")]) == 1
    err = capsys.readouterr().err
    assert "links 3 feeds" in err and "--pick N" in err
    assert "2. Workshop (Atom)" in err and not CONTROL.search(err)
    assert cli_json(capsys, "feed", "list") == []
    assert main(["feed", "add", server.url("/feeds/page-many.html"), "--pick", "2"]) == 0
    listed = cli_json(capsys, "feed", "list")
    assert [f["url"] for f in listed] == [server.url("/feeds/atom10.xml")]
    assert main(["feed", "add", server.url("/feeds/page-many.html"), "--pick", "9"]) == 1
    assert "--pick 9 is not one of the 3 feeds" in capsys.readouterr().err


def test_adding_the_same_feed_twice_keeps_one(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    add(server, "rss20.xml", capsys)
    assert main(["feed", "add", server.url("/feeds/page-one.html")]) == 0
    assert "Already subscribed as 1" in capsys.readouterr().out
    assert len(cli_json(capsys, "feed", "list")) == 1 and len(items(capsys)) == 2


# ---------------------------------------------------------------------- read, rm


def test_read_marks_and_rm_unsubscribes(server: LocalServer,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = add(server, "rss20.xml", capsys)
    second, _ = add(server, "atom10.xml", capsys)
    assert main(["feed", "read", str(first)]) == 0
    assert "Marked 2 items read." in capsys.readouterr().out
    assert {i["feed_id"] for i in items(capsys, "--unread")} == {second}
    assert main(["feed", "read", "--all"]) == 0
    assert items(capsys, "--unread") == []
    assert main(["feed", "rm", str(first)]) == 0
    assert [f["id"] for f in cli_json(capsys, "feed", "list")] == [second]
    assert main(["feed", "rm", "77"]) == 1
    assert "There is no feed 77" in capsys.readouterr().err
    assert main(["feed", "read"]) == 1
    assert main(["feed", "items", "--search", "breakwater"]) == 0
    assert "No items match." in capsys.readouterr().err  # its items went with it


def test_the_library_folder_may_be_named_before_or_after_the_feed_command(
        server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path), "feed", "add",
                 server.url("/feeds/rss20.xml")]) == 0
    capsys.readouterr()
    assert main(["feed", "list", "--data-dir", str(tmp_path), "--json"]) == 0
    assert [f["title"] for f in json.loads(capsys.readouterr().out)] == ["Harbour Notes"]
    assert cli_json(capsys, "feed", "list") == []  # the default library is another one


def test_a_page_linking_several_feeds_asks_which_one_at_a_terminal(
        server: LocalServer, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["3", "seven"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["feed", "add", server.url("/feeds/page-many.html")]) == 0
    assert [f["url"] for f in cli_json(capsys, "feed", "list")] == \
        [server.url("/feeds/feed11.json")]
    assert main(["feed", "add", server.url("/feeds/page-many.html")]) == 1
    assert "'seven' is not one of 1 to 3; nothing was added." in capsys.readouterr().err


def test_503_with_a_retry_after_date_waits_until_then(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    add(server, "rss20.xml", capsys)
    later = format_datetime(datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3),
                            usegmt=True)
    server.add("/feeds/rss20.xml", status=503, body=b"maintenance",
               headers={"Retry-After": later, "Content-Type": "text/plain"})
    assert main(["feed", "refresh", "--force"]) == 1
    assert "503 Service Unavailable" in capsys.readouterr().err
    listed = cli_json(capsys, "feed", "list")
    wait = datetime.fromisoformat(listed[0]["next_check"]) - datetime.now(UTC)
    assert timedelta(hours=2, minutes=58) <= wait <= timedelta(hours=3)


# ---------------------------------------------------------------------- options, pruning


def rss(*keys: str) -> bytes:
    """An RSS feed of items ``keys`` (letters), item "a" on 1 November, "b" a day later…"""
    entries = "".join(
        f"<item><title>Story {key}</title><link>/s/{key}.html</link><guid>{key}</guid>"
        f"<pubDate>{format_datetime(datetime(2026, 11, 1 + ord(key) - ord('a'), tzinfo=UTC))}"
        "</pubDate></item>" for key in keys)
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Rolling</title>"
            f"{entries}</channel></rss>").encode()


def test_feed_set_changes_full_text_save_new_and_tags(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    feed_id, _ = add(server, "rss20.xml", capsys)
    assert main(["feed", "set", str(feed_id), "--full-text", "--save-new", "-t", "Sea"]) == 0
    assert capsys.readouterr().out == (f"{feed_id} Harbour Notes: full text, saves new "
                                       "items  #Sea\n")
    [listed] = cli_json(capsys, "feed", "list")
    assert (listed["full_text"], listed["save_new"], listed["tags"]) == (True, True, ["Sea"])
    assert main(["feed", "set", str(feed_id), "--no-full-text"]) == 0
    [listed] = cli_json(capsys, "feed", "list")
    assert (listed["full_text"], listed["save_new"]) == (False, True)
    assert main(["feed", "set", "99", "--save-new"]) == 1
    assert capsys.readouterr().err == ("reader: error: There is no feed 99; `reader feed "
                                       "list` shows them.\n")
    assert main(["feed", "set", str(feed_id)]) == 1
    assert "Say what to change" in capsys.readouterr().err


def test_old_read_items_are_forgotten_but_never_unread_or_still_listed_ones(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    url = server.add("/rolling.xml", body=rss("e", "d", "c", "b", "a"),
                     content_type="application/rss+xml")
    assert main(["feed", "add", url]) == 0
    assert main(["feed", "read", "--all"]) == 0
    server.add("/rolling.xml", body=rss("j", "i", "h", "g", "f"),
               content_type="application/rss+xml")
    capsys.readouterr()
    assert main(["feed", "refresh", "--force", "--keep", "2"]) == 0
    assert capsys.readouterr().out == ("Refreshed 1 of 1 feeds: 5 new items, 3 old read "
                                       "items forgotten.\n")
    titles = [(i["title"], i["read"]) for i in items(capsys)]
    assert titles == [("Story j", False), ("Story i", False), ("Story h", False),
                      ("Story g", False), ("Story f", False), ("Story e", True),
                      ("Story d", True)]  # the newest two read ones stay
    assert main(["feed", "read", "--all"]) == 0
    assert main(["feed", "refresh", "--force", "--keep", "0"]) == 0
    # the two no longer listed go; the five the feed still lists stay though read
    assert [i["title"] for i in items(capsys)] == [f"Story {k}" for k in "jihgf"]
    server.add("/rolling.xml", body=rss("k", "j", "i", "h", "g", "f"),
               content_type="application/rss+xml")
    assert main(["feed", "refresh", "--force", "--keep", "0"]) == 0
    assert "Story f" in [i["title"] for i in items(capsys)]  # not new again: still kept
    assert [i["title"] for i in items(capsys, "--unread")] == ["Story k"]
    with pytest.raises(SystemExit) as exit_:
        main(["feed", "refresh", "--keep", "some"])
    assert exit_.value.code == 2
    assert "--keep takes a number of items (0 or more) or `all`, not 'some'" in (
        capsys.readouterr().err)


def test_a_304_keeps_a_broken_feeds_problem_but_clears_a_failure(
        server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[dict[str, str]] = []
    modified = format_datetime(datetime(2026, 11, 30, 8, 0, tzinfo=UTC), usegmt=True)
    broken = conditional((FEEDS / "broken.xml").read_bytes(), '"b1"', modified, seen)
    server.add_handler("/broken-cond.xml", broken)
    assert main(["feed", "add", server.url("/broken-cond.xml")]) == 0
    assert main(["feed", "refresh", "--force"]) == 0
    assert "1 unchanged" in capsys.readouterr().out
    [listed] = cli_json(capsys, "feed", "list")
    assert listed["outcome"] == "not modified" and "XML is broken" in listed["error"]
    server.add("/broken-cond.xml", status=500, body=b"oops", content_type="text/plain")
    assert main(["feed", "refresh", "--force"]) == 1
    capsys.readouterr()
    [listed] = cli_json(capsys, "feed", "list")
    assert "500 Internal Server Error" in listed["error"]
    server.add_handler("/broken-cond.xml", broken)
    assert main(["feed", "refresh", "--force"]) == 0
    [listed] = cli_json(capsys, "feed", "list")
    assert listed["outcome"] == "not modified" and listed["error"] is None
