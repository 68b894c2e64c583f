"""How the library behaves with many saved articles (10,000 by default; 100,000 for the
issue's figures).

A temporary library is filled with ``--real`` articles saved through ``Library.save``
(prose of ~1,000 words from a Zipf-like vocabulary, with headings, a figure and the page's
HTML kept compressed, every 50th with an image), then grown to ``--articles`` by copying
those rows in SQL (new ids and URLs, earlier save times, every 3rd archived, every 50th a
favourite), which is how a library of 100,000 is made in minutes. It prints:

* the database size per article;
* the library list as the screen asks for it: the first page of every sort and filter,
  the count apart, the last page (End), cold (a fresh connection) — against the floor of
  a bare ``sqlite3`` query of 200 rows by id on the same file, measured in the same run;
* full-text search as the search box makes the calls (typing: one after another) and cold;
* the memory of a process that lists every article (``reader list``'s calls);
* saving one article into the full library;
* the library screen's first paint in Textual's headless driver against a bare Textual
  app measured in the same run (``--no-screen`` skips it).

    python benchmarks/library.py [--articles 10000] [--real 1000] [--repeat 5]

A library without ``Library.count`` (the layout before paging) is measured through the
calls its screen made then: the whole list at once.

The targets (issue 13): search (typing and cold) <= 50 ms, any sort <= 50 ms, database at
most half of the 42 KiB per article measured before, <= 150 MB listing 100,000, library
screen first paint <= 300 ms above the bare app.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reader.document import Article, Figure, Heading, Paragraph, Position, Span  # noqa: E402
from reader.export.html import article_to_html  # noqa: E402
from reader.library import Library  # noqa: E402

SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "dor", "an", "is", "ur", "bel",
             "tra", "no", "qua", "fen", "gor", "li", "mar", "po"]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))] = None
    return list(words)


def cumulative(size: int) -> list[float]:
    """Cumulative Zipf weights: word k is about 1/k as common as the most common word."""
    total, out = 0.0, []
    for rank in range(size):
        total += 1 / (rank + 1)
        out.append(total)
    return out


def make_article(rng: random.Random, n: int, vocab: list[str], weights: list[float]
                 ) -> Article:
    def sentence() -> str:
        words = rng.choices(vocab, cum_weights=weights, k=rng.randint(8, 24))
        return " ".join(words).capitalize() + "."

    blocks: list = []
    for section in range(rng.randint(3, 6)):
        blocks.append(Heading(2, (Span(f"Section {section}: " + sentence()[:40]),)))
        for _ in range(rng.randint(3, 6)):
            blocks.append(Paragraph((Span(" ".join(sentence() for _ in range(rng.randint(3, 6)))),
                                     )))
    blocks.insert(3, Figure(f"https://img.example/{n}.png", alt="a picture",
                            caption=sentence()))
    if n == 42:  # the one article with this word, deep in its body
        blocks.append(Paragraph((Span("A lone axolotl appears only here."),)))
    return Article(url=f"https://news.example/{n}", title=sentence()[:70],
                   byline=f"{rng.choice(vocab).title()} {rng.choice(vocab).title()}",
                   site_name=f"Site {n % 40}", published=f"20{10 + n % 15}-0{1 + n % 9}-1{n % 9}",
                   lang="en", blocks=tuple(blocks))


def png_bytes(n: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), ((n * 37) % 256, (n * 11) % 256, 90)).save(out, "PNG")
    return out.getvalue()


CLOCK = time.process_time  # CPU ms, as the issue measures; --wall for wall-clock


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = CLOCK()
        fn()
        times.append((CLOCK() - start) * 1000)
    return times


def build(folder: Path, count: int) -> tuple[Library, float]:
    rng = random.Random(11)
    vocab = vocabulary(rng)
    weights = cumulative(len(vocab))
    library = Library.open(folder)
    start = time.perf_counter()
    for n in range(count):
        article = make_article(rng, n, vocab, weights)
        html = ("<!doctype html><html><head><script>/* trackers */</script></head><body>"
                "<nav>" + "<a href='/x'>Menu</a>" * 40 + "</nav>" + article_to_html(article)
                + "<footer>" + "Footer text " * 100 + "</footer></body></html>").encode()
        images = {f"https://img.example/{n}.png": png_bytes(n)} if n % 50 == 0 else None
        library.save(article, source_url=article.url or "", html=html, images=images,
                     tags=[f"tag{n % 7}"])
        if n % 10 == 0:
            library.set_position(article.url or "", Position(5), (n % 100) / 100)
    return library, time.perf_counter() - start


def grow(folder: Path, total: int) -> float:
    """Copy the saved rows in SQL until the library holds ``total`` articles: each copy
    gets a new id and URL and is saved a few hours earlier; flags are spread so that the
    filters have work to do. Works on the layout before paging (a full-text table that
    keeps its text) and on the compact one (a contentless index whose exact text is kept
    compressed in ``article_index``)."""
    import sqlite3
    from datetime import datetime, timedelta

    start = time.perf_counter()
    conn = sqlite3.connect(folder / "library.db", isolation_level=None)

    def earlier(stamp: str, hours: int) -> str:
        return (datetime.fromisoformat(stamp) - timedelta(hours=hours)).isoformat(
            timespec="microseconds")

    conn.create_function("earlier", 2, earlier, deterministic=True)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    compact = "article_index" in tables
    base = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]
    top = max(base)
    article_cols = [r[1] for r in conn.execute("PRAGMA table_info(articles)")]
    content_cols = [r[1] for r in conn.execute("PRAGMA table_info(article_content)")]
    packed_rows: list[tuple[int, bytes]] = []
    if compact:
        from reader.library.schema import unpack_index  # type: ignore[attr-defined]

        packed_rows = conn.execute("SELECT article_id, packed FROM article_index").fetchall()
        index_rows = [(i, unpack_index(p)) for i, p in packed_rows]
    else:
        index_rows = [(r[0], (r[1], r[2], r[3])) for r in conn.execute(
            "SELECT rowid, title, byline, body FROM articles_fts")]
    copy = 0
    made = len(base)
    while made < total:
        copy += 1
        take = min(len(base), total - made)
        last = base[take - 1]
        off = copy * top
        conn.execute("BEGIN")
        values = {c: c for c in article_cols}
        values.update(id=f"id + {off}", url=f"url || '#{copy}'",
                      source_url=f"source_url || '#{copy}'",
                      saved_at=f"earlier(saved_at, {copy})",
                      archived=f"(id + {off}) % 3 = 0", favourite=f"(id + {off}) % 50 = 0")
        conn.execute(f"INSERT INTO articles ({', '.join(article_cols)}) SELECT "
                     f"{', '.join(values[c] for c in article_cols)} FROM articles "
                     f"WHERE id <= {last}")
        cols = [f"article_id + {off}" if c == "article_id" else c for c in content_cols]
        conn.execute(f"INSERT INTO article_content ({', '.join(content_cols)}) SELECT "
                     f"{', '.join(cols)} FROM article_content WHERE article_id <= {last}")
        conn.execute(f"INSERT INTO tags SELECT article_id + {off}, tag FROM tags "
                     f"WHERE article_id <= {last}")
        conn.execute(f"INSERT INTO positions SELECT p.url || '#{copy}', p.block, p.\"offset\","
                     f" p.progress, p.updated_at FROM positions p JOIN articles a ON "
                     f"a.url = p.url WHERE a.id <= {last}")
        if compact:
            conn.executemany("INSERT INTO article_index VALUES (?, ?)",
                             [(i + off, p) for i, p in packed_rows if i <= last])
        conn.executemany("INSERT INTO articles_fts (rowid, title, byline, body) "
                         "VALUES (?, ?, ?, ?)",
                         [(i + off, *v) for i, v in index_rows if i <= last])
        conn.execute("COMMIT")
        made += take
    conn.execute(f"UPDATE articles SET archived = id % 3 = 0, favourite = id % 50 = 0 "
                 f"WHERE id <= {top}")
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - start


async def first_paint(make_app: Callable[[], object], ready: Callable[[object], bool]
                      ) -> float:
    """Milliseconds from starting a headless app to its first screen being painted
    (wall-clock; the CPU milliseconds of the same run go to ``PAINT_CPU``, which a
    loaded machine disturbs less)."""
    start = time.perf_counter()
    cpu = time.process_time()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        while not ready(app):
            await pilot.pause(0.001)
        await pilot.pause()
        app.screen._compositor.render_update(full=True)  # type: ignore[attr-defined]
        elapsed = (time.perf_counter() - start) * 1000
        PAINT_CPU.append((time.process_time() - cpu) * 1000)
    return elapsed


PAINT_CPU: list[float] = []


def screen_benchmark(library: Library, repeat: int, *, empty: Library | None = None
                     ) -> tuple[list[float], list[float], int, list[float]]:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Static

    import reader.ui
    from reader.ui.screens.library_screen import LibraryScreen

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

    def handed(shown: Library | None) -> Any:
        """What the screen is given: the library, or the app's session over it where the
        screens are handed one (reader.ui.library_session)."""
        try:
            from reader.ui.library_session import LibrarySession  # type: ignore
        except ImportError:
            return shown
        return LibrarySession.over(shown, lambda sentence, title: None)

    class WithLibrary(App[None]):
        CSS_PATH = str(Path(reader.ui.__file__).parent / "reader.tcss")
        shown = library
        is_empty = False

        def on_mount(self) -> None:
            self.push_screen(LibraryScreen(handed(self.shown)))

    class WithEmptyLibrary(WithLibrary):
        shown = empty  # type: ignore[assignment]
        is_empty = True

    rows = 0

    def library_ready(app: object) -> bool:
        nonlocal rows
        screen = app.screen  # type: ignore[attr-defined]
        if not isinstance(screen, LibraryScreen) or not screen.is_mounted:
            return False
        try:
            rows = screen.query_one(DataTable).row_count
        except Exception:
            # The virtual list (library_screen.EntryList): its length, its rows fetched
            # as they are drawn (the paint below draws them).
            list_widget = getattr(screen, "entry_list", None)
            if list_widget is None:
                return False
            rows = list_widget.total

        return rows > 0 or bool(getattr(app, "is_empty", False))

    def bare_ready(app: object) -> bool:
        return bool(app.screen.query(Static))  # type: ignore[attr-defined]

    bare: list[float] = []
    lib: list[float] = []
    fixed: list[float] = []
    asyncio.run(first_paint(Bare, bare_ready))  # warm imports for both
    asyncio.run(first_paint(WithLibrary, library_ready))
    for _ in range(repeat):
        bare.append(asyncio.run(first_paint(Bare, bare_ready)))
        CPU["bare"].append(PAINT_CPU[-1])
        if empty is not None:
            fixed.append(asyncio.run(first_paint(WithEmptyLibrary, library_ready)))
            CPU["empty"].append(PAINT_CPU[-1])
        lib.append(asyncio.run(first_paint(WithLibrary, library_ready)))
        CPU["library"].append(PAINT_CPU[-1])
    shown = rows
    return bare, lib, shown, fixed


CPU: dict[str, list[float]] = {"bare": [], "empty": [], "library": []}


def rss_listing(folder: Path, how: str) -> tuple[float, float, int]:
    """Peak resident MiB (VmHWM, which starts afresh at exec) of a fresh process that
    lists every article, the same process's peak before listing, and the number listed.
    ``how`` is "entries" (one call for the whole list, as ``reader list`` makes it) or
    "pages" (``Library.iter_entries``, where there is one)."""
    import json
    import os
    import subprocess

    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from reader.library import Library\n"
        "def hwm():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) / 1024\n"
        "floor = hwm()\n"
        "lib = Library.open(Path(sys.argv[1]))\n"
        "if sys.argv[2] == 'pages' and hasattr(lib, 'iter_entries'):\n"
        "    n = sum(1 for e in lib.iter_entries())\n"
        "else:\n"
        "    n = len(lib.entries())\n"
        "print(json.dumps([floor, hwm(), n]))\n")
    out = subprocess.run([sys.executable, "-c", script, str(folder), how],
                         capture_output=True, text=True, timeout=600, check=True,
                         env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    floor, peak, n = json.loads(out.stdout)
    return peak, floor, n


PAGE = 200


def first_page(library: Library, **query: Any) -> int:
    """What the library screen needs to show a query: its first page and its size."""
    if hasattr(library, "count"):
        library.entries(limit=PAGE, **query)
        return int(library.count(**query))
    return len(library.entries(**query))


def last_page(library: Library, **query: Any) -> int:
    """The page End shows."""
    if hasattr(library, "count"):
        total = library.count(**query)
        return len(library.entries(limit=PAGE, offset=max(0, total - PAGE), **query))
    return len(library.entries(**query)[-PAGE:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--real", type=int, default=1000,
                        help="articles saved through Library.save; the rest are copies")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-screen", action="store_true",
                        help="skip the library screen's first paint")
    parser.add_argument("--wall", action="store_true",
                        help="time in wall-clock ms instead of this process's CPU ms")
    args = parser.parse_args()
    import sqlite3

    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    print(f"times in {'wall-clock' if args.wall else 'CPU'} ms")

    from reader.library import FILTERS, SORTS

    with tempfile.TemporaryDirectory(prefix="reader-bench-") as tmp:
        folder = Path(tmp)
        real = min(args.real, args.articles)
        library, build_s = build(folder, real)
        library.close()
        grow_s = grow(folder, args.articles)
        print(f"library: {real} articles saved in {build_s:.1f} s "
              f"({build_s / real * 1000:.2f} ms per save while filling), grown to "
              f"{args.articles} by copying rows in {grow_s:.1f} s")
        size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        per = size / args.articles / 1024
        print(f"\ndatabase: {size / 2**20:.1f} MiB for {args.articles} articles = "
              f"{per:.1f} KiB per article (JSON, compressed HTML, search index, images); "
              f"{per / 42:.2f}x the 42 KiB measured before (target <= 0.5x)")

        def floor() -> None:
            conn = sqlite3.connect(folder / "library.db")
            conn.execute("SELECT id, url, title FROM articles ORDER BY id LIMIT 200").fetchall()
            conn.close()

        base = statistics.median(timed(floor, 9))
        print(f"\nfloor: a fresh sqlite3 connection, 200 rows by id: {base:.2f} ms")

        def cold(fn: Callable[[Library], object]) -> float:
            fresh = Library.open(folder)
            try:
                return timed(lambda: fn(fresh), 1)[0]
            finally:
                fresh.close()

        worst = 0.0
        print(f"\nlist: first page of {PAGE} + count, as the screen asks; cold (a fresh "
              "connection), median of 5, ms:")
        for sort in SORTS:
            line = []
            for filt in FILTERS:
                ms = statistics.median([cold(lambda lib, s=sort, f=filt: first_page(
                    lib, sort=s, filter=f)) for _ in range(5)])
                worst = max(worst, ms)
                line.append(f"{filt} {ms:6.1f}")
            print(f"  by {sort:10} " + "  ".join(line))
        end = statistics.median([cold(lambda lib: last_page(lib, sort="title"))
                                 for _ in range(5)])
        print(f"  End (last page, by title): {end:.1f}")
        worst = max(worst, end)
        print(f"  -> worst {worst:.1f} ms = {worst / base:.1f}x the floor (target <= 50 ms)")

        library = Library.open(folder)
        def store_paint() -> None:
            fresh = Library.open(folder)
            first_page(fresh)
            fresh.close()

        paint = statistics.median(timed(store_paint, 5))
        print(f"\nthe store's share of the library screen's first paint (open the library, "
              f"first page, count): {paint:.1f} ms")

        first = library.get(1).article.title.split()
        queries = {"rare word (1 hit)": "axolotl",
                   "common word": first[0].lower(),
                   "prefix while typing": library.get(2).article.title.split()[1][:3].lower(),
                   "two words": " ".join(library.get(3).article.title.split()[:2]).lower()}
        medians = []
        print("\nfull-text search as the search box asks (first page + count):")
        print(f"  {'':22} {'query':22} {'hits':>7}       {'typing':>9} {'cold':>9}")
        for label, query in queries.items():
            hits = first_page(library, search=query)
            warm = statistics.median(timed(lambda q=query: first_page(library, search=q), 15))
            first_ms = statistics.median([cold(lambda lib, q=query: first_page(lib, search=q))
                                          for _ in range(5)])
            medians += [warm, first_ms]
            print(f"  {label:22} {query!r:22} {hits:7d} rows  {warm:6.2f} ms {first_ms:6.2f} ms")
        word = first[0].lower() + " " + first[1].lower()
        steps = [word[:k] for k in range(1, len(word) + 1)]
        keys = [timed(lambda q=q: first_page(library, search=q), 1)[0] for q in steps]
        print(f"  typing {word!r} letter by letter: "
              + ", ".join(f"{k:.0f}" for k in keys) + " ms")
        medians += keys
        print(f"  -> worst {max(medians):.2f} ms = {max(medians) / base:.1f}x the floor "
              "(target <= 50 ms)")

        rng = random.Random(99)
        vocab = vocabulary(rng)
        weights = cumulative(len(vocab))
        extra = [make_article(rng, args.articles * 10 + i, vocab, weights) for i in range(21)]
        html = article_to_html(extra[0]).encode() * 3
        image = png_bytes(7777)
        counter = iter(range(len(extra)))

        def save_one() -> None:
            article = extra[next(counter)]
            library.save(article, source_url=article.url or "", html=html,
                         images={f"https://img.example/new{article.url}.png": image})

        save_times = timed(save_one, 21)
        print(f"\nsave one article (no network, HTML + 1 image): median "
              f"{statistics.median(save_times):.2f} ms, max {max(save_times):.2f} ms "
              "(target <= 50 ms)")
        library.close()

        for how, label in (("entries", "one call for the whole list"),
                           ("pages", "a page at a time (iter_entries)")):
            peak, start_mib, listed = rss_listing(folder, how)
            print(f"\nmemory, {label}: a process listing all {listed} articles peaks at "
                  f"{peak:.0f} MiB ({start_mib:.0f} MiB before listing; target <= 150 MB)")

        if args.no_screen:
            return
        library = Library.open(folder)
        empty = Library.open(folder / "empty")
        bare, lib, rows, fixed = screen_benchmark(library, args.repeat, empty=empty)
        library.close()
        empty.close()
        b, s, f = statistics.median(bare), statistics.median(lib), statistics.median(fixed)
        print(f"\nfirst paint, headless 120x40 (median of {args.repeat}):")
        print(f"  bare Textual app                 {b:8.1f} ms")
        print(f"  library screen, empty library    {f:8.1f} ms  ({f - b:+.1f} ms)")
        print(f"  library screen, {rows:6d} rows    {s:8.1f} ms  ({s - b:+.1f} ms, "
              f"{s / b:.1f}x)")
        cb, cf, cs = (statistics.median(CPU[k]) for k in ("bare", "empty", "library"))
        print(f"  the same in CPU ms: bare {cb:.1f}, empty {cf:.1f} ({cf - cb:+.1f}), "
              f"library {cs:.1f} ({cs - cb:+.1f})")
        verdict = "within" if s - b <= 300 else "OVER"
        print(f"  -> {s - b:+.1f} ms above the bare app: {verdict} the +300 ms target")


if __name__ == "__main__":
    main()
