"""Library commands: ``save``, ``list``, ``open``, ``rm``, ``export`` and ``history``.

They script the same library the app uses (``--data-dir`` or ``READER_TUI_HOME`` picks it).
Output for people is one line per article; ``--json`` output is for programs and keeps
its field names stable.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from reader.errors import LibraryError, ReaderError
from reader.files import replace_file
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
    p.add_argument("--json", action="store_true",
                   help="print JSON for programs: the id, URL and title of each article saved")
    p.set_defaults(handler=run_save)

    p = sub.add_parser("list", help="list the saved articles",
                       description="List saved articles, newest first unless --sort says.")
    p.add_argument("--search", "-s", metavar="Q",
                   help="find words in the title, author, text, highlights and notes; "
                   "feed items that match are listed after the articles (not in --json)")
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
    p.add_argument("--json", action="store_true",
                   help="print JSON for programs: the id and title of each article deleted")
    p.set_defaults(handler=run_rm)

    p = sub.add_parser(
        "export", help="write saved articles as Markdown, HTML, JSON or EPUB, or many as one "
        "EPUB book", description="Export the saved article ID, or the articles chosen with "
        "--all, --tag or --unread: one file each, or with --book one EPUB of them all.",
        epilog="examples:\n  reader export 12 -f html\n"
        "  reader export --unread --format epub --book \"Unread\" -o ~/ereader",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", nargs="?", metavar="ID|URL")
    p.add_argument("--all", action="store_true", help="export every saved article")
    p.add_argument("--tag", metavar="TAG", help="export the articles with this tag")
    p.add_argument("--unread", action="store_true",
                   help="export the articles not yet read and not archived")
    p.add_argument("--format", "-f", choices=(*EXPORT_FORMATS, "opml"), default=None,
                   help="markdown: a .md file and a folder of its pictures (default); "
                   "html: one page with its pictures inside; json: the Article model; "
                   "epub: an EPUB 3 book for e-readers; opml: the feed subscriptions")
    p.add_argument("--book", metavar="TITLE",
                   help="write ONE EPUB titled TITLE with every chosen article as a chapter "
                   "and a table of contents (implies --format epub)")
    p.add_argument("--feeds", action="store_true", help="export the feed subscriptions (OPML)")
    p.add_argument("--highlights", action="store_true",
                   help="write the highlights and notes only: one Markdown file per article "
                   "(of ID, or of every article with highlights), with YAML front matter")
    p.add_argument("--out", "-o", type=Path, default=Path("."), metavar="DIR",
                   help="folder to write into (created if needed; default: here); - prints "
                   "one article (markdown, html or json) on standard output")
    p.add_argument("--json", action="store_true",
                   help="print JSON for programs: the id and path of each article written")
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


LONG_FILE_BYTES = 2 * 2**20  # a file whose cleaning takes a second or more: said first


def _say_if_long(source: str) -> None:
    """A page of megabytes takes seconds to clean (about half a second a megabyte, 24 MB
    some 15 s): a person at a terminal is told before the wait, not left looking at
    nothing. Scripts (standard error not a terminal) get only the result."""
    from reader.cli import one_line
    from reader.media import format_size
    from reader.sources import file_size

    size = file_size(source) if sys.stderr.isatty() else 0
    if size >= LONG_FILE_BYTES:
        print(f"Reading {one_line(source)} ({format_size(size)}): a page this long takes a few "
              "seconds…", file=sys.stderr, flush=True)


def run_save(args: argparse.Namespace) -> int:
    import asyncio

    from reader.cli import one_line, print_json
    from reader.fetch import Fetcher
    from reader.library import download_images
    from reader.sources import load

    failed = 0
    saved: list[dict[str, Any]] = []
    with opened(args) as library:
        for source in args.sources:
            try:
                _say_if_long(source)
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
            if args.json:
                saved.append({"id": article_id, "url": loaded.article.url or loaded.source_url,
                              "title": loaded.article.title, "source": source})
            else:
                print(f"Saved {article_id}: {one_line(loaded.article.title or loaded.key)}")
    if args.json:
        print_json(saved)
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
    """Print the list as it is read from the store, a page at a time (``iter_entries``),
    so listing 100,000 articles holds one page in memory, not all of them."""
    import itertools

    with opened(args) as library:
        entries = library.iter_entries(search=args.search, sort=args.sort,
                                       filter=args.filter, tag=args.tag)
        if args.json:
            _list_json(entries)
            return 0
        from reader.cli import one_line

        # The id column's width is measured on the first rows read (newest, so usually
        # the longest ids), not the whole list: that would mean reading it twice.
        first = list(itertools.islice(entries, 1000))
        width = max((len(str(e.id)) for e in first), default=1)
        if not first:
            print("No saved articles match." if args.search or args.tag
                  or args.filter != "all"
                  else "The library is empty: `reader save URL` or `s` while reading saves one.",
                  file=sys.stderr)
        for e in itertools.chain(first, entries):
            flags = ("*" if e.favourite else " ") + ("a" if e.archived else " ") + (
                "!" if e.error else " ")
            read = f"{round(e.progress * 100):3d}%" if e.progress else "    "
            site = f"  ({one_line(e.site_name)})" if e.site_name else ""
            tags = "  #" + " #".join(one_line(t) for t in e.tags) if e.tags else ""
            failed = f"  — not saved: {one_line(e.error)}" if e.error else ""
            print(f"{e.id:>{width}} {flags} {e.saved_at:%Y-%m-%d} {read}  "
                  f"{one_line(e.title or e.url)}{site}{tags}{failed}")
        if args.search and args.filter == "all" and not args.tag:
            _list_feed_items(library, args.search, bool(first))
    return 0


FEED_HITS = 50  # feed items listed after the articles a search found


def _list_feed_items(library: Library, search: str, after_articles: bool) -> None:
    """The newest feed items that match ``search``, under a heading of their own: they
    are not saved articles (no id to open), so each shows its address."""
    from reader.cli import one_line
    from reader.library.search import feed_items

    items = feed_items(library, search, limit=FEED_HITS)
    if not items:
        return
    if after_articles:
        print()
    print(f"From your feeds ({len(items)}):")
    for item in items:
        date = (item.published or item.sort_at)[:10]
        print(f"  {date}  {one_line(item.title or '(untitled)')}  "
              f"({one_line(item.feed_title)})  {one_line(item.url or '')}".rstrip())


def _list_json(entries: Iterator[Entry]) -> None:
    """The same JSON array ``json.dump(list, indent=1)`` writes, one entry at a time."""
    out = sys.stdout
    written = False
    for e in entries:
        item = json.dumps(entry_json(e), ensure_ascii=False, indent=1)
        out.write((",\n " if written else "[\n ") + item.replace("\n", "\n "))
        written = True
    out.write("\n]\n" if written else "[]\n")


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
    from reader.cli.open_command import run_app
    from reader.sources import is_url

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
    from reader.cli import one_line, print_json

    failed = 0
    deleted: list[dict[str, Any]] = []
    with opened(args) as library:
        for target in dict.fromkeys(args.ids):  # `rm 3 3`: once, not once and an error
            try:
                article_id = resolve(library, target)
                title = library.get(article_id).title
                library.delete(article_id)
            except LibraryError as exc:
                _err(exc.sentence)
                failed += 1
                continue
            if args.json:
                deleted.append({"id": article_id, "title": title})
            else:
                print(f"Deleted {article_id}: {one_line(title)}")
    if args.json:
        print_json(deleted)
    return 1 if failed else 0


# ---------------------------------------------------------------------- export


def slug(text: str, fallback: str) -> str:
    words = re.findall(r"\w+", text.lower())
    name = "-".join(words)[:60].strip("-")
    return name or fallback


def run_export(args: argparse.Namespace) -> int:
    if args.feeds or args.format == "opml":  # subscriptions: reader/cli/feed_command.py
        from reader.cli.feed_command import run_export_feeds

        if args.target is not None or args.all or args.tag is not None or args.unread \
                or args.book is not None or args.highlights:
            # `reader export 12 -f opml` wrote the subscriptions and said nothing of 12.
            raise LibraryError("OPML holds the feed subscriptions, not articles: "
                               "`reader export --feeds` takes no article, --all, --tag, "
                               "--unread, --book or --highlights.")

        return run_export_feeds(args)
    from reader.cli import print_json

    if args.highlights:
        return _export_highlights(args)
    chosen = args.all or args.tag is not None or args.unread
    if chosen == (args.target is not None):
        raise LibraryError("Name one article ID to export, or choose articles with --all, "
                           "--tag TAG or --unread.")
    if sum((args.all, args.tag is not None, args.unread)) > 1:
        raise LibraryError("Choose articles with one of --all, --tag or --unread.")
    fmt: str = args.format or ("epub" if args.book is not None else "markdown")
    if args.book is not None and fmt != "epub":
        raise LibraryError("--book makes one EPUB; leave out --format or give --format epub.")
    if str(args.out) == "-":
        return _export_to_stdout(args, fmt)
    out = _out_folder(args.out)
    written: list[dict[str, Any]] = []
    with opened(args) as library:
        if args.target is not None:
            ids = [resolve(library, args.target)]
        else:
            ids = [e.id for e in library.entries(
                sort="saved", filter="unread" if args.unread else "all", tag=args.tag)]
            if not ids:
                raise LibraryError("No saved articles match; nothing was exported.")
        if args.book is not None:
            return _export_book(library, ids, args.book, out, as_json=args.json)
        for article_id in ids:
            saved = library.get(article_id)
            if not saved.article.blocks:
                # A link whose import failed has nothing to export yet.
                if args.target is not None:
                    raise LibraryError(f"Article {article_id} has no text saved yet "
                                       f"({saved.error or 'nothing was fetched'}).")
                _err(f"Skipped {article_id}: no text saved yet.")
                continue
            path = export_one(library, saved, fmt, out)
            if args.json:
                written.append({"id": article_id, "path": str(path)})
            else:
                print(path)
    if args.json:
        print_json(written)
    return 0


def _export_to_stdout(args: argparse.Namespace, fmt: str) -> int:
    """``--out -``: one article's text on standard output, for a pipe (``| pandoc``).
    Only text formats of one article: an EPUB or many files have no place in a pipe."""
    if args.target is None or args.book is not None or fmt == "epub":
        raise LibraryError("--out - prints one article as markdown, html or json; "
                           "name a folder to write EPUBs or many articles.")
    with opened(args) as library:
        saved = library.get(resolve(library, args.target))
        if not saved.article.blocks:
            raise LibraryError(f"Article {saved.id} has no text saved yet "
                               f"({saved.error or 'nothing was fetched'}).")
        from reader.library.highlights import place

        highlights = place(library.highlights(saved.url), saved.article)
        if fmt == "json":
            text = saved.article.to_json(indent=1) + "\n"
        elif fmt == "html":
            from reader.export.html import article_to_html

            text = article_to_html(saved.article, image_src=_inline_images(library, saved),
                                   highlights=highlights)
        else:  # markdown: the pictures stay at their web addresses (no folder to put them)
            from reader.export.markdown import article_to_markdown

            text = article_to_markdown(saved.article, image_src={}, highlights=highlights)
    sys.stdout.write(text)
    return 0


def _inline_images(library: Library, saved: SavedArticle) -> dict[str, str]:
    """The saved pictures as ``data:`` addresses, for an HTML file that stands alone."""
    from reader.library.images import image_type

    inline = {}
    for src, data in library.images(saved.id).items():
        mime = image_type(data)
        if mime and mime != "image/svg+xml":  # data: SVG is refused by safe_url
            inline[src] = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return inline


def _out_folder(out: Path) -> Path:
    """The folder to export into, created if needed; a sentence for each way it cannot be
    used (a file, no permission to enter or create it)."""
    try:
        if out.exists() and not out.is_dir():
            raise LibraryError(f"{out} is a file; --out names the folder to write into.")
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as exc:
        raise LibraryError(f"The folder {out} cannot be written to "
                           f"({(exc.strerror or str(exc)).lower()}).") from None
    return out


def _own_folder(folder: Path) -> Path:
    """Create ``folder`` (or reuse it) only if it is a real folder of ours, not a link
    someone else planted at the name."""
    with suppress(FileExistsError):
        folder.mkdir()
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise LibraryError(f"{folder} is a link or belongs to someone else; reader will not "
                           "write into it.")
    return folder


def _export_highlights(args: argparse.Namespace) -> int:
    """``export --highlights``: notes files (Markdown only), as ``highlights --notes``."""
    from reader.cli import print_json
    from reader.cli.highlights_command import write_notes

    if (args.format or "markdown") != "markdown":
        raise LibraryError("--highlights writes Markdown notes; leave out --format or give "
                           "--format markdown.")
    out = _out_folder(args.out)
    with opened(args) as library:
        if args.target is not None:
            urls = [library.get(resolve(library, args.target)).url]
        else:
            urls = list(dict.fromkeys(h.url for h in library.highlights()))
        paths = write_notes(library, out, urls)
    if not paths:
        raise LibraryError("No highlights to export.")
    if args.json:
        print_json([str(p) for p in paths])
    else:
        for path in paths:
            print(path)
    return 0


def export_one(library: Library, saved: SavedArticle, fmt: str, out: Path) -> Path:
    """Write one saved article into ``out``; returns the main file written."""
    from reader.library.images import image_type

    name = f"{saved.id}-{slug(saved.title, 'article')}"
    path = out / f"{name}.{_EXTENSIONS[fmt]}"
    article = saved.article
    images = library.images(saved.id)
    from reader.library.highlights import place

    highlights = place(library.highlights(saved.url), article)
    try:
        if fmt == "json":
            replace_file(path, (article.to_json(indent=1) + "\n").encode("utf-8"))
        elif fmt == "html":
            from reader.export.html import article_to_html

            page = article_to_html(article, image_src=_inline_images(library, saved),
                                   highlights=highlights)
            replace_file(path, page.encode("utf-8"))
        elif fmt == "markdown":
            from reader.export.markdown import article_to_markdown

            local: dict[str, str] = {}
            if images:
                folder = _own_folder(out / f"{name}_files")
                for n, (_, src) in enumerate(
                        (i, f.src) for i, f in article.figures() if f.src in images):
                    if src is None or src in local:
                        continue
                    data = images[src]
                    ext = _IMAGE_EXT.get(image_type(data) or "", "bin")
                    file = folder / f"image-{n + 1}.{ext}"
                    replace_file(file, data)
                    local[src] = f"{folder.name}/{file.name}"
            replace_file(path, article_to_markdown(article, image_src=local,
                                                   highlights=highlights).encode("utf-8"))
        else:
            from reader.export.epub import article_to_epub

            replace_file(path, article_to_epub(article, images=images, highlights=highlights))
    except OSError as exc:
        raise LibraryError(f"{path} cannot be written: {exc.strerror or exc}.") from None
    return path


def _export_book(library: Library, ids: list[int], title: str, out: Path, *,
                 as_json: bool) -> int:
    """Every chosen article with text, as chapters of one EPUB, oldest saved first (the
    order they were meant to be read in)."""
    from reader.cli import print_json
    from reader.export.epub_book import Chapter, articles_to_epub_book

    chapters: list[Chapter] = []
    for article_id in reversed(ids):
        saved = library.get(article_id)
        if not saved.article.blocks:
            _err(f"Skipped {article_id}: no text saved yet.")
            continue
        chapters.append(Chapter(saved.article, library.images(article_id), saved.id))
    if not chapters:
        raise LibraryError("None of the chosen articles has text saved yet; no book written.")
    path = out / f"{slug(title, 'book')}.epub"
    try:
        replace_file(path, articles_to_epub_book(title, chapters))
    except OSError as exc:
        raise LibraryError(f"{path} cannot be written: {exc.strerror or exc}.") from None
    if as_json:
        print_json([{"id": c.id, "path": str(path)} for c in chapters])
    else:
        print(path)
    return 0


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
