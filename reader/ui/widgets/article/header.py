"""The article header: title, then byline, site, date and reading time."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from reader.document import Article


def meta_line(article: Article, minutes: int | None = None) -> str:
    """Byline · site · date · reading time (``minutes`` if the caller already knows it)."""
    parts = [p for p in (article.byline, article.site_name, _date(article.published)) if p]
    minutes = article.reading_minutes if minutes is None else minutes
    if minutes:
        parts.append(f"{minutes} min read")
    return " · ".join(parts)


def _date(published: str | None) -> str | None:
    """The date part of an ISO timestamp: people read dates, not times with zones."""
    if not published:
        return None
    return published[:10] if len(published) >= 10 and published[4:5] == "-" else published


class ArticleHeader(Static):
    """Shows who wrote what, where and when; built from plain text, never markup."""

    def show(self, article: Article, minutes: int | None = None) -> None:
        title = article.title or "(untitled)"
        meta = meta_line(article, minutes)
        parts: list[str | tuple[str, str]] = [(title, "bold")]
        if meta:
            parts += ["\n", (meta, "dim")]
        self.update(Content.assemble(*parts))
