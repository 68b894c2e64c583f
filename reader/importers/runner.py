"""The import job: fetch, extract and save every entry of an export, a few at a time.

Why it works this way:

* **Bounded concurrency, one client.** A reading list can hold thousands of links; a
  semaphore (``jobs``) keeps a few fetches in flight over one shared
  :class:`~reader.fetch.Fetcher`, and extraction (CPU work) runs in a thread so the event
  loop — the app's, when the library screen starts an import — stays responsive.
* **One commit per entry.** Each article (or failed link) is saved as soon as it is done,
  so an interrupted import loses only what was in flight, and running it again skips
  what is already in the library: imports are idempotent on the URL, whether the entry's
  own, the one it redirected to, or the page's canonical one.
* **Failures are kept, not dropped.** A link that cannot be had is saved as an unread
  link carrying its one-sentence reason; ``retry_failed`` tries those again (otherwise
  they are skipped like everything else already there).
* **The export's knowledge wins where the page has none:** the original added time,
  tags, archived/favourite state, and the title when extraction finds no title.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, Literal

from reader.errors import FetchError, ImportFormatError, ReaderError, SourceError
from reader.importers import detect, parse
from reader.importers.base import ImportEntry
from reader.media import format_size
from reader.sanitize import clean_text

if TYPE_CHECKING:
    from reader.document import Article
    from reader.fetch import Fetcher, FetchResult
    from reader.library import Library

Outcome = Literal["imported", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class EntryResult:
    """What happened to one entry; handed to ``on_entry`` as each one completes."""

    entry: ImportEntry
    outcome: Outcome
    article_id: int | None  # the library id (also for failed links and skipped entries)
    error: str | None = None  # the failure sentence, kept in the library too
    failed_before: bool = False  # skipped because an earlier attempt failed
    retryable: bool = False  # failed for a reason that may pass (a timeout, a 503)


@dataclass
class ImportSummary:
    imported: int = 0
    failed: int = 0
    skipped: int = 0
    skipped_failed: int = 0  # of the skipped: links whose earlier attempt had failed
    retryable: int = 0  # of the failed: those that may work later (timeouts, 429, 5xx)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, sentence)

    def add(self, result: EntryResult) -> None:
        if result.outcome == "imported":
            self.imported += 1
        elif result.outcome == "failed":
            self.failed += 1
            self.retryable += result.retryable
            self.failures.append((result.entry.url, result.error or ""))
        else:
            self.skipped += 1
            self.skipped_failed += result.failed_before

    @property
    def done(self) -> int:
        return self.imported + self.failed + self.skipped

    def sentence(self) -> str:
        failed = f"failed {self.failed}"
        if self.failed and self.retryable:
            failed += (f" (reader list --json shows why; {self.retryable} of them may work "
                       "later with --retry-failed)")
        elif self.failed:
            failed += " (reader list --json shows why)"
        skipped = f"skipped {self.skipped} already in the library"
        if self.skipped_failed:
            skipped += (f" ({self.skipped_failed} of them failed before; --retry-failed "
                        "tries again)")
        return f"Imported {self.imported}, {failed}, {skipped}."


# ---------------------------------------------------------------------- reading a file

# An export file is a stranger's file too: everything is capped *before* it is parsed,
# so that a small zip of a huge member, or a JSON file of millions of tiny values, is
# refused in a sentence rather than filling memory (the limits keep an import of even a
# hostile file under a few hundred MB and a few seconds; see benchmarks/import_bombs.py).
MAX_FILE_BYTES = 64 * 2**20  # an export (or the JSON of a zip, all members) larger than
# this is not a reading list: Pocket's CSV of 10,000 links is about 2 MiB
MAX_LINES = 500_000  # of a CSV, bookmark or URL file: each line may become an entry
MAX_ZIP_BYTES = MAX_FILE_BYTES  # uncompressed, all the zip's metadata members together
MAX_ZIP_ENTRIES = 50_000  # files in a zip (Omnivore's hold one per article, plus lists)


def read_export(source: str, format: str = "auto", *, stdin: BinaryIO | None = None
                ) -> list[ImportEntry]:
    """The entries of the export at ``source`` (a path, or ``-`` for standard input),
    checked completely; ImportFormatError/SourceError with one sentence otherwise."""
    if source == "-":
        name = "standard input"
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = _read_capped(stream, MAX_FILE_BYTES)
    else:
        path = Path(source).expanduser()
        name = path.name or source
        try:
            with path.open("rb") as handle:
                data = _read_capped(handle, MAX_FILE_BYTES)
        except FileNotFoundError:
            raise SourceError(f"There is no file {source}.") from None
        except IsADirectoryError:
            raise SourceError(f"{source} is a folder, not an export file.") from None
        except OSError as exc:
            raise SourceError(f"{source} cannot be read: {exc.strerror or exc}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise ImportFormatError(f"{name} is larger than {format_size(MAX_FILE_BYTES)}, "
                                "more than any reading list; reader does not import it.")
    try:
        text = _zip_json(data, name) if data.startswith(b"PK\x03\x04") else _text(data, name)
        del data  # only the text is needed from here on
        if format == "auto":
            format = detect(text, name)
        if format == "opml":
            # Feeds, not articles (the CLI hands these to the feeds before coming here).
            raise ImportFormatError(
                f"{name} is an OPML list of feed subscriptions, not a reading list; "
                f"`reader import {name}` subscribes to its feeds.")
        if format not in ("omnivore", "wallabag") and text.count("\n") > MAX_LINES:
            raise ImportFormatError(f"{name} has more than {MAX_LINES:,} lines, more than "
                                    "any reading list; reader does not import it.")
        return parse(text, format, name)
    except ReaderError:
        raise
    except RecursionError:
        raise ImportFormatError(f"{name} is nested too deeply to be an export.") from None
    except MemoryError:
        raise ImportFormatError(f"{name} needs more memory to read than reader has.") \
            from None
    except Exception as exc:  # a parser tripped by a stranger's file: say so, no traceback
        raise ImportFormatError(f"{name} could not be read as an export "
                                f"({type(exc).__name__}: {exc}).") from None


def _read_capped(stream: IO[bytes], cap: int) -> bytes:
    """At most ``cap + 1`` bytes of ``stream``, read in pieces: ``read(cap + 1)`` would
    reserve the whole cap up front even for a file of a few lines."""
    data = bytearray()
    while len(data) <= cap:
        piece = stream.read(min(2**20, cap + 1 - len(data)))
        if not piece:
            break
        data += piece
    return bytes(data)


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:8192]:  # an image, a database, a PDF: no reading list at all
            raise ImportFormatError(f"{name} is a binary file, not a reading list (CSV, "
                                    "JSON, HTML bookmarks or a list of URLs).") from None
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFormatError(f"Line {line} of {name} is not UTF-8 text.") from None


def _zip_entries(data: bytes, cap: int) -> int:
    """How many files the zip's central directory lists, counted up to ``cap + 1``
    before :mod:`zipfile` builds an object for each (a few bytes of a forged directory
    can list millions). 0 when the directory cannot be found: zipfile will say why."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return 0
    size, offset = struct.unpack_from("<LL", data, end + 12)
    if offset == 0xFFFFFFFF or size == 0xFFFFFFFF:  # ZIP64: the ZIP64 end record knows
        z64 = data.rfind(b"PK\x06\x06", 0, end)
        if z64 < 0 or len(data) < z64 + 56:
            return 0
        size, offset = struct.unpack_from("<QQ", data, z64 + 40)
    # Data glued before the zip (a self-extractor) shifts every offset alike.
    offset += max(0, end - size - offset)
    position, count = offset, 0
    while (count <= cap and data[position:position + 4] == b"PK\x01\x02"
           and len(data) >= position + 46):
        name, extra, comment = struct.unpack_from("<HHH", data, position + 28)
        position += 46 + name + extra + comment
        count += 1
    return count


