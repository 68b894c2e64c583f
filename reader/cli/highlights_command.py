"""``reader highlights``: the passages marked while reading, and their notes.

``reader highlights`` lists every highlight, newest first; ``reader highlights ID`` one
saved article's in reading order (re-anchored in the saved copy, those whose text is gone
marked "not found"); ``--json`` is for programs; ``--notes DIR`` writes one Markdown file
per article with its highlights only, with the front matter Obsidian and Logseq import.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from reader.errors import LibraryError
from reader.files import replace_file
from reader.library import Library
from reader.library.highlights import Highlight, Placed, place


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "highlights", help="list highlights and notes, or write them as Markdown notes",
        description="List highlights (all, newest first; or one saved article's in reading "
        "order). --notes DIR writes one Markdown file per article with its highlights.")
    p.add_argument("target", nargs="?", metavar="ID|URL", help="a saved article or its URL")
    p.add_argument("--search", "-s", metavar="Q", help="only those whose text or note has Q")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.add_argument("--notes", type=Path, metavar="DIR",
                   help="write one Markdown notes file per article into DIR")
    p.set_defaults(handler=run)


def placed_for(library: Library, url: str, found: list[Highlight]) -> list[Placed]:
    """Anchor an article's highlights in its saved copy; unsaved ones keep their order."""
    article_id = library.find(url)
    if article_id is None:
        return [Placed(h, h.passage) for h in found]
    return place(found, library.get(article_id).article)


def _as_json(item: Placed) -> dict[str, Any]:
    h = item.highlight
    return {"id": h.id, "url": h.url, "title": h.title, "text": h.text, "note": h.note,
            "section": h.section, "found": item.found,
            "start": [h.passage.start.block, h.passage.start.offset],
            "end": [h.passage.end.block, h.passage.end.offset],
            "prefix": h.quote.prefix, "suffix": h.quote.suffix,
            "created": h.created.isoformat(), "updated": h.updated.isoformat()}


def _line(item: Placed) -> str:
    h = item.highlight
    text = " ".join(h.text.split())
    text = text if len(text) <= 70 else text[:69] + "…"
    flag = "" if item.found else "  (not found in this version)"
    note = f"  — {' '.join(h.note.split())}" if h.note.strip() else ""
    return f"{h.id:>5}  {text}{note}{flag}"


def _slug(title: str) -> str:
    slug = re.sub(r"[^\w]+", "-", title.lower()).strip("-")[:60]
    return slug or "article"


def write_notes(library: Library, out: Path, urls: list[str]) -> list[Path]:
    """One Markdown notes file per article URL (highlights only), named after the title."""
    from reader.export.highlights import highlights_to_markdown

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    for url in urls:
        found = library.highlights(url)
        if not found:
            continue
        article_id = library.find(url)
        saved = library.get(article_id) if article_id is not None else None
        title = (saved.title if saved else found[0].title) or url
        name = _slug(title)
        while name in used:
            name += "-" + str(len(used))
        used.add(name)
        text = highlights_to_markdown(
            placed_for(library, url, found), title=title, url=url,
            author=saved.byline if saved else None, site=saved.site_name if saved else None,
            date=saved.published if saved else None, tags=saved.tags if saved else ())
        path = out / f"{name}.md"
        replace_file(path, text)
        written.append(path)
    return written


def run(args: argparse.Namespace) -> int:
    from reader.cli import fail
    from reader.cli.library_commands import opened

    try:
        with opened(args) as library:
            url: str | None = None
            if args.target:
                url = (library.get(int(args.target)).url if args.target.isdigit()
                       else args.target)
            found = library.highlights(url, search=args.search)
            if args.notes is not None:
                urls = list(dict.fromkeys(h.url for h in found))
                written = write_notes(library, args.notes, urls)
                for path in written:
                    print(path)
                if not written:
                    print("No highlights to write.", file=sys.stderr)
                return 0
            if url is not None:
                items = placed_for(library, url, found)
            else:  # newest first, each found or not in its own article's saved copy
                by_url: dict[str, list[Highlight]] = {}
                for h in found:
                    by_url.setdefault(h.url, []).append(h)
                state = {p.highlight.id: p for u, hs in by_url.items()
                         for p in placed_for(library, u, hs)}
                items = [state[h.id] for h in found]
    except LibraryError as exc:
        return fail(exc.sentence)
    except OSError as exc:
        return fail(f"Could not write the notes: {exc.strerror or exc}.")
    if args.json:
        print(json.dumps([_as_json(item) for item in items], ensure_ascii=False, indent=2))
    elif not items:  # a blank answer read as "did it work?" (as `reader list` says it)
        print("No highlights match." if args.search else
              "No highlights yet: `v` while reading selects a passage, Enter highlights it.",
              file=sys.stderr)
    else:
        for item in items:
            print(_line(item))
    return 0
