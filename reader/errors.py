"""The project's exceptions: each carries one sentence a person can act on.

The CLI prints ``reader: error: <sentence>`` for any :class:`ReaderError` and the UI shows
the same sentence in a notification; anything else is a bug and gets a traceback only
with ``--debug``.

A sentence often quotes what a stranger chose (an address a page redirected to, a
Content-Type, a line of an import file), so it is cleaned of terminal controls here,
once, when the error is made: every place that shows a sentence can print it as it is.
It is still *text*, never markup — the UI shows it with markup off.

Fetch failures are split the way httpx splits its own (``_exceptions.py``), so a caller
can tell what happened without reading the prose::

    ReaderError
     ├── SourceError            a file, stdin or argument that is not an article
     ├── FetchError             could not get the page (network, redirects, size, policy)
     │    ├── FetchTimeout      the server was too slow: worth trying again later
     │    ├── HTTPStatusError   the server answered an error status (``.status``)
     │    ├── NotAPage          the server sent something that is not a page/image
     │    └── PrivateAddressRefused  the private-address policy said no
     ├── LibraryError
     └── ImportFormatError
"""

from __future__ import annotations

from reader.sanitize import clean_text


class ReaderError(Exception):
    """Base of every error that is the input's or the environment's fault, not ours."""

    def __init__(self, sentence: str) -> None:
        sentence = clean_text(sentence)
        super().__init__(sentence)
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence


class SourceError(ReaderError):
    """A file, stdin or argument that cannot be read as an article."""


class FetchError(ReaderError):
    """A URL that could not be fetched: network, HTTP status, size, type, redirects.

    ``retryable`` says whether the same request may well succeed later (a timeout, a
    reset connection, a 503) rather than never (a 404, a PDF, a refused address)."""

    retryable: bool = True


class FetchTimeout(FetchError):
    """The server did not answer, or not fast enough, within the limits."""

    retryable = True


class HTTPStatusError(FetchError):
    """The server answered with an error status; ``status`` is its code."""

    def __init__(self, sentence: str, status: int) -> None:
        super().__init__(sentence)
        self.status = status
        # 408 Request Timeout, 425 Too Early, 429 Too Many Requests and 5xx may pass.
        self.retryable = status in (408, 425, 429) or status >= 500


class NotAPage(FetchError):
    """The server sent something other than what was asked for: a PDF, an empty body,
    an image that is not one, a body larger than the cap."""

    retryable = False


class PrivateAddressRefused(FetchError):
    """A public page tried to make reader reach a private network address."""

    retryable = False


class LibraryError(ReaderError):
    """The library database cannot be opened or written."""


class ImportFormatError(ReaderError):
    """An import file that is malformed or of an unknown format."""
