"""Turning what a person types into an FTS5 query that can never be a syntax error.

The library filters as you type, so every keystroke is a query: FTS5's own syntax
(quotes, ``AND``, ``NEAR``, column filters, ``*``) would make half-typed input fail.
Instead the words are taken out of the input and each is quoted, and the last one is a
prefix so that "photo" already finds "photosynthesis" while the word is being typed
(from its second letter on).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
# A one-letter prefix matches nearly every article: slow, and no help in finding one.
MIN_PREFIX = 2


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for ``text``; None when it holds no words at all."""
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    if (text[-1].isalnum() or text[-1] == "_") and len(words[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"  # still typing the last word
    return " ".join(quoted)
