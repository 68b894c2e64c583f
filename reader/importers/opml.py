"""Feed subscriptions in OPML, the file every feed reader exports and imports.

Each ``<outline xmlUrl=…>`` is a subscription; the outlines around it are folders, and a
folder becomes a tag (nested folders give one tag, "News/Science"). A feed that sits in
several folders is one subscription with several tags. The file is read with lxml with
entities and the network switched off: an OPML file is a stranger's XML.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reader.errors import ImportFormatError, SourceError
from reader.importers.base import ImportEntry, web_url
from reader.sanitize import clean_text

MAX_OPML_BYTES = 64 * 2**20
FOLDER_SEPARATOR = "/"


def looks_like_opml(head: str) -> bool:
    """True when the start of a file is an OPML document."""
    text = head.lstrip("\ufeff \t\r\n")[:4096].lower()
    return text.startswith("<") and "<opml" in text


def parse(text: str, name: str = "the file") -> list[ImportEntry]:
    """Every subscription in the OPML ``text``; ImportFormatError when it is not OPML."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(text.lstrip("\ufeff \t\r\n").encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise ImportFormatError(f"{name} is not well-formed OPML (line {line}: "
                                f"{_one_line(exc.msg or 'broken XML')}).") from None
    except ValueError:
        raise ImportFormatError(f"{name} is not well-formed OPML.") from None
    if not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise ImportFormatError(f"{name} is XML but not OPML (its root is not <opml>).")
    found: dict[str, ImportEntry] = {}
    body = next((child for child in root if isinstance(child.tag, str)
                 and child.tag.lower() == "body"), None)
    if body is not None:
        _walk(body, (), found)
    if not found:
        raise ImportFormatError(f"{name} is OPML but holds no feed subscriptions "
                                "(no outline with an xmlUrl).")
    return list(found.values())


def _walk(element: object, folders: tuple[str, ...], found: dict[str, ImportEntry]) -> None:
    from lxml import etree

    assert isinstance(element, etree._Element)
    for child in element:
        if not isinstance(child.tag, str) or child.tag.lower() != "outline":
            continue
        label = _one_line(child.get("title") or child.get("text") or "")
        url = web_url(clean_text(child.get("xmlUrl") or child.get("xmlurl") or "").strip())
        if url is not None:
            tag = FOLDER_SEPARATOR.join(folders)
            tags = (tag,) if tag else ()
            if url in found:
                old = found[url]
                merged = old.tags + tuple(t for t in tags if t not in old.tags)
                found[url] = ImportEntry(url=url, title=old.title, tags=merged)
            else:
                found[url] = ImportEntry(url=url, title=label, tags=tags)
        elif len(child):
            _walk(child, (*folders, label) if label else folders, found)


def _one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def wanted(source: str, format: str) -> bool:
    """Should ``reader import SOURCE`` read subscriptions rather than a reading list?"""
    if format == "opml":
        return True
    if format != "auto":
        return False
    if source == "-":
        peek = getattr(sys.stdin.buffer, "peek", None)
        head = peek(4096) if callable(peek) else b""
    else:
        try:
            with Path(source).expanduser().open("rb") as handle:
                head = handle.read(4096)
        except OSError:
            return False  # the reading-list path says what is wrong with the file
    return looks_like_opml(head.decode("utf-8", "replace"))


def read_opml(source: str) -> list[ImportEntry]:
    """The subscriptions of the OPML file at ``source`` (or ``-``), checked completely."""
    if source == "-":
        name = "standard input"
        data = sys.stdin.buffer.read(MAX_OPML_BYTES + 1)
    else:
        path = Path(source).expanduser()
        name = path.name or source
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SourceError(f"There is no file {source}.") from None
        except IsADirectoryError:
            raise SourceError(f"{source} is a folder, not an OPML file.") from None
        except OSError as exc:
            raise SourceError(f"{source} cannot be read: {exc.strerror or exc}.") from None
    if len(data) > MAX_OPML_BYTES:
        raise ImportFormatError(f"{name} is larger than {MAX_OPML_BYTES // 2**20} MiB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFormatError(f"Line {line} of {name} is not UTF-8 text.") from None
    return parse(text, name)
