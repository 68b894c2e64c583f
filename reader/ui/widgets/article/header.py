"""The article header: title, then byline, site, date and reading time."""

from __future__ import annotations

from typing import cast

from textual.content import Content
from textual.css.styles import RulesMap
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
        self._content: Content | None = None

    def show(self, article: Article, minutes: int | None = None) -> None:
        self._shown = (article, minutes)
        title = article.title or "(untitled)"
        meta = meta_line(article, minutes)
        parts: list[str | tuple[str, str]] = [(title, "bold")]
        if meta:
            parts += [(" · " if self.compact else "\n"), (meta, "dim")]
        content = Content.assemble(*parts)
        # A layout pass only when the height changes: the reading time of a long article
        # arrives after the first frame, and a layout is a whole-screen frame.
        width = self.content_region.width
        old = self._content
        rules = cast(RulesMap, self.styles)
        same = bool(width) and old is not None and (
            old.get_height(rules, width) == content.get_height(rules, width))
        self._content = content
        self.update(content, layout=not same)

    @property
    def shown(self) -> tuple[Article, int | None] | None:
        """The article shown and the reading time it was shown with."""
        return self._shown

    def show_placeholder(self, title: str, meta: str) -> None:
        """Two lines while the article is on its way, so that the header keeps its
        height when it comes (a header that grows is a second layout of the screen).
        Plain text, never markup: ``title`` names a file."""
        content = Content.assemble((title, "bold"), (" · " if self.compact else "\n"),
                                   (meta, "dim"))
        self._content = content
        self.update(content)

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.set_class(compact, "-compact")
            if self._shown is not None:
                self.show(*self._shown)
