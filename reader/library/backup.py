"""A lossless backup of the library in one zip, and a restore that merges it back.

Why it is built this way:

* **One archive a person can inspect**: ``manifest.json`` holds every article's fields,
  tags, states and its cleaned Article, plus every reading position, bookmark, history
  row, highlight and feed subscription (its address, title, folders and options; its
  items come again with the next refresh); ``pages/N.html`` is the page as it was
  received; ``images/<sha256>`` the pictures, each once. Nothing else is allowed in it.
* **Restore merges, never duplicates**: articles are matched on their key URL (canonical,
  else source) as the library itself does. Tags and bookmarks are joined; the article's
  text and its flags come from whichever side changed last (the row's ``updated_at`` and
  its reading position's time), a reading position by its own time, and on a tie the
  library keeps what it has — so restoring the same archive twice changes nothing.
* **A hostile archive changes nothing**: every member name is checked against the three
  shapes above (no path ever reaches the file system, so zip-slip has nowhere to go), each
  member's size is capped and read with the cap (the header is not trusted, so a bomb
  stops early), every field's type is checked and every string cleaned of terminal
  controls, every picture's hash verified — all before the first write. The writes are one
  transaction: any failure rolls back to the library as it was.
* The library's own ``save``/``save_link`` write the articles (so the stored form stays
  the store's business); they are run inside the restore's one transaction by lending
  them its connection (:func:`_one_transaction`). Positions, bookmarks and history keep
  their original times, so they are written here with SQL on that connection.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader import __version__
from reader.document import Article
from reader.errors import LibraryError
from reader.library.store import Library
from reader.sanitize import clean_text

FORMAT = "reader-tui-backup"
VERSION = 1

MAX_MEMBERS = 500_000
MAX_MANIFEST = 1 << 30  # 1 GiB of JSON
MAX_PAGE = 64 << 20  # the fetcher's cap is 20 MiB of decoded page
MAX_IMAGE = 64 << 20
MAX_TOTAL = 32 << 30  # everything, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MiB (a bomb's tell)

_PAGE = re.compile(r"pages/(\d{1,9})\.html")
_IMAGE = re.compile(r"images/([0-9a-f]{64})")


# Highlights (passages marked while reading) live in a table of their own when the
# library has one; an archive from a library without it simply has none.
_HIGHLIGHT_COLUMNS = ("url", "start_block", "start_offset", "end_block", "end_offset",
                      "exact", "prefix", "suffix", "note", "section", "created", "updated")
_HIGHLIGHT_NUMBERS = ("start_block", "start_offset", "end_block", "end_offset")
_HIGHLIGHT_TEXTS = ("exact", "prefix", "suffix", "note", "section")


def _has_table(library: Library, name: str) -> bool:
    return bool(library._read("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                              (name,)))


class ArchiveError(LibraryError):
    """A backup archive that cannot be restored; the sentence says why."""


@dataclass(frozen=True)
class BackupSummary:
    articles: int
    bookmarks: int
    images: int
    feeds: int = 0


@dataclass
class RestoreResult:
    added: list[int] = field(default_factory=list)  # ids of articles new to the library
    updated: list[int] = field(default_factory=list)  # ids whose text or state changed
    unchanged: int = 0
    bookmarks: int = 0  # bookmarks added
    history: int = 0  # history rows added
    highlights: int = 0  # highlights added
    feeds: int = 0  # feed subscriptions added

    def sentence(self) -> str:
        added = [f"{self.bookmarks} bookmarks", f"{self.history} history entries"]
        if self.highlights:
            added.append(f"{self.highlights} highlights")
        if self.feeds:
            added.append(f"{self.feeds} feed subscription{'s' if self.feeds != 1 else ''}")
        return (f"Restored {len(self.added)} new articles, updated {len(self.updated)}, "
                f"{self.unchanged} already as in the archive; added "
                + ", ".join(added[:-1]) + " and " + added[-1] + ".")

    def as_json(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "bookmarks": self.bookmarks, "history": self.history,
                "highlights": self.highlights, "feeds": self.feeds}


# ---------------------------------------------------------------------- backup


def write_backup(library: Library, path: Path, *, overwrite: bool = False) -> BackupSummary:
    """Write the whole library to ``path`` (a zip), atomically: a temporary file beside it
    renamed over the name, so a crash leaves no half archive and a link planted at the
    name is replaced, not followed."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise LibraryError(f"{path} is a folder; name the archive file to write.")
    if path.exists() and not overwrite:
        raise LibraryError(f"{path} exists already; use --force to replace it.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}-",
                                   suffix=".tmp")
    except OSError as exc:
        raise LibraryError(f"{path} cannot be written: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            summary = _write_members(library, archive)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise LibraryError(f"{path} cannot be written: {exc.strerror or exc}.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return summary


def _write_members(library: Library, archive: zipfile.ZipFile) -> BackupSummary:
    conn = library._conn
    written_images: set[str] = set()
    articles: list[dict[str, Any]] = []
    with library._lock:
        conn.execute("BEGIN")  # one snapshot of the whole library
        try:
            rows = library._read(
                "SELECT id, url, source_url, title, byline, site_name, published,"
                " reading_minutes, saved_at, updated_at, archived, favourite, error"
                " FROM articles ORDER BY id")
            for n, row in enumerate(rows):
                saved = library.get(int(row["id"]))
                record: dict[str, Any] = {
                    "url": row["url"], "source_url": row["source_url"], "title": row["title"],
                    "byline": row["byline"], "site_name": row["site_name"],
                    "published": row["published"], "reading_minutes": row["reading_minutes"],
                    "saved_at": row["saved_at"], "updated_at": row["updated_at"],
                    "archived": bool(row["archived"]), "favourite": bool(row["favourite"]),
                    "error": row["error"], "tags": list(saved.tags),
                    "article": None, "page": None, "images": {}}
                if library._read("SELECT 1 FROM article_content WHERE article_id = ?",
                                 (saved.id,)):
                    record["article"] = json.loads(saved.article.to_json())
                html = saved.html
                if html is not None:
                    name = f"pages/{n}.html"
                    archive.writestr(_info(name, zipfile.ZIP_DEFLATED), html)
                    record["page"] = name
                for src, data in library.images(saved.id).items():
                    sha = hashlib.sha256(data).hexdigest()
                    if sha not in written_images:
                        archive.writestr(_info(f"images/{sha}", zipfile.ZIP_STORED), data)
                        written_images.add(sha)
                    record["images"][src] = sha
                articles.append(record)
            positions = [dict(r) for r in library._read(
                'SELECT url, block, "offset", progress, updated_at FROM positions ORDER BY url')]
            bookmarks = [dict(r) for r in library._read(
                'SELECT url, title, section, snippet, note, block, "offset", created'
                " FROM bookmarks ORDER BY id")]
            history = [dict(r) for r in library._read(
                "SELECT url, title, opened_at FROM history ORDER BY id")]
            highlights = ([dict(r) for r in library._read(
                f"SELECT {', '.join(_HIGHLIGHT_COLUMNS)} FROM highlights ORDER BY id")]
                if _has_table(library, "highlights") else [])
            feeds = _feed_rows(library) if _has_table(library, "feeds") else []
        finally:
            conn.execute("COMMIT")
    manifest = {"format": FORMAT, "version": VERSION, "reader": __version__,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "articles": articles, "positions": positions, "bookmarks": bookmarks,
                "history": history, "highlights": highlights, "feeds": feeds}
    archive.writestr(_info("manifest.json", zipfile.ZIP_DEFLATED),
                     json.dumps(manifest, ensure_ascii=False, indent=1))
    return BackupSummary(len(articles), len(bookmarks), len(written_images), len(feeds))


def _feed_rows(library: Library) -> list[dict[str, Any]]:
    """The subscriptions as a person set them up: address, title, folders, options. Not
    the items (the next refresh brings them) nor the refresh bookkeeping."""
    tags: dict[int, list[str]] = {}
    for row in library._read("SELECT feed_id, tag FROM feed_tags ORDER BY tag"):
        tags.setdefault(int(row["feed_id"]), []).append(row["tag"])
    return [{"url": row["url"], "title": row["title"], "site_url": row["site_url"],
             "added_at": row["added_at"], "full_text": bool(row["full_text"]),
             "save_new": bool(row["save_new"]), "tags": tags.get(int(row["id"]), [])}
            for row in library._read("SELECT id, url, title, site_url, added_at, full_text,"
                                     " save_new FROM feeds ORDER BY id")]


def _info(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
    info.compress_type = compression
    info.external_attr = 0o600 << 16
    return info


# ---------------------------------------------------------------------- reading an archive


class _Archive:
    """An opened archive whose member list has passed the checks; members are read with
    their caps, never trusting the sizes in the headers."""

    def __init__(self, path: Path, zf: zipfile.ZipFile) -> None:
        self.path = path
        self.zf = zf
        self.pages: dict[str, zipfile.ZipInfo] = {}
        self.images: dict[str, zipfile.ZipInfo] = {}
        self.manifest: zipfile.ZipInfo | None = None

    def bad(self, why: str) -> ArchiveError:
        return ArchiveError(f"The archive {self.path} cannot be restored: {why}; "
                            "nothing was changed.")

    def check_members(self) -> None:
        infos = self.zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise self.bad(f"it holds {len(infos)} files, more than a backup ever does")
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            if name in seen:
                raise self.bad(f"the name {clean_text(name)!r} appears twice")
            seen.add(name)
            if info.flag_bits & 0x1:
                raise self.bad("it is encrypted")
            if name == "manifest.json":
                self.manifest, cap = info, MAX_MANIFEST
            elif _PAGE.fullmatch(name):
                self.pages[name], cap = info, MAX_PAGE
            elif (match := _IMAGE.fullmatch(name)) is not None:
                self.images[match.group(1)], cap = info, MAX_IMAGE
            else:
                raise self.bad(f"it holds {clean_text(name)[:80]!r}, which is not part of a "
                               "reader backup")
            if info.file_size > cap:
                raise self.bad(f"{name} is larger than reader ever writes")
            if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(
                    1, info.compress_size):
                raise self.bad(f"{name} expands {info.file_size // max(1, info.compress_size)}"
                               " times (a zip bomb)")
            total += info.file_size
            if total > MAX_TOTAL:
                raise self.bad("it expands to more than 32 GiB")
        if self.manifest is None:
            raise self.bad("it has no manifest.json (is it a reader backup?)")

    def read(self, info: zipfile.ZipInfo, cap: int) -> bytes:
        try:
            with self.zf.open(info) as member:
                data = member.read(min(cap, info.file_size) + 1)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                NotImplementedError) as exc:
            raise self.bad(f"{info.filename} is damaged ({exc})") from None
        if len(data) > info.file_size or len(data) > cap:
            raise self.bad(f"{info.filename} is larger than its header says")
        return data

    def image(self, sha: str) -> bytes:
        info = self.images.get(sha)
        if info is None:
            raise self.bad(f"the picture {sha[:12]}… named in the manifest is missing")
        data = self.read(info, MAX_IMAGE)
        if hashlib.sha256(data).hexdigest() != sha:
            raise self.bad(f"the picture {sha[:12]}… does not match its name (damaged)")
        return data

    def page(self, name: str) -> bytes:
        info = self.pages.get(name)
        if info is None:
            raise self.bad(f"the page {name} named in the manifest is missing")
        return self.read(info, MAX_PAGE)


@contextmanager
def _open_archive(path: Path) -> Iterator[_Archive]:
    path = Path(path).expanduser()
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ArchiveError(f"There is no archive {path}.") from None
    except IsADirectoryError:
        raise ArchiveError(f"{path} is a folder, not a backup archive.") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ArchiveError(f"The archive {path} cannot be restored: it is not a readable zip "
                           f"({exc}); nothing was changed.") from None
    with zf:
        archive = _Archive(path, zf)
        archive.check_members()
        yield archive


# ---------------------------------------------------------------------- the manifest's shape


@dataclass(frozen=True)
class _Record:
    url: str
    source_url: str
    title: str
    saved_at: datetime
    updated_at: datetime
    archived: bool
    favourite: bool
    error: str | None
    tags: tuple[str, ...]
    article: Article | None
    page: str | None
    images: dict[str, str]


def _clean_tree(value: Any) -> Any:
    """Every string in a parsed JSON tree without terminal controls: the archive is a file
    from outside, and its text reaches the terminal."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean_tree(v) for k, v in value.items()}
    return value


class _Checker:
    def __init__(self, archive: _Archive) -> None:
        self.archive = archive

    def fail(self, where: str, why: str) -> ArchiveError:
        return self.archive.bad(f"{where} {why}")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "is not an object")
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "is not a list")
        return value

    def text(self, data: dict[str, Any], key: str, where: str, *, optional: bool = False,
            limit: int = 1 << 20) -> Any:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise self.fail(f"{where}'s {key}", "is not text")
        return clean_text(value)

    def whole(self, data: dict[str, Any], key: str, where: str) -> int:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 31:
            raise self.fail(f"{where}'s {key}", "is not a whole number")
        return value

    def flag(self, data: dict[str, Any], key: str, where: str) -> bool:
        value = data.get(key)
        if not isinstance(value, bool):
            raise self.fail(f"{where}'s {key}", "is not true or false")
        return value

    def time(self, data: dict[str, Any], key: str, where: str) -> datetime:
        text = self.text(data, key, where, limit=64)
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise self.fail(f"{where}'s {key}", "is not a date and time") from None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def url(self, data: dict[str, Any], key: str, where: str) -> str:
        value = str(self.text(data, key, where, limit=8192))
        if not value.strip():
            raise self.fail(f"{where}'s {key}", "is empty")
        return value


def _read_manifest(archive: _Archive) -> tuple[list[_Record], list[dict[str, Any]],
                                               list[dict[str, Any]], list[dict[str, Any]],
                                               list[dict[str, Any]], list[dict[str, Any]]]:
    assert archive.manifest is not None
    raw = archive.read(archive.manifest, MAX_MANIFEST)
    try:
        data = json.loads(raw)
    except RecursionError:
        raise archive.bad("its manifest nests deeper than any backup") from None
    except ValueError as exc:
        raise archive.bad(f"its manifest is not JSON ({str(exc)[:80]})") from None
    c = _Checker(archive)
    top = c.obj(data, "the manifest")
    if top.get("format") != FORMAT:
        raise archive.bad("it is not a reader backup (no format tag in the manifest)")
    version = top.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        raise archive.bad(f"it was written by a newer reader (format {version!r}); this "
                          f"one reads up to {VERSION}")
    records: list[_Record] = []
    seen: set[str] = set()
    for n, item in enumerate(c.items(top.get("articles"), "the manifest's articles")):
        where = f"article {n + 1}"
        a = c.obj(item, where)
        url = c.url(a, "url", where)
        if url in seen:
            raise c.fail(where, f"repeats the URL {url}")
        seen.add(url)
        article = None
        if a.get("article") is not None:
            try:
                article = Article.from_json(json.dumps(_clean_tree(c.obj(a["article"],
                                                                         where + "'s article"))))
            except (ValueError, RecursionError) as exc:
                raise c.fail(where + "'s article", f"is not an article ({str(exc)[:80]})") \
                    from None
        tags = c.items(a.get("tags", []), where + "'s tags")
        if not all(isinstance(t, str) and len(t) < 1000 for t in tags):
            raise c.fail(where + "'s tags", "is not a list of text")
        images = c.obj(a.get("images", {}), where + "'s pictures")
        for sha in images.values():
            if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
                raise c.fail(where + "'s pictures", "names a picture wrongly")
            if sha not in archive.images:
                raise c.fail(where + "'s pictures", f"names the missing picture {sha[:12]}…")
        page = c.text(a, "page", where, optional=True, limit=64)
        if page is not None and page not in archive.pages:
            raise c.fail(where + "'s page", "names a page that is not in the archive")
        records.append(_Record(
            url=url, source_url=c.url(a, "source_url", where),
            title=c.text(a, "title", where, optional=True) or "",
            saved_at=c.time(a, "saved_at", where), updated_at=c.time(a, "updated_at", where),
            archived=c.flag(a, "archived", where), favourite=c.flag(a, "favourite", where),
            error=c.text(a, "error", where, optional=True),
            tags=tuple(clean_text(t) for t in tags), article=article, page=page,
            images={clean_text(src): sha for src, sha in images.items()}))
    positions = []
    for n, item in enumerate(c.items(top.get("positions", []), "the manifest's positions")):
        where = f"position {n + 1}"
        p = c.obj(item, where)
        progress = p.get("progress")
        if not isinstance(progress, int | float) or isinstance(progress, bool) \
                or not 0 <= progress <= 1:
            raise c.fail(where + "'s progress", "is not a number from 0 to 1")
        positions.append({"url": c.url(p, "url", where), "block": c.whole(p, "block", where),
                          "offset": c.whole(p, "offset", where), "progress": float(progress),
                          "updated_at": c.time(p, "updated_at", where)})
    bookmarks = []
    for n, item in enumerate(c.items(top.get("bookmarks", []), "the manifest's bookmarks")):
        where = f"bookmark {n + 1}"
        b = c.obj(item, where)
        bookmarks.append({"url": c.url(b, "url", where),
                          **{k: c.text(b, k, where, optional=True) or ""
                             for k in ("title", "section", "snippet", "note")},
                          "block": c.whole(b, "block", where),
                          "offset": c.whole(b, "offset", where),
                          "created": c.time(b, "created", where)})
    history = []
    for n, item in enumerate(c.items(top.get("history", []), "the manifest's history")):
        where = f"history entry {n + 1}"
        h = c.obj(item, where)
        history.append({"url": c.url(h, "url", where),
                        "title": c.text(h, "title", where, optional=True) or "",
                        "opened_at": c.time(h, "opened_at", where)})
    highlights = []
    for n, item in enumerate(c.items(top.get("highlights", []), "the manifest's highlights")):
        where = f"highlight {n + 1}"
        h = c.obj(item, where)
        highlights.append({"url": c.url(h, "url", where),
                           **{k: c.whole(h, k, where) for k in _HIGHLIGHT_NUMBERS},
                           **{k: c.text(h, k, where, optional=True) or ""
                              for k in _HIGHLIGHT_TEXTS},
                           "created": c.time(h, "created", where),
                           "updated": c.time(h, "updated", where)})
    feeds = []
    for n, item in enumerate(c.items(top.get("feeds", []), "the manifest's feeds")):
        where = f"feed {n + 1}"
        f = c.obj(item, where)
        url = c.url(f, "url", where)
        if not url.startswith(("http://", "https://")):
            raise c.fail(where + "'s url", "is not a web address")
        tags = c.items(f.get("tags", []), where + "'s tags")
        if not all(isinstance(t, str) and len(t) < 1000 for t in tags):
            raise c.fail(where + "'s tags", "is not a list of text")
        feeds.append({"url": url, "title": c.text(f, "title", where, optional=True) or "",
                      "site_url": c.text(f, "site_url", where, optional=True, limit=8192),
                      "added_at": c.time(f, "added_at", where),
                      "full_text": c.flag(f, "full_text", where),
                      "save_new": c.flag(f, "save_new", where),
                      "tags": [clean_text(t) for t in tags]})
    return records, positions, bookmarks, history, highlights, feeds


# ---------------------------------------------------------------------- restore


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@contextmanager
def _one_transaction(library: Library) -> Iterator[Any]:
    """One write transaction for the whole restore, in which the library's own ``save``
    and ``save_link`` run too: they open theirs through ``library._write``, which is lent
    this one for the duration."""
    with library._write() as conn:
        lend: Callable[[], Any] = lambda: nullcontext(conn)  # noqa: E731
        library._write = lend  # type: ignore[method-assign]
        try:
            yield conn
        finally:
            del library._write


def restore_backup(library: Library, path: Path) -> RestoreResult:
    """Merge the archive at ``path`` into ``library``; see the module's docstring."""
    with _open_archive(path) as archive:
        records, positions, bookmarks, history, highlights, feeds = _read_manifest(archive)
        if highlights and not _has_table(library, "highlights"):
            raise archive.bad("it holds highlights, which this reader cannot keep")
        if feeds and not _has_table(library, "feeds"):
            raise archive.bad("it holds feed subscriptions, which this reader cannot keep")
        for record in records:  # every picture and page readable and intact, before writing
            for sha in set(record.images.values()):
                archive.image(sha)
            if record.page is not None:
                archive.page(record.page)
        result = RestoreResult()
        read_at = {p["url"]: p["updated_at"] for p in positions}
        with _one_transaction(library) as conn:
            for record in records:
                theirs = max(record.updated_at, read_at.get(record.url, record.updated_at))
                _restore_article(library, conn, archive, record, theirs, result)
            for p in positions:
                _restore_position(conn, p)
            for b in bookmarks:
                exists = conn.execute(
                    'SELECT 1 FROM bookmarks WHERE url = ? AND block = ? AND "offset" = ?'
                    " AND created = ?", (b["url"], b["block"], b["offset"],
                                         _stamp(b["created"]))).fetchone()
                if exists is None:
                    conn.execute(
                        'INSERT INTO bookmarks (url, title, section, snippet, note, block,'
                        ' "offset", created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                        (b["url"], b["title"], b["section"], b["snippet"], b["note"],
                         b["block"], b["offset"], _stamp(b["created"])))
                    result.bookmarks += 1
            for h in history:
                stamp = _stamp(h["opened_at"])
                exists = conn.execute("SELECT 1 FROM history WHERE url = ? AND opened_at = ?",
                                      (h["url"], stamp)).fetchone()
                if exists is None:
                    conn.execute("INSERT INTO history (url, title, opened_at) VALUES (?, ?, ?)",
                                 (h["url"], h["title"], stamp))
                    result.history += 1
            for h in highlights:
                result.highlights += _restore_highlight(conn, h)
            for f in feeds:
                result.feeds += _restore_feed(conn, f)
    return result


