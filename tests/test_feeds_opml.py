"""OPML subscriptions in and out (``reader import x.opml``, ``reader export --feeds``), and
a refresh killed with ``kill -9`` half-way. Real files, a real server, a real process."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest
from localserver import LocalServer, send

from reader.cli import main


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def opml(groups: dict[str, list[tuple[str, str]]], loose: list[tuple[str, str]]) -> str:
    def outline(title: str, url: str) -> str:
        return (f"<outline type=\"rss\" text={quoteattr(title)} title={quoteattr(title)} "
                f"xmlUrl={quoteattr(url)}/>")

    body = []
    for folder, feeds in groups.items():
        inner = "".join(outline(t, u) for t, u in feeds)
        body.append(f"<outline text={quoteattr(folder)}>{inner}</outline>")
    body.extend(outline(t, u) for t, u in loose)
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"1.0\"><head><title>"
            "Mine</title></head><body>" + "".join(body) + "</body></opml>\n")


def test_opml_round_trip_of_200_subscriptions_in_folders_duplicates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    groups = {f"Folder {g}": [(f"Feed {g}-{n} & co", f"https://site{g}.invalid/{n}.xml")
                              for n in range(45)] for g in range(4)}
    loose = [(f"Loose {n}", f"https://loose.invalid/{n}.rss") for n in range(20)]
    file = tmp_path / "subscriptions.opml"
    file.write_text(opml(groups, loose), encoding="utf-8")
    assert main(["import", str(file)]) == 0
    assert "Subscribed to 200 new feeds of 200" in capsys.readouterr().out
    first = cli_json(capsys, "feed", "list")
    assert len(first) == 200
    by_url = {f["url"]: f for f in first}
    assert by_url["https://site2.invalid/7.xml"]["tags"] == ["Folder 2"]
    assert by_url["https://site2.invalid/7.xml"]["title"] == "Feed 2-7 & co"
    assert by_url["https://loose.invalid/3.rss"]["tags"] == []

    out = tmp_path / "out"
    assert main(["export", "--feeds", "--format", "opml", "--out", str(out)]) == 0
    exported = out / "subscriptions.opml"
    assert capsys.readouterr().out.strip() == str(exported)
    assert exported.read_text(encoding="utf-8").count("xmlUrl=") == 200

    assert main(["import", str(exported)]) == 0
    assert "Subscribed to 0 new feeds of 200 in the file (200 already there)" in \
        capsys.readouterr().out
    again = cli_json(capsys, "feed", "list")
    assert [(f["url"], f["title"], f["tags"]) for f in again] == \
        [(f["url"], f["title"], f["tags"]) for f in first]

    # and into a fresh library: the same subscriptions, the same folders
    assert main(["--data-dir", str(tmp_path / "fresh"), "import", str(exported)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path / "fresh"), "feed", "list", "--json"]) == 0
    fresh = json.loads(capsys.readouterr().out)
    assert sorted((f["url"], tuple(f["tags"])) for f in fresh) == \
        sorted((f["url"], tuple(f["tags"])) for f in first)


def test_nested_folders_and_a_feed_in_two_folders(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "nested.opml"
    file.write_text(
        "<opml version='2.0'><body><outline text='News'><outline text='Science'>"
        "<outline text='Lab' xmlUrl='https://lab.invalid/feed'/></outline>"
        "<outline text='Wire' xmlUrl='https://wire.invalid/rss'/></outline>"
        "<outline text='Favourites'><outline text='Lab again' xmlUrl='https://lab.invalid/feed'/>"
        "</outline><outline text='not a feed' htmlUrl='https://x.invalid/'/></body></opml>",
        encoding="utf-8")
    assert main(["import", str(file)]) == 0
    listed = {f["url"]: f for f in cli_json(capsys, "feed", "list")}
    assert listed["https://lab.invalid/feed"]["tags"] == ["Favourites", "News/Science"]
    assert listed["https://wire.invalid/rss"]["tags"] == ["News"]
    assert main(["export", "--feeds", "--out", "-"]) == 0
    text = capsys.readouterr().out
    assert text.count('xmlUrl="https://lab.invalid/feed"') == 2  # in both folders
    again = tmp_path / "again.opml"
    again.write_text(text, encoding="utf-8")
    assert main(["--data-dir", str(tmp_path / "two"), "import", str(again)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path / "two"), "feed", "list", "--json"]) == 0
    two = {f["url"]: f["tags"] for f in json.loads(capsys.readouterr().out)}
    assert two == {u: f["tags"] for u, f in listed.items()}


def test_a_broken_or_empty_opml_file_is_one_sentence_and_nothing_subscribed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.opml"
    broken.write_text("<?xml version='1.0'?>\n<opml><body><outline text='a'\n</body>",
                      encoding="utf-8")
    empty = tmp_path / "empty.opml"
    empty.write_text("<opml version='2.0'><body><outline text='folder'/></body></opml>",
                     encoding="utf-8")
    entity = tmp_path / "entity.opml"
    entity.write_text("<?xml version='1.0'?><!DOCTYPE opml [<!ENTITY x SYSTEM "
                      "'file:///etc/passwd'>]><opml><body><outline text='&x;' "
                      "xmlUrl='https://e.invalid/f'/></body></opml>", encoding="utf-8")
    for file, words in ((broken, "is not well-formed OPML (line 3"),
                        (empty, "holds no feed subscriptions"),
                        (entity, "references external entity")):  # never read
        assert main(["import", str(file)]) == 1
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1 and "root:" not in err
    assert cli_json(capsys, "feed", "list") == []


# ---------------------------------------------------------------------- kill -9


FEEDS = 30
ITEMS = 200


def slow_feed(n: int) -> Any:
    body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Feed "
            f"{n}</title>" + "".join(
                f"<item><title>Item {n}-{i}</title><link>/items/{n}/{i}</link>"
                f"<description>{'words ' * 40}</description></item>" for i in range(ITEMS))
            + "</channel></rss>").encode()

    def handler(h: BaseHTTPRequestHandler) -> None:
        time.sleep(0.15)
        send(h, 200, body, {"Content-Type": "application/rss+xml"})

    return handler


def counts(db: Path) -> dict[int, int]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        rows = conn.execute("SELECT f.id, (SELECT COUNT(*) FROM feed_items i WHERE "
                            "i.feed_id = f.id) FROM feeds f").fetchall()
        return {int(a): int(b) for a, b in rows}
    finally:
        conn.close()


def test_kill_9_during_a_refresh_loses_nothing_and_duplicates_nothing(
        server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subs = [(f"Feed {n}", server.add_handler(f"/f/{n}.xml", slow_feed(n))) for n in range(FEEDS)]
    file = tmp_path / "subs.opml"
    file.write_text(opml({}, subs), encoding="utf-8")
    data = tmp_path / "lib"
    assert main(["--data-dir", str(data), "import", str(file)]) == 0
    db = data / "library.db"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "reader", "--data-dir", str(data), "feed",
                             "refresh", "--jobs", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = sum(1 for c in counts(db).values() if c)
            if done >= 3 or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the refresh finished before it could be interrupted"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    after_kill = counts(db)
    assert set(after_kill.values()) <= {0, ITEMS}  # each feed all or nothing
    kept = {k for k, v in after_kill.items() if v}
    assert 3 <= len(kept) < FEEDS
    assert main(["--data-dir", str(data), "feed", "refresh"]) == 0
    out = capsys.readouterr().out
    # the feeds that were done are not fetched again (checked recently), the rest are
    assert f"{len(kept)} checked recently" in out
    final = counts(db)
    assert final == {k: ITEMS for k in after_kill}
    conn = sqlite3.connect(db)
    try:
        dupes = conn.execute("SELECT COUNT(*) FROM (SELECT feed_id, key FROM feed_items "
                             "GROUP BY feed_id, key HAVING COUNT(*) > 1)").fetchone()[0]
        fts = conn.execute("SELECT COUNT(*) FROM feed_items_fts").fetchone()[0]
    finally:
        conn.close()
    assert dupes == 0 and fts == FEEDS * ITEMS
