"""How long the hostile pages of tests/test_hostile.py take to open and scroll in the app,
against an ordinary article of similar text measured in the same run (Textual headless).

    python benchmarks/hostile_ui.py [--names "10,000 links in a row"]

Prints seconds and the ratio to the ordinary article; the test suite asserts only that
the work stays bounded (blocks laid out), never a time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from test_hostile import HOSTILE, PARA  # noqa: E402

from reader.extract import extract  # noqa: E402
from reader.sources import Loaded  # noqa: E402
from reader.ui.app import ReaderApp  # noqa: E402

ORDINARY = "<html><body><article>" + PARA * 200 + "</article></body></html>"


async def scenario(html: str) -> float:
    article = extract(html)
    started = time.perf_counter()
    app = ReaderApp(None, loaded=Loaded(article, None, "file:///hostile.html"))
    async with app.run_test(size=(80, 24)) as pilot:
        while app.current is None:
            await pilot.pause(0.01)
        for key in ("end", "home", "space", "minus", "plus"):
            await pilot.press(key)
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--names", default=",".join(HOSTILE), help="comma-separated cases")
    args = parser.parse_args()
    baseline = asyncio.run(scenario(ORDINARY))
    print(f"{'ordinary article':32} {baseline:6.2f} s  1.0x")
    for name in [n for n in HOSTILE if n in args.names]:
        seconds = asyncio.run(scenario(HOSTILE[name]))
        print(f"{name:32} {seconds:6.2f} s  {seconds / baseline:.1f}x")


if __name__ == "__main__":
    main()
