"""Extraction speed: reader.extract against readability-lxml alone, same pages, same run.

    python benchmarks/extraction.py [--pages DIR ...] [--repeat N] [--big BYTES] [--big-repeat N]

Pages are every ``source.html.gz`` under each DIR (default: both shared development
sets, ``readability-test-pages`` and ``trafilatura-eval``, found beside the project or
its worktree) plus ``tests/fixtures/*.html``. Each page is decoded once up front; both
extractors then get the same ``str``, are warmed up once, and are timed alternately page
by page and run by run so that machine noise hits both alike; the time is the process's
CPU time (other processes on a shared machine do not count), the fastest of ``--repeat``
runs (``--big-repeat`` for the long article). Printed:
the median and p95 milliseconds per page of each and the ratio of medians, then the same
for one long article (``benchmarks/article_gen.py``, ``--big`` bytes, 2 MB by default):
below 1.0, reader is faster, although it does more (metadata, rules, blocks).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from reader.extract import decode_html, extract  # noqa: E402


def load_pages(folders: list[Path]) -> list[tuple[str, str]]:
    pages: list[tuple[str, str]] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for source in sorted(folder.glob("*/source.html.gz")):
            pages.append((source.parent.name, decode_html(gzip.decompress(
                source.read_bytes()))))
    for fixture in sorted((ROOT / "tests" / "fixtures").glob("*.html")):
        pages.append((fixture.name, decode_html(fixture.read_bytes())))
    return pages


def readability_alone(html: str) -> str:
    from readability import Document

    return str(Document(html).summary(html_partial=True))


def reader_extract(html: str) -> object:
    # The Article, as readability-lxml's summary is its result: making text of either
    # is the caller's business, not extraction.
    return extract(html)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def shared_data() -> list[Path]:
    """The development sets, beside the project (``../shared``) or its worktree."""
    for shared in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        data = shared / "data"
        if data.is_dir():
            return [data / "readability-test-pages", data / "trafilatura-eval"]
    return []


def timed(pages: list[tuple[str, str]], repeat: int) -> dict[str, list[float]]:
    """Milliseconds of CPU time per page for each extractor, the fastest of ``repeat``.

    The two take turns run by run, not three runs of one then three of the other: a
    burst of load on a shared machine (it lasts seconds) then slows one run of each
    instead of all the runs of one, and the fastest of each is compared fairly."""
    extractors = (("readability-lxml", readability_alone), ("reader.extract", reader_extract))
    times: dict[str, list[float]] = {name: [] for name, _ in extractors}
    for _, html in pages:
        best = dict.fromkeys(times, float("inf"))
        for _ in range(repeat):
            for name, fn in extractors:
                start = time.process_time()
                fn(html)
                best[name] = min(best[name], time.process_time() - start)
        for name, seconds in best.items():
            times[name].append(seconds * 1000)
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    print(title)
    print(f"{'extractor':<18} {'median ms':>10} {'p95 ms':>10} {'total s':>9}")
    for name, values in times.items():
        print(f"{name:<18} {statistics.median(values):>10.2f} {percentile(values, 0.95):>10.2f}"
              f" {sum(values) / 1000:>9.2f}")
    ratio = statistics.median(times["reader.extract"]) / statistics.median(
        times["readability-lxml"])
    print(f"ratio reader.extract / readability-lxml (median): {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, nargs="*", default=shared_data())
    parser.add_argument("--repeat", type=int, default=3,
                        help="time each page this many times and keep the fastest")
    parser.add_argument("--big", type=int, default=2_000_000,
                        help="size in bytes of the long generated article (0: skip it)")
    parser.add_argument("--big-repeat", type=int, default=5,
                        help="runs of each extractor on the long article (the fastest kept): "
                             "one page, so a few more runs cost little and steady the ratio")
    args = parser.parse_args()
    pages = load_pages(args.pages)
    if not pages:
        sys.exit("benchmarks/extraction.py: no pages found")
    for _, html in pages[:3]:  # warm-up: imports, regex compilation, caches
        readability_alone(html)
        reader_extract(html)
    report(f"{len(pages)} pages, fastest of {args.repeat} runs each (CPU time)",
           timed(pages, args.repeat))
    if args.big:
        from article_gen import generate

        big = generate(args.big)
        print()
        report(f"one generated article of {len(big.encode()) / 1e6:.1f} MB, fastest of "
               f"{args.big_repeat} runs each", timed([("article_gen", big)], args.big_repeat))


if __name__ == "__main__":
    main()
