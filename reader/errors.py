"""The project's exceptions: each carries one sentence a person can act on.

The CLI prints ``reader: error: <sentence>`` for any :class:`ReaderError` and the UI shows
the same sentence in a notification; anything else is a bug and gets a traceback only
with ``--debug``.
"""

from __future__ import annotations


class ReaderError(Exception):
    """Base of every error that is the input's or the environment's fault, not ours."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence


class SourceError(ReaderError):
    """A file, stdin or argument that cannot be read as an article."""


class FetchError(ReaderError):
    """A URL that could not be fetched: network, HTTP status, size, type, redirects."""


class LibraryError(ReaderError):
    """The library database cannot be opened or written."""


class ImportFormatError(ReaderError):
    """An import file that is malformed or of an unknown format."""
