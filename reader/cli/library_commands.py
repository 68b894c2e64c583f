"""Library commands: ``save``, ``list``, ``open``, ``rm``, ``export`` and ``history``.

They script the same library the app uses (``--data-dir`` or ``READER_HOME`` picks it).
Output for people is one line per article; ``--json`` output is for programs and keeps
its field names stable.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reader.errors import LibraryError, ReaderError
from reader.library import FILTERS, SORTS, Entry, Library, SavedArticle

EXPORT_FORMATS = ("markdown", "html", "json", "epub")
_EXTENSIONS = {"markdown": "md", "html": "html", "json": "json", "epub": "epub"}
_IMAGE_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
              "image/webp": "webp", "image/svg+xml": "svg", "image/bmp": "bmp",
              "image/avif": "avif"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("save", help="save articles to the library for offline reading",
                       description="Save each SOURCE (file, URL or -) with its figure images.")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    p.add_argument("--tag", "-t", action="append", default=[], metavar="TAG",
                   help="add a tag (repeatable)")
    p.set_defaults(handler=run_save)

    p = sub.add_parser("list", help="list the saved articles",
                       description="List saved articles, newest first unless --sort says.")
    p.add_argument("--search", "-s", metavar="Q", help="full-text search in title, author, text")
    p.add_argument("--sort", choices=SORTS, default="saved")
    p.add_argument("--filter", choices=FILTERS, default="all")
    p.add_argument("--tag", metavar="TAG", help="only articles with this tag")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.set_defaults(handler=run_list)

    p = sub.add_parser("open", help="open a saved article (by id) or a URL in the reader",
                       description="Open the saved article ID, or URL (its saved copy if any; "
                       "a file is opened as it is).")
    p.add_argument("target", metavar="ID|URL")
    p.add_argument("--width", type=int, metavar="COLUMNS",
                   help="text measure in columns (default 80, remembered)")
    p.add_argument("--no-images", action="store_true",
                   help="show figures as captions only, never as pictures")
    p.set_defaults(handler=run_open)

    p = sub.add_parser("rm", help="delete saved articles",
                       description="Delete saved articles by id (bookmarks are kept).")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(handler=run_rm)

    p = sub.add_parser("export", help="write saved articles as Markdown, HTML, JSON or EPUB",
                       description="Export the saved article ID, or every article with --all.")
    p.add_argument("target", nargs="?", metavar="ID|URL")
    p.add_argument("--all", action="store_true", help="export every saved article")
    p.add_argument("--format", "-f", choices=(*EXPORT_FORMATS, "opml"), default="markdown")
    p.add_argument("--feeds", action="store_true", help="export the feed subscriptions (OPML)")
    p.add_argument("--out", "-o", type=Path, default=Path("."), metavar="DIR",
                   help="folder to write into (created if needed; default: here)")
    p.set_defaults(handler=run_export)

    p = sub.add_parser("history", help="list the articles opened, newest first",
                       description="Every article opened in the reader, newest first.")
    p.add_argument("--limit", "-n", type=int, default=50, metavar="N")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.set_defaults(handler=run_history)


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[Library]:
    library = Library.open(getattr(args, "data_dir", None))
    try:
        yield library
    finally:
        library.close()


def _err(sentence: str) -> None:
    from reader.cli import one_line

    print(f"reader: error: {one_line(sentence)}", file=sys.stderr)


# ---------------------------------------------------------------------- save


def run_save(args: argparse.Namespace) -> int:
    from reader.fetch import Fetcher
    from reader.library import download_images
    from reader.sources import load

    failed = 0
    with opened(args) as library:
        for source in args.sources:
            try:
                loaded = load(source)

                async def images(article: Any = loaded.article) -> dict[str, bytes]:
                    fetcher = Fetcher()
                    try:
                        return await download_images(article, fetcher)
                    finally:
                        await fetcher.aclose()

                found = asyncio.run(images())
                article_id = library.save(loaded.article, source_url=loaded.source_url,
                                          html=loaded.html, images=found, tags=args.tag)
            except ReaderError as exc:
                _err(exc.sentence)
                failed += 1
                continue
            print(f"Saved {article_id}: {loaded.article.title or loaded.key}")
    return 1 if failed else 0


# ---------------------------------------------------------------------- list


def entry_json(entry: Entry) -> dict[str, Any]:
    return {"id": entry.id, "url": entry.url, "title": entry.title,
            "site_name": entry.site_name, "byline": entry.byline,
            "saved_at": entry.saved_at.isoformat(), "published": entry.published,
            "reading_minutes": entry.reading_minutes, "progress": round(entry.progress, 4),
            "archived": entry.archived, "favourite": entry.favourite, "tags": list(entry.tags),
            "error": entry.error}


def run_list(args: argparse.Namespace) -> int:
    with opened(args) as library:
        entries = library.entries(search=args.search, sort=args.sort, filter=args.filter,
                                  tag=args.tag)
    if args.json:
        json.dump([entry_json(e) for e in entries], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    from reader.cli import one_line

    width = max((len(str(e.id)) for e in entries), default=1)
    if not entries:
        print("No saved articles match." if args.search or args.tag or args.filter != "all"
              else "The library is empty: `reader save URL` or `s` while reading saves one.",
              file=sys.stderr)
    for e in entries:
        flags = ("*" if e.favourite else " ") + ("a" if e.archived else " ") + (
            "!" if e.error else " ")
        read = f"{round(e.progress * 100):3d}%" if e.progress else "    "
        site = f"  ({one_line(e.site_name)})" if e.site_name else ""
        tags = "  #" + " #".join(e.tags) if e.tags else ""
        failed = f"  — not saved: {one_line(e.error)}" if e.error else ""
        print(f"{e.id:>{width}} {flags} {e.saved_at:%Y-%m-%d} {read}  "
              f"{one_line(e.title or e.url)}{site}{tags}{failed}")
    return 0


# ---------------------------------------------------------------------- open and rm


def resolve(library: Library, target: str) -> int:
    """The saved article's id from an id or a URL; LibraryError if it is not saved."""
    if target.strip().isdigit():
        article_id = int(target)
        library.get(article_id)  # raises the one-sentence error when there is none
        return article_id
    found = library.find(target)
    if found is None:
        raise LibraryError(f"{target} is not in the library (give its number from "
                           "`reader list`, or its URL).")
    return found


