"""What screens ask of the app, as typed messages.

Screens never call the app by name: they post one of these to it
(``self.app.post_message(OpenLink(href))``) and the app handles it with ``@on``. The
type checker sees every request, and a screen can be tested by catching its messages.
Messages go to the app directly (not bubbling from the screen), because a dialog that
posts one usually dismisses itself at the same moment.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from reader.document import Position
from reader.library import Bookmark


class OpenLink(Message):
    """Follow a link of the article (relative to it): anchors scroll, pages load."""

    def __init__(self, href: str) -> None:
        super().__init__()
        self.href = href


class OpenInBrowser(Message):
    """Open an http(s) address in the system's web browser."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url


class OpenSaved(Message):
    """Open a saved article (offline) where reading stopped."""

    def __init__(self, article_id: int) -> None:
        super().__init__()
        self.article_id = article_id


class OpenAddress(Message):
    """Open an address: its saved copy if there is one, else fetch it."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url


class JumpToBookmark(Message):
    def __init__(self, mark: Bookmark) -> None:
        super().__init__()
        self.mark = mark


class GoBack(Message):
    pass


class GoForward(Message):
    pass


class CancelLoading(Message):
    """Esc while an article loads."""


class ReadingMoved(Message):
    """The top of the text moved: the app writes the position once scrolling stops."""

    def __init__(self, position: Position, progress: float) -> None:
        super().__init__()
        self.position = position
        self.progress = progress


class Remember(Message):
    """Settings a person changed (text width, panes): written to the config file."""

    def __init__(self, **changes: Any) -> None:
        super().__init__()
        self.changes = changes


class CopyText(Message):
    """Put text on the clipboard (``what`` names it in the confirmation)."""

    def __init__(self, text: str, what: str) -> None:
        super().__init__()
        self.text = text
        self.what = what
