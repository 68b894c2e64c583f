"""Addresses: the one place that decides what kind of address a string is.

"Is this a web address?" was asked a dozen ways (``startswith(("http://", "https://"))``,
``urlsplit(...).scheme in (...)``, a regex); each answered a little differently for
upper case, surrounding spaces or a missing host. The answers live here:

* :func:`is_url` — anything with a ``scheme://`` (what the command line treats as an
  address rather than a file name);
* :func:`is_web_url` — an ``http``/``https`` address naming a server: the only kind
  reader fetches;
* :func:`web_url` — the strict form for addresses from a file a stranger may have
  written (import files): controls, invisible characters or spaces inside refuse it.
"""

from __future__ import annotations

import hashlib
import re
from typing import TypeGuard

from reader.errors import SourceError

WEB_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# http(s)://, optional user info, then a host: a bracketed IPv6 literal or a name.
_WEB_URL = re.compile(r"^https?://(?:[^/?#@]*@)?(?:\[[0-9a-fA-F:.]+\]|[^/?#:@\[\]]+)",
                      re.IGNORECASE)


def scheme(url: str) -> str:
    """The address's scheme in lower case ("https", "mailto"), or "" when it has none."""
    match = _SCHEME.match(url.strip())
    return match.group(1).lower() if match else ""


def is_url(source: str) -> bool:
    """Whether ``source`` is written as an address (``scheme://…``), not a file name."""
    return _URL.match(source) is not None


def is_web_url(url: str | None) -> TypeGuard[str]:
    """Whether ``url`` is an http(s) address naming a server: what reader fetches."""
    return url is not None and _WEB_URL.match(url.strip()) is not None


def web_url(value: object) -> str | None:
    """``value`` as an http(s) URL with a host, or None — also None when it holds a
    control, an invisible (bidi, zero-width) character or a space, which no real
    address does and which could disguise where it leads."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    # Python counts controls, format characters (bidi, zero-width) and every separator
    # but the ASCII space as not printable: one C-level test for all of them.
    if not url.isprintable() or " " in url:
        return None
    return url if is_web_url(url) else None


def describe(source: str) -> str:
    """How to name a SOURCE in a sentence."""
    return "standard input" if source == "-" else source


def check_scheme(url: str) -> None:
    """SourceError unless ``url`` is one reader opens (http or https)."""
    found = scheme(url) or url.split(":", 1)[0].lower()
    if found not in WEB_SCHEMES:
        raise SourceError(f"reader opens http and https addresses, not {found}: ones.")


def stdin_url(data: bytes) -> str:
    """A name for a page read from a pipe: the same bytes get the same name, so saving,
    bookmarks and reading positions of two different piped pages never mix."""
    return "stdin:sha256-" + hashlib.sha256(data).hexdigest()[:24]
