"""``reader dump SOURCE``: the cleaned article on standard output, for scripts and pipes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from reader.document import Article

FORMATS = ("text", "markdown", "html", "json")


def quick_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """The arguments of the plain forms ``dump SOURCE [-f|--format FORMAT]`` read without
    building an argparse parser (whose import and set-up are a tenth of a small dump's
    whole run); None for anything else (help, other options, mistakes), which argparse
    then reads and explains exactly as before."""
    if not argv or argv[0] != "dump":
        return None
    source: str | None = None
    fmt = "text"
    rest = list(argv[1:])
    while rest:
        word = rest.pop(0)
        if word in ("-f", "--format") and rest and rest[0] in FORMATS:
            fmt = rest.pop(0)
        elif word.startswith("--format=") and word[len("--format="):] in FORMATS:
            fmt = word[len("--format="):]
        elif source is None and (word == "-" or not word.startswith("-")):
            source = word
        else:
            return None
    if source is None:
        return None
    return SimpleNamespace(command="dump", source=source, format=fmt, debug=False,
                           data_dir=None, handler=run)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dump", help="print the cleaned article (text, markdown, html or json)",
                       description="Print the cleaned article of SOURCE.")
    p.add_argument("source", metavar="SOURCE", help="a file, an http(s) URL, or - for stdin")
    p.add_argument("--format", "-f", choices=FORMATS, default="text",
                   help="text: the title, a line of metadata, then the plain body (default); "
                   "markdown: CommonMark with links and figures; html: one clean page; "
                   "json: the Article model, for programs")
    p.add_argument("--full", action="store_true",
                   help="the page's complete readable text instead of the cleaned article")
    p.set_defaults(handler=run)


def render(article: Article, fmt: str) -> str:
    if fmt == "json":
        return article.to_json(indent=1) + "\n"
    if fmt == "markdown":
        from reader.export.markdown import article_to_markdown

        return article_to_markdown(article)
    if fmt == "html":
        from reader.export.html import article_to_html

        return article_to_html(article)
    return text_form(article)


def text_form(article: Article) -> str:
    """Title, a line of metadata, then the plain body: what a person reads in a pager."""
    head = [article.title] if article.title else []
    meta = " · ".join(m for m in (article.byline, article.site_name, article.published) if m)
    if meta:
        head.append(meta)
    parts = ["\n".join(head)] if head else []
    body = article.plain_text()
    if body:
        parts.append(body)
    return "\n\n".join(parts) + "\n"


def run(args: argparse.Namespace) -> int:
    from reader.sources import load

    loaded = load(args.source)
    article = loaded.article
    if getattr(args, "full", False) and loaded.html is not None:
        from reader.extract import extract_full
        from reader.urls import is_web_url

        url = loaded.source_url if is_web_url(loaded.source_url) else None
        article = extract_full(loaded.html, url)
    sys.stdout.write(render(article, args.format))
    sys.stdout.flush()
    return 0
