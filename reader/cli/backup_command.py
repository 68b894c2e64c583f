"""``reader backup FILE`` and ``reader restore FILE``: the library in one archive and back.

The archive format and the merge rules live in :mod:`reader.library.backup`; this module
only speaks to people (and, with ``--json``, to programs).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="write the whole library to one archive (a zip)",
                       description="Write every article (its text, the page as received, "
                       "its pictures), tags, states, reading positions, bookmarks and history "
                       "to FILE, a zip archive that `reader restore` brings back.")
    p.add_argument("file", type=Path, metavar="FILE", help="the archive to write (.zip)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.set_defaults(handler=run_backup)

    p = sub.add_parser("restore", help="bring a backup archive back, merged into the library",
                       description="Merge the archive FILE into the library: articles are "
                       "matched by URL, nothing is duplicated, tags and bookmarks are joined, "
                       "and for each state the newer one wins. A damaged archive changes "
                       "nothing.")
    p.add_argument("file", type=Path, metavar="FILE", help="an archive from `reader backup`")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    from reader.cli import print_json
    from reader.cli.library_commands import opened
    from reader.library.backup import write_backup

    with opened(args) as library:
        summary = write_backup(library, args.file, overwrite=args.force)
    if args.json:
        print_json({"path": str(args.file), "articles": summary.articles,
                    "bookmarks": summary.bookmarks, "images": summary.images,
                    "feeds": summary.feeds})
    else:
        feeds = (f", {summary.feeds} feed subscription{'s' if summary.feeds != 1 else ''}"
                 if summary.feeds else "")
        print(f"Backed up {summary.articles} articles, {summary.bookmarks} bookmarks{feeds} "
              f"and {summary.images} pictures to {args.file}.")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from reader.cli import print_json
    from reader.cli.library_commands import opened
    from reader.library.backup import restore_backup

    with opened(args) as library:
        result = restore_backup(library, args.file)
    if args.json:
        print_json(result.as_json())
    else:
        print(result.sentence())
    return 0