def _zip_json(data: bytes, name: str) -> str:
    """Omnivore handed out a zip of ``metadata_*.json`` lists: one list of them all.

    Sizes are checked before anything is unpacked — the number of files, then each
    member's announced size and their sum — and again while reading, since a zip's
    headers can lie about sizes."""
    import json

    from reader.importers.base import check_json_values

    if _zip_entries(data, MAX_ZIP_ENTRIES) > MAX_ZIP_ENTRIES:
        raise ImportFormatError(f"{name} holds more than {MAX_ZIP_ENTRIES:,} files, more "
                                "than any export; reader does not import it.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise ImportFormatError(f"{name} holds more than {MAX_ZIP_ENTRIES:,} "
                                        "files; reader does not import it.")
            members = sorted(
                (m for m in infos
                 if m.filename.lower().endswith(".json") and not m.is_dir()
                 and Path(m.filename).name.startswith("metadata")),
                key=lambda m: m.filename)
            if not members:
                raise ImportFormatError(f"{name} is a zip without the metadata_*.json "
                                        "files of an Omnivore export.")
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise _zip_too_large(name)
            items: list[object] = []
            left = MAX_ZIP_BYTES
            for member in members:
                label = f"{member.filename} in {name}"
                with archive.open(member) as stream:
                    raw = _read_capped(stream, left)  # headers may lie: count what comes
                if len(raw) > left:
                    raise _zip_too_large(name)
                left -= len(raw)
                text = _text(raw, label)
                del raw
                check_json_values(text, label)
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ImportFormatError(
                        f"{label} is not valid JSON (line {exc.lineno}, "
                        f"column {exc.colno}: {exc.msg}).") from None
                except RecursionError:
                    raise ImportFormatError(f"{label} is JSON nested too deeply to be an "
                                            "export.") from None
                if not isinstance(value, list):
                    raise ImportFormatError(f"{label} is not a list of entries.")
                items.extend(value)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError,
            zlib.error, OSError) as exc:
        raise ImportFormatError(f"{name} is a damaged zip file ({exc}).") from None
    return json.dumps(items)


def _zip_too_large(name: str) -> ImportFormatError:
    return ImportFormatError(f"The lists in {name} unpack to more than "
                             f"{format_size(MAX_ZIP_BYTES)}, more than any reading list; "
                             "reader does not import it.")