def run_open(args: argparse.Namespace) -> int:
    from reader.sources import is_url
    from reader.ui.app import run_app

    target: str = args.target
    path = Path(target).expanduser()
    is_file = not is_url(target) and path.is_file()
    with opened(args) as library:
        if target.isdigit():
            saved: int | None = resolve(library, target)
        else:  # a saved file is keyed on its file: URL
            saved = library.find(path.resolve().as_uri() if is_file else target)
    display = {"width": args.width, "images": not args.no_images}
    if saved is not None:
        return run_app(source=None, data_dir=args.data_dir, saved_id=saved, **display)
    if not is_url(target) and not is_file:
        raise LibraryError(f"{target} is not in the library, and not a URL or a file.")
    return run_app(source=target, data_dir=args.data_dir, **display)


def run_rm(args: argparse.Namespace) -> int:
    failed = 0
    with opened(args) as library:
        for target in args.ids:
            try:
                article_id = resolve(library, target)
                title = library.get(article_id).title
                library.delete(article_id)
            except LibraryError as exc:
                _err(exc.sentence)
                failed += 1
                continue
            print(f"Deleted {article_id}: {title}")
    return 1 if failed else 0


# ---------------------------------------------------------------------- export


def slug(text: str, fallback: str) -> str:
    words = re.findall(r"\w+", text.lower())
    name = "-".join(words)[:60].strip("-")
    return name or fallback


def run_export(args: argparse.Namespace) -> int:
    if args.feeds or args.format == "opml":  # subscriptions: reader/cli/feed_command.py
        from reader.cli.feed_command import run_export_feeds
        return run_export_feeds(args)
    if args.all == (args.target is not None):
        raise LibraryError("Name one article ID to export, or --all for every article.")
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise LibraryError(f"{out} is a file; --out names the folder to write into.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(f"The folder {out} cannot be created: {exc.strerror or exc}.") \
            from None
    with opened(args) as library:
        ids = ([e.id for e in library.entries(sort="saved")] if args.all
               else [resolve(library, args.target)])
        for article_id in ids:
            saved = library.get(article_id)
            if not saved.article.blocks:
                # A link whose import failed has nothing to export yet.
                if not args.all:
                    raise LibraryError(f"Article {article_id} has no text saved yet "
                                       f"({saved.error or 'nothing was fetched'}).")
                _err(f"Skipped {article_id}: no text saved yet.")
                continue
            path = export_one(library, saved, args.format, out)
            print(path)
    return 0


def export_one(library: Library, saved: SavedArticle, fmt: str, out: Path) -> Path:
    """Write one saved article into ``out``; returns the main file written."""
    from reader.library.images import image_type

    name = f"{saved.id}-{slug(saved.title, 'article')}"
    path = out / f"{name}.{_EXTENSIONS[fmt]}"
    article = saved.article
    images = library.images(saved.id)
    try:
        if fmt == "json":
            path.write_text(article.to_json(indent=1) + "\n", encoding="utf-8")
        elif fmt == "html":
            from reader.export.html import article_to_html

            inline = {}
            for src, data in images.items():
                mime = image_type(data)
                if mime and mime != "image/svg+xml":  # data: SVG is refused by safe_url
                    inline[src] = f"data:{mime};base64,{base64.b64encode(data).decode()}"
            path.write_text(article_to_html(article, image_src=inline), encoding="utf-8")
        elif fmt == "markdown":
            from reader.export.markdown import article_to_markdown

            local: dict[str, str] = {}
            if images:
                folder = out / f"{name}_files"
                folder.mkdir(exist_ok=True)
                for n, (_, src) in enumerate(
                        (i, f.src) for i, f in article.figures() if f.src in images):
                    if src is None or src in local:
                        continue
                    data = images[src]
                    ext = _IMAGE_EXT.get(image_type(data) or "", "bin")
                    file = folder / f"image-{n + 1}.{ext}"
                    file.write_bytes(data)
                    local[src] = f"{folder.name}/{file.name}"
            path.write_text(article_to_markdown(article, image_src=local), encoding="utf-8")
        else:
            from reader.export.epub import article_to_epub

            path.write_bytes(article_to_epub(article, images=images))
    except OSError as exc:
        raise LibraryError(f"{path} cannot be written: {exc.strerror or exc}.") from None
    return path


# ---------------------------------------------------------------------- history


def run_history(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise LibraryError(f"--limit must be 1 or more, not {args.limit}.")
    with opened(args) as library:
        rows = library.history(max(0, args.limit))
    if args.json:
        json.dump([{"url": r.url, "title": r.title, "opened_at": r.opened_at.isoformat()}
                   for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    from reader.cli import one_line

    for r in rows:
        local = r.opened_at.astimezone()
        print(f"{local:%Y-%m-%d %H:%M}  {one_line(r.title or r.url)}  <{r.url}>")
    return 0