def _restore_feed(conn: Any, f: dict[str, Any]) -> int:
    """Subscribe to a feed the library lacks, with its options; for one it has, join
    the folders and keep its own options. Returns 1 when one was added."""
    row = conn.execute("SELECT id FROM feeds WHERE url = ?", (f["url"],)).fetchone()
    added = 0
    if row is None:
        cursor = conn.execute(
            "INSERT INTO feeds (url, title, site_url, added_at, full_text, save_new)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (f["url"], f["title"], f["site_url"], _stamp(f["added_at"]), int(f["full_text"]),
             int(f["save_new"])))
        feed_id, added = int(cursor.lastrowid or 0), 1
    else:
        feed_id = int(row[0])
    conn.executemany("INSERT OR IGNORE INTO feed_tags (feed_id, tag) VALUES (?, ?)",
                     [(feed_id, tag) for tag in _tags(tuple(f["tags"]))])
    return added


def _restore_highlight(conn: Any, h: dict[str, Any]) -> int:
    """Add a highlight the library lacks (same place, made at the same time); for one it
    has, the note edited last wins. Returns 1 when one was added."""
    key = (h["url"], h["start_block"], h["start_offset"], h["end_block"], h["end_offset"],
           _stamp(h["created"]))
    row = conn.execute("SELECT id, updated FROM highlights WHERE url = ? AND start_block = ?"
                       " AND start_offset = ? AND end_block = ? AND end_offset = ?"
                       " AND created = ?", key).fetchone()
    if row is None:
        values = [h[k] for k in _HIGHLIGHT_COLUMNS]
        values[_HIGHLIGHT_COLUMNS.index("created")] = _stamp(h["created"])
        values[_HIGHLIGHT_COLUMNS.index("updated")] = _stamp(h["updated"])
        conn.execute(f"INSERT INTO highlights ({', '.join(_HIGHLIGHT_COLUMNS)}) VALUES "
                     f"({', '.join('?' * len(values))})", values)
        return 1
    local = _time(row[1])
    if local is None or h["updated"] > local:
        conn.execute("UPDATE highlights SET note = ?, updated = ? WHERE id = ?",
                     (h["note"], _stamp(h["updated"]), row[0]))
    return 0


