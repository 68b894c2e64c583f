"""Removal of terminal control characters from article text.

Article text comes from strangers' web pages and ends up on a terminal. A stray ESC
(``\\x1b[2J``), an OSC 52 clipboard write, a C1 CSI (``\\x9b``) or a bidi override could
repaint the screen, set the clipboard or disguise text. Every string that comes from a
page, a server or an import file is cleaned once, at the edge where it enters reader:
extraction (text with :func:`clean_text`, every address — links, images, canonical,
``og:url`` — with :func:`clean_url`), the fetcher (the final URL after redirects, the
Content-Type) and the importers (titles, tags; addresses holding controls are refused).
Everything downstream trusts the model.

Addresses get the stricter :func:`clean_url`: besides controls, the invisible formatting
characters (left-to-right/right-to-left marks, zero-width spaces, soft hyphens) go, since
in an address they only ever disguise where it leads; whitespace is removed at the ends,
tabs and newlines anywhere (as browsers do), and any other space is percent-encoded so
the address stays one word.
"""

from __future__ import annotations

import re

# C0 controls but TAB and LF; DEL; C1 controls; bidi embeddings, overrides and isolates
# (the "Trojan Source" set); interlinear annotation marks; the replacement-object mark.
# Lone surrogates cannot be written to a UTF-8 terminal at all.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\ufffc"
    "\ud800-\udfff]"
)
# Whitespace-like controls become a space rather than vanish, so words stay apart.
_SPACELIKE = str.maketrans({"\x0b": " ", "\x0c": " ", "\x85": " ", "\u2028": " ", "\u2029": " "})
# A whole escape sequence goes, not only its ESC: "\x1b[31m" must not leave "[31m" behind.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, ended by BEL or ST
    r"|[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|[ -/]*[0-~])?"  # two- and three-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"  # 8-bit OSC
)


def clean_text(text: str) -> str:
    """Return ``text`` without terminal control characters or escape sequences.

    Newlines and tabs survive; CR and CRLF become LF. Idempotent.
    """
    if text.isprintable():  # the common case: nothing to do, and fast
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_SPACELIKE)
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _CONTROL.sub("", text)


# Unicode "format" characters (category Cf) and whitespace that have no place in an
# address: bidi marks, zero-width (non-)joiners and spaces, word joiner, soft hyphen, BOM…
_URL_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
_URL_TAB_NEWLINE = re.compile("[\t\n\r]")
_URL_SPACE = re.compile(r"\s")


def clean_url(url: str) -> str:
    """``url`` without controls, escape sequences, bidi or invisible formatting
    characters; surrounding whitespace stripped, tabs and newlines dropped, other spaces
    percent-encoded. Idempotent; an address that was all junk becomes ``""``."""
    if url.isprintable() and url.isascii() and " " not in url:
        return url  # the common case: nothing to do, and fast
    url = _URL_TAB_NEWLINE.sub("", clean_text(url))
    url = _URL_INVISIBLE.sub("", url).strip()
    return _URL_SPACE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def is_clean(text: str) -> bool:
    """True when ``text`` holds nothing :func:`clean_text` would remove."""
    return clean_text(text) == text
