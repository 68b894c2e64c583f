"""Extraction speed: reader.extract against readability-lxml alone, same pages, same run.

    python benchmarks/extraction.py [--pages DIR] [--repeat N]

Pages are every ``source.html.gz`` under DIR (default: the shared development set
``../shared/data/readability-test-pages`` when it exists) plus ``tests/fixtures/*.html``.
Each page is decoded once up front; both extractors then get the same ``str``, are
warmed up once, and are timed alternately page by page so that machine noise hits both
alike. Printed: the median and p95 milliseconds per page of each, and the ratio of
medians (below 1.0: reader is faster, although it does more — metadata, cleanup rules,
blocks).
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

from reader.extract import decode_html, extract  # noqa: E402


def load_pages(folder: Path | None) -> list[tuple[str, str]]:
    pages: list[tuple[str, str]] = []
    if folder is not None and folder.is_dir():
        for source in sorted(folder.glob("*/source.html.gz")):
            pages.append((source.parent.name, gzip.decompress(source.read_bytes()).decode(
                "utf-8", "replace")))
    for fixture in sorted((ROOT / "tests" / "fixtures").glob("*.html")):
        pages.append((fixture.name, decode_html(fixture.read_bytes())))
    return pages


def readability_alone(html: str) -> str:
    from readability import Document

    return str(Document(html).summary(html_partial=True))


def reader_extract(html: str) -> str:
    return extract(html).plain_text()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    default = ROOT.parent / "shared" / "data" / "readability-test-pages"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=default if default.is_dir() else None)
    parser.add_argument("--repeat", type=int, default=3,
                        help="time each page this many times and keep the fastest")
    args = parser.parse_args()
    pages = load_pages(args.pages)
    if not pages:
        sys.exit("benchmarks/extraction.py: no pages found")
    for _, html in pages[:3]:  # warm-up: imports, regex compilation, caches
        readability_alone(html)
        reader_extract(html)
    times: dict[str, list[float]] = {"readability-lxml": [], "reader.extract": []}
    for _, html in pages:
        for name, fn in (("readability-lxml", readability_alone),
                         ("reader.extract", reader_extract)):
            best = float("inf")
            for _ in range(args.repeat):
                start = time.perf_counter()
                fn(html)
                best = min(best, time.perf_counter() - start)
            times[name].append(best * 1000)
    print(f"{len(pages)} pages, fastest of {args.repeat} runs each")
    print(f"{'extractor':<18} {'median ms':>10} {'p95 ms':>10} {'total s':>9}")
    for name, values in times.items():
        print(f"{name:<18} {statistics.median(values):>10.2f} {percentile(values, 0.95):>10.2f}"
              f" {sum(values) / 1000:>9.2f}")
    ratio = statistics.median(times["reader.extract"]) / statistics.median(
        times["readability-lxml"])
    print(f"ratio reader.extract / readability-lxml (median): {ratio:.2f}")


if __name__ == "__main__":
    main()
