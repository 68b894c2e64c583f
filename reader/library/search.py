"""Turning what a person types into an FTS5 query that can never be a syntax error.

The library filters as you type, so every keystroke is a query: FTS5's own syntax
(quotes, ``AND``, ``NEAR``, column filters, ``*``) would make half-typed input fail.
Instead the words are taken out of the input and each is quoted, and the last one is a
prefix so that "photo" already finds "photosynthesis" while the word is being typed
(from its second letter on; a first letter typed after other words waits for the second).

A word here is what the index's tokenizer makes one token (letters and digits, not the
underscore): the index keeps no word positions, so a quoted phrase of two tokens would
be an error, and splitting the same way means there never is one.

The same words find an article by its highlights and their notes (:func:`like_patterns`:
the highlights table is small and has no index of words, so a substring match is quick
and needs none), and find items of the feeds subscribed to (:func:`feed_items`, over the
feeds' own index, ``feed_items_fts``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.library.feeds import FeedItem
    from reader.library.store import Library

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A one-letter prefix matches nearly every article: slow, and no help in finding one.
MIN_PREFIX = 2
# The longest prefix the articles' index keeps a list for (schema.PREFIX_LENGTHS).
LONGEST_PREFIX = 6


def fts_query(text: str, expand: Callable[[str], list[str] | None] | None = None
              ) -> str | None:
    """An FTS5 MATCH expression for ``text``; None when it holds no words at all.

    ``expand(prefix)`` may name the index's words that begin with a last word longer
    than the longest indexed prefix (:data:`LONGEST_PREFIX`; None: too many to list, or
    unknown). FTS5 answers such a prefix by merging the lists of every word it begins,
    whole, before it can skip through them: 30 ms for a word in every article of
    100,000. The same words named one by one are looked up as exact words (4 ms)."""
    words = _WORD.findall(text)
    if not words:
        return None
    typing = text[-1].isalnum()  # the last word is still being typed
    if typing and len(words) > 1 and len(words[-1]) < MIN_PREFIX:
        words.pop()  # "otter b": the "b" alone would match next to nothing, or everything
        typing = False
    quoted = [_quote(w) for w in words]
    if typing and len(words[-1]) >= MIN_PREFIX:
        last = words[-1]
        terms = None
        if expand is not None and len(last) > LONGEST_PREFIX and last.isascii():
            terms = expand(last.lower())
        if terms:
            quoted[-1] = "(" + " OR ".join(_quote(t) for t in terms) + ")"
        else:
            quoted[-1] += "*"
    return " AND ".join(quoted)


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """The range of index terms that begin with an ASCII ``prefix``: ``lo <= t < hi``."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def search_words(text: str) -> list[str]:
    """The words of ``text`` as the index splits them (a one-letter last word that is
    still being typed after others is left out, as :func:`fts_query` leaves it)."""
    words = _WORD.findall(text)
    if len(words) > 1 and text[-1:].isalnum() and len(words[-1]) < MIN_PREFIX:
        words.pop()
    return words


def like_patterns(text: str) -> list[str]:
    """One ``LIKE … ESCAPE '\\'`` pattern per word of ``text``: the word anywhere (so a
    word being typed matches as a prefix does). A one-letter word is left out (it is in
    nearly every passage); empty when no word is left."""
    return ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            for w in search_words(text) if len(w) >= MIN_PREFIX]


def feed_items(library: Library, text: str, *, limit: int) -> list[FeedItem]:
    """The newest ``limit`` feed items whose title, author or summary hold the words of
    ``text`` (the feeds' own index, the query made as for articles)."""
    from reader.library.feeds import Feeds

    if fts_query(text) is None:
        return []
    return Feeds(library).items(search=text, limit=limit)
