"""``reader import``: bring a reading list from Pocket, Instapaper, Omnivore, wallabag, a
browser or a plain list of URLs into the library.

The whole file is checked before the library is touched, so a malformed export is one
sentence and nothing imported. The job itself (:mod:`reader.importers.runner`) commits
each entry as it completes; this command adds a progress bar on standard error and a
summary. Exit status: 0 when something was imported or all was already there (failed
links are kept in the library with their reason, for ``--retry-failed``), 1 when every
entry failed or an error stopped the import, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from reader.cli import job_count
from reader.importers import FORMATS

if TYPE_CHECKING:
    from reader.importers.base import ImportEntry
    from reader.library import Library


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import", help="import a reading list (Pocket, Instapaper, Omnivore, wallabag, "
        "bookmarks, URLs)",
        description="Fetch, extract and save every entry of an export file (or - for "
        "standard input), keeping its added time, tags, archived and favourite state. "
        "Running it again skips what is already in the library.")
    p.add_argument("file", nargs="?", metavar="FILE|-",
                   help="the export file; with --retry-failed alone, retry every failed link")
    p.add_argument("--format", "-f", choices=("auto", *FORMATS, "opml"), default="auto",
                   help="the export's format, or opml for feed subscriptions (default: detected "
                   "from its content)")
    p.add_argument("--jobs", "-j", type=job_count, default=4, metavar="N",
                   help="pages fetched at once (default 4)")
    p.add_argument("--retry-failed", action="store_true",
                   help="try again the links whose earlier import failed")
    p.add_argument("--no-images", action="store_true",
                   help="do not download the articles' figure images")
    p.add_argument("--json", action="store_true",
                   help="print JSON for programs: each entry's URL, outcome (imported, "
                   "skipped, failed), library id and failure sentence, and the counts")
    p.set_defaults(handler=run_import_command)


def run_import_command(args: argparse.Namespace) -> int:
    from reader.errors import ImportFormatError
    from reader.importers.runner import failed_entries, read_export
    from reader.library import Library

    if args.file is None and not args.retry_failed:
        raise ImportFormatError("Name the export file to import (or - for standard input), "
                                "or use --retry-failed alone to retry failed links.")
    from reader.importers.opml import wanted
    if args.file is not None and wanted(args.file, args.format):  # subscriptions, not articles
        from reader.cli.feed_command import run_opml_import
        return run_opml_import(args)
    entries = read_export(args.file, args.format) if args.file is not None else None
    library = Library.open(args.data_dir)
    try:
        if entries is None:
            entries = failed_entries(library)
        return _run(entries, library, args)
    finally:
        library.close()


def _run(entries: list[ImportEntry], library: Library, args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.text import Text

    from reader.cli import one_line
    from reader.fetch import Fetcher
    from reader.importers.runner import EntryResult, ImportSummary, run_import, unique

    entries = unique(entries)
    total = len(entries)
    console = Console(stderr=True, highlight=False)
    counts = ImportSummary()
    results: list[EntryResult] = []
    progress = Progress(
        TextColumn("Importing"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}", markup=False), TimeElapsedColumn(),
        console=console, transient=True, disable=not console.is_terminal)

    def counts_text() -> str:
        done = counts.imported + counts.skipped
        return f"done {done} · failed {counts.failed} · remaining {total - counts.done}"

    task = progress.add_task("import", total=total, counts=counts_text())

    def on_entry(result: EntryResult) -> None:
        counts.add(result)
        results.append(result)
        if result.outcome == "failed":
            line = Text("Failed: ", style="bold red")
            line.append(one_line(f"{result.entry.url}: {result.error or ''}"))
            console.print(line, soft_wrap=True)
        progress.update(task, completed=counts.done, counts=counts_text())

    async def job() -> None:
        fetcher = Fetcher()
        try:
            await run_import(entries, library, fetcher, args.jobs,
                             retry_failed=args.retry_failed, images=not args.no_images,
                             on_entry=on_entry)
        finally:
            await fetcher.aclose()

    try:
        with progress:
            asyncio.run(job())
    except KeyboardInterrupt:
        print(f"Interrupted: {counts.sentence()} Run the same command again to continue.",
              file=sys.stderr)
        return 130
    if getattr(args, "json", False):
        from reader.cli import print_json

        print_json({
            "imported": counts.imported, "skipped": counts.skipped, "failed": counts.failed,
            "entries": [{"url": r.entry.url, "outcome": r.outcome, "id": r.article_id,
                         "error": r.error} for r in results]})
    else:
        print(counts.sentence())
    # Scripts should notice an import that brought nothing: every entry failed.
    return 1 if counts.failed and not counts.imported and not counts.skipped else 0
