"""Turning what a person names on the command line into an Article.

A SOURCE is a file path, ``-`` for standard input, an http(s) URL, or nothing (the
built-in welcome article). This module reads the bytes, checks that they are a page at
all (not a directory, an empty file, a binary or something that is not HTML) and hands
them to extraction. Every problem becomes a :class:`~reader.errors.SourceError` with one
sentence; fetching problems are the fetcher's :class:`~reader.errors.FetchError`.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reader.document import Article
from reader.errors import ReaderError, SourceError
from reader.media import describe_bytes, format_size
from reader.urls import check_scheme, is_url
from reader.urls import describe as describe  # re-exported: the UI names sources with it
from reader.urls import stdin_url as stdin_url

if TYPE_CHECKING:
    from reader.document import Block
    from reader.fetch import Fetcher, FetchResult

WELCOME_URL = "about:welcome"
MAX_FILE_BYTES = 64 * 2**20
_SNIFF = 8192
# Any element at all, a doctype or a comment: enough to call the bytes markup.
_MARKUP = re.compile(rb"<(?:!doctype\s+html|html|head|body|p|div|article|main|section|h[1-6]|"
                     rb"title|span|a|ul|ol|table|br|img|meta)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Loaded:
    """An article and where it came from; ``html`` is the page as received, kept so the
    library can store the original."""

    article: Article
    html: bytes | None
    source_url: str

    @property
    def key(self) -> str:
        """The URL that bookmarks and reading positions are keyed on: canonical if known."""
        return self.article.url or self.source_url


def check_page_bytes(data: bytes, name: str) -> None:
    """Raise a SourceError unless ``data`` looks like an HTML page."""
    if not data.strip():
        raise SourceError(f"{name} is empty.")
    head = data[:_SNIFF]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a BOM: text, decoding will tell the rest
    kind = describe_bytes(head)
    if kind is not None:
        raise SourceError(f"{name} is {kind}, not a web page.")
    if b"\x00" in head or _binary_ratio(head) > 0.1:
        raise SourceError(f"{name} is a binary file, not an HTML page.")
    if not _MARKUP.search(data[: 4 * _SNIFF]):
        raise SourceError(f"{name} is not an HTML page.")


def _binary_ratio(head: bytes) -> float:
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / max(1, len(head))


def file_size(source: str) -> int:
    """The size of the file ``source`` names, 0 if there is none (missing or odd: reading
    it says what is wrong): the app's loading line gives it, before the page is read."""
    try:
        return Path(source).expanduser().stat().st_size
    except (OSError, ValueError):
        return 0


def read_file(path: Path) -> bytes:
    name = str(path)
    try:
        if path.is_dir():
            raise SourceError(f"{name} is a directory, not a page.")
        if not path.exists():
            raise SourceError(f"There is no file {name}.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SourceError(f"{name} is larger than {format_size(MAX_FILE_BYTES)}.")
        return path.read_bytes()
    except PermissionError:
        raise SourceError(f"{name} cannot be read: permission denied.") from None
    except OSError as exc:
        raise SourceError(f"{name} cannot be read: {exc.strerror or exc}.") from None


def read_stdin(stream: BinaryIO | None = None) -> bytes:
    if stream is None and sys.stdin.isatty():
        raise SourceError("Nothing is piped into reader: use `reader FILE`, or "
                          "`command | reader -`.")
    stream = stream if stream is not None else sys.stdin.buffer
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"Standard input is larger than {format_size(MAX_FILE_BYTES)}.")
    return data


def article_from_page(data: bytes, name: str, url: str | None, encoding: str | None = None
                      ) -> Article:
    from reader.extract import extract

    check_page_bytes(data, name)
    article = extract(data, url, encoding=encoding)
    if not article.blocks:
        raise SourceError(f"{name} has no article text that reader could find.")
    return article


def article_from_fetch(result: FetchResult) -> Article:
    """The article in a fetched page: HTML goes to extraction, text/plain becomes text."""
    from reader.extract import article_from_text, decode_html

    if result.kind == "text":
        return article_from_text(decode_html(result.body, result.charset), result.url)
    return article_from_page(result.body, result.url, result.url, result.charset)


# Pages bigger than this are extracted in a child process while the app starts: forking
# costs a few milliseconds and handing the article over a tenth of its extraction time,
# which the overlap with Textual's import and start more than pays for from about 128 KB
# (measured: a 200 KB page shows 35 ms sooner, its first keys 10-40 ms sooner). A
# smaller page is extracted here, in a fraction of Textual's import time.
ASIDE_BYTES = 128 * 2**10
# A child that has not answered by then is killed and the page extracted in-process.
ASIDE_TIMEOUT = 120.0


