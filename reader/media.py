"""What a run of bytes is, and how big it is, said one way everywhere.

Three parts of reader look at first bytes: the fetcher (a body sent without a
Content-Type), the library (the type of a stored figure image) and the sources (a file
handed to reader that is not a page). They share the one table below, so a format is
recognised — or not — the same way wherever it turns up. Sizes shown to people are in
binary units (KiB, MiB, GiB), the ones the caps are set in, through :func:`format_size`.
"""

from __future__ import annotations

import hashlib

KiB = 2**10
MiB = 2**20
GiB = 2**30


# (offset, bytes, media type, what a person calls it). Order matters where one
# signature starts another (AVIF before the generic ISO "ftyp" box).
MAGIC: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"%PDF-", "application/pdf", "a PDF document"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png", "a PNG image"),
    (0, b"\xff\xd8\xff", "image/jpeg", "a JPEG image"),
    (0, b"GIF87a", "image/gif", "a GIF image"),
    (0, b"GIF89a", "image/gif", "a GIF image"),
    (8, b"WEBP", "image/webp", "a WebP image"),
    (4, b"ftypavif", "image/avif", "an AVIF image"),
    (4, b"ftypavis", "image/avif", "an AVIF image"),
    (0, b"BM", "image/bmp", "a BMP image"),
    (0, b"PK\x03\x04", "application/zip", "a ZIP archive"),
    (0, b"\x1f\x8b", "application/gzip", "a gzip-compressed file"),
    (0, b"\x7fELF", "application/x-executable", "a program"),
    (0, b"ID3", "audio/mpeg", "an audio file"),
    (0, b"OggS", "audio/ogg", "an audio file"),
    (4, b"ftyp", "video/mp4", "a video"),
)
# Signatures too short to be trusted at the start of a text file (a page that happens
# to begin with "BM"): used for bodies that claim to be images, not to refuse files.
_WEAK = frozenset({b"BM"})


def _match(data: bytes, weak: bool) -> tuple[str, str] | None:
    for offset, magic, mime, name in MAGIC:
        if magic in _WEAK and not weak:
            continue
        if data[offset:offset + len(magic)] == magic:
            return mime, name
    return None


def sniff_type(data: bytes) -> str | None:
    """The media type of a body its first bytes give away (binary formats only)."""
    found = _match(data, weak=True)
    return found[0] if found else None


def image_type(data: bytes) -> str | None:
    """The image's media type from its first bytes, or None when it is not one we know
    (SVG included, which is text and so found by its root element)."""
    mime = sniff_type(data)
    if mime is not None:
        return mime if mime.startswith("image/") else None
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    return None


def describe_bytes(data: bytes) -> str | None:
    """What a person would call a file with these first bytes ("a PDF document"), for
    the formats people hand a reader by mistake; None for anything else."""
    found = _match(data, weak=False)
    return found[1] if found else None


def digest(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex: the name content-addressed storage keeps it by."""
    return hashlib.sha256(data).hexdigest()


def format_size(count: int) -> str:
    """A byte count for people, in binary units: "512 bytes", "12 KiB", "2 MiB",
    "1.5 MiB", "3.2 GiB"."""
    for unit, size in (("GiB", GiB), ("MiB", MiB)):
        if count >= size:
            if count % size == 0:
                return f"{count // size} {unit}"
            return f"{count / size:.1f} {unit}"
    if count >= KiB:
        return f"{count / KiB:.0f} KiB"
    return f"{count} byte" + ("" if count == 1 else "s")
