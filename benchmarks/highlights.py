"""Does drawing highlights slow reading down? PgDn through a long article with 500
highlights and without, in one run, in-process (Textual's headless driver under Pilot).

Highlights are a layer merged into a block only when that block is laid out, so the cost
should be per drawn block, not per highlight: the mean time of a PgDn with 500 highlights
should be within 10 % of the time without. Each figure is the mean over PgDn presses,
alternating the two setups over several rounds so drift on a shared machine falls on both.

    python benchmarks/highlights.py [--presses 60] [--rounds 3] [--size 400000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from article_gen import generate  # noqa: E402

from reader.highlights import ArticleText  # noqa: E402
from reader.library import Library  # noqa: E402
from reader.sources import load  # noqa: E402


def add_highlights(home: Path, page: Path, count: int) -> int:
    """``count`` highlights of a few words each, several per paragraph, spread over the
    part of the article the presses scroll through."""
    loaded = load(str(page))
    text = ArticleText(loaded.article)
    rng = random.Random(3)
    blocks = [i for i, b in enumerate(text.blocks) if len(b) > 80][:count // 3 + 1]
    made = 0
    with Library.open(home / "data") as library:
        while made < count:
            i = blocks[made % len(blocks)]
            start = text.starts[i] + rng.randrange(0, len(text.blocks[i]) - 40)
            library.add_highlight(loaded.key, loaded.article,
                                  text.passage(start, start + rng.randint(10, 40)),
                                  note="a note" if made % 4 == 0 else "")
            made += 1
    return made


async def page_down_times(page: Path, home: Path, presses: int) -> list[float]:
    os.environ["READER_TUI_HOME"] = str(home)
    from reader.ui.app import ReaderApp

    app = ReaderApp(str(page), images=False)
    times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):  # bounded wait for the article
            if app.current is not None and not app.is_loading:
                break
            await pilot.pause(0.02)
        await pilot.pause(0.2)
        marks = sum(len(v) for v in app.article_screen.body._marks.values())
        for _ in range(presses):
            start = time.perf_counter()
            await pilot.press("pagedown")
            await pilot.pause()  # the frame is drawn
            times.append(time.perf_counter() - start)
    print(f"  {'with' if marks else 'without'} highlights: {len(times)} PgDn, "
          f"mean {statistics.mean(times) * 1000:.1f} ms", flush=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", type=int, default=400_000)
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        page = root / "long.html"
        page.write_text(generate(args.size, figures=False), encoding="utf-8")
        plain, marked = root / "plain", root / "marked"
        plain.mkdir()
        marked.mkdir()
        made = add_highlights(marked, page, args.count)
        print(f"article {args.size // 1000} KB; {made} highlights stored")
        without: list[float] = []
        with_: list[float] = []
        for _ in range(args.rounds):
            without += asyncio.run(page_down_times(page, plain, args.presses))
            with_ += asyncio.run(page_down_times(page, marked, args.presses))
    a, b = statistics.mean(without), statistics.mean(with_)
    print(f"PgDn mean without highlights: {a * 1000:.2f} ms")
    print(f"PgDn mean with {made} highlights: {b * 1000:.2f} ms")
    print(f"ratio with/without: {b / a:.3f} ({'within' if b / a <= 1.10 else 'OUTSIDE'} 10 %)")


if __name__ == "__main__":
    main()
