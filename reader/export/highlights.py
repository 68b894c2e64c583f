"""An article's highlights and notes as one Markdown file, the layout note apps import.

Obsidian and Logseq read YAML front matter (title, author, site, url, date, tags) and plain
Markdown below it. Each highlight is a block quote in reading order with its note under it,
grouped under the section it was made in; highlights whose text is no longer in the saved
copy come last, marked, so nothing a reader marked is lost on the way out.

Front-matter values are written as JSON strings, which YAML reads as double-quoted
scalars: a title holding a colon, a quote or a newline cannot break the header. Text and
notes go through the Markdown exporter's escaping, so they stay text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from reader.export.markdown import escape
from reader.library.highlights import Placed

NOT_FOUND = "not found in this version"


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def front_matter(*, title: str, url: str, author: str | None = None, site: str | None = None,
                 date: str | None = None, tags: Sequence[str] = ()) -> str:
    lines = ["---", f"title: {_yaml(title)}"]
    if author:
        lines.append(f"author: {_yaml(author)}")
    if site:
        lines.append(f"site: {_yaml(site)}")
    lines.append(f"url: {_yaml(url)}")
    if date:
        lines.append(f"date: {_yaml(date)}")
    if tags:
        lines.append("tags: [" + ", ".join(_yaml(t) for t in tags) + "]")
    lines.append("---")
    return "\n".join(lines)


def _quote(text: str) -> str:
    return "\n".join("> " + escape(line) if line.strip() else ">"
                     for line in text.strip().splitlines())


def highlight_block(placed: Placed) -> str:
    """One highlight: the passage as a block quote, then its note, then "not found" if so."""
    parts = [_quote(placed.highlight.text)]
    if placed.highlight.note.strip():
        parts.append(escape(placed.highlight.note.strip()))
    if not placed.found:
        parts.append(f"*({NOT_FOUND})*")
    return "\n\n".join(parts)


def highlights_to_markdown(placed: Sequence[Placed], *, title: str, url: str,
                           author: str | None = None, site: str | None = None,
                           date: str | None = None, tags: Sequence[str] = ()) -> str:
    """The notes file for one article: front matter, title, highlights by section."""
    out = [front_matter(title=title, url=url, author=author, site=site, date=date, tags=tags),
           "", f"# {escape(title or url)}", ""]
    section: str | None = None
    for item in placed:
        here = item.highlight.section if item.found else NOT_FOUND.capitalize()
        if here != section and here:
            out += [f"## {escape(here)}", ""]
        section = here
        out += [highlight_block(item), ""]
    return "\n".join(out).rstrip() + "\n"