def unique(entries: Iterable[ImportEntry]) -> list[ImportEntry]:
    """Entries without repeats of a URL (the first one kept, the tags of all)."""
    found: dict[str, ImportEntry] = {}
    for entry in entries:
        first = found.get(entry.url)
        if first is None:
            found[entry.url] = entry
        elif not set(entry.tags) <= set(first.tags):
            tags = first.tags + tuple(t for t in entry.tags if t not in first.tags)
            found[entry.url] = dataclasses.replace(first, tags=tags)
    return list(found.values())


def failed_entries(library: Library) -> list[ImportEntry]:
    """The library's links whose import failed, as entries to try again."""
    return [ImportEntry(url=e.url, title=e.title, added=e.saved_at, tags=e.tags,
                        archived=e.archived, favourite=e.favourite)
            for e in reversed(library.entries(sort="saved")) if e.error]


# ---------------------------------------------------------------------- the job


async def run_import(entries: Sequence[ImportEntry], library: Library, fetcher: Fetcher,
                     jobs: int = 4, *, retry_failed: bool = False, images: bool = True,
                     on_entry: Callable[[EntryResult], None] | None = None) -> ImportSummary:
    """Fetch, extract and save every entry, ``jobs`` at a time; each is committed as it
    completes and reported to ``on_entry`` (called on the event loop)."""
    summary = ImportSummary()
    gate = asyncio.Semaphore(max(1, jobs))

    async def one(entry: ImportEntry) -> None:
        async with gate:
            result = await _import_one(entry, library, fetcher, retry_failed, images)
        summary.add(result)
        if on_entry is not None:
            on_entry(result)

    try:
        async with asyncio.TaskGroup() as group:
            for entry in unique(entries):
                group.create_task(one(entry))
    except BaseExceptionGroup as exc:
        # One task's failure (the library, a bug) ends the job; say it plainly.
        raise exc.exceptions[0] from None
    return summary


def _previous(library: Library, url: str) -> tuple[int, str | None] | None:
    article_id = library.find(url)
    if article_id is None:
        return None
    return article_id, library.get(article_id).error


async def _import_one(entry: ImportEntry, library: Library, fetcher: Fetcher,
                      retry_failed: bool, images: bool) -> EntryResult:
    from reader.library import download_images

    previous = await asyncio.to_thread(_previous, library, entry.url)
    if previous is not None and (previous[1] is None or not retry_failed):
        return EntryResult(entry, "skipped", previous[0], previous[1],
                           failed_before=previous[1] is not None)
    html: bytes | None = None
    final_url = entry.url
    reason: str | None = None
    retryable = False
    try:
        result = await fetcher.fetch(entry.url)
    except FetchError as exc:
        reason, retryable = exc.sentence, exc.retryable
    else:
        final_url, html = result.url, result.body
        if result.url != entry.url:
            there = await asyncio.to_thread(_previous, library, result.url)
            if there is not None and there[1] is None:
                return EntryResult(entry, "skipped", there[0])
        try:
            article = await asyncio.to_thread(_article, result)
        except SourceError as exc:
            reason = exc.sentence
        except Exception as exc:  # a page that trips extraction must not end the import
            reason = clean_text(f"reader could not read this page as an article "
                                f"({type(exc).__name__}: {exc}).")
    if reason is not None:
        if not entry.content:
            return await _failed(entry, library, reason, retryable)
        try:  # the page is gone, but the service kept its text (wallabag)
            article = await asyncio.to_thread(_article_from_copy, entry)
        except Exception:
            return await _failed(entry, library, reason, retryable)
        html = entry.content.encode("utf-8")
    if article.url and article.url not in (entry.url, final_url):
        there = await asyncio.to_thread(_previous, library, article.url)
        if there is not None and there[1] is None:
            return EntryResult(entry, "skipped", there[0])
    if not article.title and entry.title:
        article = dataclasses.replace(article, title=entry.title)
    found = await download_images(article, fetcher, final_url) if images else {}
    article_id = await asyncio.to_thread(
        library.save, article, source_url=entry.url, html=html, images=found,
        saved_at=entry.added, tags=entry.tags, archived=entry.archived,
        favourite=entry.favourite)
    return EntryResult(entry, "imported", article_id)


def _article(result: FetchResult) -> Article:
    from reader.sources import article_from_fetch

    return article_from_fetch(result)


def _article_from_copy(entry: ImportEntry) -> Article:
    from reader.sources import article_from_page

    assert entry.content is not None
    return article_from_page(entry.content.encode("utf-8"), entry.url, entry.url, "utf-8")


async def _failed(entry: ImportEntry, library: Library, sentence: str,
                  retryable: bool = False) -> EntryResult:
    article_id = await asyncio.to_thread(
        library.save_link, entry.url, title=entry.title or None, error=sentence,
        saved_at=entry.added, tags=entry.tags, archived=entry.archived,
        favourite=entry.favourite)
    return EntryResult(entry, "failed", article_id, sentence, retryable=retryable)