class PendingArticle:
    """A page being extracted, perhaps in a child process: :meth:`result` gives its
    Article, :meth:`cancel` gives up on it (the child is killed). :meth:`result` may
    run in a thread while :meth:`cancel` is called from another."""

    def __init__(self, data: bytes, name: str, url: str | None,
                 child: tuple[int, int] | None = None, *, source_url: str = "") -> None:
        self._page = (data, name, url)
        self._child = child
        self._reading = False
        self._cancelled = False
        self.source_url = source_url  # where the bytes came from, for :meth:`loaded`

    @property
    def name(self) -> str:
        """The page's name in sentences: its path, or "Standard input"."""
        return self._page[1]

    @property
    def in_child(self) -> bool:
        return self._child is not None

    def result(self) -> Article:
        if self._child is not None:
            pid, pipe = self._child
            self._reading = True
            try:
                outcome = _child_outcome(pid, pipe)
            finally:
                self._child = None
            if isinstance(outcome, Article):
                return outcome
            if isinstance(outcome, ReaderError):
                raise outcome
        if self._cancelled:
            raise SourceError("Opening the page was cancelled.")
        return article_from_page(*self._page)  # no child, or it failed: in-process

    def loaded(self) -> Loaded:
        """The page and its Article, as :func:`load` gives it."""
        return Loaded(self.result(), self._page[0], self.source_url)

    def cancel(self) -> None:
        self._cancelled = True
        child = self._child
        if child is None:
            return
        pid, pipe = child
        if self._reading:  # the reading thread sees the pipe end, and reaps the child
            import signal

            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            return
        self._child = None
        os.close(pipe)
        _reap(pid, kill=True)


def extract_aside(data: bytes, name: str, url: str | None, *, source_url: str = ""
                  ) -> PendingArticle:
    """Start extracting a page; the PendingArticle returned gives its Article.

    A page of more than :data:`ASIDE_BYTES` is extracted in a forked child process, so
    the caller can import and start the UI meanwhile (a thread would not: extraction
    holds the GIL). The Article comes back pickled over a pipe. Anything going wrong in
    the child — no ``fork`` on this platform, a crash, a pickling error, a timeout —
    only means the page is extracted in-process by :meth:`PendingArticle.result`, with
    the same result and the same errors; a :class:`~reader.errors.ReaderError` raised in
    the child (no article text, …) is raised again there. Smaller pages are extracted
    in-process, and bytes that are no page at all fail here, at once.
    """
    check_page_bytes(data, name)
    child = _fork_extraction(data, name, url) if len(data) > ASIDE_BYTES else None
    return PendingArticle(data, name, url, child, source_url=source_url)


def _fork_extraction(data: bytes, name: str, url: str | None) -> tuple[int, int] | None:
    """Fork a child that extracts ``data`` and writes the pickled outcome to a pipe;
    (pid, read end of the pipe), or None where a child cannot be had."""
    import threading

    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None  # no fork (Windows), or forking a threaded process is unsafe
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    _widen(write_end)
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child_main(write_end, data, name, url)
    os.close(write_end)
    return pid, read_end


# The pipe's buffer, where Linux lets it be set: at its default 64 KB, an 8 MB Article
# went over in a hundred and thirty turns of writer blocked, reader woken, on a busy
# machine each a wait for the scheduler (half a second in all, measured).
PIPE_BYTES = 1 << 20


