"""Bytes to text, the way a browser would, without ever raising.

The order is the one browsers use: a byte-order mark wins, then the charset the server
declared, then the page's own ``<meta charset>`` / ``http-equiv``, then UTF-8 if the bytes
are valid UTF-8, then statistical detection. Labels are mapped as the WHATWG Encoding
standard maps them (``iso-8859-1`` and ``ascii`` mean windows-1252), and bytes that do
not decode are replaced, so a broken page still reads.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""")
# WHATWG: these labels are decoded as windows-1252 by every browser.
_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252", "iso_8859-1": "cp1252",
    "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "iso-8859-9": "cp1254", "tis-620": "cp874", "iso-8859-11": "cp874",
    "utf8": "utf-8", "unicode": "utf-16-le", "ucs-2": "utf-16-le", "utf-16": "utf-16-le",
}


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for an HTTP/HTML charset label, or ``None`` if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page cannot really be UTF-16 if it declares so inside ASCII-compatible bytes.
    return name


def sniff_charset(data: bytes) -> str | None:
    """The charset the page declares about itself in its first kilobytes."""
    head = data[:4096]
    match = _XML_DECLARATION.match(head) or _META_CHARSET.search(head)
    if not match:
        return None
    name = normalise_charset(match.group(1).decode("ascii", "replace"))
    if name and name.startswith("utf-16"):
        return "utf-8"  # a meta tag readable as ASCII means the bytes are not UTF-16
    return name


def decode_html(data: str | bytes, encoding: str | None = None) -> str:
    """The text of a page; never raises, whatever the bytes."""
    if isinstance(data, str):
        return data
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, "replace")
    for candidate in (normalise_charset(encoding), sniff_charset(data)):
        if candidate:
            return data.decode(candidate, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return data.decode(_detect(data), "replace")


def _detect(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
    except Exception:
        best = None
    if best is not None and best.encoding:
        return normalise_charset(best.encoding) or "cp1252"
    return "cp1252"
