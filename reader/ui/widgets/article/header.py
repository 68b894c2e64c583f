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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.compact = False  # one line, for short windows: the text needs the rows
        self._shown: tuple[Article, int | None] | None = None

    def show(self, article: Article, minutes: int | None = None) -> None:
        self._shown = (article, minutes)
        title = article.title or "(untitled)"
        meta = meta_line(article, minutes)
        parts: list[str | tuple[str, str]] = [(title, "bold")]
        if meta:
            parts += [(" · " if self.compact else "\n"), (meta, "dim")]
        self.update(Content.assemble(*parts))

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.set_class(compact, "-compact")
            if self._shown is not None:
                self.show(*self._shown)