def _widen(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or above the system's limit: the default buffer works too


def _child_main(fd: int, data: bytes, name: str, url: str | None) -> None:
    """Extract, send the Article (see :func:`_send`) or ("error", ReaderError) pickled
    to ``fd``, exit.
    An unexpected exception writes nothing: the parent extracts again in-process, where
    it is reported as usual (with a traceback under --debug)."""
    status = 1
    try:
        import gc
        import signal

        # The terminal is the parent's: nothing of ours may reach it, and Ctrl-C is
        # the parent's to handle (it kills this child).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        null = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(null, target)
        gc.freeze()  # the parent's objects: never walked, never copied on write
        try:
            outcome: tuple[str, object] = ("ok", article_from_page(data, name, url))
        except ReaderError as exc:
            outcome = ("error", exc)
        gc.disable()  # the Article is all that is left to make: no collection walks it
        # Streamed as it is pickled: the parent unpickles the first frames while the
        # last are made (dumping and loading one after the other cost 150 ms at 2 MB).
        with os.fdopen(fd, "wb", buffering=1 << 18) as pipe:
            _send(pipe, outcome)
        status = 0
    except BaseException:  # the parent falls back; the child just ends
        pass
    finally:
        os._exit(status)


# An Article goes over as ("article", itself without blocks, how many blocks), then its
# blocks in pickles of this many: the parent prepares each batch for the app (texts,
# link counts, see reader.document.prepare) while the child pickles the next.
BATCH_BLOCKS = 256


def _send(pipe: BinaryIO, outcome: tuple[str, object]) -> None:
    import pickle
    from dataclasses import replace

    protocol = pickle.HIGHEST_PROTOCOL
    kind, value = outcome
    if kind != "ok" or not isinstance(value, Article):
        pickle.dump(outcome, pipe, protocol=protocol)
        return
    blocks = value.blocks
    pickle.dump(("article", replace(value, blocks=()), len(blocks)), pipe, protocol=protocol)
    for start in range(0, len(blocks), BATCH_BLOCKS):
        pickle.dump(blocks[start:start + BATCH_BLOCKS], pipe, protocol=protocol)


def _receive(pipe: _PipeReader) -> tuple[str, object]:
    """What :func:`_send` sent; anything else raises (a damaged answer)."""
    import pickle
    from dataclasses import replace

    from reader.document import prepare

    kind, value, *rest = pickle.load(pipe)
    if kind != "article":
        return kind, value
    count = rest[0]
    if not isinstance(value, Article) or not isinstance(count, int):
        raise ValueError("not an article")
    blocks: list[Block] = []
    while len(blocks) < count:
        batch = pickle.load(pipe)
        if not isinstance(batch, tuple) or not batch:
            raise ValueError("not a batch of blocks")
        prepare(batch)
        blocks.extend(batch)
    if len(blocks) != count:
        raise ValueError("more blocks than announced")
    return "ok", replace(value, blocks=tuple(blocks))


def _child_outcome(pid: int, fd: int) -> object:
    """What the child sent (an Article or a ReaderError), or None if it sent nothing
    usable within :data:`ASIDE_TIMEOUT`. The child is reaped (killed if need be)."""
    import gc
    import time

    pipe = _PipeReader(fd, time.monotonic() + ASIDE_TIMEOUT)
    # Hundreds of thousands of objects are made at once: no collection halfway.
    enabled = gc.isenabled()
    gc.disable()
    try:
        kind, value = _receive(pipe)
    except Exception:  # nothing, a damaged answer or too late: extract in-process
        return None
    finally:
        if enabled:
            gc.enable()
        os.close(fd)
        _reap(pid, kill=True)  # (it has nothing left to do but exit)
    if kind == "ok" and isinstance(value, Article):
        return value
    if kind == "error" and isinstance(value, ReaderError):
        return value
    return None


class _PipeReader:
    """The read end of the child's pipe as a file for ``pickle.load``, which reads it
    as the child writes; a read past ``deadline`` (time.monotonic) raises TimeoutError."""

    def __init__(self, fd: int, deadline: float) -> None:
        self.fd = fd
        self.deadline = deadline

    def read(self, size: int = -1) -> bytes:
        import select
        import time

        chunks: list[bytes] = []
        wanted = size if size >= 0 else 1 << 62
        while wanted > 0:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the child took too long")
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.fd, min(wanted, 1 << 20))
            if not chunk:
                break  # the end: pickle says what is missing
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)

    def readline(self) -> bytes:
        line = bytearray()
        while not line.endswith(b"\n"):
            byte = self.read(1)
            if not byte:
                break
            line += byte
        return bytes(line)


def _reap(pid: int, *, kill: bool) -> None:
    import signal

    try:
        if kill:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def load_aside(source: str) -> PendingArticle:
    """Read a local file or ``file://`` URL now and start extracting it (see
    :func:`extract_aside`)."""
    if source.lower().startswith("file://"):
        from urllib.parse import unquote, urlsplit

        source = unquote(urlsplit(source).path)
    path = Path(source).expanduser()
    data = read_file(path)
    return extract_aside(data, source, None, source_url=path.resolve().as_uri())


def welcome() -> Loaded:
    """The built-in welcome article: it needs no network and shows every block kind."""
    from importlib import resources  # here: `reader dump` never needs it

    from reader.extract import extract

    data = resources.files("reader.data").joinpath("welcome.html").read_bytes()
    article = extract(data, WELCOME_URL)
    return Loaded(article, None, WELCOME_URL)


def load(source: str | None, *, stdin: BinaryIO | None = None) -> Loaded:
    """Load SOURCE synchronously (the CLI's path); ``None`` is the welcome article."""
    if source is None:
        return welcome()
    if source == "-":
        data = read_stdin(stdin)
        return Loaded(article_from_page(data, "Standard input", None), data, stdin_url(data))
    if source.lower().startswith("file://"):
        from urllib.parse import unquote, urlsplit

        source = unquote(urlsplit(source).path)
    elif is_url(source):
        from reader.fetch import fetch_sync

        check_scheme(source)
        result = fetch_sync(source)
        return Loaded(article_from_fetch(result), result.body, result.url)
    path = Path(source).expanduser()
    data = read_file(path)
    return Loaded(article_from_page(data, source, None), data, path.resolve().as_uri())


async def load_async(
    source: str | None,
    fetcher: Fetcher | Callable[[], Fetcher],
    *,
    progress: Callable[[int, int | None], None] | None = None,
    stdin_data: bytes | None = None,
) -> Loaded:
    """Load SOURCE for the app: network through the app's fetcher, parsing off the loop.

    ``fetcher`` may be a function that makes one, so opening a file never pays for
    importing the HTTP client.
    """
    import asyncio

    if source is not None and is_url(source) and not source.lower().startswith("file://"):
        check_scheme(source)
        client = fetcher() if callable(fetcher) else fetcher
        result = await client.fetch(source, progress=progress)
        article = await asyncio.to_thread(article_from_fetch, result)
        return Loaded(article, result.body, result.url)
    if source == "-" and stdin_data is not None:
        data = stdin_data
        article = await asyncio.to_thread(article_from_page, data, "Standard input", None)
        return Loaded(article, data, stdin_url(data))
    return await asyncio.to_thread(load, source)
