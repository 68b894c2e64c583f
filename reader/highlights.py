"""Where a highlight sits in an article, and how it is found again when the article changes.

A highlight is a passage, not a place, so it is kept two ways, as the W3C Web Annotation
model does: a *position* selector (the ``(block, offset)`` start and end, exact and cheap
while the article is unchanged) and a *text quote* selector (the exact text, with a few
words before and after it). When the page is fetched again and its blocks have moved — a
paragraph inserted above, a typo fixed nearby — the positions no longer hold the quoted
text, and the quote finds it: every place the exact text occurs is scored by how well
the words around it agree with the stored prefix and suffix, and the best one wins.
A quote that occurs nowhere is *not found in this version*: the highlight is kept (and
listed and exported as such), never dropped.

This module is pure: no I/O, no terminal; the library stores what it computes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from reader.document import Article, Position, block_text

CONTEXT_CHARS = 40  # characters of prefix and suffix kept beside the exact text
BLOCK_SEPARATOR = "\n\n"  # how blocks are joined into one text (a passage may span blocks)
MAX_CANDIDATES = 200  # occurrences of the exact text scored at most (a very common word)


@dataclass(frozen=True, slots=True)
class TextQuote:
    """The exact text of a passage and the text just around it (W3C TextQuoteSelector)."""

    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, slots=True, order=True)
class Passage:
    """A passage as positions: from ``start`` (inclusive) to ``end`` (exclusive)."""

    start: Position
    end: Position


class ArticleText:
    """An article's blocks joined into one string, with the map between an offset in that
    string and a :class:`Position`. Built once per article version, then reused for every
    highlight of it."""

    def __init__(self, article: Article) -> None:
        self.blocks = [block_text(block) for block in article.blocks]
        starts: list[int] = []
        at = 0
        for text in self.blocks:
            starts.append(at)
            at += len(text) + len(BLOCK_SEPARATOR)
        self.starts = starts
        self.text = BLOCK_SEPARATOR.join(self.blocks)

    def offset(self, position: Position) -> int:
        """The offset in :attr:`text` of ``position`` (clamped into the article)."""
        if not self.blocks:
            return 0
        block = min(max(position.block, 0), len(self.blocks) - 1)
        if position.block >= len(self.blocks):
            return len(self.text)
        return self.starts[block] + min(max(position.offset, 0), len(self.blocks[block]))

    def position(self, offset: int) -> Position:
        """The position of an offset; one inside a separator belongs to the next block."""
        if not self.blocks:
            return Position(0, 0)
        offset = min(max(offset, 0), len(self.text))
        block = max(0, bisect_right(self.starts, offset) - 1)
        inside = offset - self.starts[block]
        if inside > len(self.blocks[block]) and block + 1 < len(self.blocks):
            return Position(block + 1, 0)
        return Position(block, min(inside, len(self.blocks[block])))

    def quote(self, passage: Passage) -> TextQuote:
        """The text quote of ``passage``: its exact text and :data:`CONTEXT_CHARS` around it."""
        start, end = self.offset(passage.start), self.offset(passage.end)
        start, end = min(start, end), max(start, end)
        return TextQuote(
            exact=self.text[start:end],
            prefix=self.text[max(0, start - CONTEXT_CHARS):start],
            suffix=self.text[end:end + CONTEXT_CHARS],
        )

    def passage(self, start: int, end: int) -> Passage:
        return Passage(self.position(start), self.position(end))

    def holds(self, passage: Passage, quote: TextQuote) -> bool:
        """True when ``passage`` still covers exactly the quoted text."""
        return _squash(self.text[self.offset(passage.start):self.offset(passage.end)]) == _squash(
            quote.exact)

    def locate(self, quote: TextQuote, hint: Passage | None = None) -> Passage | None:
        """Where ``quote`` is in this version of the article, or None when it is nowhere.

        The stored positions win while they still hold the exact text; otherwise every
        occurrence of the text (whitespace-insensitive) is scored by agreement of the
        words before and after it with the stored prefix and suffix, then by nearness to
        the old place.
        """
        if not quote.exact.strip():
            return None
        if hint is not None and self.holds(hint, quote):
            return hint
        matches = self._occurrences(quote.exact)
        if not matches:
            return None
        near = self.offset(hint.start) if hint is not None else 0

        def score(match: tuple[int, int]) -> tuple[int, int]:
            start, end = match
            before = _common_suffix(_squash(self.text[max(0, start - 2 * CONTEXT_CHARS):start]),
                                    _squash(quote.prefix))
            after = _common_prefix(_squash(self.text[end:end + 2 * CONTEXT_CHARS]),
                                   _squash(quote.suffix))
            return (before + after, -abs(start - near))

        start, end = max(matches, key=score)
        return self.passage(start, end)

    def _occurrences(self, exact: str) -> list[tuple[int, int]]:
        words = exact.split()
        pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
        found: list[tuple[int, int]] = []
        for match in pattern.finditer(self.text):
            found.append((match.start(), match.end()))
            if len(found) >= MAX_CANDIDATES:
                break
        return found


def _squash(text: str) -> str:
    return " ".join(text.split())


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])
