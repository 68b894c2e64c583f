"""Turning what a person types into an FTS5 query that can never be a syntax error.

The library filters as you type, so every keystroke is a query: FTS5's own syntax
(quotes, ``AND``, ``NEAR``, column filters, ``*``) would make half-typed input fail.
Instead the words are taken out of the input and each is quoted, and the last one is a
prefix so that "photo" already finds "photosynthesis" while the word is being typed
(from its second letter on; a first letter typed after other words waits for the second).

A word here is what the index's tokenizer makes one token (letters and digits, not the
underscore): the index keeps no word positions, so a quoted phrase of two tokens would
be an error, and splitting the same way means there never is one.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A one-letter prefix matches nearly every article: slow, and no help in finding one.
MIN_PREFIX = 2


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for ``text``; None when it holds no words at all."""
    words = _WORD.findall(text)
    if not words:
        return None
    typing = text[-1].isalnum()  # the last word is still being typed
    if typing and len(words) > 1 and len(words[-1]) < MIN_PREFIX:
        words.pop()  # "otter b": the "b" alone would match next to nothing, or everything
        typing = False
    quoted = ['"' + w + '"' for w in words]
    if typing and len(words[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"
    return " ".join(quoted)