def _state_time(conn: Any, url: str, updated_at: datetime | None) -> datetime | None:
    row = conn.execute("SELECT updated_at FROM positions WHERE url = ?", (url,)).fetchone()
    times = [t for t in (updated_at, _time(row[0]) if row else None) if t is not None]
    return max(times) if times else None


def _restore_article(library: Library, conn: Any, archive: _Archive, record: _Record,
                     theirs: datetime, result: RestoreResult) -> None:
    """One article in: added if new; else text from the side changed last, flags from the
    side whose state (row or reading position) changed last, tags joined."""
    images = {src: archive.image(sha) for src, sha in record.images.items()}
    html = archive.page(record.page) if record.page is not None else None
    found = conn.execute("SELECT id, updated_at, saved_at, archived, favourite FROM articles "
                         "WHERE url = ?", (record.url,)).fetchone()
    if found is None:
        if record.article is not None:
            article_id = library.save(record.article, source_url=record.source_url, html=html,
                                      images=images, saved_at=record.saved_at,
                                      tags=record.tags, archived=record.archived,
                                      favourite=record.favourite)
            conn.execute("UPDATE articles SET updated_at = ?, error = ? WHERE id = ?",
                         (_stamp(record.updated_at), record.error, article_id))
        else:
            article_id = library.save_link(record.url, title=record.title, error=record.error,
                                           saved_at=record.saved_at, tags=record.tags,
                                           archived=record.archived,
                                           favourite=record.favourite)
            conn.execute("UPDATE articles SET updated_at = ?, source_url = ? WHERE id = ?",
                         (_stamp(record.updated_at), record.source_url, article_id))
        result.added.append(article_id)
        return

    article_id = int(found[0])
    local_updated = _time(found[1])
    before = _snapshot(conn, article_id)
    has_content = conn.execute("SELECT 1 FROM article_content WHERE article_id = ?",
                               (article_id,)).fetchone() is not None
    theirs_newer = local_updated is None or record.updated_at > local_updated
    if record.article is not None and (not has_content or theirs_newer):
        library.save(record.article, source_url=record.source_url, html=html, images=images)
        conn.execute("UPDATE articles SET updated_at = ? WHERE id = ?",
                     (_stamp(max(record.updated_at, local_updated or record.updated_at)),
                      article_id))
    # The flags follow whichever side changed last; on a tie the library keeps its own.
    ours = _state_time(conn, record.url, local_updated)
    if ours is None or theirs > ours:
        conn.execute("UPDATE articles SET archived = ?, favourite = ? WHERE id = ?",
                     (int(record.archived), int(record.favourite), article_id))
    saved_at = _time(found[2])
    if saved_at is None or record.saved_at < saved_at:  # first saved: the earlier time
        conn.execute("UPDATE articles SET saved_at = ? WHERE id = ?",
                     (_stamp(record.saved_at), article_id))
    conn.executemany("INSERT OR IGNORE INTO tags (article_id, tag) VALUES (?, ?)",
                     [(article_id, t) for t in _tags(record.tags)])
    if _snapshot(conn, article_id) != before:
        result.updated.append(article_id)
    else:
        result.unchanged += 1


def _tags(tags: tuple[str, ...]) -> list[str]:
    out: dict[str, None] = {}
    for tag in tags:
        tag = " ".join(tag.split()).lstrip("#")
        if tag:
            out.setdefault(tag, None)
    return list(out)


def _snapshot(conn: Any, article_id: int) -> tuple[Any, ...]:
    row = conn.execute("SELECT title, saved_at, updated_at, archived, favourite, error "
                       "FROM articles WHERE id = ?", (article_id,)).fetchone()
    tags = conn.execute("SELECT tag FROM tags WHERE article_id = ? ORDER BY tag",
                        (article_id,)).fetchall()
    return (tuple(row), tuple(t[0] for t in tags))


def _restore_position(conn: Any, p: dict[str, Any]) -> None:
    row = conn.execute("SELECT updated_at FROM positions WHERE url = ?", (p["url"],)).fetchone()
    local = _time(row[0]) if row else None
    if local is not None and p["updated_at"] <= local:
        return  # the library's is as new or newer
    conn.execute(
        'INSERT INTO positions (url, block, "offset", progress, updated_at) VALUES '
        '(?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET block = excluded.block, '
        '"offset" = excluded."offset", progress = excluded.progress, '
        "updated_at = excluded.updated_at",
        (p["url"], p["block"], p["offset"], p["progress"], _stamp(p["updated_at"])))
